//! Hazard characteristics of the National Catalogue (Art.5): T, C, I, R, In.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Hazard {
    /// Toxicity (毒性).
    T,
    /// Corrosivity (腐蚀性).
    C,
    /// Ignitability (易燃性).
    I,
    /// Reactivity (反应性).
    R,
    /// Infectivity (感染性).
    In,
}

impl Hazard {
    pub const ALL: [Hazard; 5] = [Hazard::T, Hazard::C, Hazard::I, Hazard::R, Hazard::In];

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "T" => Some(Self::T),
            "C" => Some(Self::C),
            "I" => Some(Self::I),
            "R" => Some(Self::R),
            "In" => Some(Self::In),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::T => "T",
            Self::C => "C",
            Self::I => "I",
            Self::R => "R",
            Self::In => "In",
        }
    }

    /// Chinese name as printed on labels.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::T => "毒性",
            Self::C => "腐蚀性",
            Self::I => "易燃性",
            Self::R => "反应性",
            Self::In => "感染性",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::T => "toxicity",
            Self::C => "corrosivity",
            Self::I => "ignitability",
            Self::R => "reactivity",
            Self::In => "infectivity",
        }
    }

    const fn bit(self) -> u8 {
        match self {
            Self::T => 1,
            Self::C => 2,
            Self::I => 4,
            Self::R => 8,
            Self::In => 16,
        }
    }
}

impl fmt::Display for Hazard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A small set of hazard characteristics, ordered T, C, I, R, In.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct HazardSet(u8);

impl HazardSet {
    pub const EMPTY: HazardSet = HazardSet(0);

    pub fn insert(&mut self, h: Hazard) {
        self.0 |= h.bit();
    }
    pub fn contains(self, h: Hazard) -> bool {
        self.0 & h.bit() != 0
    }
    pub fn union(self, other: HazardSet) -> HazardSet {
        HazardSet(self.0 | other.0)
    }
    pub fn intersection(self, other: HazardSet) -> HazardSet {
        HazardSet(self.0 & other.0)
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn is_superset(self, other: HazardSet) -> bool {
        self.0 & other.0 == other.0
    }
    pub fn iter(self) -> impl Iterator<Item = Hazard> {
        Hazard::ALL.into_iter().filter(move |h| self.contains(*h))
    }
    pub fn to_vec(self) -> Vec<Hazard> {
        self.iter().collect()
    }
}

impl FromIterator<Hazard> for HazardSet {
    fn from_iter<I: IntoIterator<Item = Hazard>>(iter: I) -> Self {
        let mut s = HazardSet::EMPTY;
        for h in iter {
            s.insert(h);
        }
        s
    }
}
