//! A safety officer's personal PIN, with which they confirm the hand-over of their school's containers on the
//! station operator's phone (as a producer signs on a transporter's device with a secret code).
//!
//! Checking a PIN takes two steps so that a wrong PIN is counted even though the collection it came with is
//! refused: `verify` (a read, the slow argon2 comparison outside any write transaction), then `record` in its own
//! write transaction, then `PinCheck::into_result`. At most `MAX_FAILURES` wrong PINs per officer in
//! `WINDOW_MINUTES`, like sign-in; beyond that even the right PIN is refused until the window passes.

use super::{Actor, AppError, Env};
use crate::db::AnyConnection;
use crate::schema::{pin_failures, users};
use crate::store::Tx;
use crate::store::users::parse_roles;
use diesel::prelude::*;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use waste_core::access::Action;
use waste_core::party::Role;

static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    crate::credentials::hash_password("no such officer, no such PIN").unwrap_or_default()
});

/// Wrong PINs allowed per officer within the window.
pub const MAX_FAILURES: i64 = 5;
/// The window, in minutes.
pub const WINDOW_MINUTES: i64 = 15;

/// A new PIN, already hashed (argon2id, as passwords): parse it before opening the transaction.
pub struct SetPin {
    hash: String,
}

impl SetPin {
    pub fn parse(pin: &str) -> Result<Self, AppError> {
        waste_core::pickup::check_pin(pin).map_err(|m| AppError::invalid("pin", m))?;
        let hash = crate::credentials::hash_password(pin).map_err(AppError::internal)?;
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
    diesel::update(users::table.filter(users::id.eq(&actor.id)))
        .set((
            users::pin_hash.eq(Some(cmd.hash.as_str())),
            users::pin_set_at.eq(Some(at.as_str())),
        ))
        .execute(tx.conn())?;
    diesel::delete(pin_failures::table.filter(pin_failures::user_id.eq(&actor.id)))
        .execute(tx.conn())?;
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
        failures: i64,
    },
    /// Too many wrong PINs within the window.
    Blocked {
        retry_after_s: i64,
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
                details: json!({ "attempts_left": (MAX_FAILURES - failures).max(0), "window_minutes": WINDOW_MINUTES }),
            }),
            PinCheck::Blocked { retry_after_s } => Err(AppError::RateLimited { retry_after_s }),
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

fn parse_at(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// Checks `attempt` for a safety officer of `school_id` (a read; record the outcome with `record`).
pub fn verify(
    conn: &mut AnyConnection,
    env: &Env,
    school_id: &str,
    attempt: &PinAttempt,
) -> Result<PinCheck, AppError> {
    let now = env.clock.now();
    let since = waste_core::custody::format_at(now - time::Duration::minutes(WINDOW_MINUTES));
    let recent: Vec<String> = pin_failures::table
        .filter(pin_failures::user_id.eq(&attempt.officer_id))
        .filter(pin_failures::at.gt(&since))
        .select(pin_failures::at)
        .order(pin_failures::at.asc())
        .load(conn)?;
    if recent.len() as i64 >= MAX_FAILURES {
        let oldest = recent.first().and_then(|s| parse_at(s)).unwrap_or(now);
        let until = oldest + time::Duration::minutes(WINDOW_MINUTES);
        return Ok(PinCheck::Blocked {
            retry_after_s: (until - now).whole_seconds().max(1),
        });
    }
    let officer = users::table
        .filter(users::id.eq(&attempt.officer_id))
        .select(Officer::as_select())
        .first::<Officer>(conn)
        .optional()?;
    // The same argon2 work whether or not the officer exists, so timing does not tell which ids are officers.
    let (eligible, hash, trained_until) = match officer {
        Some(Officer {
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
    let good = crate::credentials::verify_password(&hash, &attempt.pin) && eligible;
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
            failures: recent.len() as i64 + 1,
        }
    })
}

/// The officer a PIN is checked for.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
struct Officer {
    organization_id: String,
    roles: String,
    pin_hash: Option<String>,
    trained_until: Option<String>,
}

/// Records a check's outcome: a wrong PIN counts against the officer; a right one clears the count.
pub fn record(tx: &mut Tx, env: &Env, check: &PinCheck) -> Result<(), AppError> {
    match check {
        PinCheck::Wrong { officer_id, .. } => {
            diesel::insert_into(pin_failures::table)
                .values((
                    pin_failures::id.eq(crate::state::new_id()),
                    pin_failures::user_id.eq(officer_id),
                    pin_failures::at.eq(env.clock.stamp()),
                ))
                .execute(tx.conn())?;
        }
        PinCheck::Confirmed(c) => {
            diesel::delete(pin_failures::table.filter(pin_failures::user_id.eq(&c.officer_id)))
                .execute(tx.conn())?;
        }
        PinCheck::Blocked { .. } | PinCheck::Untrained { .. } => {}
    }
    Ok(())
}
