//! Pickups: a transfer station collecting sealed containers from a school.

use super::Tx;
use super::page::Keyset;
use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::{pickup_lines, pickup_refusals, pickups};
use diesel::prelude::*;

/// A `pickups` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pickups)]
pub struct PickupRow {
    pub id: String,
    pub station_id: String,
    pub school_id: String,
    pub picked_by: String,
    pub picked_at: String,
    pub total_gross_kg: String,
    /// The school's request the pickup closed.
    pub request_id: Option<String>,
    /// The school's safety officer who confirmed the hand-over with their PIN.
    pub confirmed_by: Option<String>,
}

/// A `pickup_refusals` row: a container refused at the hand-over, which stayed with the school.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pickup_refusals)]
pub struct RefusalRow {
    pub pickup_id: String,
    pub container_id: String,
    pub reason: String,
}

/// A `pickup_lines` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pickup_lines)]
pub struct PickupLineRow {
    pub container_id: String,
    pub pickup_id: String,
    pub gross_weight_kg: String,
}

pub fn insert(tx: &mut Tx, p: &PickupRow) -> Result<(), StoreError> {
    diesel::insert_into(pickups::table)
        .values(p)
        .execute(tx.conn())?;
    Ok(())
}

pub fn insert_line(tx: &mut Tx, l: &PickupLineRow) -> Result<(), StoreError> {
    diesel::insert_into(pickup_lines::table)
        .values(l)
        .execute(tx.conn())?;
    Ok(())
}

/// The gross weight a container was weighed at when picked up, if it was.
pub fn weight_of(conn: &mut AnyConnection, container: &str) -> Result<Option<String>, StoreError> {
    Ok(pickup_lines::table
        .filter(pickup_lines::container_id.eq(container))
        .select(pickup_lines::gross_weight_kg)
        .first(conn)
        .optional()?)
}

pub fn insert_refusal(tx: &mut Tx, r: &RefusalRow) -> Result<(), StoreError> {
    diesel::insert_into(pickup_refusals::table)
        .values(r)
        .execute(tx.conn())?;
    Ok(())
}

pub fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<PickupRow>, StoreError> {
    Ok(pickups::table
        .filter(pickups::id.eq(id))
        .select(PickupRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn lines(conn: &mut AnyConnection, id: &str) -> Result<Vec<PickupLineRow>, StoreError> {
    Ok(pickup_lines::table
        .filter(pickup_lines::pickup_id.eq(id))
        .order(pickup_lines::container_id.asc())
        .select(PickupLineRow::as_select())
        .load(conn)?)
}

pub fn refusals(conn: &mut AnyConnection, id: &str) -> Result<Vec<RefusalRow>, StoreError> {
    Ok(pickup_refusals::table
        .filter(pickup_refusals::pickup_id.eq(id))
        .order(pickup_refusals::container_id.asc())
        .select(RefusalRow::as_select())
        .load(conn)?)
}

/// Pickups of `scope`, in id order: an organisation's as station or school, a division's by the school's region.
pub fn list(
    conn: &mut AnyConnection,
    scope: &super::Scope,
    page: &Keyset,
) -> Result<Vec<PickupRow>, StoreError> {
    let mut q = pickups::table
        .select(PickupRow::as_select())
        .order(pickups::id.asc())
        .limit(page.limit)
        .into_boxed();
    match scope {
        super::Scope::All => {}
        super::Scope::Org(o) => {
            q = q.filter(
                pickups::station_id
                    .eq(o.to_owned())
                    .or(pickups::school_id.eq(o.to_owned())),
            )
        }
        super::Scope::Division(p) => {
            q = q.filter(pickups::school_id.eq_any(super::division_ids(format!("{p}%"))))
        }
    }
    if let Some(a) = &page.after {
        q = q.filter(pickups::id.gt(a.clone()));
    }
    Ok(q.load(conn)?)
}
