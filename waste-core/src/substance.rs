//! The substance table: CAS, names and synonyms, the flags the rules read, hazard characteristics, and
//! EPA-600/2-80-076 reactivity groups.

use crate::cas::CasNumber;
use crate::formula::Formula;
use crate::hazard::{Hazard, HazardSet};
use serde::Deserialize;
use std::collections::HashMap;

/// Properties the rules read. Meanings (documented in `standards-data/SOURCES.md`):
/// `oxidizer` is a *strong* oxidiser in the sense of the "strongly oxidising liquid" stream; plain nitrate salts
/// are oxidisers only through their reactivity group (104).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flag {
    Organic,
    Solvent,
    Halogenated,
    Acid,
    OxidizingAcid,
    Base,
    Oxidizer,
    Reducer,
    Cyanide,
    Mercury,
    HeavyMetal,
    Cadmium,
    Lead,
    WaterReactive,
    PeroxideFormer,
    Fluoride,
    MineralOil,
    Formaldehyde,
    Explosive,
    Sulfide,
    Salt,
    // Element flags: derived from the formula at load time (see `derived_flags`), or set by hand for a mixture.
    Chromium,
    Arsenic,
    Nickel,
    Silver,
    Copper,
    Barium,
    Beryllium,
    /// Contains fluorine, chlorine, bromine or iodine (organic or not; `halogenated` is the organohalogen flag).
    Halogen,
    /// A mixture or a material of variable composition (petroleum fractions, oils): it has no formula.
    Mixture,
}

impl Flag {
    pub const ALL: [Flag; 30] = [
        Flag::Organic,
        Flag::Solvent,
        Flag::Halogenated,
        Flag::Acid,
        Flag::OxidizingAcid,
        Flag::Base,
        Flag::Oxidizer,
        Flag::Reducer,
        Flag::Cyanide,
        Flag::Mercury,
        Flag::HeavyMetal,
        Flag::Cadmium,
        Flag::Lead,
        Flag::WaterReactive,
        Flag::PeroxideFormer,
        Flag::Fluoride,
        Flag::MineralOil,
        Flag::Formaldehyde,
        Flag::Explosive,
        Flag::Sulfide,
        Flag::Salt,
        Flag::Chromium,
        Flag::Arsenic,
        Flag::Nickel,
        Flag::Silver,
        Flag::Copper,
        Flag::Barium,
        Flag::Beryllium,
        Flag::Halogen,
        Flag::Mixture,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Organic => "organic",
            Flag::Solvent => "solvent",
            Flag::Halogenated => "halogenated",
            Flag::Acid => "acid",
            Flag::OxidizingAcid => "oxidizing_acid",
            Flag::Base => "base",
            Flag::Oxidizer => "oxidizer",
            Flag::Reducer => "reducer",
            Flag::Cyanide => "cyanide",
            Flag::Mercury => "mercury",
            Flag::HeavyMetal => "heavy_metal",
            Flag::Cadmium => "cadmium",
            Flag::Lead => "lead",
            Flag::WaterReactive => "water_reactive",
            Flag::PeroxideFormer => "peroxide_former",
            Flag::Fluoride => "fluoride",
            Flag::MineralOil => "mineral_oil",
            Flag::Formaldehyde => "formaldehyde",
            Flag::Explosive => "explosive",
            Flag::Sulfide => "sulfide",
            Flag::Salt => "salt",
            Flag::Chromium => "chromium",
            Flag::Arsenic => "arsenic",
            Flag::Nickel => "nickel",
            Flag::Silver => "silver",
            Flag::Copper => "copper",
            Flag::Barium => "barium",
            Flag::Beryllium => "beryllium",
            Flag::Halogen => "halogen",
            Flag::Mixture => "mixture",
        }
    }

    pub fn parse(s: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.as_str() == s)
    }

    const fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Flags(u32);

impl Flags {
    pub fn has(self, f: Flag) -> bool {
        self.0 & f.bit() != 0
    }
    pub fn insert(&mut self, f: Flag) {
        self.0 |= f.bit();
    }
    pub fn union(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }
}

/// Elements that make a substance a heavy-metal compound, with the element flag each sets. They are the metals and
/// metalloids among the first-class pollutants of GB 8978-1996 table 1 (mercury, cadmium, chromium, arsenic, lead,
/// nickel, beryllium, silver), the leaching-toxicity elements of GB 5085.3-2007 (copper, zinc, barium, selenium),
/// and the elements the table already treated as heavy metals (cobalt, thallium, antimony, vanadium, osmium). Insoluble barium sulfate counts too: a conservative choice, documented in
/// `standards-data/SOURCES.md`.
const HEAVY_METALS: [(&str, Option<Flag>); 17] = [
    ("Hg", Some(Flag::Mercury)),
    ("Cd", Some(Flag::Cadmium)),
    ("Pb", Some(Flag::Lead)),
    ("Cr", Some(Flag::Chromium)),
    ("As", Some(Flag::Arsenic)),
    ("Ni", Some(Flag::Nickel)),
    ("Ag", Some(Flag::Silver)),
    ("Cu", Some(Flag::Copper)),
    ("Ba", Some(Flag::Barium)),
    ("Be", Some(Flag::Beryllium)),
    ("Zn", None),
    ("Se", None),
    ("Co", None),
    ("Tl", None),
    ("Sb", None),
    ("V", None),
    ("Os", None),
];

