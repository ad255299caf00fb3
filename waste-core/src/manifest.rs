//! The transfer manifest (转移联单): its state machine, who may act, the 14-digit number, weight
//! reconciliation and the receipt deadline (HW Transfer Measures, MEE Order No.23).

use crate::storage::{WorkingCalendar, WorkingDayResult};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ManifestState {
    Draft,
    Submitted,
    InTransit,
    Received,
    Disposed,
    Cancelled,
}

impl ManifestState {
    pub const ALL: [ManifestState; 6] = [
        Self::Draft,
        Self::Submitted,
        Self::InTransit,
        Self::Received,
        Self::Disposed,
        Self::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::InTransit => "in_transit",
            Self::Received => "received",
            Self::Disposed => "disposed",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// No action leads out of a closed manifest.
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Disposed | Self::Cancelled)
    }
}

impl fmt::Display for ManifestState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Submit,
    Dispatch,
    Receive,
    ConfirmDisposal,
    Cancel,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Self::Submit,
        Self::Dispatch,
        Self::Receive,
        Self::ConfirmDisposal,
        Self::Cancel,
    ];

    /// As in the URL: `confirm-disposal`.
    pub fn path(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Dispatch => "dispatch",
            Self::Receive => "receive",
            Self::ConfirmDisposal => "confirm-disposal",
            Self::Cancel => "cancel",
        }
    }
}

/// The acting organisation's part in a manifest (Transfer Measures Art.31: 移出人 shipper, 承运人 carrier,
/// 接受人 receiver).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Shipper,
    Carrier,
    Receiver,
}

impl Party {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shipper => "shipper",
            Self::Carrier => "carrier",
            Self::Receiver => "receiver",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Shipper, Self::Carrier, Self::Receiver]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acceptance {
    Accepted,
    PartiallyRejected,
    Rejected,
}

impl Acceptance {
    /// From the per-line decisions of the receiver (Art.12): all, some or none accepted.
    pub fn of(accepted: impl IntoIterator<Item = bool>) -> Option<Self> {
        let (mut yes, mut no) = (0usize, 0usize);
        for a in accepted {
            if a { yes += 1 } else { no += 1 }
        }
        match (yes, no) {
            (0, 0) => None,
            (_, 0) => Some(Self::Accepted),
            (0, _) => Some(Self::Rejected),
            _ => Some(Self::PartiallyRejected),
        }
    }
}

/// A listed transition: from, action, who may take it, to, and the article behind it.
pub struct Transition {
    pub from: ManifestState,
    pub action: Action,
    pub party: Party,
    pub to: ManifestState,
    pub citation: &'static str,
}

