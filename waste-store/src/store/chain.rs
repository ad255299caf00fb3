//! The rows the chain's pages read besides manifests and containers: roadside links, the names of the people
//! who signed, the organisations a shipper may choose, and the training records of a bureau's schools.

use super::Tx;
use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::{organizations, road_links, users};
use diesel::prelude::*;
use std::collections::BTreeMap;

/// A `road_links` row: only the hash of the secret is kept.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = road_links)]
pub struct RoadLinkRow {
    pub token_hash: String,
    pub manifest_id: String,
    pub created_by: String,
    pub created_at: String,
    pub expires_at: String,
}

pub fn insert_road_link(tx: &mut Tx, row: &RoadLinkRow) -> Result<(), StoreError> {
    diesel::insert_into(road_links::table)
        .values(row)
        .execute(tx.conn())?;
    Ok(())
}

pub fn road_link(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<RoadLinkRow>, StoreError> {
    Ok(road_links::table
        .filter(road_links::token_hash.eq(token_hash))
        .select(RoadLinkRow::as_select())
        .first(conn)
        .optional()?)
}

/// A user as a signature names them: name and roles (comma-separated).
#[derive(Debug, Clone, Queryable)]
pub struct Signer {
    pub id: String,
    pub name: String,
    pub roles: String,
}

pub fn signers(conn: &mut AnyConnection, ids: &[String]) -> Result<Vec<Signer>, StoreError> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name, users::roles))
        .load(conn)?)
}

/// Organisations of one kind, by name (at most 500: the parties a shipper chooses among in one region).
pub fn of_kind(
    conn: &mut AnyConnection,
    kind: &str,
) -> Result<Vec<super::organizations::OrgRow>, StoreError> {
    Ok(organizations::table
        .filter(organizations::kind.eq(kind))
        .order((organizations::name.asc(), organizations::id.asc()))
        .limit(500)
        .select(super::organizations::OrgRow::as_select())
        .load(conn)?)
}

/// Per organisation: how many of its users have no training record current on `day` (YYYY-MM-DD).
pub fn untrained(
    conn: &mut AnyConnection,
    ids: &[String],
    day: &str,
) -> Result<BTreeMap<String, i64>, StoreError> {
    let rows: Vec<(String, Option<String>)> = users::table
        .filter(users::organization_id.eq_any(ids))
        .select((users::organization_id, users::trained_until))
        .load(conn)?;
    let mut out = BTreeMap::new();
    for (org, until) in rows {
        let lapsed = until.as_deref().is_none_or(|u| u < day);
        *out.entry(org).or_insert(0) += i64::from(lapsed);
    }
    Ok(out)
}

/// The container ids of the given digital identification codes (what a label's QR code holds), as pairs.
pub fn ids_by_digital_id(
    conn: &mut AnyConnection,
    codes: &[String],
) -> Result<Vec<(String, String)>, StoreError> {
    use crate::schema::containers;
    let rows: Vec<(Option<String>, String)> = containers::table
        .filter(containers::digital_id.eq_any(codes))
        .select((containers::digital_id, containers::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(d, id)| d.map(|d| (d, id)))
        .collect())
}

/// The users of an organisation (at most 200), by name.
pub fn of_org(conn: &mut AnyConnection, org: &str) -> Result<Vec<Signer>, StoreError> {
    Ok(users::table
        .filter(users::organization_id.eq(org))
        .order(users::name.asc())
        .limit(200)
        .select((users::id, users::name, users::roles))
        .load(conn)?)
}