/// The flags a formula implies: element flags, `heavy_metal`, `halogen` and `cyanide` (a cyanide group, free or
/// complex, as `Formula::has_cyanide` defines it).
pub fn derived_flags(formula: &Formula) -> Flags {
    let mut flags = Flags::default();
    for (symbol, flag) in HEAVY_METALS {
        if formula.has(symbol) {
            flags.insert(Flag::HeavyMetal);
            if let Some(f) = flag {
                flags.insert(f);
            }
        }
    }
    if ["F", "Cl", "Br", "I"].iter().any(|h| formula.has(h)) {
        flags.insert(Flag::Halogen);
    }
    if formula.has_cyanide() {
        flags.insert(Flag::Cyanide);
    }
    flags
}

/// How far a row's identity (CAS, names, formula) was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confidence {
    /// `S`: the CAS number is in an independent public compilation (listed in SOURCES.md) with a matching name or
    /// formula.
    Secondary,
    /// `UNCONFIRMED`: recalled; only the CAS check digit is verified. Such a row never counts as benign.
    Unconfirmed,
}

impl Confidence {
    pub fn parse(s: &str) -> Option<Confidence> {
        match s {
            "S" => Some(Confidence::Secondary),
            "UNCONFIRMED" => Some(Confidence::Unconfirmed),
            _ => None,
        }
    }
}

/// An EPA-600/2-80-076 reactivity group number (1–34, 101–107).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct ReactivityGroup(pub u16);

impl ReactivityGroup {
    pub fn is_valid(n: u16) -> bool {
        (1..=34).contains(&n) || (101..=107).contains(&n)
    }
}

/// Index of a substance in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubstanceId(pub u16);

#[derive(Debug, Clone)]
pub struct Substance {
    pub id: SubstanceId,
    pub cas: CasNumber,
    /// Other registry numbers of the same substance (hydrates, superseded or alternative numbers): a component
    /// given under any of them resolves to this row.
    pub other_cas: Vec<CasNumber>,
    pub name_en: String,
    pub name_zh: String,
    pub synonyms: Vec<String>,
    /// None only for a mixture (flag `mixture`).
    pub formula: Option<Formula>,
    /// The flags the rules read: those written in the data and those derived from the formula.
    pub flags: Flags,
    /// The flags as written in the data, kept for the consistency checks.
    pub listed_flags: Flags,
    pub confidence: Confidence,
    pub hazards: HazardSet,
    pub groups: Vec<ReactivityGroup>,
    /// Listed in the Catalogue of Hazardous Chemicals (危险化学品目录, 2015 edition).
    pub hazardous_chemical: bool,
}

impl Substance {
    pub fn has(&self, f: Flag) -> bool {
        self.flags.has(f)
    }

    /// Known, identity confirmed, and without any hazard characteristic or rule flag of concern.
    pub fn is_benign(&self) -> bool {
        self.confidence == Confidence::Secondary
            && self.hazards.is_empty()
            && !self.hazardous_chemical
            && !CONCERN.iter().any(|f| self.has(*f))
    }
}

/// Flags that make a substance a concern even when no hazard characteristic is recorded.
const CONCERN: [Flag; 11] = [
    Flag::Solvent,
    Flag::Acid,
    Flag::OxidizingAcid,
    Flag::Oxidizer,
    Flag::Cyanide,
    Flag::Mercury,
    Flag::HeavyMetal,
    Flag::WaterReactive,
    Flag::Fluoride,
    Flag::MineralOil,
    Flag::Explosive,
];

#[derive(Debug, Clone)]
pub struct SubstanceTable {
    substances: Vec<Substance>,
    by_cas: HashMap<String, SubstanceId>,
    by_name: HashMap<String, SubstanceId>,
}

#[derive(Deserialize)]
struct Row {
    cas: String,
    other_cas: String,
    name_en: String,
    name_zh: String,
    synonyms: String,
    formula: String,
    flags: String,
    hazards: String,
    reactivity_groups: String,
    hazardous_chemicals_2015: String,
    confidence: String,
}

/// Names compare case-insensitively with runs of white space folded, full-width brackets made half-width.
pub fn normalize_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for ch in s.trim().chars() {
        let ch = match ch {
            '（' => '(',
            '）' => ')',
            '，' => ',',
            c => c,
        };
        if ch.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.extend(ch.to_lowercase());
    }
    out
}