/// Every transition the machine allows; anything else is refused with a typed error.
pub const TRANSITIONS: [Transition; 6] = [
    Transition {
        from: ManifestState::Draft,
        action: Action::Submit,
        party: Party::Shipper,
        to: ManifestState::Submitted,
        citation: "Transfer Measures Art.10",
    },
    Transition {
        from: ManifestState::Submitted,
        action: Action::Dispatch,
        party: Party::Carrier,
        to: ManifestState::InTransit,
        citation: "Transfer Measures Art.11, Art.13",
    },
    Transition {
        from: ManifestState::InTransit,
        action: Action::Receive,
        party: Party::Receiver,
        to: ManifestState::Received,
        citation: "Transfer Measures Art.12, Art.18",
    },
    Transition {
        from: ManifestState::Received,
        action: Action::ConfirmDisposal,
        party: Party::Receiver,
        to: ManifestState::Disposed,
        citation: "Transfer Measures Art.12",
    },
    Transition {
        from: ManifestState::Draft,
        action: Action::Cancel,
        party: Party::Shipper,
        to: ManifestState::Cancelled,
        citation: "Transfer Measures Art.10",
    },
    Transition {
        from: ManifestState::Submitted,
        action: Action::Cancel,
        party: Party::Shipper,
        to: ManifestState::Cancelled,
        citation: "Transfer Measures Art.10",
    },
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum TransitionError {
    #[error("a manifest in state {state} cannot be {action:?}")]
    InvalidTransition {
        state: ManifestState,
        action: Action,
    },
    #[error("only the {expected:?} may {action:?} this manifest")]
    WrongParty {
        action: Action,
        expected: Party,
        actual: Option<Party>,
    },
    #[error("every container was rejected: there is nothing to dispose of")]
    NothingAccepted,
}

/// The machine: `(state, action, party) -> state`, with the receipt's acceptance for `confirm_disposal`.
pub fn transition(
    state: ManifestState,
    action: Action,
    party: Option<Party>,
    acceptance: Option<Acceptance>,
) -> Result<ManifestState, TransitionError> {
    let Some(t) = TRANSITIONS
        .iter()
        .find(|t| t.from == state && t.action == action)
    else {
        return Err(TransitionError::InvalidTransition { state, action });
    };
    if party != Some(t.party) {
        return Err(TransitionError::WrongParty {
            action,
            expected: t.party,
            actual: party,
        });
    }
    if action == Action::ConfirmDisposal && acceptance == Some(Acceptance::Rejected) {
        return Err(TransitionError::NothingAccepted);
    }
    Ok(t.to)
}

/// The 14-digit manifest number: year (4) + province (2) + city (2) + serial (6) (Transfer Measures Art.15).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ManifestNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("region code '{0}' is not 6 digits")]
    Region(String),
    #[error("year {0} is not 4 digits")]
    Year(i32),
    #[error("serial {0} does not fit in 6 digits")]
    Serial(u32),
    #[error("'{0}' is not a 14-digit manifest number")]
    Format(String),
}

impl ManifestNumber {
    pub fn new(year: i32, region_code: &str, serial: u32) -> Result<Self, NumberError> {
        if region_code.len() != 6 || !region_code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NumberError::Region(region_code.to_owned()));
        }
        if !(1000..=9999).contains(&year) {
            return Err(NumberError::Year(year));
        }
        if serial == 0 || serial > 999_999 {
            return Err(NumberError::Serial(serial));
        }
        Ok(Self(format!("{year}{}{serial:06}", &region_code[..4])))
    }

    pub fn parse(s: &str) -> Result<Self, NumberError> {
        if s.len() == 14 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(NumberError::Format(s.to_owned()))
        }
    }

    pub fn year(&self) -> &str {
        &self.0[..4]
    }
    /// Province (2) + city (2): the part the number is unique within, per year.
    pub fn region(&self) -> &str {
        &self.0[4..8]
    }
    pub fn serial(&self) -> u32 {
        self.0[8..].parse().unwrap_or(0)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A shipper that has cancelled as many numbered manifests in a year as the policy allows: each manifest cancelled
/// after submission spends one of its city's 999,999 yearly serials (Transfer Measures Art.15) for nothing, so
/// submitting and cancelling in a loop would exhaust them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error(
    "your organisation has cancelled {cancelled} submitted manifests in {year}, the most allowed (policy setting WASTE_MAX_CANCELLED_SERIALS = {limit}): each spent one of the city's yearly manifest numbers (Transfer Measures Art.15); dispatch this manifest, or ask an administrator"
)]
pub struct TooManyCancelledSerials {
    pub cancelled: u64,
    pub limit: u32,
    pub year: String,
}

impl TooManyCancelledSerials {
    pub fn code(&self) -> &'static str {
        "too_many_cancelled_serials"
    }
}

/// Whether a shipper that has cancelled `cancelled` numbered manifests in `year` may cancel one more (`limit` 0:
/// no limit; policy setting).
pub fn may_cancel_numbered(
    cancelled: u64,
    limit: u32,
    year: &str,
) -> Result<(), TooManyCancelledSerials> {
    if limit > 0 && cancelled >= u64::from(limit) {
        return Err(TooManyCancelledSerials {
            cancelled,
            limit,
            year: year.to_owned(),
        });
    }
    Ok(())
}

