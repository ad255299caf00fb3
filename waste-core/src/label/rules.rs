//! The label rules of `labels.toml`: sizes by container volume, the digital-id layout and how the label looks.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Size rules and digital-id layout (labels.toml).
#[derive(Debug, Clone)]
pub struct LabelRules {
    pub standard: String,
    sizes: Vec<(Option<Decimal>, u32, u32)>,
    pub two_labels_above_l: Decimal,
    pub id_segments: Vec<usize>,
    pub look: LabelLook,
}

/// How the label looks (`labels.toml` `[look]`): colours with their confidence, and the settings no source
/// confirms (hazard pictograms, field order), marked as such.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelLook {
    /// `#RRGGBB`.
    pub background: String,
    pub foreground: String,
    pub colour_confidence: crate::citation::Confidence,
    pub colour_source: String,
    /// Whether hazard pictograms are drawn (none is, until a source gives their artwork).
    pub pictograms: bool,
    pub pictograms_confidence: crate::citation::Confidence,
    pub field_order_confidence: crate::citation::Confidence,
}

impl LabelRules {
    pub fn parse(text: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Raw {
            standard: Std,
            size: Vec<Size>,
            two_labels_above_l: String,
            digital_id: Id,
            look: Look,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Look {
            background: String,
            foreground: String,
            colour_confidence: crate::citation::Confidence,
            colour_source: String,
            pictograms: bool,
            pictograms_confidence: crate::citation::Confidence,
            field_order_confidence: crate::citation::Confidence,
        }
        #[derive(Deserialize)]
        struct Std {
            name: String,
        }
        #[derive(Deserialize)]
        struct Size {
            max_volume_l: Option<String>,
            side_mm: u32,
            text_mm: u32,
        }
        #[derive(Deserialize)]
        struct Id {
            length: usize,
            segments: Vec<usize>,
        }
        let raw: Raw = toml::from_str(text).map_err(|e| format!("labels: {e}"))?;
        let dec = |s: &str| Decimal::from_str(s).map_err(|e| format!("labels: '{s}': {e}"));
        let mut sizes = Vec::new();
        for s in raw.size {
            sizes.push((
                s.max_volume_l.as_deref().map(dec).transpose()?,
                s.side_mm,
                s.text_mm,
            ));
        }
        if sizes.last().is_none_or(|s| s.0.is_some()) {
            return Err("labels: the last size must have no upper volume".into());
        }
        if raw.digital_id.segments.iter().sum::<usize>() != raw.digital_id.length
            || raw.digital_id.segments.len() != 4
        {
            return Err("labels: digital_id segments must be 4 and add up to its length".into());
        }
        let colour = |c: &str| {
            let ok =
                c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|x| x.is_ascii_hexdigit());
            if ok {
                Ok(c.to_ascii_uppercase())
            } else {
                Err(format!("labels: colour '{c}' is not #RRGGBB"))
            }
        };
        if raw.look.pictograms {
            return Err(
                "labels: pictograms = true, but no pictogram artwork is in the data".into(),
            );
        }
        let look = LabelLook {
            background: colour(&raw.look.background)?,
            foreground: colour(&raw.look.foreground)?,
            colour_confidence: raw.look.colour_confidence,
            colour_source: raw.look.colour_source,
            pictograms: raw.look.pictograms,
            pictograms_confidence: raw.look.pictograms_confidence,
            field_order_confidence: raw.look.field_order_confidence,
        };
        Ok(Self {
            look,
            standard: raw.standard.name,
            sizes,
            two_labels_above_l: dec(&raw.two_labels_above_l)?,
            id_segments: raw.digital_id.segments,
        })
    }

    /// Minimum label size, text height and number of labels for a container (HJ 1276-2022; docs/rules.md "Labels"). Exactly
    /// 450 L matches two rows of the source table and takes the larger label.
    pub fn size_for(&self, volume_l: Decimal) -> LabelSize {
        let mut chosen = self.sizes[self.sizes.len() - 1];
        for s in &self.sizes {
            match s.0 {
                Some(max)
                    if volume_l < max || (volume_l == max && max < self.two_labels_above_l) =>
                {
                    chosen = *s;
                    break;
                }
                Some(_) => {}
                None => break,
            }
        }
        LabelSize {
            side_mm: chosen.1,
            text_mm: chosen.2,
            count: if volume_l > self.two_labels_above_l {
                2
            } else {
                1
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelSize {
    pub side_mm: u32,
    pub text_mm: u32,
    /// Two labels on opposite sides above 450 L.
    pub count: u8,
}
