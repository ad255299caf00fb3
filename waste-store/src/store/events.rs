//! Writing custody events in the caller's transaction: each aggregate's chain continues from its last event.

use crate::StoreError;
use crate::conn::AnyConnection;
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

pub use super::log::{audit_key, set_audit_key};

/// A chain's head as stored: how many events it has, the last one's hash and its time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadRow {
    pub count: i64,
    pub last_hash: String,
    /// When the last event was stamped (None when it is missing): the next one is never stamped earlier.
    pub last_at: Option<String>,
}

/// The head of `aggregate`'s chain with its last event's time (one read); None before its first event.
pub fn head(conn: &mut AnyConnection, aggregate: &str) -> Result<Option<HeadRow>, StoreError> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
        #[diesel(sql_type = diesel::sql_types::Text)]
        last_hash: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        last_at: Option<String>,
    }
    enum HeadAt {}
    // One text for both backends: `$1` is also a parameter in SQLite.
    let q = crate::prepared::prepared::<HeadAt, _>(
        diesel::sql_query(
            "SELECT h.count, h.last_hash, e.at AS last_at FROM chain_heads h \
             LEFT JOIN events e ON e.aggregate = h.aggregate AND e.seq = h.count WHERE h.aggregate = $1",
        )
        .bind::<diesel::sql_types::Text, _>(aggregate),
    );
    let found = match conn {
        AnyConnection::Postgresql(c) => q.load::<Found>(c)?,
        AnyConnection::Sqlite(c) => q.load::<Found>(c)?,
    };
    Ok(found.into_iter().next().map(|f| HeadRow {
        count: f.count,
        last_hash: f.last_hash,
        last_at: f.last_at,
    }))
}

/// The payload field that says an event's clock read earlier than its chain's previous event: the clock's
/// reading, while the event is stamped with the previous event's time (issue 28 item 4).
pub const CLOCK_BEHIND: &str = "clock_behind";

/// An event's stamp: the clock's reading `at`, or the previous event's time `last_at` when the clock reads
/// earlier (it was set back), so that a chain never runs backwards in time; then the payload keeps what the
/// clock read, under `clock_behind`, so the log says so.
fn stamp(at: String, last_at: Option<&str>, payload: &mut Value) -> String {
    let instant = |s: &str| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
    };
    match last_at {
        Some(last) if matches!((instant(&at), instant(last)), (Some(a), Some(l)) if a < l) => {
            if let Value::Object(m) = payload {
                m.insert(CLOCK_BEHIND.to_owned(), Value::String(at));
            }
            last.to_owned()
        }
        _ => at,
    }
}

/// An event chained after a known head, ready to write, and the head's move.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub event: Event,
    pub row: EventRow,
    /// The count of the head it continues (the guard of the head's update); None for a chain's first event.
    pub after: Option<i64>,
    /// The head's anchor after it, with the process's audit key.
    pub anchor: Option<String>,
}

