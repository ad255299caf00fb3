//! Users as actors: from a bearer token's hash (the JSON API) or from a user id (web sessions).

use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::{organizations, signin_links, users, web_sessions};
use diesel::prelude::*;
use waste_core::party::{OrgKind, Role};

/// What identifies an actor in the `users` and `organizations` rows.
#[derive(Debug, Queryable)]
struct ActorRow {
    id: String,
    name: String,
    org_id: String,
    org_kind: String,
    roles: String,
    trained_until: Option<String>,
}

type ActorColumns = (
    users::id,
    users::name,
    users::organization_id,
    organizations::kind,
    users::roles,
    users::trained_until,
);

const ACTOR_COLUMNS: ActorColumns = (
    users::id,
    users::name,
    users::organization_id,
    organizations::kind,
    users::roles,
    users::trained_until,
);

pub fn parse_roles(s: &str) -> Vec<Role> {
    s.split(',').filter_map(Role::parse).collect()
}

/// A user as the use cases act for them: who, for which organisation, with which roles and training record.
/// The application's `Actor` is built from it.
#[derive(Debug, Clone)]
pub struct ActorRecord {
    pub id: String,
    pub name: String,
    pub org_id: String,
    pub org_kind: OrgKind,
    pub roles: Vec<Role>,
    pub trained_until: Option<time::Date>,
}

fn to_actor(r: ActorRow) -> Result<ActorRecord, StoreError> {
    Ok(ActorRecord {
        org_kind: OrgKind::parse(&r.org_kind).ok_or_else(|| {
            StoreError::Internal(format!("stored organisation kind '{}'", r.org_kind))
        })?,
        roles: parse_roles(&r.roles),
        trained_until: r.trained_until.as_deref().and_then(super::parse_date),
        id: r.id,
        name: r.name,
        org_id: r.org_id,
    })
}

/// The actor a user id names (for a web session), or None.
pub fn actor(conn: &mut AnyConnection, user_id: &str) -> Result<Option<ActorRecord>, StoreError> {
    users::table
        .inner_join(organizations::table)
        .filter(users::id.eq(user_id))
        .filter(users::active.eq(true))
        .select(ACTOR_COLUMNS)
        .first::<ActorRow>(conn)
        .optional()?
        .map(to_actor)
        .transpose()
}

/// The actor whose token hashes to `token_hash`, or None.
pub fn actor_by_token(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<ActorRecord>, StoreError> {
    users::table
        .inner_join(organizations::table)
        .filter(users::token_hash.eq(token_hash))
        .filter(users::active.eq(true))
        .select(ACTOR_COLUMNS)
        .first::<ActorRow>(conn)
        .optional()?
        .map(to_actor)
        .transpose()
}

/// A `users` row.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    /// Comma-separated.
    pub roles: String,
    pub trained_until: Option<String>,
    /// Who recorded the training date (a user id), and when.
    pub trained_until_set_by: Option<String>,
    pub trained_until_set_at: Option<String>,
    pub token_hash: String,
    pub created_at: String,
}

/// A user as an administrator or safety officer sees them (never the token or password hash).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    /// Comma-separated.
    pub roles: String,
    pub trained_until: Option<String>,
    pub trained_until_set_by: Option<String>,
    pub trained_until_set_at: Option<String>,
    pub active: bool,
    pub login: Option<String>,
    pub created_at: String,
}

pub fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<UserRow>, StoreError> {
    Ok(users::table
        .filter(users::id.eq(id))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

/// The users of an organisation in id order.
pub fn of_organization(
    conn: &mut AnyConnection,
    org: &str,
    page: &super::page::Keyset,
) -> Result<Vec<UserRow>, StoreError> {
    let mut q = users::table
        .filter(users::organization_id.eq(org.to_owned()))
        .select(UserRow::as_select())
        .order(users::id.asc())
        .limit(page.limit)
        .into_boxed();
    if let Some(a) = &page.after {
        q = q.filter(users::id.gt(a.clone()));
    }
    Ok(q.load(conn)?)
}

/// A user as the pages' lists of people show them: whether a password is set, never the hash.
#[derive(Debug, Clone, Queryable)]
pub struct PersonRow {
    pub name: String,
    /// Comma-separated.
    pub roles: String,
    pub trained_until: Option<String>,
    pub has_password: bool,
}

/// The first 1,000 people of an organisation by name.
pub fn people_of(conn: &mut AnyConnection, org: &str) -> Result<Vec<PersonRow>, StoreError> {
    Ok(users::table
        .filter(users::organization_id.eq(org.to_owned()))
        .order(users::name.asc())
        .limit(1000)
        .select((
            users::name,
            users::roles,
            users::trained_until,
            users::password_hash.is_not_null(),
        ))
        .load(conn)?)
}

/// What a change to a user sets (None leaves a column as it is).
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub roles: Option<String>,
    pub trained_until: Option<Option<String>>,
    pub trained_until_set_by: Option<Option<String>>,
    pub trained_until_set_at: Option<Option<String>>,
    pub active: Option<bool>,
    pub token_hash: Option<String>,
}

/// Applies `changes` to a user; false when there is no such user.
pub fn update(
    conn: &mut AnyConnection,
    id: &str,
    changes: &UserChanges,
) -> Result<bool, StoreError> {
    let n = diesel::update(users::table.filter(users::id.eq(id)))
        .set(changes)
        .execute(conn)?;
    Ok(n == 1)
}

/// Ends every browser session of a user (deactivated, or their token replaced).
pub fn end_sessions(conn: &mut AnyConnection, id: &str) -> Result<(), StoreError> {
    diesel::delete(web_sessions::table.filter(web_sessions::user_id.eq(id))).execute(conn)?;
    Ok(())
}

/// Voids the user's unused sign-in links (marked used at `at`): a link issued before a new token is a way in
/// that the new token was meant to close.
pub fn void_links(conn: &mut AnyConnection, id: &str, at: &str) -> Result<(), StoreError> {
    diesel::update(
        signin_links::table
            .filter(signin_links::user_id.eq(id))
            .filter(signin_links::used_at.is_null()),
    )
    .set(signin_links::used_at.eq(Some(at)))
    .execute(conn)?;
    Ok(())
}

pub fn insert(conn: &mut AnyConnection, row: &NewUser) -> Result<(), StoreError> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Whether any administrator exists.
/// Whether an administrator holds the token of this hash.
pub fn admin_with_token(conn: &mut AnyConnection, token_hash: &str) -> Result<bool, StoreError> {
    let n: i64 = users::table
        .filter(users::roles.like("%admin%"))
        .filter(users::token_hash.eq(token_hash))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn any_admin(conn: &mut AnyConnection) -> Result<bool, StoreError> {
    let n: i64 = users::table
        .filter(users::roles.like("%admin%"))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Sets (or replaces) a user's PIN hash, stamped `at`.
pub fn set_pin(conn: &mut AnyConnection, id: &str, hash: &str, at: &str) -> Result<(), StoreError> {
    diesel::update(users::table.filter(users::id.eq(id)))
        .set((
            users::pin_hash.eq(Some(hash)),
            users::pin_set_at.eq(Some(at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// What a PIN is checked against: the user's organisation, roles, PIN hash and training record.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct PinHolder {
    pub organization_id: String,
    pub roles: String,
    pub pin_hash: Option<String>,
    pub trained_until: Option<String>,
}

pub fn pin_holder(conn: &mut AnyConnection, id: &str) -> Result<Option<PinHolder>, StoreError> {
    Ok(users::table
        .filter(users::id.eq(id))
        .select(PinHolder::as_select())
        .first::<PinHolder>(conn)
        .optional()?)
}
