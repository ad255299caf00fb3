//! A stocktake: the shelf walked with a phone, each bottle scanned and weighed, compared with the books. A line
//! within the shelf's tolerance matches; a larger difference, a bottle on the books not found, or a bottle found
//! that the books place elsewhere is listed, and a controlled bottle's must be explained before the stocktake
//! closes.

use super::ShelfRules;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// A bottle as the books have it at the place being counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Book {
    pub bottle: String,
    pub balance: Decimal,
    pub controlled: bool,
}

/// A bottle scanned at the place, with what it weighed (in its own unit), or `None` when only seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    pub bottle: String,
    pub counted: Option<Decimal>,
    /// Whether the bottle found is of a controlled chemical (an unexpected one must be explained too).
    pub controlled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = StocktakeDifference))]
pub enum Difference {
    /// Counted, and within the tolerance of the books (or only seen).
    Matches,
    /// Counted, and further from the books than the tolerance.
    Differs {
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        book: Decimal,
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        counted: Decimal,
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        tolerance: Decimal,
    },
    /// On the books here, not found.
    Missing {
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        book: Decimal,
    },
    /// Found here, not on the books here (another place's, or finished on the books).
    Unexpected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub bottle: String,
    pub controlled: bool,
    pub difference: Difference,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Reconciliation {
    pub lines: Vec<Line>,
}

impl Reconciliation {
    /// The lines that are not a match.
    pub fn differences(&self) -> impl Iterator<Item = &Line> {
        self.lines
            .iter()
            .filter(|l| l.difference != Difference::Matches)
    }

    /// Controlled bottles whose difference has no explanation in `explained` (bottle → words): the stocktake
    /// may not close while any remains.
    pub fn unexplained<'a>(&'a self, explained: &BTreeMap<String, String>) -> Vec<&'a str> {
        self.differences()
            .filter(|l| l.controlled)
            .filter(|l| explained.get(&l.bottle).is_none_or(|w| w.trim().is_empty()))
            .map(|l| l.bottle.as_str())
            .collect()
    }
}

/// Compares what was counted with the books. A bottle scanned twice counts once, by its last weighing.
pub fn reconcile(rules: &ShelfRules, books: &[Book], counts: &[Count]) -> Reconciliation {
    let mut counted: BTreeMap<&str, (Option<Decimal>, bool)> = BTreeMap::new();
    for c in counts {
        let entry = counted
            .entry(c.bottle.as_str())
            .or_insert((None, c.controlled));
        if c.counted.is_some() {
            entry.0 = c.counted;
        }
    }
    let mut lines = Vec::new();
    for b in books {
        let difference = match counted.remove(b.bottle.as_str()).map(|(n, _)| n) {
            None => Difference::Missing { book: b.balance },
            Some(None) => Difference::Matches,
            Some(Some(n)) => {
                let tolerance = rules.tolerance(b.balance);
                if (n - b.balance).abs() > tolerance {
                    Difference::Differs {
                        book: b.balance,
                        counted: n,
                        tolerance,
                    }
                } else {
                    Difference::Matches
                }
            }
        };
        lines.push(Line {
            bottle: b.bottle.clone(),
            controlled: b.controlled,
            difference,
        });
    }
    for (bottle, (_, controlled)) in counted {
        lines.push(Line {
            bottle: bottle.to_owned(),
            controlled,
            difference: Difference::Unexpected,
        });
    }
    Reconciliation { lines }
}
