//! The paper fallback of the Transfer Measures Art.20: a manifest run on paper while the electronic system was
//! unavailable is entered afterwards with its real dates, within 10 working days of its completion.

use super::rules::RecordRules;
use crate::manifest::{Acceptance, ManifestState};
use crate::storage::WorkingCalendar;
use serde::Serialize;
use time::Date;

/// The real dates of a paper manifest, in the order its steps happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaperDates {
    pub dispatched_on: Date,
    pub received_on: Date,
    /// The receiver's confirmation of utilisation or disposal, when the paper manifest got that far.
    pub disposed_on: Option<Date>,
}

impl PaperDates {
    /// The manifest was completed on its last step.
    pub fn completed_on(&self) -> Date {
        self.disposed_on.unwrap_or(self.received_on)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaperDateError {
    #[error("{field} ({date}) is before {earlier_field} ({earlier})")]
    OutOfOrder {
        field: &'static str,
        date: Date,
        earlier_field: &'static str,
        earlier: Date,
    },
    #[error(
        "{field} ({date}) is after today ({today}): a back-filled manifest records what already happened"
    )]
    InFuture {
        field: &'static str,
        date: Date,
        today: Date,
    },
}

impl PaperDateError {
    /// The request field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            Self::OutOfOrder { field, .. } | Self::InFuture { field, .. } => field,
        }
    }
}

/// Whether a back-filled manifest was entered in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaperEntryCheck {
    #[serde(serialize_with = "super::ser_date")]
    pub completed_on: Date,
    #[serde(serialize_with = "super::ser_date")]
    pub entered_on: Date,
    /// The last day it may be entered: completion + 10 working days (China's calendar with 调休).
    #[serde(serialize_with = "super::ser_date")]
    pub entry_deadline: Date,
    pub late: bool,
    /// Years the holiday calendar does not cover (counted with weekends only).
    pub uncovered_years: Vec<i32>,
    pub citation: String,
}

/// Checks the real dates of a paper manifest entered on `entered_on` and whether it came in within the
/// Art.20 window.
pub fn check_paper_entry(
    rules: &RecordRules,
    calendar: &WorkingCalendar,
    dates: PaperDates,
    entered_on: Date,
) -> Result<PaperEntryCheck, PaperDateError> {
    if dates.received_on < dates.dispatched_on {
        return Err(PaperDateError::OutOfOrder {
            field: "received_on",
            date: dates.received_on,
            earlier_field: "dispatched_on",
            earlier: dates.dispatched_on,
        });
    }
    if let Some(d) = dates.disposed_on
        && d < dates.received_on
    {
        return Err(PaperDateError::OutOfOrder {
            field: "disposed_on",
            date: d,
            earlier_field: "received_on",
            earlier: dates.received_on,
        });
    }
    for (field, d) in [
        ("dispatched_on", Some(dates.dispatched_on)),
        ("received_on", Some(dates.received_on)),
        ("disposed_on", dates.disposed_on),
    ] {
        if let Some(d) = d
            && d > entered_on
        {
            return Err(PaperDateError::InFuture {
                field,
                date: d,
                today: entered_on,
            });
        }
    }
    let completed_on = dates.completed_on();
    let window = rules.paper_fallback_working_days.value;
    let deadline = calendar.add_working_days(completed_on, window);
    Ok(PaperEntryCheck {
        completed_on,
        entered_on,
        entry_deadline: deadline.date,
        late: entered_on > deadline.date,
        uncovered_years: deadline.uncovered_years,
        citation: rules.paper_fallback_working_days.source.clone(),
    })
}

/// Where a paper manifest stands once entered: received (with the receiver's acceptance) or, when the receiver
/// also confirmed utilisation or disposal on paper, disposed. The electronic steps it skipped happened on paper
/// (Transfer Measures Art.20), so the state machine's order is checked by the dates instead.
pub fn paper_outcome(
    dates: &PaperDates,
    accepted: impl IntoIterator<Item = bool>,
) -> Result<(ManifestState, Acceptance), PaperOutcomeError> {
    let acceptance = Acceptance::of(accepted).ok_or(PaperOutcomeError::NoLines)?;
    match (dates.disposed_on, acceptance) {
        (Some(_), Acceptance::Rejected) => Err(PaperOutcomeError::NothingToDispose),
        (Some(_), Acceptance::Accepted | Acceptance::PartiallyRejected) => {
            Ok((ManifestState::Disposed, acceptance))
        }
        (None, _) => Ok((ManifestState::Received, acceptance)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PaperOutcomeError {
    #[error("a manifest lists at least one container")]
    NoLines,
    #[error("the receiver refused every container: there is no disposal to record")]
    NothingToDispose,
}
