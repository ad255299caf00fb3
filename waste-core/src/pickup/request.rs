//! The pickup request's state machine: its states, the steps and who may take each.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    Requested,
    Scheduled,
    Declined,
    Cancelled,
    Collected,
}

impl RequestState {
    pub const ALL: [RequestState; 5] = [
        Self::Requested,
        Self::Scheduled,
        Self::Declined,
        Self::Cancelled,
        Self::Collected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Scheduled => "scheduled",
            Self::Declined => "declined",
            Self::Cancelled => "cancelled",
            Self::Collected => "collected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// An open request holds its containers: none of them may be on another open request.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Requested | Self::Scheduled)
    }
}

impl fmt::Display for RequestState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestAction {
    Schedule,
    Decline,
    Cancel,
    Collect,
}

impl RequestAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Schedule => "schedule",
            Self::Decline => "decline",
            Self::Cancel => "cancel",
            Self::Collect => "collect",
        }
    }
}

/// The acting organisation's part in a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The requesting school.
    School,
    /// The station that scheduled the request.
    ScheduledStation,
    /// Any other transfer station (a request not yet scheduled is addressed to every station).
    Station,
    /// Anyone else.
    Other,
}

/// A listed transition: from, action, who may take it, to.
pub struct Transition {
    pub from: RequestState,
    pub action: RequestAction,
    pub sides: &'static [Side],
    pub to: RequestState,
}

const STATIONS: &[Side] = &[Side::Station, Side::ScheduledStation];
const SCHEDULER: &[Side] = &[Side::ScheduledStation];
const SCHOOL: &[Side] = &[Side::School];

/// Every transition the machine allows. A scheduled request belongs to the station that scheduled it: only that
/// station moves its slot, declines it after all, or collects it. Collecting a request that is only `requested`
/// needs the school's confirmation at the hand-over (see `transition`).
pub const TRANSITIONS: [Transition; 8] = [
    Transition {
        from: RequestState::Requested,
        action: RequestAction::Schedule,
        sides: STATIONS,
        to: RequestState::Scheduled,
    },
    Transition {
        from: RequestState::Scheduled,
        action: RequestAction::Schedule,
        sides: SCHEDULER,
        to: RequestState::Scheduled,
    },
    Transition {
        from: RequestState::Requested,
        action: RequestAction::Decline,
        sides: STATIONS,
        to: RequestState::Declined,
    },
    Transition {
        from: RequestState::Scheduled,
        action: RequestAction::Decline,
        sides: SCHEDULER,
        to: RequestState::Declined,
    },
    Transition {
        from: RequestState::Requested,
        action: RequestAction::Cancel,
        sides: SCHOOL,
        to: RequestState::Cancelled,
    },
    Transition {
        from: RequestState::Scheduled,
        action: RequestAction::Cancel,
        sides: SCHOOL,
        to: RequestState::Cancelled,
    },
    Transition {
        from: RequestState::Scheduled,
        action: RequestAction::Collect,
        sides: SCHEDULER,
        to: RequestState::Collected,
    },
    Transition {
        from: RequestState::Requested,
        action: RequestAction::Collect,
        sides: STATIONS,
        to: RequestState::Collected,
    },
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum RequestRefusal {
    #[error("a pickup request in state {state} cannot take the step {}", action.as_str())]
    InvalidTransition {
        state: RequestState,
        action: RequestAction,
    },
    #[error("this pickup request is not yours to {}", action.as_str())]
    WrongSide { action: RequestAction, side: Side },
    #[error(
        "the request is not scheduled: collecting it needs the school's confirmation of the hand-over"
    )]
    ConfirmationRequired,
}

impl RequestRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidTransition { .. } => "invalid_transition",
            Self::WrongSide { .. } => "not_your_request",
            Self::ConfirmationRequired => "school_confirmation_required",
        }
    }
}

/// The machine: `(state, action, side) -> state`; `confirmed` says whether a safety officer of the school
/// confirmed the hand-over (only a collection asks).
pub fn transition(
    state: RequestState,
    action: RequestAction,
    side: Side,
    confirmed: bool,
) -> Result<RequestState, RequestRefusal> {
    let listed: Vec<&Transition> = TRANSITIONS
        .iter()
        .filter(|t| t.from == state && t.action == action)
        .collect();
    if listed.is_empty() {
        return Err(RequestRefusal::InvalidTransition { state, action });
    }
    let Some(t) = listed.iter().find(|t| t.sides.contains(&side)) else {
        return Err(RequestRefusal::WrongSide { action, side });
    };
    if action == RequestAction::Collect && state == RequestState::Requested && !confirmed {
        return Err(RequestRefusal::ConfirmationRequired);
    }
    Ok(t.to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestAction::*;
    use RequestState::*;

    #[test]
    fn a_request_is_scheduled_or_declined_by_a_station_and_cancelled_by_the_school() {
        assert_eq!(
            transition(Requested, Schedule, Side::Station, false),
            Ok(Scheduled)
        );
        assert_eq!(
            transition(Requested, Decline, Side::Station, false),
            Ok(Declined)
        );
        assert_eq!(
            transition(Scheduled, Cancel, Side::School, false),
            Ok(Cancelled)
        );
        assert_eq!(
            transition(Requested, Schedule, Side::School, false),
            Err(RequestRefusal::WrongSide {
                action: Schedule,
                side: Side::School
            })
        );
        assert_eq!(
            transition(Requested, Cancel, Side::Station, false).map_err(|e| e.code()),
            Err("not_your_request")
        );
    }

    #[test]
    fn a_scheduled_request_belongs_to_the_station_that_scheduled_it() {
        assert!(transition(Scheduled, Collect, Side::Station, false).is_err());
        assert!(transition(Scheduled, Decline, Side::Station, false).is_err());
        assert_eq!(
            transition(Scheduled, Collect, Side::ScheduledStation, false),
            Ok(Collected)
        );
        assert_eq!(
            transition(Scheduled, Schedule, Side::ScheduledStation, false),
            Ok(Scheduled)
        );
    }

    #[test]
    fn closed_requests_take_no_step_a_cancelled_one_is_never_collected() {
        for s in [Declined, Cancelled, Collected] {
            assert!(!s.is_open());
            for a in [Schedule, Decline, Cancel, Collect] {
                for side in [Side::School, Side::Station, Side::ScheduledStation] {
                    assert_eq!(
                        transition(s, a, side, true),
                        Err(RequestRefusal::InvalidTransition {
                            state: s,
                            action: a
                        })
                    );
                }
            }
        }
    }

    #[test]
    fn an_unscheduled_request_is_collected_only_with_the_schools_confirmation() {
        assert_eq!(
            transition(Requested, Collect, Side::Station, false),
            Err(RequestRefusal::ConfirmationRequired)
        );
        assert_eq!(
            transition(Requested, Collect, Side::Station, true),
            Ok(Collected)
        );
    }
}
