//! Writing custody events in the caller's transaction: each aggregate's chain continues from its last event.

use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::schema::events;
use diesel::prelude::*;
use serde_json::Value;
use waste_core::custody::{self, Event, NewEvent};

type Row = (String, i64, String, String, String, String, String, String);

/// An event as stored. A payload that is no longer JSON (edited behind the service) is kept as the text it is,
/// so that it is shown, and fails verification as a broken hash, instead of failing the request.
fn from_row(r: Row) -> Event {
    let payload = serde_json::from_str(&r.5).unwrap_or_else(|_| Value::String(r.5.clone()));
    Event {
        aggregate: r.0,
        seq: u64::try_from(r.1).unwrap_or(0),
        kind: r.2,
        actor: r.3,
        at: r.4,
        payload,
        prev_hash: r.6,
        hash: r.7,
    }
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
    // Only the head's seq and hash: the previous payload is neither read nor parsed.
    let head = events::table
        .filter(events::aggregate.eq(aggregate))
        .order(events::seq.desc())
        .select((events::seq, events::hash))
        .first::<(i64, String)>(conn)
        .optional()?;
    let e = custody::chain_after(
        head.as_ref()
            .map(|(seq, hash)| (u64::try_from(*seq).unwrap_or(0), hash.as_str())),
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
    let rows: Vec<Row> = events::table
        .filter(events::aggregate.eq(aggregate))
        .order(events::seq.asc())
        .select(columns())
        .load(conn)?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// Verifies every chain of the log, streaming the table in `(aggregate, seq)` order a page at a time, and reports
/// `{"ok", "events_checked", "chains"}` or the first broken link.
pub fn verify_all(conn: &mut AnyConnection) -> Result<Value, ApiError> {
    let (mut checked, mut chains) = (0usize, 0usize);
    let mut after: Option<(String, i64)> = None;
    let mut current: Vec<Event> = Vec::new();
    let mut finish = |current: &mut Vec<Event>, checked: &mut usize| -> Option<Value> {
        chains += 1;
        if let Err(b) = custody::verify(current) {
            return Some(
                serde_json::json!({ "ok": false, "events_checked": *checked, "broken": b }),
            );
        }
        *checked += current.len();
        current.clear();
        None
    };
    loop {
        let mut q = events::table
            .select(columns())
            .order((events::aggregate.asc(), events::seq.asc()))
            .limit(5000)
            .into_boxed();
        if let Some((a, s)) = &after {
            q = q.filter(
                events::aggregate
                    .gt(a.clone())
                    .or(events::aggregate.eq(a.clone()).and(events::seq.gt(*s))),
            );
        }
        let rows: Vec<Row> = q.load(conn)?;
        if rows.is_empty() {
            break;
        }
        after = rows.last().map(|r| (r.0.clone(), r.1));
        for r in rows {
            if current.first().is_some_and(|e| e.aggregate != r.0)
                && let Some(broken) = finish(&mut current, &mut checked)
            {
                return Ok(broken);
            }
            current.push(from_row(r));
        }
    }
    if !current.is_empty()
        && let Some(broken) = finish(&mut current, &mut checked)
    {
        return Ok(broken);
    }
    Ok(serde_json::json!({ "ok": true, "events_checked": checked, "chains": chains }))
}
