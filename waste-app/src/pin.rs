//! A safety officer's personal PIN, with which they confirm the hand-over of their school's containers on the
//! station operator's phone (as a producer signs on a transporter's device with a secret code).
//!
//! One sequence for both front doors (issue 29, items 2 and 7), three steps so that a wrong PIN is counted even
//! though the collection it came with is refused: `begin` in its own write transaction (the actor may pick up
//! at all; the collection names an open pickup request of that school that this station may collect; the
//! attempt is counted in one atomic step, refused past `attempts::MAX_PIN` in `attempts::WINDOW_MINUTES`), then
//! `verify` (a read, the slow argon2 comparison outside any write transaction), then `record` (the right PIN
//! clears the count) and `PinCheck::into_result`. `crate::handover` runs them in that order.

use super::attempts::{self, MAX_PIN, WINDOW_MINUTES};
use super::{Actor, AppError, Env};
use crate::db::AnyConnection;
use crate::store::Tx;
use crate::store::pickup_requests as store_r;
use crate::store::users::{PinHolder, parse_roles};
use serde_json::json;
use waste_core::access::Action;
use waste_core::party::Role;
use waste_core::pickup::{RequestAction, transition};

static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    crate::passwords::hash("no such officer, no such PIN").unwrap_or_default()
});

/// A new PIN, already hashed (argon2id, as passwords): parse it before opening the transaction.
pub struct SetPin {
    hash: String,
}

impl SetPin {
    pub fn parse(pin: &str) -> Result<Self, AppError> {
        waste_core::pickup::check_pin(pin).map_err(|m| AppError::invalid("pin", m))?;
        let hash = crate::passwords::hash(pin).map_err(AppError::internal)?;
        Ok(SetPin { hash })
    }
}

/// Whether the actor may hold a PIN (a school's safety officer).
pub fn may_set(actor: &Actor) -> Result<(), AppError> {
    actor.may(Action::ConfirmHandOver)
}

/// Sets (or replaces) the actor's own PIN; earlier failures are forgotten.
pub fn set(tx: &mut Tx, env: &Env, actor: &Actor, cmd: SetPin) -> Result<String, AppError> {
    may_set(actor)?;
    let at = env.clock.stamp();
    crate::store::users::set_pin(tx.conn(), &actor.id, &cmd.hash, &at)?;
    attempts::pin_accepted(tx, &actor.id)?;
    Ok(at)
}

/// A PIN as typed, for an officer.
#[derive(Debug, Clone)]
pub struct PinAttempt {
    pub officer_id: String,
    pub pin: String,
}

impl PinAttempt {
    pub fn parse(officer_id: String, pin: String) -> Result<Self, AppError> {
        if officer_id.is_empty() || officer_id.len() > 64 {
            return Err(AppError::invalid(
                "school_confirmation.officer_id",
                "a user id",
            ));
        }
        if pin.is_empty() || pin.len() > 64 {
            return Err(AppError::invalid(
                "school_confirmation.pin",
                "the officer's PIN",
            ));
        }
        Ok(PinAttempt { officer_id, pin })
    }
}

/// Proof that a safety officer of `school_id` confirmed a hand-over: only `verify` makes one.
#[derive(Debug, Clone)]
pub struct Confirmed {
    officer_id: String,
    school_id: String,
}

impl Confirmed {
    pub fn officer_id(&self) -> &str {
        &self.officer_id
    }

    pub fn school_id(&self) -> &str {
        &self.school_id
    }
}

/// The outcome of a PIN check.
#[derive(Debug, Clone)]
pub enum PinCheck {
    Confirmed(Confirmed),
    /// The PIN is wrong, or the officer is not a safety officer of the school, or has no PIN.
    Wrong {
        officer_id: String,
        failures: i32,
    },
    /// The right PIN of a safety officer of the school whose training record has expired (or who has none): the
    /// governance plan's 100% trained before work, the same rule as `Actor::require_training`.
    Untrained {
        officer_id: String,
        trained_until: Option<String>,
    },
}

impl PinCheck {
    pub fn into_result(self) -> Result<Confirmed, AppError> {
        match self {
            PinCheck::Confirmed(c) => Ok(c),
            PinCheck::Wrong { failures, .. } => Err(AppError::Denied {
                code: "pin_incorrect",
                message: "the school's confirmation is refused: wrong PIN, or not a safety officer of that school with a PIN set".into(),
                details: json!({ "attempts_left": (MAX_PIN - failures).max(0), "window_minutes": WINDOW_MINUTES }),
            }),
            PinCheck::Untrained {
                officer_id,
                trained_until,
            } => Err(AppError::Denied {
                code: "officer_training_expired",
                message: "the school's confirmation is refused: the confirming safety officer's training record has expired; the school records a new training date first".into(),
                details: json!({ "officer_id": officer_id, "trained_until": trained_until }),
            }),
        }
    }
}

