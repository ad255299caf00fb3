//! Browser credentials: one-time sign-in links, argon2id password hashes and browser sessions. Shared by both
//! front doors (the JSON API hands out a new user's link; the web interface redeems it and keeps sessions), so it
//! lives beside `auth` rather than in either of them. Secrets are random, shown once, and stored as hashes.

use crate::auth::hash_token;
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::store::credentials as q;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// How long a one-time sign-in link stays valid: long enough to reach a teacher who is away for a week.
pub const LINK_DAYS: i64 = 7;

/// 32 random bytes from the operating system, hex, with a prefix that says what the secret is.
pub fn new_secret(prefix: &str) -> Result<String, ApiError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| ApiError::Internal(format!("random: {e}")))?;
    Ok(format!("{prefix}{}", hex::encode(b)))
}

fn stamp(t: OffsetDateTime) -> String {
    waste_core::custody::format_at(t)
}

fn parse_stamp(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// The path a new user opens to choose a sign-in name and password. The token travels in the query string, so
/// the request log (which records the path only) never holds it.
pub fn link_path(token: &str) -> String {
    format!("/welcome?t={token}")
}

/// Issues a one-time sign-in link for `user_id` inside the caller's transaction; returns the secret token.
/// Earlier unused links of the user stop working: only the newest one is valid.
pub fn issue_link(c: &mut AnyConnection, user_id: &str) -> Result<String, ApiError> {
    let token = new_secret("wsl_")?;
    store_link(c, user_id, &token)?;
    Ok(token)
}

/// A fresh link secret (made before the transaction, so the caller can show it once after the commit).
pub fn new_link_token() -> Result<String, ApiError> {
    new_secret("wsl_")
}

/// Stores the link `token` for `user_id` (see `issue_link`).
pub fn store_link(c: &mut AnyConnection, user_id: &str, token: &str) -> Result<(), ApiError> {
    let now = OffsetDateTime::now_utc();
    Ok(q::replace_link(
        c,
        user_id,
        &hash_token(token),
        &stamp(now),
        &stamp(now + time::Duration::days(LINK_DAYS)),
    )?)
}

/// The user a still-valid, unused link belongs to (id and display name).
#[derive(Debug, Clone)]
pub struct LinkHolder {
    pub user_id: String,
    pub name: String,
    pub login: Option<String>,
}

pub fn link_holder(c: &mut AnyConnection, token: &str) -> Result<Option<LinkHolder>, ApiError> {
    Ok(q::unused_link(c, &hash_token(token))?.and_then(|r| {
        let valid = parse_stamp(&r.expires_at).is_some_and(|e| e > OffsetDateTime::now_utc());
        valid.then_some(LinkHolder {
            user_id: r.user_id,
            name: r.name,
            login: r.login,
        })
    }))
}

/// Why a password is refused: too short or too long (argon2 hashes anything, but a 4-character password on a
/// shared lab phone is guessed in an afternoon).
pub fn check_password(pw: &str) -> Result<(), &'static str> {
    match pw.chars().count() {
        0..10 => Err("password_too_short"),
        10..=200 => Ok(()),
        _ => Err("password_too_long"),
    }
}

/// A sign-in name: 3 to 50 characters, no spaces (a phone number, an e-mail address or a staff number).
pub fn check_login(login: &str) -> Result<(), &'static str> {
    let n = login.chars().count();
    if !(3..=50).contains(&n) || login.chars().any(char::is_whitespace) {
        return Err("login_invalid");
    }
    Ok(())
}

/// Argon2id with a random salt (`waste_app::passwords`: the PIN use cases hash the same way).
pub fn hash_password(pw: &str) -> Result<String, ApiError> {
    Ok(crate::app::passwords::hash(pw)?)
}

pub fn verify_password(hash: &str, pw: &str) -> bool {
    crate::app::passwords::verify(hash, pw)
}

/// Redeems a link: sets the sign-in name and password hash and marks the link used, in one transaction.
/// `Ok(false)` when the link is no longer valid; a taken sign-in name is the `login_taken` conflict.
pub fn redeem_link(
    c: &mut AnyConnection,
    token: &str,
    login: &str,
    password_hash: &str,
) -> Result<bool, ApiError> {
    crate::db::write_tx(c, |c| {
        let Some(holder) = link_holder(c, token)? else {
            return Ok(false);
        };
        // One name whatever its case: `LABA-LOGIN` beside `labA-login` would share one sign-in and one limit.
        if q::login_taken(c, login, &holder.user_id)? {
            return Err(ApiError::conflict(
                "login_taken",
                "this sign-in name is taken",
                serde_json::json!({}),
            ));
        }
        let used = q::use_link(c, &hash_token(token), &stamp(OffsetDateTime::now_utc()))?;
        if used != 1 {
            return Ok(false);
        }
        q::set_password(c, &holder.user_id, login, password_hash)?;
        // A new password ends every older browser session of the user.
        crate::store::users::end_sessions(c, &holder.user_id)?;
        Ok(true)
    })
}

/// The user id and password hash for a sign-in name.
pub fn password_of(
    c: &mut AnyConnection,
    login: &str,
) -> Result<Option<(String, Option<String>)>, ApiError> {
    Ok(q::password_of(c, login)?)
}

/// The user a bearer token belongs to (the API's tokens also open a browser session, for administrators).
pub fn user_of_token(c: &mut AnyConnection, token: &str) -> Result<Option<String>, ApiError> {
    Ok(q::user_of_token(c, &hash_token(token))?)
}

/// A new browser session: the cookie's secret (returned once, stored hashed) and its CSRF token.
pub struct NewSession {
    pub token: String,
    pub csrf: String,
}

pub fn create_session(c: &mut AnyConnection, user_id: &str) -> Result<NewSession, ApiError> {
    let token = new_secret("wss_")?;
    let csrf = new_secret("")?;
    let now = stamp(OffsetDateTime::now_utc());
    q::insert_session(c, &hash_token(&token), user_id, &csrf, &now)?;
    Ok(NewSession { token, csrf })
}

/// A stored session, found by its cookie.
#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub user_id: String,
    pub csrf: String,
    pub last_seen_at: OffsetDateTime,
}

pub fn find_session(c: &mut AnyConnection, token: &str) -> Result<Option<Session>, ApiError> {
    Ok(q::session(c, &hash_token(token))?.map(|r| Session {
        last_seen_at: parse_stamp(&r.last_seen_at).unwrap_or(OffsetDateTime::UNIX_EPOCH),
        token_hash: r.token_hash,
        user_id: r.user_id,
        csrf: r.csrf,
    }))
}

pub fn touch_session(c: &mut AnyConnection, token_hash: &str) -> Result<(), ApiError> {
    Ok(q::touch_session(
        c,
        token_hash,
        &stamp(OffsetDateTime::now_utc()),
    )?)
}

pub fn end_session(c: &mut AnyConnection, token_hash: &str) -> Result<(), ApiError> {
    Ok(q::end_session(c, token_hash)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_hash_verifies_only_the_same_password() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password(&h, "correct horse battery"));
        assert!(!verify_password(&h, "correct horse batterY"));
        assert!(!verify_password("not a hash", "x"));
    }

    #[test]
    fn short_passwords_and_spaced_logins_are_refused() {
        assert_eq!(check_password("short"), Err("password_too_short"));
        assert!(check_password("long enough pw").is_ok());
        assert_eq!(check_login("a b c"), Err("login_invalid"));
        assert!(check_login("13800000000").is_ok());
    }
}
