//! Pickup requests (school → transfer station) and the hand-over at collection: the request's state machine,
//! what authorises a station to take a school's containers, and the three weighings of a container.
//!
//! The station collects as the school's collector (收集单位, HW Transfer Measures, MEE Order No.23, Art.31), and no
//! hand-over may go to a party the holder did not choose (Solid Waste Law 2020 Art.80): a station takes a
//! school's containers only on a request of that school it scheduled, or on the school's confirmation of the
//! hand-over by a safety officer. Items badly packed, unlabelled or over the fill limit are refused at the
//! hand-over (Transfer Measures Art.13: do not load what does not match) and stay with the school.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

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

/// What authorises a collection of a school's containers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// A request of the school, scheduled by this station, lists every container.
    ScheduledRequest,
    /// A safety officer of the school confirmed the hand-over with their PIN.
    SchoolConfirmation,
}

/// The facts about a request a collection names.
#[derive(Debug, Clone)]
pub struct RequestFacts<'a> {
    pub school_id: &'a str,
    pub state: RequestState,
    pub side: Side,
    pub containers: &'a BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(untagged)]
pub enum CollectionRefusal {
    #[error(
        "a station takes a school's containers only on a request of that school it scheduled, or with the school's confirmation of the hand-over (Solid Waste Law Art.80)"
    )]
    NotAuthorized { citation: &'static str },
    #[error("the pickup request is another school's")]
    OtherSchool { request_school_id: String },
    #[error("containers not on the pickup request: {not_requested:?}")]
    NotRequested {
        not_requested: Vec<String>,
        citation: &'static str,
    },
    #[error("{0}")]
    Request(RequestRefusal),
}

impl CollectionRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAuthorized { .. } => "pickup_not_authorized",
            Self::OtherSchool { .. } => "request_of_another_school",
            Self::NotRequested { .. } => "container_not_requested",
            Self::Request(r) => r.code(),
        }
    }
}

const ART_80: &str = "Solid Waste Law 2020 Art.80";

/// Whether a station may collect `containers` (taken and refused at the hand-over) of `school_id`: on the
/// school's request it scheduled (listing every container), or on the school's confirmation (a request named
/// alongside must still be the school's, open, and list them). Returns the basis and the request's next state.
pub fn authorize_collection(
    school_id: &str,
    containers: &BTreeSet<String>,
    request: Option<RequestFacts>,
    confirmed: bool,
) -> Result<(Basis, Option<RequestState>), CollectionRefusal> {
    let basis = if confirmed {
        Basis::SchoolConfirmation
    } else {
        Basis::ScheduledRequest
    };
    let Some(r) = request else {
        return if confirmed {
            Ok((basis, None))
        } else {
            Err(CollectionRefusal::NotAuthorized { citation: ART_80 })
        };
    };
    if r.school_id != school_id {
        return Err(CollectionRefusal::OtherSchool {
            request_school_id: r.school_id.to_owned(),
        });
    }
    let next = transition(r.state, RequestAction::Collect, r.side, confirmed)
        .map_err(CollectionRefusal::Request)?;
    let not_requested: Vec<String> = containers.difference(r.containers).cloned().collect();
    if !not_requested.is_empty() {
        return Err(CollectionRefusal::NotRequested {
            not_requested,
            citation: ART_80,
        });
    }
    Ok((basis, Some(next)))
}

/// A personal PIN for confirming hand-overs: 6 to 12 digits, not one digit repeated, not a plain run up or down.
pub fn check_pin(pin: &str) -> Result<(), &'static str> {
    let b = pin.as_bytes();
    if !(6..=12).contains(&b.len()) || !b.iter().all(u8::is_ascii_digit) {
        return Err("a PIN is 6 to 12 digits");
    }
    let steps: BTreeSet<i16> = b
        .windows(2)
        .map(|w| i16::from(w[1]) - i16::from(w[0]))
        .collect();
    if steps.len() == 1 && steps.iter().all(|s| s.abs() <= 1) {
        return Err("a PIN of one digit repeated or a plain run of digits is guessed first");
    }
    Ok(())
}

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

