//! Browser credentials as stored: one-time sign-in links, sign-in names with their password hashes, and browser
//! sessions. Secrets arrive here already hashed; what is valid when is decided by the caller
//! (`waste-api`'s `credentials`).

use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::{signin_links, users, web_sessions};
use diesel::prelude::*;

diesel::define_sql_function! {
    /// SQL `lower()` (both backends): sign-in names are one name whatever their case.
    fn lower(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// Ends the user's unused links (marked used at `now`) and stores a new one: only the newest link is valid.
pub fn replace_link(
    c: &mut AnyConnection,
    user_id: &str,
    token_hash: &str,
    now: &str,
    expires_at: &str,
) -> Result<(), StoreError> {
    diesel::update(
        signin_links::table
            .filter(signin_links::user_id.eq(user_id))
            .filter(signin_links::used_at.is_null()),
    )
    .set(signin_links::used_at.eq(Some(now)))
    .execute(c)?;
    diesel::insert_into(signin_links::table)
        .values((
            signin_links::token_hash.eq(token_hash),
            signin_links::user_id.eq(user_id),
            signin_links::created_at.eq(now),
            signin_links::expires_at.eq(expires_at),
            signin_links::used_at.eq(None::<String>),
        ))
        .execute(c)?;
    Ok(())
}

/// An unused link of an active user, with when it expires.
#[derive(Debug, Clone, Queryable)]
pub struct LinkRow {
    pub expires_at: String,
    pub user_id: String,
    pub name: String,
    pub login: Option<String>,
}

pub fn unused_link(c: &mut AnyConnection, token_hash: &str) -> Result<Option<LinkRow>, StoreError> {
    Ok(signin_links::table
        .inner_join(users::table)
        .filter(signin_links::token_hash.eq(token_hash))
        .filter(signin_links::used_at.is_null())
        .filter(users::active.eq(true))
        .select((
            signin_links::expires_at,
            users::id,
            users::name,
            users::login,
        ))
        .first::<LinkRow>(c)
        .optional()?)
}

/// Whether another user than `except` has the sign-in name `login`, whatever its case.
pub fn login_taken(c: &mut AnyConnection, login: &str, except: &str) -> Result<bool, StoreError> {
    let n: i64 = users::table
        .filter(lower(users::login).eq(login.to_lowercase()))
        .filter(users::id.ne(except))
        .count()
        .get_result(c)?;
    Ok(n > 0)
}

/// Marks an unused link used at `now`; the number of links changed (0: it was used meanwhile).
pub fn use_link(c: &mut AnyConnection, token_hash: &str, now: &str) -> Result<usize, StoreError> {
    Ok(diesel::update(
        signin_links::table
            .filter(signin_links::token_hash.eq(token_hash))
            .filter(signin_links::used_at.is_null()),
    )
    .set(signin_links::used_at.eq(Some(now)))
    .execute(c)?)
}

pub fn set_password(
    c: &mut AnyConnection,
    user_id: &str,
    login: &str,
    password_hash: &str,
) -> Result<(), StoreError> {
    diesel::update(users::table.filter(users::id.eq(user_id)))
        .set((
            users::login.eq(Some(login)),
            users::password_hash.eq(Some(password_hash)),
        ))
        .execute(c)?;
    Ok(())
}

/// The user id and password hash of an active user's sign-in name, whatever its case.
pub fn password_of(
    c: &mut AnyConnection,
    login: &str,
) -> Result<Option<(String, Option<String>)>, StoreError> {
    Ok(users::table
        .filter(lower(users::login).eq(login.to_lowercase()))
        .filter(users::active.eq(true))
        .select((users::id, users::password_hash))
        .first::<(String, Option<String>)>(c)
        .optional()?)
}

/// The active user whose bearer token hashes to `token_hash`.
pub fn user_of_token(
    c: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<String>, StoreError> {
    Ok(users::table
        .filter(users::token_hash.eq(token_hash))
        .filter(users::active.eq(true))
        .select(users::id)
        .first::<String>(c)
        .optional()?)
}

pub fn insert_session(
    c: &mut AnyConnection,
    token_hash: &str,
    user_id: &str,
    csrf: &str,
    now: &str,
) -> Result<(), StoreError> {
    diesel::insert_into(web_sessions::table)
        .values((
            web_sessions::token_hash.eq(token_hash),
            web_sessions::user_id.eq(user_id),
            web_sessions::csrf.eq(csrf),
            web_sessions::created_at.eq(now),
            web_sessions::last_seen_at.eq(now),
        ))
        .execute(c)?;
    Ok(())
}

/// A stored browser session.
#[derive(Debug, Clone, Queryable)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: String,
    pub csrf: String,
    pub last_seen_at: String,
}

pub fn session(c: &mut AnyConnection, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
    Ok(web_sessions::table
        .filter(web_sessions::token_hash.eq(token_hash))
        .select((
            web_sessions::token_hash,
            web_sessions::user_id,
            web_sessions::csrf,
            web_sessions::last_seen_at,
        ))
        .first::<SessionRow>(c)
        .optional()?)
}

pub fn touch_session(c: &mut AnyConnection, token_hash: &str, now: &str) -> Result<(), StoreError> {
    diesel::update(web_sessions::table.filter(web_sessions::token_hash.eq(token_hash)))
        .set(web_sessions::last_seen_at.eq(now))
        .execute(c)?;
    Ok(())
}

pub fn end_session(c: &mut AnyConnection, token_hash: &str) -> Result<(), StoreError> {
    diesel::delete(web_sessions::table.filter(web_sessions::token_hash.eq(token_hash)))
        .execute(c)?;
    Ok(())
}
