//! Writing custody events in the caller's transaction: each aggregate's chain continues from its last event.

use crate::app::AppError;
use crate::db::AnyConnection;
use crate::schema::events;
use diesel::prelude::*;
use serde_json::Value;
use waste_core::custody::{self, Event, NewEvent};

/// An `events` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub aggregate: String,
    pub seq: i64,
    pub kind: String,
    pub actor: String,
    pub at: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

/// An event as stored. A payload that is no longer JSON (edited behind the service) is kept as the text it is,
/// so that it is shown, and fails verification as a broken hash, instead of failing the request.
fn from_row(r: EventRow) -> Event {
    let payload = serde_json::from_str(&r.payload).unwrap_or(Value::String(r.payload));
    Event {
        aggregate: r.aggregate,
        seq: u64::try_from(r.seq).unwrap_or(0),
        kind: r.kind,
        actor: r.actor,
        at: r.at,
        payload,
        prev_hash: r.prev_hash,
        hash: r.hash,
    }
}

/// What a use case records: `kind` of step on `aggregate` by `actor` at `at`.
pub struct Record<'a> {
    pub aggregate: String,
    pub kind: &'a str,
    pub actor: String,
    pub at: String,
    pub payload: Value,
}

/// Appends an event to its aggregate's chain. Two writers on one aggregate are serialised before they get here
/// (SQLite's single writer; a row lock on the aggregate on PostgreSQL); were they not, the second would collide
/// on `(aggregate, seq)` and get a 409, with nothing of its transaction kept.
pub fn append(conn: &mut AnyConnection, r: Record) -> Result<Event, AppError> {
    // Only the head's seq and hash: the previous payload is neither read nor parsed.
    let head = events::table
        .filter(events::aggregate.eq(&r.aggregate))
        .order(events::seq.desc())
        .select((events::seq, events::hash))
        .first::<(i64, String)>(conn)
        .optional()?;
    let e = custody::chain_after(
        head.as_ref()
            .map(|(seq, hash)| (u64::try_from(*seq).unwrap_or(0), hash.as_str())),
        NewEvent {
            aggregate: r.aggregate,
            kind: r.kind.to_owned(),
            actor: r.actor,
            at: r.at,
            payload: r.payload,
        },
    );
    let mut payload = String::new();
    custody::canonical_json(&e.payload, &mut payload);
    diesel::insert_into(events::table)
        .values(EventRow {
            aggregate: e.aggregate.clone(),
            seq: i64::try_from(e.seq).map_err(|_| AppError::internal("seq overflow"))?,
            kind: e.kind.clone(),
            actor: e.actor.clone(),
            at: e.at.clone(),
            payload,
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        })
        .execute(conn)?;
    Ok(e)
}

/// `append` stamped with the system clock, for the custody handlers not yet moved into `app`.
pub fn append_now(
    conn: &mut AnyConnection,
    aggregate: &str,
    kind: &str,
    actor: &str,
    payload: Value,
) -> Result<Event, AppError> {
    append(
        conn,
        Record {
            aggregate: aggregate.to_owned(),
            kind,
            actor: actor.to_owned(),
            at: crate::state::now(),
            payload,
        },
    )
}

/// One aggregate's chain in order.
pub fn chain(conn: &mut AnyConnection, aggregate: &str) -> Result<Vec<Event>, AppError> {
    let rows: Vec<EventRow> = events::table
        .filter(events::aggregate.eq(aggregate))
        .order(events::seq.asc())
        .select(EventRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// Verifies every chain of the log, streaming the table in `(aggregate, seq)` order a page at a time, and reports
/// `{"ok", "events_checked", "chains"}` or the first broken link.
pub fn verify_all(conn: &mut AnyConnection) -> Result<Value, AppError> {
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
            .select(EventRow::as_select())
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
        let rows: Vec<EventRow> = q.load(conn)?;
        if rows.is_empty() {
            break;
        }
        after = rows.last().map(|r| (r.aggregate.clone(), r.seq));
        for r in rows {
            if current.first().is_some_and(|e| e.aggregate != r.aggregate)
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
