//! The controlled-chemical lists and what a bottle of a listed substance is on them: highly toxic (the entries
//! of the Catalogue of Hazardous Chemicals 2015 marked 剧毒), precursor (易制毒, categories 1–3 of State Council
//! Order 445 with its additions), explosive precursor (易制爆, the 2017 catalogue). A substance is found by its
//! registry number or any of its other numbers; an entry without a number (a mixture, an open class) is found by
//! its Chinese name.

use crate::cas::CasNumber;
use crate::citation::Confidence;
use crate::substance::Substance;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ControlList {
    HighlyToxic,
    Precursor,
    ExplosivePrecursor,
}

impl ControlList {
    pub const ALL: [ControlList; 3] = [
        ControlList::HighlyToxic,
        ControlList::Precursor,
        ControlList::ExplosivePrecursor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ControlList::HighlyToxic => "highly_toxic",
            ControlList::Precursor => "precursor",
            ControlList::ExplosivePrecursor => "explosive_precursor",
        }
    }

    pub fn parse(s: &str) -> Option<ControlList> {
        ControlList::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The instrument and edition the list is, as a citation names it.
    pub fn instrument(self) -> &'static str {
        match self {
            ControlList::HighlyToxic => "危险化学品目录（2015版）, entries marked 剧毒",
            ControlList::Precursor => "易制毒化学品管理条例 (State Council Order 445, 2005), annex",
            ControlList::ExplosivePrecursor => "易制爆危险化学品名录（2017年版）",
        }
    }
}

/// One entry of a list that names a substance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Listing {
    pub list: ControlList,
    /// The entry as the list numbers it: the catalogue's 序号, the precursor category ("1", "2", "3"), the
    /// explosive catalogue's entry ("9.3").
    pub entry: String,
    /// Precursors only: the category (1–3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<u8>,
    pub name_zh: String,
    pub confidence: Confidence,
    /// The list and entry, e.g. "易制爆危险化学品名录（2017年版） entry 9.3".
    pub citation: String,
    /// What the entry itself says beyond the name (a content threshold, salts included).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[derive(Debug, Clone)]
struct Row {
    cas: Option<CasNumber>,
    listing: Listing,
}

/// The three lists, parsed.
#[derive(Debug, Clone, Default)]
pub struct ControlledLists {
    rows: Vec<Row>,
}

#[derive(Debug, Deserialize)]
struct Raw {
    #[serde(default)]
    catalogue_no: Option<String>,
    #[serde(default)]
    entry_no: Option<String>,
    #[serde(default)]
    category: Option<u8>,
    name_zh: String,
    cas: String,
    confidence: String,
    #[serde(default)]
    note: String,
}

impl ControlledLists {
    /// Parses the lists' CSV texts (highly toxic, precursors, explosive precursors).
    pub fn parse(highly_toxic: &str, precursors: &str, explosive: &str) -> Result<Self, String> {
        let mut rows = Vec::new();
        for (list, text) in [
            (ControlList::HighlyToxic, highly_toxic),
            (ControlList::Precursor, precursors),
            (ControlList::ExplosivePrecursor, explosive),
        ] {
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            for (i, raw) in reader.deserialize::<Raw>().enumerate() {
                let raw = raw.map_err(|e| format!("{}: row {}: {e}", list.as_str(), i + 2))?;
                rows.push(
                    Row::of(list, raw)
                        .map_err(|e| format!("{}: row {}: {e}", list.as_str(), i + 2))?,
                );
            }
        }
        Ok(Self { rows })
    }

    /// Every entry naming `substance`: by its registry number or another of its numbers, or, for an entry
    /// without a number, by its Chinese name. One listing per list and entry.
    pub fn of(&self, substance: &Substance) -> Vec<Listing> {
        let numbers: Vec<&CasNumber> = std::iter::once(&substance.cas)
            .chain(&substance.other_cas)
            .collect();
        let mut out: Vec<Listing> = Vec::new();
        for r in &self.rows {
            let named = match &r.cas {
                Some(cas) => numbers.contains(&cas),
                None => r.listing.name_zh == substance.name_zh,
            };
            if named
                && !out
                    .iter()
                    .any(|l| l.list == r.listing.list && l.entry == r.listing.entry)
            {
                out.push(r.listing.clone());
            }
        }
        out.sort_by_key(|a| a.list);
        out
    }

    /// The entries naming the registry number `cas` (a substance not in the substance table).
    pub fn of_cas(&self, cas: &CasNumber) -> Vec<Listing> {
        self.rows
            .iter()
            .filter(|r| r.cas.as_ref() == Some(cas))
            .map(|r| r.listing.clone())
            .collect()
    }

    /// How many entries a list holds (rows of the data).
    pub fn len_of(&self, list: ControlList) -> usize {
        self.rows.iter().filter(|r| r.listing.list == list).count()
    }
}

impl Row {
    fn of(list: ControlList, raw: Raw) -> Result<Row, String> {
        let cas = match raw.cas.trim() {
            "" => None,
            s => Some(
                s.parse::<CasNumber>()
                    .map_err(|e| format!("CAS {s}: {e}"))?,
            ),
        };
        let confidence = match raw.confidence.trim() {
            "C" => Confidence::Confirmed,
            "S" => Confidence::Secondary,
            "UNCONFIRMED" => Confidence::Unconfirmed,
            other => return Err(format!("confidence {other:?}")),
        };
        let entry = match list {
            ControlList::HighlyToxic => raw.catalogue_no,
            ControlList::Precursor => raw.category.map(|c| c.to_string()),
            ControlList::ExplosivePrecursor => raw.entry_no,
        }
        .filter(|e| !e.trim().is_empty())
        .ok_or("no entry number")?;
        if list == ControlList::Precursor && !matches!(raw.category, Some(1..=3)) {
            return Err(format!("precursor category {:?}", raw.category));
        }
        let citation = match list {
            ControlList::HighlyToxic => format!("{} No.{entry}", list.instrument()),
            ControlList::Precursor => format!("{} category {entry}", list.instrument()),
            ControlList::ExplosivePrecursor => format!("{} entry {entry}", list.instrument()),
        };
        Ok(Row {
            cas,
            listing: Listing {
                list,
                category: (list == ControlList::Precursor)
                    .then_some(raw.category)
                    .flatten(),
                entry,
                name_zh: raw.name_zh,
                confidence,
                citation,
                note: raw.note,
            },
        })
    }
}
