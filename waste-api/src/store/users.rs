//! Users as actors: from a bearer token's hash (the JSON API) or from a user id (web sessions).

use crate::app::{Actor, AppError};
use crate::db::AnyConnection;
use crate::schema::{organizations, users};
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

fn to_actor(r: ActorRow) -> Result<Actor, AppError> {
    Ok(Actor {
        org_kind: OrgKind::parse(&r.org_kind).ok_or_else(|| {
            AppError::Internal(format!("stored organisation kind '{}'", r.org_kind))
        })?,
        roles: parse_roles(&r.roles),
        trained_until: r.trained_until.as_deref().and_then(super::parse_date),
        id: r.id,
        name: r.name,
        org_id: r.org_id,
    })
}

/// The actor a user id names (for a web session), or None.
pub fn actor(conn: &mut AnyConnection, user_id: &str) -> Result<Option<Actor>, AppError> {
    users::table
        .inner_join(organizations::table)
        .filter(users::id.eq(user_id))
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
) -> Result<Option<Actor>, AppError> {
    users::table
        .inner_join(organizations::table)
        .filter(users::token_hash.eq(token_hash))
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
    pub token_hash: String,
    pub created_at: String,
}

pub fn insert(conn: &mut AnyConnection, row: &NewUser) -> Result<(), AppError> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Whether any administrator exists.
/// Whether an administrator holds the token of this hash.
pub fn admin_with_token(conn: &mut AnyConnection, token_hash: &str) -> Result<bool, AppError> {
    let n: i64 = users::table
        .filter(users::roles.like("%admin%"))
        .filter(users::token_hash.eq(token_hash))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn any_admin(conn: &mut AnyConnection) -> Result<bool, AppError> {
    let n: i64 = users::table
        .filter(users::roles.like("%admin%"))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}
