//! The record of each addition to a container.

use super::containers::{self, Filled};
use super::{Tx, events};
use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::additions;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};

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

pub fn insert(conn: &mut AnyConnection, row: &NewAddition) -> Result<(), StoreError> {
    let insert = diesel::insert_into(additions::table).values(row);
    match conn {
        // On the backend's own connection: through `AnyConnection` diesel writes the statement's SQL text
        // out again at every execution, even when its prepared statement is cached.
        AnyConnection::Sqlite(c) => insert.execute(c)?,
        AnyConnection::Postgresql(c) => insert.execute(c)?,
    };
    Ok(())
}

/// Everything an accepted addition writes: the container's new state (guarded by the count it had and its being
/// open), the addition's row, and its custody event after the head read under the container's lock.
pub struct Recorded<'a> {
    pub container_id: &'a str,
    pub before: i32,
    pub filled: &'a Filled,
    pub addition: &'a NewAddition,
    pub event: &'a events::Prepared,
}

/// Writes an addition. On PostgreSQL the four writes (container, addition, event, chain head) go as one statement
/// of data-modifying CTEs: one round trip instead of four. Elsewhere, and for a chain's first event, one statement
/// each. Either way a guard that fails (the container changed, the head moved) is a 409 and the caller's
/// transaction keeps nothing.
pub fn record(tx: &mut Tx, r: &Recorded) -> Result<(), StoreError> {
    if let (AnyConnection::Postgresql(pg), Some(after)) = (tx.conn(), r.event.after) {
        #[derive(QueryableByName)]
        struct Written {
            #[diesel(sql_type = BigInt)]
            containers: i64,
            #[diesel(sql_type = BigInt)]
            heads: i64,
        }
        let (f, a, e) = (r.filled, r.addition, &r.event.row);
        enum AdditionWrites {}
        let statement = diesel::sql_query(
            "WITH c AS (UPDATE containers SET stream = $1, filled_l = $2, holds_liquid = $3, code = $4, \
               hazards = $5, started_on = $6, clock_started_on = $7, digital_id = $8, additions_count = $9, \
               contents = $10 WHERE id = $11 AND additions_count = $12 AND status = $13 RETURNING 1), \
             a AS (INSERT INTO additions (id, container_id, seq, waste, classification, substances, quantity, \
               unit, litres, added_by, added_at) \
               VALUES ($14, $11, $15, $16, $17, $18, $19, $20, $21, $22, $23) RETURNING 1), \
             e AS (INSERT INTO events (aggregate, seq, kind, actor, at, payload, prev_hash, hash) \
               VALUES ($24, $25, $26, $27, $28, $29, $30, $31) RETURNING 1), \
             h AS (UPDATE chain_heads SET count = $25, last_hash = $31, anchor = $32 \
               WHERE aggregate = $24 AND count = $33 RETURNING 1) \
             SELECT (SELECT COUNT(*) FROM c) AS containers, (SELECT COUNT(*) FROM h) AS heads",
        );
        let statement = containers::bind_filled!(statement, f, r.container_id, r.before)
            .bind::<Text, _>(&a.id)
            .bind::<Integer, _>(a.seq)
            .bind::<Text, _>(&a.waste)
            .bind::<Text, _>(&a.classification)
            .bind::<Text, _>(&a.substances)
            .bind::<Text, _>(&a.quantity)
            .bind::<Text, _>(&a.unit)
            .bind::<Text, _>(&a.litres)
            .bind::<Text, _>(&a.added_by)
            .bind::<Text, _>(&a.added_at);
        let w: Written = crate::prepared::prepared::<AdditionWrites, _>(
            events::bind_event!(statement, e)
                .bind::<Nullable<Text>, _>(&r.event.anchor)
                .bind::<BigInt, _>(after),
        )
        .get_result(pg)?;
        return match (w.containers, w.heads) {
            (1, 1) => events::wrote(tx, r.event),
            (1, _) => Err(events::moved()),
            _ => Err(containers::changed()),
        };
    }
    containers::record_addition(tx, r.container_id, r.before, r.filled)?;
    insert(tx, r.addition)?;
    events::write(tx, r.event)
}
