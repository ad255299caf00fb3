//! The three weighings of a container and the tolerance between them (Transfer Measures Art.18).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// The tolerance between the three weighings of a container (manifest.toml `[weighings]`, UNCONFIRMED).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeighingRules {
    pub relative: Decimal,
    pub absolute_kg: Decimal,
}

impl WeighingRules {
    pub fn parse(text: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Raw {
            weighings: W,
        }
        #[derive(Deserialize)]
        struct W {
            relative: String,
            absolute_kg: String,
        }
        let raw: Raw = toml::from_str(text).map_err(|e| format!("weighings: {e}"))?;
        let dec = |s: &str| Decimal::from_str(s).map_err(|e| format!("weighings: '{s}': {e}"));
        Ok(Self {
            relative: dec(&raw.weighings.relative)?,
            absolute_kg: dec(&raw.weighings.absolute_kg)?,
        })
    }

    /// The three weighings of one container: the school's estimate at sealing, the station's gross weight at
    /// collection and the firm's received weight. Each later weighing is compared with the one before it; a
    /// difference above the larger of the relative and absolute tolerance flags the container (Transfer
    /// Measures Art.18: mismatches in quantity are reported).
    pub fn reconcile(
        &self,
        estimate_kg: Option<Decimal>,
        gross_kg: Option<Decimal>,
        received_kg: Option<Decimal>,
    ) -> Weighings {
        let diff = |a: Option<Decimal>, b: Option<Decimal>| match (a, b) {
            (Some(a), Some(b)) => {
                let allowed = (a.abs() * self.relative).max(self.absolute_kg);
                let d = b - a;
                Some(Difference {
                    difference_kg: d.normalize(),
                    allowed_kg: allowed.normalize(),
                    flagged: d.abs() > allowed,
                })
            }
            _ => None,
        };
        let at_collection = diff(estimate_kg, gross_kg);
        let at_receipt = diff(gross_kg.or(estimate_kg), received_kg);
        let flagged = at_collection.as_ref().is_some_and(|d| d.flagged)
            || at_receipt.as_ref().is_some_and(|d| d.flagged);
        Weighings {
            estimate_kg,
            gross_kg,
            received_kg,
            at_collection,
            at_receipt,
            flagged,
            citation: "Transfer Measures Art.18; tolerance: manifest.toml [weighings] (UNCONFIRMED)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub difference_kg: Decimal,
    pub allowed_kg: Decimal,
    pub flagged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Weighings {
    pub estimate_kg: Option<Decimal>,
    pub gross_kg: Option<Decimal>,
    pub received_kg: Option<Decimal>,
    /// Station's gross weight against the school's estimate.
    pub at_collection: Option<Difference>,
    /// Firm's received weight against the station's gross weight (or the estimate when never collected).
    pub at_receipt: Option<Difference>,
    pub flagged: bool,
    pub citation: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_measures_art_18_weighings_beyond_the_tolerance_are_flagged() {
        let r = WeighingRules {
            relative: Decimal::new(5, 2),
            absolute_kg: Decimal::new(5, 1),
        };
        let d = |s: &str| Some(Decimal::from_str(s).expect("decimal"));
        let ok = r.reconcile(d("6.0"), d("6.2"), d("6.1"));
        assert!(!ok.flagged, "{ok:?}");
        let gross_off = r.reconcile(d("6.0"), d("9.0"), d("9.0"));
        assert!(gross_off.flagged);
        assert!(gross_off.at_collection.as_ref().is_some_and(|x| x.flagged));
        assert!(!gross_off.at_receipt.as_ref().is_some_and(|x| x.flagged));
        let lost = r.reconcile(d("6.0"), d("6.2"), d("4.0"));
        assert!(lost.at_receipt.as_ref().is_some_and(|x| x.flagged));
        let none = r.reconcile(d("6.0"), None, None);
        assert!(!none.flagged && none.at_collection.is_none());
    }
}
