//! The record of each addition to a container.

use crate::app::AppError;
use crate::db::AnyConnection;
use crate::schema::additions;
use diesel::prelude::*;

/// An `additions` row.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = additions)]
pub struct NewAddition {
    pub id: String,
    pub container_id: String,
    pub seq: i32,
    /// The classification request as sent.
    pub waste: String,
    /// The decision as answered.
    pub classification: String,
    /// CAS numbers, JSON.
    pub substances: String,
    pub quantity: String,
    pub unit: String,
    pub litres: String,
    pub added_by: String,
    pub added_at: String,
}

pub fn insert(conn: &mut AnyConnection, row: &NewAddition) -> Result<(), AppError> {
    diesel::insert_into(additions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}