fn list(s: &str) -> impl Iterator<Item = &str> {
    s.split(';').map(str::trim).filter(|x| !x.is_empty())
}

impl SubstanceTable {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let mut substances = Vec::new();
        let mut by_cas = HashMap::new();
        let mut by_name = HashMap::new();
        for (i, row) in reader.deserialize::<Row>().enumerate() {
            let line = i + 2;
            let row = row.map_err(|e| format!("substances.csv line {line}: {e}"))?;
            let cas = CasNumber::parse(&row.cas)
                .map_err(|e| format!("substances.csv line {line}: {e}"))?;
            let mut flags = Flags::default();
            for f in list(&row.flags) {
                flags
                    .insert(Flag::parse(f).ok_or_else(|| {
                        format!("substances.csv line {line}: unknown flag '{f}'")
                    })?);
            }
            let formula = match row.formula.trim() {
                "" if flags.has(Flag::Mixture) => None,
                "" => {
                    return Err(format!(
                        "substances.csv line {line}: no formula (only a mixture may have none)"
                    ));
                }
                f => Some(
                    Formula::parse(f).map_err(|e| format!("substances.csv line {line}: {e}"))?,
                ),
            };
            let listed_flags = flags;
            let flags = formula
                .as_ref()
                .map_or(flags, |f| flags.union(derived_flags(f)));
            let confidence = Confidence::parse(row.confidence.trim()).ok_or_else(|| {
                format!(
                    "substances.csv line {line}: confidence '{}' is not S or UNCONFIRMED",
                    row.confidence
                )
            })?;
            let hazards = list(&row.hazards)
                .map(|h| {
                    Hazard::parse(h)
                        .ok_or_else(|| format!("substances.csv line {line}: unknown hazard '{h}'"))
                })
                .collect::<Result<HazardSet, _>>()?;
            let groups = list(&row.reactivity_groups)
                .map(|g| match g.parse::<u16>() {
                    Ok(n) if ReactivityGroup::is_valid(n) => Ok(ReactivityGroup(n)),
                    _ => Err(format!(
                        "substances.csv line {line}: unknown reactivity group '{g}'"
                    )),
                })
                .collect::<Result<Vec<_>, _>>()?;
            let hazardous_chemical = match row.hazardous_chemicals_2015.as_str() {
                "y" => true,
                "n" => false,
                other => {
                    return Err(format!(
                        "substances.csv line {line}: hazardous_chemicals_2015 '{other}' is not y/n"
                    ));
                }
            };
            let id = SubstanceId(
                u16::try_from(substances.len()).map_err(|_| "substances.csv: too many rows")?,
            );
            let other_cas = list(&row.other_cas)
                .map(|c| {
                    CasNumber::parse(c).map_err(|e| format!("substances.csv line {line}: {e}"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            for c in std::iter::once(&cas).chain(&other_cas) {
                if by_cas.insert(c.as_str().to_owned(), id).is_some() {
                    return Err(format!(
                        "substances.csv line {line}: CAS {c} is listed twice"
                    ));
                }
            }
            let synonyms: Vec<String> = list(&row.synonyms).map(str::to_owned).collect();
            for name in [row.name_en.as_str(), row.name_zh.as_str()]
                .into_iter()
                .chain(synonyms.iter().map(String::as_str))
            {
                if let Some(prev) = by_name.insert(normalize_name(name), id) {
                    return Err(format!(
                        "substances.csv line {line}: name '{name}' is already used by row {}",
                        prev.0 + 2
                    ));
                }
            }
            substances.push(Substance {
                id,
                cas,
                other_cas,
                name_en: row.name_en,
                name_zh: row.name_zh,
                synonyms,
                formula,
                flags,
                listed_flags,
                confidence,
                hazards,
                groups,
                hazardous_chemical,
            });
        }
        Ok(Self {
            substances,
            by_cas,
            by_name,
        })
    }

    pub fn get(&self, id: SubstanceId) -> &Substance {
        &self.substances[usize::from(id.0)]
    }

    pub fn by_cas(&self, cas: &CasNumber) -> Option<&Substance> {
        self.by_cas.get(cas.as_str()).map(|id| self.get(*id))
    }

    pub fn by_name(&self, name: &str) -> Option<&Substance> {
        self.by_name
            .get(&normalize_name(name))
            .map(|id| self.get(*id))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Substance> {
        self.substances.iter()
    }

    pub fn len(&self) -> usize {
        self.substances.len()
    }

    pub fn is_empty(&self) -> bool {
        self.substances.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_case_space_and_full_width_brackets() {
        assert_eq!(
            normalize_name("  Mercury（II）  Chloride "),
            "mercury(ii) chloride"
        );
        assert_eq!(normalize_name("二氯甲烷"), "二氯甲烷");
    }
}
