//! What authorises a station to collect a school's containers (Solid Waste Law Art.80), and the confirming PIN.

use super::request::{RequestAction, RequestRefusal, RequestState, Side, transition};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

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

#[cfg(test)]
mod tests {
    use super::*;
    use RequestState::*;

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
}