/// The schools whose open requests a station sees and may schedule: those of its own prefecture-level city. City
/// schemes have one collector visiting the city's schools (the small-generator collection pilot, MEE
/// 环办固体函〔2022〕66号, organised by city; the service area beyond that is UNCONFIRMED), and the city is digits 1-4
/// of the GB/T 2260 division code (`220104`, a district of Changchun: `2201`). A station registered at province
/// level (`220000`) serves its province (`22`). Returns the region prefix a school's code must start with; None
/// when the station's code is not a 6-digit division code (it then sees no other school's open request).
pub fn service_area(station_region: &str) -> Option<String> {
    if station_region.len() != 6 || !station_region.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let city = &station_region[..4];
    Some(if city.ends_with("00") {
        station_region[..2].to_owned()
    } else {
        city.to_owned()
    })
}

/// Whether a station of `station_region` serves a school of `school_region` (`service_area`).
pub fn station_serves(station_region: &str, school_region: &str) -> bool {
    service_area(station_region).is_some_and(|area| school_region.starts_with(area.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestAction::*;
    use RequestState::*;

    /// GB/T 2260 digits 1-4 (the city) and the pilot's city schemes (MEE 环办固体函〔2022〕66号): a station sees
    /// the open requests of its city's schools only.
    #[test]
    fn a_station_serves_the_schools_of_its_own_city() {
        assert_eq!(service_area("220104").as_deref(), Some("2201"));
        assert!(station_serves("220104", "220102"));
        assert!(station_serves("220104", "220112"));
        assert!(
            !station_serves("220104", "220202"),
            "another city of the province"
        );
        assert!(!station_serves("220104", "110101"), "another province");
        assert_eq!(service_area("220000").as_deref(), Some("22"));
        assert!(station_serves("220000", "220202"));
        assert_eq!(service_area("2201"), None);
        assert_eq!(service_area("22010x"), None);
        assert!(!station_serves("", "220102"));
    }

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

    fn set(xs: &[&str]) -> BTreeSet<String> {
        xs.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn solid_waste_law_art_80_no_hand_over_without_the_schools_request_or_confirmation() {
        let taken = set(&["a", "b"]);
        assert_eq!(
            authorize_collection("s1", &taken, None, false).map_err(|e| e.code()),
            Err("pickup_not_authorized")
        );
        assert_eq!(
            authorize_collection("s1", &taken, None, true),
            Ok((Basis::SchoolConfirmation, None))
        );
        let listed = set(&["a", "b", "c"]);
        let req = |school, state, side| RequestFacts {
            school_id: school,
            state,
            side,
            containers: &listed,
        };
        assert_eq!(
            authorize_collection(
                "s1",
                &taken,
                Some(req("s1", Scheduled, Side::ScheduledStation)),
                false
            ),
            Ok((Basis::ScheduledRequest, Some(Collected)))
        );
        assert_eq!(
            authorize_collection(
                "s1",
                &taken,
                Some(req("s2", Scheduled, Side::ScheduledStation)),
                false
            )
            .map_err(|e| e.code()),
            Err("request_of_another_school")
        );
        assert_eq!(
            authorize_collection(
                "s1",
                &taken,
                Some(req("s1", Cancelled, Side::ScheduledStation)),
                true
            )
            .map_err(|e| e.code()),
            Err("invalid_transition")
        );
        let other = set(&["a", "z"]);
        assert_eq!(
            authorize_collection(
                "s1",
                &other,
                Some(req("s1", Scheduled, Side::ScheduledStation)),
                false
            )
            .map_err(|e| e.code()),
            Err("container_not_requested")
        );
    }

    #[test]
    fn pins_are_digits_and_not_the_first_ones_guessed() {
        assert!(check_pin("482913").is_ok());
        assert!(check_pin("12345").is_err());
        assert!(check_pin("111111").is_err());
        assert!(check_pin("123456").is_err());
        assert!(check_pin("987654").is_err());
        assert!(check_pin("12a456").is_err());
        assert!(check_pin("1234567890123").is_err());
    }

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
