//! Writing custody events in the caller's transaction: each aggregate's chain continues from its last event.

use crate::app::AppError;
use crate::db::AnyConnection;
use crate::schema::{chain_heads, events};
use diesel::prelude::*;
use serde_json::Value;
use waste_core::custody::{self, Event, Head, NewEvent};

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

/// The key that anchors chain heads (`WASTE_AUDIT_KEY`), one per process: the service sets it once at start.
/// It is never stored in the database, so that whoever can rewrite the database cannot re-sign a head.
static AUDIT_KEY: std::sync::RwLock<Option<std::sync::Arc<[u8]>>> = std::sync::RwLock::new(None);

/// Sets (or, with `None`, clears) the process's audit key.
pub fn set_audit_key(key: Option<&str>) {
    if let Ok(mut k) = AUDIT_KEY.write() {
        *k = key.map(|k| std::sync::Arc::from(k.as_bytes()));
    }
}

/// The process's audit key, if one is set.
pub fn audit_key() -> Option<std::sync::Arc<[u8]>> {
    AUDIT_KEY.read().ok().and_then(|k| k.clone())
}

/// Appends an event to its aggregate's chain and moves the chain's head (count, last hash and, with an audit key,
/// its anchor) in the same transaction. Two writers on one aggregate are serialised before they get here
/// (SQLite's single writer; a row lock on the aggregate on PostgreSQL); were they not, the second would collide
/// on `(aggregate, seq)` and get a 409, with nothing of its transaction kept.
pub fn append(conn: &mut AnyConnection, r: Record) -> Result<Event, AppError> {
    // Only the head's count and hash: the previous event is not read.
    let head = chain_heads::table
        .filter(chain_heads::aggregate.eq(&r.aggregate))
        .select((chain_heads::count, chain_heads::last_hash))
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
    let seq = i64::try_from(e.seq).map_err(|_| AppError::internal("seq overflow"))?;
    diesel::insert_into(events::table)
        .values(EventRow {
            aggregate: e.aggregate.clone(),
            seq,
            kind: e.kind.clone(),
            actor: e.actor.clone(),
            at: e.at.clone(),
            payload,
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        })
        .execute(conn)?;
    let anchor = audit_key().map(|k| Head::after(&e).anchor(&k));
    match head {
        None => {
            diesel::insert_into(chain_heads::table)
                .values((
                    chain_heads::aggregate.eq(&e.aggregate),
                    chain_heads::count.eq(seq),
                    chain_heads::last_hash.eq(&e.hash),
                    chain_heads::anchor.eq(&anchor),
                ))
                .execute(conn)?;
        }
        Some((count, _)) => {
            let n = diesel::update(
                chain_heads::table
                    .filter(chain_heads::aggregate.eq(&e.aggregate))
                    .filter(chain_heads::count.eq(count)),
            )
            .set((
                chain_heads::count.eq(seq),
                chain_heads::last_hash.eq(&e.hash),
                chain_heads::anchor.eq(&anchor),
            ))
            .execute(conn)?;
            if n != 1 {
                return Err(AppError::refused(
                    "conflict",
                    "a concurrent change won; retry",
                    serde_json::json!({}),
                ));
            }
        }
    }
    // A step subscribers follow is announced in the same transaction (webhooks' outbox).
    super::outbox::announce_step(conn, &e)?;
    Ok(e)
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

/// The events of `kinds` on the chains of the containers `ids`, in chain order.
pub fn of_containers(
    conn: &mut AnyConnection,
    ids: &[String],
    kinds: &[&str],
) -> Result<Vec<Event>, AppError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let aggregates: Vec<String> = chunk.iter().map(|id| format!("container:{id}")).collect();
        let rows: Vec<EventRow> = events::table
            .filter(events::aggregate.eq_any(aggregates))
            .filter(events::kind.eq_any(kinds.to_vec()))
            .order((events::aggregate.asc(), events::seq.asc()))
            .select(EventRow::as_select())
            .load(conn)?;
        out.extend(rows.into_iter().map(from_row));
    }
    Ok(out)
}
