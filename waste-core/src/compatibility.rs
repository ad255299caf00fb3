//! Compatibility of a new addition with what a container already holds: the EPA-600/2-80-076 reactivity-group
//! chart as data. The relation is pairwise and symmetric, so whether a set of additions may share a container
//! does not depend on the order they were made in.

use crate::citation::Confidence;
use crate::substance::{ReactivityGroup, Substance, SubstanceId, SubstanceTable};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

/// Consequence codes of the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Consequence {
    H,
    F,
    G,
    GT,
    GF,
    E,
    P,
    S,
    U,
}

impl Consequence {
    pub const ALL: [Consequence; 9] = [
        Self::H,
        Self::F,
        Self::G,
        Self::GT,
        Self::GF,
        Self::E,
        Self::P,
        Self::S,
        Self::U,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::H => "H",
            Self::F => "F",
            Self::G => "G",
            Self::GT => "GT",
            Self::GF => "GF",
            Self::E => "E",
            Self::P => "P",
            Self::S => "S",
            Self::U => "U",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Consequence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Consequences(u16);

impl Consequences {
    pub fn parse(s: &str) -> Option<Self> {
        let mut set = Consequences::default();
        for tok in s.split_whitespace() {
            set.0 |= Consequence::parse(tok)?.bit();
        }
        (set.0 != 0).then_some(set)
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn union(self, o: Consequences) -> Consequences {
        Consequences(self.0 | o.0)
    }
    pub fn contains(self, c: Consequence) -> bool {
        self.0 & c.bit() != 0
    }
    pub fn to_vec(self) -> Vec<Consequence> {
        Consequence::ALL
            .into_iter()
            .filter(|c| self.contains(*c))
            .collect()
    }
}

/// The chart, parsed once. Cells are stored under the ordered pair (low, high).
#[derive(Debug, Clone)]
pub struct ReactivityMatrix {
    pub title: String,
    groups: BTreeMap<u16, String>,
    groups_zh: BTreeMap<u16, String>,
    consequence_names: BTreeMap<String, String>,
    cells: HashMap<(u16, u16), Consequences>,
    confirmed_rows: HashSet<u16>,
    water_reactive: (u16, Consequences),
}

#[derive(Deserialize)]
struct RawMatrix {
    source: RawSource,
    consequences: BTreeMap<String, String>,
    groups: BTreeMap<String, String>,
    groups_zh: BTreeMap<String, String>,
    matrix: BTreeMap<String, BTreeMap<String, String>>,
    water_reactive: RawWater,
    policy: RawPolicy,
}
#[derive(Deserialize)]
struct RawSource {
    title: String,
    confirmed_rows: Vec<u16>,
}
#[derive(Deserialize)]
struct RawWater {
    group: u16,
    codes: String,
}
#[derive(Deserialize)]
struct RawPolicy {
    allowed_pairs: Vec<[u16; 2]>,
}

fn key(a: u16, b: u16) -> (u16, u16) {
    if a <= b { (a, b) } else { (b, a) }
}

impl ReactivityMatrix {
    pub fn parse(text: &str) -> Result<Self, String> {
        let raw: RawMatrix = toml::from_str(text).map_err(|e| format!("reactivity: {e}"))?;
        let num = |s: &str| {
            s.parse::<u16>()
                .map_err(|_| format!("reactivity: '{s}' is not a group number"))
        };
        let mut groups = BTreeMap::new();
        for (k, v) in raw.groups {
            let n = num(&k)?;
            if !ReactivityGroup::is_valid(n) {
                return Err(format!(
                    "reactivity: group {n} is not an EPA-600/2-80-076 group"
                ));
            }
            groups.insert(n, v);
        }
        let mut groups_zh = BTreeMap::new();
        for (k, v) in raw.groups_zh {
            groups_zh.insert(num(&k)?, v);
        }
        if let Some(g) = groups.keys().find(|g| !groups_zh.contains_key(g)) {
            return Err(format!("reactivity: group {g} has no Chinese name"));
        }
        for c in Consequence::ALL {
            if !raw.consequences.contains_key(c.as_str()) {
                return Err(format!("reactivity: consequence {c} is not described"));
            }
        }
        let mut cells = HashMap::new();
        for (row, cols) in raw.matrix {
            let r = num(&row)?;
            for (col, codes) in cols {
                let c = num(&col)?;
                if c >= r || !groups.contains_key(&r) || !groups.contains_key(&c) {
                    return Err(format!(
                        "reactivity: cell {r}×{c} is outside the lower triangle of known groups"
                    ));
                }
                let set = Consequences::parse(&codes)
                    .ok_or_else(|| format!("reactivity: cell {r}×{c} has bad codes '{codes}'"))?;
                cells.insert(key(r, c), set);
            }
        }
        for [a, b] in raw.policy.allowed_pairs {
            cells.remove(&key(a, b));
        }
        let wr = Consequences::parse(&raw.water_reactive.codes)
            .ok_or("reactivity: bad water_reactive codes")?;
        Ok(Self {
            title: raw.source.title,
            groups,
            groups_zh,
            consequence_names: raw.consequences,
            cells,
            confirmed_rows: raw.source.confirmed_rows.into_iter().collect(),
            water_reactive: (raw.water_reactive.group, wr),
        })
    }

    pub fn groups(&self) -> impl Iterator<Item = (u16, &str)> {
        self.groups.iter().map(|(k, v)| (*k, v.as_str()))
    }

    pub fn group_name(&self, g: u16) -> &str {
        self.groups
            .get(&g)
            .map(String::as_str)
            .unwrap_or("unknown group")
    }

    /// The group's name in Chinese (words for the pages; the English name is the report's).
    pub fn group_name_zh(&self, g: u16) -> &str {
        self.groups_zh
            .get(&g)
            .map(String::as_str)
            .unwrap_or("未知反应组")
    }

    pub fn consequence_name(&self, c: Consequence) -> &str {
        self.consequence_names
            .get(c.as_str())
            .map(String::as_str)
            .unwrap_or("")
    }

    /// What mixing groups `a` and `b` gives; empty when the chart records nothing. Symmetric by construction.
    pub fn cell(&self, a: u16, b: u16) -> Consequences {
        let (wr, wr_codes) = self.water_reactive;
        if a == wr || b == wr {
            return wr_codes;
        }
        if a == b {
            return Consequences::default();
        }
        self.cells.get(&key(a, b)).copied().unwrap_or_default()
    }

    /// How sure we are of a cell's text (see reactivity.toml).
    pub fn confidence(&self, a: u16, b: u16) -> Confidence {
        if self.confirmed_rows.contains(&a.max(b)) {
            Confidence::Secondary
        } else {
            Confidence::Unconfirmed
        }
    }
}

/// One reaction between a substance being added and one already in the container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reaction {
    pub adding: String,
    pub adding_group: u16,
    pub adding_group_name: String,
    pub present: String,
    pub present_group: u16,
    pub present_group_name: String,
    pub consequences: Vec<Consequence>,
    pub citation: String,
}

fn label(s: &Substance) -> String {
    format!("{} ({}, {})", s.name_en, s.name_zh, s.cas)
}

/// Every reaction between any substance of `adding` and any of `present`. Empty means compatible.
pub fn reactions(
    matrix: &ReactivityMatrix,
    table: &SubstanceTable,
    adding: &[SubstanceId],
    present: &[SubstanceId],
) -> Vec<Reaction> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for &a in adding {
        let sa = table.get(a);
        for &p in present {
            let sp = table.get(p);
            for ga in &sa.groups {
                for gp in &sp.groups {
                    let cell = matrix.cell(ga.0, gp.0);
                    if cell.is_empty() || !seen.insert((a, p, ga.0, gp.0)) {
                        continue;
                    }
                    out.push(Reaction {
                        adding: label(sa),
                        adding_group: ga.0,
                        adding_group_name: matrix.group_name(ga.0).to_owned(),
                        present: label(sp),
                        present_group: gp.0,
                        present_group_name: matrix.group_name(gp.0).to_owned(),
                        consequences: cell.to_vec(),
                        citation: format!(
                            "EPA-600/2-80-076 chart, groups {}×{}",
                            ga.0.max(gp.0),
                            ga.0.min(gp.0)
                        ),
                    });
                }
            }
        }
    }
    out
}

/// All consequences of a list of reactions.
pub fn consequences(reactions: &[Reaction]) -> Vec<Consequence> {
    let mut set = Consequences::default();
    for r in reactions {
        for c in &r.consequences {
            set.0 |= c.bit();
        }
    }
    set.to_vec()
}
