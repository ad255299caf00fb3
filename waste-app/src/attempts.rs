//! Failure limits on secrets (passwords, bearer tokens typed into the sign-in form, hand-over PINs), kept in the
//! database so that every instance on it shares them, and counted before the secret is checked in one atomic
//! step (`store::sequences::count_attempt`): however many attempts arrive at once, at most the limit are checked.
//!
//! Keys (issue 29, items 2 and 3): an address that fails too often is blocked for every sign-in; an account is
//! limited per address it is tried from, so a stranger elsewhere cannot lock its owner out; a token sign-in has
//! no account before it is checked and counts on its address only; a PIN counts per officer, and is only
//! checked on an open pickup request of the officer's school (`app::handover`). Limits are product settings, not
//! legal ones.

use super::{AppError, Env};
use crate::store::{Tx, sequences};

/// The window every limit counts in, in minutes (policy setting).
pub const WINDOW_MINUTES: i64 = 15;
/// Sign-in attempts for one account from one address in the window (policy setting).
pub const MAX_PER_ACCOUNT: i32 = 5;
/// Failed sign-ins from one address in the window, any account or token (policy setting).
pub const MAX_PER_ADDRESS: i32 = 20;
/// PIN attempts for one officer in the window (policy setting).
pub const MAX_PIN: i32 = 5;

/// Which limit stopped a sign-in, and how many minutes until its window ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    Account(u64),
    Address(u64),
}

/// A sign-in name's account key: one per name whatever its case (names are unique case-insensitively).
fn account_key(login: &str, addr: &str) -> String {
    format!("signin:acct:{}|{addr}", login.to_lowercase())
}

fn address_key(addr: &str) -> String {
    format!("signin:addr:{addr}")
}

fn pin_key(officer_id: &str) -> String {
    format!("pin:{officer_id}")
}

/// Counts one attempt under `key`; `Err(seconds until the window ends)` when it is over `max`.
fn count(tx: &mut Tx, env: &Env, key: &str, max: i32) -> Result<Result<i32, i64>, AppError> {
    let now = env.clock.now();
    let window = time::Duration::minutes(WINDOW_MINUTES);
    let a = sequences::count_attempt(
        tx,
        key,
        &waste_core::custody::format_at(now),
        &waste_core::custody::format_at(now - window),
    )?;
    if a.count <= max {
        return Ok(Ok(a.count));
    }
    let started = time::OffsetDateTime::parse(
        &a.window_start,
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap_or(now);
    Ok(Err((started + window - now).whole_seconds().max(1)))
}

fn minutes(seconds: i64) -> u64 {
    u64::try_from(seconds).unwrap_or(1).div_ceil(60).max(1)
}

/// Counts a sign-in attempt from `addr`, for the account `login` (`None`: a token sign-in), before the secret is
/// checked; refused when the address or the account from this address is over its limit.
pub fn begin_sign_in(
    tx: &mut Tx,
    env: &Env,
    addr: &str,
    login: Option<&str>,
) -> Result<Result<(), Blocked>, AppError> {
    if let Err(s) = count(tx, env, &address_key(addr), MAX_PER_ADDRESS)? {
        return Ok(Err(Blocked::Address(minutes(s))));
    }
    if let Some(login) = login
        && let Err(s) = count(tx, env, &account_key(login, addr), MAX_PER_ACCOUNT)?
    {
        return Ok(Err(Blocked::Account(minutes(s))));
    }
    Ok(Ok(()))
}

/// A sign-in that succeeded: the account's attempts from this address are forgotten, and the attempt does not
/// count against the address.
pub fn signed_in(tx: &mut Tx, addr: &str, login: Option<&str>) -> Result<(), AppError> {
    if let Some(login) = login {
        sequences::clear_attempts(tx, &account_key(login, addr))?;
    }
    Ok(sequences::uncount_attempt(tx, &address_key(addr))?)
}

/// Counts a PIN attempt for `officer_id` before the PIN is checked; 429 `rate_limited` past the limit.
pub fn begin_pin(tx: &mut Tx, env: &Env, officer_id: &str) -> Result<i32, AppError> {
    count(tx, env, &pin_key(officer_id), MAX_PIN)?
        .map_err(|retry_after_s| AppError::RateLimited { retry_after_s })
}

/// The right PIN: the officer's attempts are forgotten.
pub fn pin_accepted(tx: &mut Tx, officer_id: &str) -> Result<(), AppError> {
    Ok(sequences::clear_attempts(tx, &pin_key(officer_id))?)
}