/// Why a number written on a paper manifest cannot be that shipper's paper number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaperNumberError {
    #[error(
        "number {number} is of region {region}, not of the shipper's region {shipper_region} (Transfer Measures Art.15: the number's province and city are the shipper's)"
    )]
    Region {
        number: String,
        region: String,
        shipper_region: String,
    },
    #[error(
        "number {number} is of year {year}, not of the year {dispatched_year} the waste left (Transfer Measures Art.15: the number's year is the year the manifest was run)"
    )]
    Year {
        number: String,
        year: String,
        dispatched_year: i32,
    },
    #[error("number {0} has serial 000000, which no manifest has (Transfer Measures Art.15)")]
    Serial(String),
}

impl ManifestNumber {
    /// Whether this number can be a paper manifest (Transfer Measures Art.20) run by a shipper of region
    /// `shipper_region` (6 digits) that left in `dispatched_year`: the number's year is that year, its province and
    /// city are the shipper's, and its serial is not zero (Art.15). A number of another city, or of another
    /// year, would spend a serial that is not the shipper's to spend.
    pub fn check_paper(
        &self,
        shipper_region: &str,
        dispatched_year: i32,
    ) -> Result<(), PaperNumberError> {
        if shipper_region.get(..4) != Some(self.region()) {
            return Err(PaperNumberError::Region {
                number: self.0.clone(),
                region: self.region().to_owned(),
                shipper_region: shipper_region.to_owned(),
            });
        }
        if self.year() != format!("{dispatched_year:04}") {
            return Err(PaperNumberError::Year {
                number: self.0.clone(),
                year: self.year().to_owned(),
                dispatched_year,
            });
        }
        if self.serial() == 0 {
            return Err(PaperNumberError::Serial(self.0.clone()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod paper_number_tests {
    use super::*;

    #[test]
    fn cancelled_numbered_manifests_are_limited_by_the_policy_setting() {
        assert!(may_cancel_numbered(49, 50, "2026").is_ok());
        let e = may_cancel_numbered(50, 50, "2026").expect_err("the 51st");
        assert_eq!(e.code(), "too_many_cancelled_serials");
        assert!(
            may_cancel_numbered(10_000, 0, "2026").is_ok(),
            "0: no limit"
        );
    }

    #[test]
    fn a_paper_number_is_of_the_shippers_city_and_the_year_it_left_art15() {
        let n = |s: &str| ManifestNumber::parse(s).expect("14 digits");
        assert_eq!(n("20262201000007").check_paper("220104", 2026), Ok(()));
        assert!(matches!(
            n("20263301000007").check_paper("220104", 2026),
            Err(PaperNumberError::Region { .. })
        ));
        assert!(matches!(
            n("20252201000007").check_paper("220104", 2026),
            Err(PaperNumberError::Year { .. })
        ));
        assert!(matches!(
            n("20262201000000").check_paper("220104", 2026),
            Err(PaperNumberError::Serial(_))
        ));
    }
}

impl fmt::Display for ManifestNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Manifest settings (manifest.toml).
#[derive(Debug, Clone)]
pub struct ManifestRules {
    pub receipt_working_days: u32,
    pub tolerance_relative: Decimal,
    pub tolerance_absolute_kg: Decimal,
    /// The disposal and utilisation operations a receiver chooses from (Basel Convention Annex IV), in order.
    pub methods: Vec<Method>,
}

/// One operation code of the Basel Convention Annex IV with its names, as the receiver chooses it.
#[derive(Debug, Clone, Deserialize)]
pub struct Method {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub confidence: String,
}

impl Method {
    /// Section A of Annex IV (D codes, no resource recovery) or Section B (R codes, recovery).
    pub fn recovers(&self) -> bool {
        self.code.starts_with('R')
    }
}

impl ManifestRules {
    pub fn parse(text: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Raw {
            receipt: R,
            weight_tolerance: W,
            #[serde(default)]
            method: Vec<Method>,
        }
        #[derive(Deserialize)]
        struct R {
            working_days: u32,
        }
        #[derive(Deserialize)]
        struct W {
            relative: String,
            absolute_kg: String,
        }
        let raw: Raw = toml::from_str(text).map_err(|e| format!("manifest: {e}"))?;
        let dec = |s: &str| Decimal::from_str(s).map_err(|e| format!("manifest: '{s}': {e}"));
        // A list, when given, is the whole of Annex IV: every code the manifest accepts (`MethodCode`), each once,
        // named (a file without one offers a typed code only).
        let mut seen = std::collections::BTreeSet::new();
        for m in &raw.method {
            if crate::method::MethodCode::parse(&m.code).is_none_or(|c| c.as_str() != m.code) {
                return Err(format!("manifest: method '{}' is no Annex IV code", m.code));
            }
            if !seen.insert(m.code.clone()) {
                return Err(format!("manifest: method '{}' is listed twice", m.code));
            }
            if m.name_zh.trim().is_empty() || m.name_en.trim().is_empty() {
                return Err(format!("manifest: method '{}' has no name", m.code));
            }
        }
        if !seen.is_empty() && seen.len() != 28 {
            return Err(format!(
                "manifest: {} methods listed; Annex IV has D1–D15 and R1–R13",
                seen.len()
            ));
        }
        Ok(Self {
            methods: raw.method,
            receipt_working_days: raw.receipt.working_days,
            tolerance_relative: dec(&raw.weight_tolerance.relative)?,
            tolerance_absolute_kg: dec(&raw.weight_tolerance.absolute_kg)?,
        })
    }

    /// Compares the weight shipped with the weight received: a difference above the larger of the relative and
    /// the absolute tolerance is a discrepancy the receiver must report (Art.18).
    pub fn reconcile(&self, shipped_kg: Decimal, received_kg: Decimal) -> Reconciliation {
        let difference_kg = received_kg - shipped_kg;
        let allowed_kg =
            (shipped_kg.abs() * self.tolerance_relative).max(self.tolerance_absolute_kg);
        Reconciliation {
            shipped_kg,
            received_kg,
            difference_kg,
            allowed_kg,
            discrepancy: difference_kg.abs() > allowed_kg,
        }
    }

    /// The last day to confirm receipt: 5 working days after delivery (Transfer Measures Art.18).
    pub fn receipt_deadline(
        &self,
        calendar: &WorkingCalendar,
        delivered_on: Date,
    ) -> WorkingDayResult {
        calendar.add_working_days(delivered_on, self.receipt_working_days)
    }

    /// When a receipt confirmed on `today` was due, and whether it is late (Transfer Measures Art.18: 5 working
    /// days). The delivery day the receiver states cannot precede dispatch, and the deadline counts from dispatch,
    /// as the in-transit alert does: a stated delivery day cannot move it later, so a receipt the alert already
    /// reported late stays late (issue 14, finding 9).
    pub fn receipt_timing(
        &self,
        calendar: &WorkingCalendar,
        dispatched_on: Date,
        delivered_on: Date,
        today: Date,
    ) -> Result<ReceiptTiming, DeliveredBeforeDispatch> {
        if delivered_on < dispatched_on {
            return Err(DeliveredBeforeDispatch {
                delivered_on,
                dispatched_on,
            });
        }
        let deadline = self.receipt_deadline(calendar, dispatched_on);
        Ok(ReceiptTiming {
            late: today > deadline.date,
            deadline,
        })
    }
}

/// A receipt's deadline and whether it was missed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptTiming {
    pub deadline: WorkingDayResult,
    pub late: bool,
}

/// A stated delivery day before the manifest was dispatched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "delivered_on {delivered_on} is before the dispatch on {dispatched_on}: waste is received after it leaves (Transfer Measures Art.18)"
)]
pub struct DeliveredBeforeDispatch {
    pub delivered_on: Date,
    pub dispatched_on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    pub shipped_kg: Decimal,
    pub received_kg: Decimal,
    pub difference_kg: Decimal,
    pub allowed_kg: Decimal,
    pub discrepancy: bool,
}
