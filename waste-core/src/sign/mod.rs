//! HJ 1276-2022 signs of a storage site: the storage-facility sign (贮存设施标志) and the storage-zone sign (贮存分区
//! 标志), as printable SVG in millimetres. Which fields each sign carries, whether a field is required, the sizes
//! and the colours are data (`sites.toml`, `[sign]`), each with its confidence: the standard's own field lists
//! were not found, so most are assumptions to be checked against the official text.

mod content;
mod draw;
mod state;

pub use content::{FacilitySign, SignError, ZoneSign, ZoneWaste};
pub use draw::{render_facility, render_zone, xml_escape};
pub use state::{SignRecord, SignState, sign_states};

use crate::citation::Confidence;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignType {
    /// 危险废物贮存分区标志.
    Zone,
    /// 危险废物贮存设施标志.
    Facility,
}

impl SignType {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "zone" => Some(Self::Zone),
            "facility" => Some(Self::Facility),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zone => "zone",
            Self::Facility => "facility",
        }
    }
    /// The fields the renderer knows for this sign; the data may only name these.
    fn known_fields(self) -> &'static [&'static str] {
        match self {
            Self::Facility => &[
                "title",
                "symbol",
                "unit_name",
                "facility_name",
                "facility_code",
                "responsible",
                "contact",
                "location",
            ],
            Self::Zone => &[
                "title",
                "facility_name",
                "zone_plan",
                "zone_name",
                "wastes",
                "emergency",
                "responsible",
                "contact",
            ],
        }
    }
}

/// A field of a sign as the data describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignFieldRule {
    pub sign: SignType,
    pub field: String,
    pub zh: String,
    pub en: String,
    pub required: bool,
    pub confidence: Confidence,
    pub source: String,
}

/// A sign size for viewing distances up to `max_distance_m` (the last row has no limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignSize {
    pub max_distance_m: Option<Decimal>,
    pub width_mm: u32,
    pub height_mm: u32,
    /// Body text height; titles are larger.
    pub text_mm: u32,
}

#[derive(Debug, Clone)]
pub struct SignRules {
    pub standard: String,
    pub symbol: String,
    pub symbol_confidence: Confidence,
    pub symbol_artwork_confidence: Confidence,
    pub background: String,
    pub foreground: String,
    pub colour_confidence: Confidence,
    pub fields: Vec<SignFieldRule>,
    sizes: BTreeMap<SignType, Vec<SignSize>>,
}

fn colour(s: &str) -> Result<String, String> {
    let ok = s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok {
        Ok(s.to_owned())
    } else {
        Err(format!("sites: sign colour '{s}' is not #RRGGBB"))
    }
}

impl SignRules {
    /// Reads the `[sign]` table of `sites.toml`.
    pub fn parse(text: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Raw {
            sign: S,
        }
        #[derive(Deserialize)]
        struct S {
            standard: String,
            symbol: String,
            symbol_confidence: Confidence,
            symbol_artwork_confidence: Confidence,
            background: String,
            foreground: String,
            colour_confidence: Confidence,
            field: Vec<SignFieldRule>,
            size: Vec<Sz>,
        }
        #[derive(Deserialize)]
        struct Sz {
            sign: SignType,
            max_distance_m: Option<String>,
            width_mm: u32,
            height_mm: u32,
            text_mm: u32,
        }
        let raw: Raw = toml::from_str(text).map_err(|e| format!("sites: {e}"))?;
        let s = raw.sign;
        for f in &s.field {
            if !f.sign.known_fields().contains(&f.field.as_str()) {
                return Err(format!(
                    "sites: the {} sign has no field '{}'",
                    f.sign.as_str(),
                    f.field
                ));
            }
        }
        let mut sizes: BTreeMap<SignType, Vec<SignSize>> = BTreeMap::new();
        for z in s.size {
            if z.width_mm == 0 || z.height_mm == 0 || z.text_mm == 0 || z.text_mm * 8 > z.height_mm
            {
                return Err(format!(
                    "sites: a {} sign size is unusable",
                    z.sign.as_str()
                ));
            }
            let max = z
                .max_distance_m
                .as_deref()
                .map(|d| Decimal::from_str(d).map_err(|e| format!("sites: '{d}': {e}")))
                .transpose()?;
            sizes.entry(z.sign).or_default().push(SignSize {
                max_distance_m: max,
                width_mm: z.width_mm,
                height_mm: z.height_mm,
                text_mm: z.text_mm,
            });
        }
        for t in [SignType::Zone, SignType::Facility] {
            let list = sizes
                .get(&t)
                .ok_or(format!("sites: no size for the {} sign", t.as_str()))?;
            if list.last().is_none_or(|z| z.max_distance_m.is_some()) {
                return Err(format!(
                    "sites: the last {} sign size must have no distance limit",
                    t.as_str()
                ));
            }
        }
        Ok(Self {
            standard: s.standard,
            symbol: s.symbol,
            symbol_confidence: s.symbol_confidence,
            symbol_artwork_confidence: s.symbol_artwork_confidence,
            background: colour(&s.background)?,
            foreground: colour(&s.foreground)?,
            colour_confidence: s.colour_confidence,
            fields: s.field,
            sizes,
        })
    }

    /// The fields of one sign, in the data's order.
    pub fn fields(&self, sign: SignType) -> impl Iterator<Item = &SignFieldRule> {
        self.fields.iter().filter(move |f| f.sign == sign)
    }

    fn field(&self, sign: SignType, key: &str) -> Option<&SignFieldRule> {
        self.fields(sign).find(|f| f.field == key)
    }

    /// The size for a viewing distance; without one, the smallest.
    pub fn size_for(&self, sign: SignType, distance_m: Option<Decimal>) -> SignSize {
        // Both kinds have a size list ending without a limit: `parse` refuses data without one.
        let list = &self.sizes[&sign];
        let Some(d) = distance_m else {
            return list[0];
        };
        list.iter()
            .find(|z| z.max_distance_m.is_none_or(|max| d <= max))
            .copied()
            .unwrap_or(list[list.len() - 1])
    }
}
