//! Writing custody events in the caller's transaction: each aggregate's chain continues from its last event.

use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::schema::events;
use diesel::prelude::*;
use serde_json::Value;
use waste_core::custody::{self, Event, NewEvent};

type Row = (String, i64, String, String, String, String, String, String);

fn from_row(r: Row) -> Result<Event, ApiError> {
    Ok(Event {
        aggregate: r.0,
        seq: u64::try_from(r.1).map_err(|_| ApiError::Internal("negative seq".into()))?,
        kind: r.2,
        actor: r.3,
        at: r.4,
        payload: serde_json::from_str(&r.5)
            .map_err(|e| ApiError::Internal(format!("stored payload: {e}")))?,
        prev_hash: r.6,
        hash: r.7,
    })
}

fn columns() -> (
    events::aggregate,
    events::seq,
    events::kind,
    events::actor,
    events::at,
    events::payload,
    events::prev_hash,
    events::hash,
) {
    (
        events::aggregate,
        events::seq,
        events::kind,
        events::actor,
        events::at,
        events::payload,
        events::prev_hash,
        events::hash,
    )
}

/// Appends an event to `aggregate`'s chain. A concurrent writer to the same aggregate collides on
/// `(aggregate, seq)` and gets a 409; nothing of its transaction remains.
pub fn append(
    conn: &mut AnyConnection,
    aggregate: &str,
    kind: &str,
    actor: &str,
    payload: Value,
) -> Result<Event, ApiError> {
    let last = events::table
        .filter(events::aggregate.eq(aggregate))
        .order(events::seq.desc())
        .select(columns())
        .first::<Row>(conn)
        .optional()?
        .map(from_row)
        .transpose()?;
    let e = custody::chain(
        last.as_ref(),
        NewEvent {
            aggregate: aggregate.to_owned(),
            kind: kind.to_owned(),
            actor: actor.to_owned(),
            at: crate::state::now(),
            payload,
        },
    );
    let mut payload_text = String::new();
    custody::canonical_json(&e.payload, &mut payload_text);
    diesel::insert_into(events::table)
        .values((
            events::aggregate.eq(&e.aggregate),
            events::seq
                .eq(i64::try_from(e.seq).map_err(|_| ApiError::Internal("seq overflow".into()))?),
            events::kind.eq(&e.kind),
            events::actor.eq(&e.actor),
            events::at.eq(&e.at),
            events::payload.eq(payload_text),
            events::prev_hash.eq(&e.prev_hash),
            events::hash.eq(&e.hash),
        ))
        .execute(conn)?;
    Ok(e)
}

/// One aggregate's chain in order.
pub fn chain(conn: &mut AnyConnection, aggregate: &str) -> Result<Vec<Event>, ApiError> {
    events::table
        .filter(events::aggregate.eq(aggregate))
        .order(events::seq.asc())
        .select(columns())
        .load::<Row>(conn)?
        .into_iter()
        .map(from_row)
        .collect()
}