/// The first step: the actor may pick up, the collection names an open pickup request of `school_id` that this
/// station may collect with the school's confirmation, and the attempt is counted (429 past the limit). Returns
/// the officer's count of attempts in the window, this one included. Run in its own write transaction.
pub fn begin(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    school_id: &str,
    request_id: Option<&str>,
    attempt: &PinAttempt,
) -> Result<i32, AppError> {
    actor.may_on(waste_core::access::Action::PickUp, env.clock.today())?;
    let Some(id) = request_id else {
        return Err(AppError::refused(
            "confirmation_needs_request",
            "a school's confirmation is checked only on an open pickup request of that school: the school asks for the pickup first",
            json!({}),
        ));
    };
    let r = match store_r::by_id(tx, id)? {
        Some(r) if super::pickup_requests::visible_to(tx, actor, &r)? => r,
        _ => return Err(AppError::NotFound("pickup request")),
    };
    if r.school_id != school_id {
        return Err(AppError::refused(
            "request_of_another_school",
            "the pickup request is another school's",
            json!({ "request_school_id": r.school_id }),
        ));
    }
    let side = super::pickup_requests::side(actor, &r);
    transition(r.state()?, RequestAction::Collect, side, true)
        .map_err(|e| AppError::rule(e.code(), &e))?;
    attempts::begin_pin(tx, env, &attempt.officer_id)
}

/// The first step of a second person's confirmation on the reagent shelf (a controlled bottle received, issued
/// or taken back): the actor may keep the shelf, the second person is someone else, and the attempt is counted.
/// `verify` then checks the PIN of a safety officer of the actor's school.
pub fn begin_witness(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    attempt: &PinAttempt,
) -> Result<i32, AppError> {
    actor.may_on(waste_core::access::Action::KeepReagents, env.clock.today())?;
    if attempt.officer_id == actor.id {
        return Err(AppError::refused(
            "second_person_is_the_actor",
            "the second person must be another safety officer of the school than the one taking the step",
            json!({}),
        ));
    }
    attempts::begin_pin(tx, env, &attempt.officer_id)
}

/// Checks `attempt` for a safety officer of `school_id` (a read, after `begin` counted it as attempt number
/// `counted`; record the outcome with `record`).
pub fn verify(
    conn: &mut AnyConnection,
    env: &Env,
    school_id: &str,
    attempt: &PinAttempt,
    counted: i32,
) -> Result<PinCheck, AppError> {
    let officer = crate::store::users::pin_holder(conn, &attempt.officer_id)?;
    // The same argon2 work whether or not the officer exists, so timing does not tell which ids are officers.
    let (eligible, hash, trained_until) = match officer {
        Some(PinHolder {
            organization_id,
            roles,
            pin_hash: Some(hash),
            trained_until,
        }) => (
            organization_id == school_id && parse_roles(&roles).contains(&Role::SafetyOfficer),
            hash,
            trained_until,
        ),
        _ => (false, DUMMY_HASH.clone(), None),
    };
    let good = crate::passwords::verify(&hash, &attempt.pin) && eligible;
    // Only the right PIN learns about the training record (a wrong one says nothing about the officer).
    let trained = trained_until
        .as_deref()
        .and_then(crate::store::parse_date)
        .is_some_and(|d| d >= env.clock.today());
    if good && !trained {
        return Ok(PinCheck::Untrained {
            officer_id: attempt.officer_id.clone(),
            trained_until,
        });
    }
    Ok(if good {
        PinCheck::Confirmed(Confirmed {
            officer_id: attempt.officer_id.clone(),
            school_id: school_id.to_owned(),
        })
    } else {
        PinCheck::Wrong {
            officer_id: attempt.officer_id.clone(),
            failures: counted,
        }
    })
}

/// Records a check's outcome: a right PIN clears the officer's count (a wrong one was counted by `begin`).
pub fn record(tx: &mut Tx, check: &PinCheck) -> Result<(), AppError> {
    if let PinCheck::Confirmed(c) = check {
        attempts::pin_accepted(tx, &c.officer_id)?;
    }
    Ok(())
}
