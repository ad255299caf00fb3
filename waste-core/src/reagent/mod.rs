//! The reagent shelf (the province's remedy 2: a life-cycle record of hazardous chemicals with electronic
//! labels): a bottle's life from receipt to its waste, the controlled-chemical lists and the duties that follow
//! them (two people receive, issue and take back; a stocktake at an interval), the shelf's alerts, the
//! reconciliation of a stocktake, and the waste a discarded or emptied bottle becomes.

mod alerts;
mod anomalies;
mod bottle;
mod card;
mod controlled;
mod discard;
mod label;
mod stocktake;

pub use alerts::{Alert, AlertCode, ShelfBottle, alerts};
pub use anomalies::{Anomaly, Held, ShelfFacts, anomalies};
pub use bottle::{After, AmountUnit, Bottle, BottleRefusal, Status, Step};
pub use card::{KeepApart, SafetyCard, Unsourced, safety_card};
pub use controlled::{ControlList, ControlledLists, Listing};
pub use discard::{Discarded, waste_of_bottle, waste_of_empty_bottle};
pub use label::{BottleLabel, label_svg};
pub use stocktake::{Book, Count, Difference, Line, Reconciliation, reconcile};

use crate::citation::Confidence;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use time::Date;

/// The duties that follow one list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Duty {
    pub list: ControlList,
    pub name_zh: String,
    pub name_en: String,
    /// Receipt, issue and return need a second authorised person's confirmation.
    pub two_person: bool,
    pub two_person_citation: String,
    pub two_person_confidence: Confidence,
    /// Days from one stocktake of the list's bottles to the next.
    pub stocktake_days: u32,
    pub stocktake_citation: String,
    pub stocktake_confidence: Confidence,
}

/// The shelf's rules: the lists, the duties, and the shelf's settings (`reagents.toml`).
#[derive(Debug, Clone)]
pub struct ShelfRules {
    pub lists: ControlledLists,
    pub duties: Vec<Duty>,
    /// A bottle is "expiring" this many days before its expiry date (a setting).
    pub expiry_warning_days: u32,
    /// A stocktake difference within the larger of these is weighing noise (settings).
    pub tolerance_fraction: Decimal,
    pub tolerance_min: Decimal,
    pub settings_citation: String,
    /// The bureau's view: a controlled bottle idle this long, a school quiet this long (settings).
    pub idle_days: u32,
    pub quiet_days: u32,
}

#[derive(Deserialize)]
struct RawRules {
    duty: Vec<RawDuty>,
    shelf: RawShelf,
    bureau: RawBureau,
}

#[derive(Deserialize)]
struct RawBureau {
    idle_days: u32,
    quiet_days: u32,
}

#[derive(Deserialize)]
struct RawDuty {
    list: String,
    name_zh: String,
    name_en: String,
    two_person: bool,
    two_person_citation: String,
    two_person_confidence: Confidence,
    stocktake_days: u32,
    stocktake_citation: String,
    stocktake_confidence: Confidence,
}

#[derive(Deserialize)]
struct RawShelf {
    expiry_warning_days: u32,
    tolerance_fraction: String,
    tolerance_min: String,
    citation: String,
}

impl ShelfRules {
    /// Parses `reagents.toml` and the three lists.
    pub fn parse(rules: &str, lists: ControlledLists) -> Result<Self, String> {
        let raw: RawRules = toml::from_str(rules).map_err(|e| format!("reagents.toml: {e}"))?;
        let mut duties = Vec::new();
        for d in raw.duty {
            let list = ControlList::parse(&d.list)
                .ok_or_else(|| format!("reagents.toml: unknown list {}", d.list))?;
            if d.stocktake_days == 0 {
                return Err(format!("reagents.toml: {}: stocktake_days is 0", d.list));
            }
            duties.push(Duty {
                list,
                name_zh: d.name_zh,
                name_en: d.name_en,
                two_person: d.two_person,
                two_person_citation: d.two_person_citation,
                two_person_confidence: d.two_person_confidence,
                stocktake_days: d.stocktake_days,
                stocktake_citation: d.stocktake_citation,
                stocktake_confidence: d.stocktake_confidence,
            });
        }
        for list in ControlList::ALL {
            if !duties.iter().any(|d| d.list == list) {
                return Err(format!("reagents.toml: no duty for {}", list.as_str()));
            }
        }
        let decimal = |name: &str, s: &str| {
            Decimal::from_str(s)
                .ok()
                .filter(|d| *d >= Decimal::ZERO)
                .ok_or_else(|| format!("reagents.toml: {name} {s:?}"))
        };
        Ok(Self {
            lists,
            duties,
            expiry_warning_days: raw.shelf.expiry_warning_days,
            tolerance_fraction: decimal("tolerance_fraction", &raw.shelf.tolerance_fraction)?,
            tolerance_min: decimal("tolerance_min", &raw.shelf.tolerance_min)?,
            settings_citation: raw.shelf.citation,
            idle_days: raw.bureau.idle_days,
            quiet_days: raw.bureau.quiet_days,
        })
    }

    pub fn duty(&self, list: ControlList) -> &Duty {
        // Every list has a duty: `parse` refuses data without one.
        self.duties
            .iter()
            .find(|d| d.list == list)
            .unwrap_or(&self.duties[0])
    }

    /// The duty that makes a second person confirm a receipt, issue or return of a bottle on `lists`, if any:
    /// the first list (in the lists' order) whose duty asks for two people.
    pub fn second_person(&self, lists: &[ControlList]) -> Option<&Duty> {
        ControlList::ALL
            .into_iter()
            .filter(|l| lists.contains(l))
            .map(|l| self.duty(l))
            .find(|d| d.two_person)
    }

    /// When the next stocktake of bottles on `list` is due, the last one having been on `last` (never: due now,
    /// on `today`).
    pub fn stocktake_due(&self, list: ControlList, last: Option<Date>, today: Date) -> Date {
        match last {
            Some(d) => d + time::Duration::days(i64::from(self.duty(list).stocktake_days)),
            None => today,
        }
    }

    /// The larger of the shelf's two tolerances for a book balance of `book`.
    pub fn tolerance(&self, book: Decimal) -> Decimal {
        (book.abs() * self.tolerance_fraction).max(self.tolerance_min)
    }
}
