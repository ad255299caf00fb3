//! National Catalogue of Hazardous Wastes: codes, categories, hazard notation, exemptions.

use crate::citation::Confidence;
use crate::hazard::{Hazard, HazardSet};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// Categories present in the 2021 edition (Art.5 and the table): HW01–HW40 and HW45–HW50.
pub fn category_exists(n: u8) -> bool {
    (1..=40).contains(&n) || (45..=50).contains(&n)
}

/// An 8-digit waste code `III-SSS-CC` whose category exists (Catalogue Art.5: digits 1-3 industry, 4-6 sequence,
/// 7-8 category).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HwCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("'{0}' is not a waste code (expected NNN-NNN-NN, e.g. 900-047-49)")]
    Format(String),
    #[error("'{0}' names category HW{1:02}, which the 2021 catalogue does not have")]
    Category(String, u8),
}

impl HwCode {
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let b = s.as_bytes();
        let shape_ok = b.len() == 10
            && b[3] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 3 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return Err(CodeError::Format(s.to_owned()));
        }
        let cat = (b[8] - b'0') * 10 + (b[9] - b'0');
        if !category_exists(cat) {
            return Err(CodeError::Category(s.to_owned(), cat));
        }
        Ok(Self(s.to_owned()))
    }

    /// The category number, the last two digits (Art.5).
    pub fn category_number(&self) -> u8 {
        let b = self.0.as_bytes();
        (b[8] - b'0') * 10 + (b[9] - b'0')
    }

    /// E.g. `HW49`.
    pub fn category(&self) -> String {
        format!("HW{:02}", self.category_number())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for HwCode {
    type Error = CodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<HwCode> for String {
    fn from(c: HwCode) -> Self {
        c.0
    }
}
impl fmt::Display for HwCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The catalogue's hazard string (Note 1 to the table): `T,I` means T is definite and I possible;
/// `T/C/I/R` means one or more of those apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HazardNotation {
    /// A single characteristic, or `,`: the first is definite, the rest possible.
    Definite {
        definite: Hazard,
        possible: HazardSet,
    },
    /// `/`: one or more of the listed characteristics.
    AnyOf(HazardSet),
}

impl HazardNotation {
    pub fn parse(s: &str) -> Option<Self> {
        let tokens = |sep: char| s.split(sep).map(Hazard::parse).collect::<Option<Vec<_>>>();
        if s.contains('/') {
            if s.contains(',') {
                return None;
            }
            let list = tokens('/')?;
            (list.len() >= 2).then(|| Self::AnyOf(list.into_iter().collect()))
        } else {
            let list = tokens(',')?;
            let (first, rest) = list.split_first()?;
            Some(Self::Definite {
                definite: *first,
                possible: rest.iter().copied().collect(),
            })
        }
    }

    /// Every characteristic the notation names.
    pub fn listed(&self) -> HazardSet {
        match self {
            Self::Definite { definite, possible } => {
                let mut s = *possible;
                s.insert(*definite);
                s
            }
            Self::AnyOf(s) => *s,
        }
    }

    /// The characteristics that apply to a waste whose components show `indicated`. `complete` says whether every
    /// component is known: when it is not, every listed characteristic is kept (an unknown part may have any).
    pub fn applicable(&self, indicated: HazardSet, complete: bool) -> HazardSet {
        match self {
            Self::Definite { definite, possible } => {
                let mut s = if complete {
                    possible.intersection(indicated)
                } else {
                    *possible
                };
                s.insert(*definite);
                s
            }
            Self::AnyOf(list) => {
                let hit = list.intersection(indicated);
                if complete && !hit.is_empty() {
                    hit
                } else {
                    *list
                }
            }
        }
    }
}

impl fmt::Display for HazardNotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |set: HazardSet, sep: &str| {
            set.iter().map(Hazard::as_str).collect::<Vec<_>>().join(sep)
        };
        match self {
            Self::Definite { definite, possible } if possible.is_empty() => write!(f, "{definite}"),
            Self::Definite { definite, possible } => {
                write!(f, "{definite},{}", join(*possible, ","))
            }
            Self::AnyOf(s) => f.write_str(&join(*s, "/")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Category {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone)]
pub struct CodeEntry {
    pub code: HwCode,
    pub description_zh: String,
    pub description_en: String,
    pub hazards: HazardNotation,
    pub confidence: Confidence,
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Exemption {
    pub id: String,
    pub code: String,
    pub waste_en: String,
    pub condition_en: String,
    pub confidence: Confidence,
}

#[derive(Debug, Clone)]
pub struct Catalogue {
    /// E.g. `National Catalogue of Hazardous Wastes (2021)`.
    pub name: String,
    pub name_zh: String,
    /// E.g. `2021`.
    pub edition: String,
    pub effective_from: time::Date,
    /// How the edition's articles were confirmed; each entry carries its own tag.
    pub confidence: Confidence,
    pub categories: Vec<Category>,
    codes: HashMap<String, CodeEntry>,
    pub exemptions: Vec<Exemption>,
}

#[derive(Deserialize)]
struct RawCatalogue {
    edition: RawEdition,
    category: Vec<RawCategory>,
    code: Vec<RawCode>,
    exemption: Vec<RawExemption>,
}
#[derive(Deserialize)]
struct RawEdition {
    edition: String,
    name: String,
    name_zh: String,
    effective_from: String,
    confidence: Confidence,
}
#[derive(Deserialize)]
struct RawCategory {
    id: String,
    name_zh: String,
    name_en: String,
}
#[derive(Deserialize)]
struct RawCode {
    code: String,
    description_zh: String,
    description_en: String,
    hazards: String,
    confidence: Confidence,
    note: Option<String>,
}
#[derive(Deserialize)]
struct RawExemption {
    id: String,
    code: String,
    waste_en: String,
    condition_en: String,
    confidence: Confidence,
}

impl Catalogue {
    pub fn parse(text: &str) -> Result<Self, String> {
        let raw: RawCatalogue = toml::from_str(text).map_err(|e| format!("catalogue: {e}"))?;
        let mut codes = HashMap::new();
        for c in raw.code {
            let code = HwCode::parse(&c.code).map_err(|e| format!("catalogue: {e}"))?;
            let hazards = HazardNotation::parse(&c.hazards).ok_or_else(|| {
                format!(
                    "catalogue: {} has a bad hazard string '{}'",
                    c.code, c.hazards
                )
            })?;
            let entry = CodeEntry {
                code,
                description_zh: c.description_zh,
                description_en: c.description_en,
                hazards,
                confidence: c.confidence,
                note: c.note,
            };
            if codes.insert(c.code.clone(), entry).is_some() {
                return Err(format!("catalogue: {} is listed twice", c.code));
            }
        }
        let categories = raw
            .category
            .into_iter()
            .map(|c| Category {
                id: c.id,
                name_zh: c.name_zh,
                name_en: c.name_en,
            })
            .collect();
        let exemptions = raw
            .exemption
            .into_iter()
            .map(|e| Exemption {
                id: e.id,
                code: e.code,
                waste_en: e.waste_en,
                condition_en: e.condition_en,
                confidence: e.confidence,
            })
            .collect();
        Ok(Self {
            effective_from: crate::edition::parse_date(&raw.edition.effective_from)
                .map_err(|e| format!("catalogue {}: {e}", raw.edition.name))?,
            name: raw.edition.name,
            name_zh: raw.edition.name_zh,
            edition: raw.edition.edition,
            confidence: raw.edition.confidence,
            categories,
            codes,
            exemptions,
        })
    }

    pub fn code(&self, code: &str) -> Option<&CodeEntry> {
        self.codes.get(code)
    }

    pub fn codes(&self) -> impl Iterator<Item = &CodeEntry> {
        self.codes.values()
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    pub fn exemption(&self, id: &str) -> Option<&Exemption> {
        self.exemptions.iter().find(|e| e.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Catalogue 2021 Art.5: NNN-NNN-NN, category in 01–40 or 45–50.
    #[test]
    fn code_shape_and_category_rule_10() {
        assert!(HwCode::parse("900-047-49").is_ok());
        assert_eq!(
            HwCode::parse("900-047-49").map(|c| c.category()),
            Ok("HW49".into())
        );
        assert!(matches!(
            HwCode::parse("900-047-42"),
            Err(CodeError::Category(_, 42))
        ));
        assert!(matches!(
            HwCode::parse("900-047-51"),
            Err(CodeError::Category(_, 51))
        ));
        for bad in ["90-047-49", "900047-49", "900-047-4a", "900-047-490"] {
            assert!(
                matches!(HwCode::parse(bad), Err(CodeError::Format(_))),
                "{bad}"
            );
        }
    }

    /// Catalogue 2021, Note 1: "," = first definite, "/" = one or more.
    #[test]
    fn hazard_notation_note_1() {
        let comma = HazardNotation::parse("T,I").expect("valid");
        assert_eq!(
            comma,
            HazardNotation::Definite {
                definite: Hazard::T,
                possible: [Hazard::I].into_iter().collect()
            }
        );
        // T is always kept; I only when the components show it, or when some component is unknown.
        assert_eq!(
            comma.applicable(HazardSet::EMPTY, true).to_vec(),
            vec![Hazard::T]
        );
        assert_eq!(
            comma
                .applicable([Hazard::I].into_iter().collect(), true)
                .to_vec(),
            vec![Hazard::T, Hazard::I]
        );
        assert_eq!(
            comma.applicable(HazardSet::EMPTY, false).to_vec(),
            vec![Hazard::T, Hazard::I]
        );

        let any = HazardNotation::parse("T/C/I/R").expect("valid");
        assert_eq!(any.to_string(), "T/C/I/R");
        assert_eq!(
            any.applicable([Hazard::C].into_iter().collect(), true)
                .to_vec(),
            vec![Hazard::C]
        );
        assert_eq!(any.applicable(HazardSet::EMPTY, true).len_for_test(), 4);
        assert!(HazardNotation::parse("T,C/I").is_none());
        assert!(HazardNotation::parse("X").is_none());
        assert_eq!(
            HazardNotation::parse("T").map(|n| n.to_string()),
            Some("T".into())
        );
    }

    trait Len {
        fn len_for_test(self) -> usize;
    }
    impl Len for HazardSet {
        fn len_for_test(self) -> usize {
            self.iter().count()
        }
    }
}
