//! Pickups: a transfer station collecting sealed containers from a school.

use super::Tx;
use crate::app::AppError;
use crate::db::AnyConnection;
use crate::schema::{pickup_lines, pickups};
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
}

/// A `pickup_lines` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pickup_lines)]
pub struct PickupLineRow {
    pub container_id: String,
    pub pickup_id: String,
    pub gross_weight_kg: String,
}

pub fn insert(tx: &mut Tx, p: &PickupRow) -> Result<(), AppError> {
    diesel::insert_into(pickups::table)
        .values(p)
        .execute(tx.conn())?;
    Ok(())
}

pub fn insert_line(tx: &mut Tx, l: &PickupLineRow) -> Result<(), AppError> {
    diesel::insert_into(pickup_lines::table)
        .values(l)
        .execute(tx.conn())?;
    Ok(())
}

/// The gross weight a container was weighed at when picked up, if it was.
pub fn weight_of(conn: &mut AnyConnection, container: &str) -> Result<Option<String>, AppError> {
    Ok(pickup_lines::table
        .filter(pickup_lines::container_id.eq(container))
        .select(pickup_lines::gross_weight_kg)
        .first(conn)
        .optional()?)
}