/// Chains `r` after `head` (read in the same transaction, under whatever serialises the aggregate's writers).
pub fn prepare(head: Option<&HeadRow>, r: Record) -> Result<Prepared, StoreError> {
    let mut r = r;
    r.at = stamp(
        r.at,
        head.and_then(|h| h.last_at.as_deref()),
        &mut r.payload,
    );
    let e = custody::chain_after(
        head.map(|h| (u64::try_from(h.count).unwrap_or(0), h.last_hash.as_str())),
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
    let seq = i64::try_from(e.seq).map_err(|_| StoreError::internal("seq overflow"))?;
    let anchor = audit_key().map(|k| Head::after(&e).anchor(&k));
    Ok(Prepared {
        row: EventRow {
            aggregate: e.aggregate.clone(),
            seq,
            kind: e.kind.clone(),
            actor: e.actor.clone(),
            at: e.at.clone(),
            payload,
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        },
        event: e,
        after: head.map(|h| h.count),
        anchor,
    })
}

/// Binds an event row's eight columns in table order (`aggregate` … `hash`).
macro_rules! bind_event {
    ($query:expr, $e:expr) => {{
        use diesel::sql_types::{BigInt, Text};
        $query
            .bind::<Text, _>(&$e.aggregate)
            .bind::<BigInt, _>($e.seq)
            .bind::<Text, _>(&$e.kind)
            .bind::<Text, _>(&$e.actor)
            .bind::<Text, _>(&$e.at)
            .bind::<Text, _>(&$e.payload)
            .bind::<Text, _>(&$e.prev_hash)
            .bind::<Text, _>(&$e.hash)
    }};
}
pub(crate) use bind_event;

/// `write` on PostgreSQL: the event and the head's move as one of two fixed statements (each prepared once per
/// connection), one round trip.
fn write_pg(pg: &mut diesel::PgConnection, p: &Prepared) -> Result<(), StoreError> {
    use diesel::sql_types::{BigInt, Nullable, Text};
    macro_rules! event_and {
        ($head:literal) => {
            bind_event!(
                diesel::sql_query(concat!(
                    "WITH e AS (INSERT INTO events (aggregate, seq, kind, actor, at, payload, prev_hash, hash) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING 1) ",
                    $head
                )),
                p.row
            )
            .bind::<Nullable<Text>, _>(&p.anchor)
        };
    }
    enum FirstEvent {}
    enum NextEvent {}
    let n = match p.after {
        None => crate::prepared::prepared::<FirstEvent, _>(event_and!(
            "INSERT INTO chain_heads (aggregate, count, last_hash, anchor) VALUES ($1, $2, $8, $9) RETURNING 1"
        ))
        .rows(pg)?,
        Some(count) => crate::prepared::prepared::<NextEvent, _>(
            event_and!(
                "UPDATE chain_heads SET count = $2, last_hash = $8, anchor = $9 \
                 WHERE aggregate = $1 AND count = $10 RETURNING 1"
            )
            .bind::<BigInt, _>(count),
        )
        .rows(pg)?,
    };
    if n == 1 { Ok(()) } else { Err(moved()) }
}

/// Tells the log's head that `p` was written: it moves when the caller's `store::write_tx` settles, or at once
/// outside one (`log`).
pub fn wrote(conn: &mut AnyConnection, p: &Prepared) -> Result<(), StoreError> {
    use super::log;
    log::wrote(&p.row.aggregate, p.row.seq, &p.row.prev_hash, &p.row.hash);
    if !log::in_tx() {
        log::settle(conn)?;
    }
    Ok(())
}

/// Writes a prepared event and moves its chain's head, guarded by the count it was prepared after: a head that
/// moved meanwhile is a 409 with nothing kept. On PostgreSQL both go as one statement (one round trip).
pub fn write(conn: &mut AnyConnection, p: &Prepared) -> Result<(), StoreError> {
    match conn {
        AnyConnection::Sqlite(c) => write_lite(c, p)?,
        AnyConnection::Postgresql(pg) => write_pg(pg, p)?,
    }
    wrote(conn, p)
}

/// `write` on SQLite.
fn write_lite(conn: &mut diesel::SqliteConnection, p: &Prepared) -> Result<(), StoreError> {
    // On SQLite's own connection (through `AnyConnection` diesel writes the SQL text out at every execution),
    // the head's move prepared once (diesel compiles an UPDATE afresh each time).
    diesel::insert_into(events::table)
        .values(&p.row)
        .execute(conn)?;
    match p.after {
        None => {
            diesel::insert_into(chain_heads::table)
                .values((
                    chain_heads::aggregate.eq(&p.row.aggregate),
                    chain_heads::count.eq(p.row.seq),
                    chain_heads::last_hash.eq(&p.row.hash),
                    chain_heads::anchor.eq(&p.anchor),
                ))
                .execute(conn)?;
        }
        Some(count) => {
            use diesel::sql_types::{BigInt, Nullable, Text};
            enum MoveHead {}
            let n = crate::prepared::prepared::<MoveHead, _>(
                diesel::sql_query(
                    "UPDATE chain_heads SET count = ?, last_hash = ?, anchor = ? \
                     WHERE aggregate = ? AND count = ? RETURNING 1",
                )
                .bind::<BigInt, _>(p.row.seq)
                .bind::<Text, _>(&p.row.hash)
                .bind::<Nullable<Text>, _>(&p.anchor)
                .bind::<Text, _>(&p.row.aggregate)
                .bind::<BigInt, _>(count),
            )
            .rows(conn)?;
            if n != 1 {
                return Err(moved());
            }
        }
    }
    Ok(())
}

/// The refusal when an aggregate's head moved under a writer.
pub fn moved() -> StoreError {
    StoreError::refused(
        "conflict",
        "a concurrent change won; retry",
        serde_json::json!({}),
    )
}

/// Appends an event to its aggregate's chain and moves the chain's head (count, last hash and, with an audit key,
/// its anchor) in the same transaction. Two writers on one aggregate are serialised before they get here
/// (SQLite's single writer; a row lock on the aggregate on PostgreSQL); were they not, the second would collide
/// on `(aggregate, seq)` and get a 409, with nothing of its transaction kept.
pub fn append(conn: &mut AnyConnection, r: Record) -> Result<Event, StoreError> {
    let h = head(conn, &r.aggregate)?;
    let p = prepare(h.as_ref(), r)?;
    write(conn, &p)?;
    // A step subscribers follow is announced in the same transaction (webhooks' outbox). Container steps are
    // not announced (additions write their event through `additions::record`, not here).
    super::outbox::announce_step(conn, &p.event)?;
    Ok(p.event)
}

/// One aggregate's chain in order.
pub fn chain(conn: &mut AnyConnection, aggregate: &str) -> Result<Vec<Event>, StoreError> {
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
) -> Result<Vec<Event>, StoreError> {
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
