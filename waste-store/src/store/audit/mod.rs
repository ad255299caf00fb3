//! The audit of the custody log, read once: every event in `(aggregate, seq)` order a page at a time inside one
//! read snapshot, each link verified as it is read (`custody::Verifier`), each finished chain compared with its
//! stored head and anchor, and the state tables (`containers`, `additions`, `pickup_lines`, `manifests`,
//! `manifest_lines`, `users`, `contracts`) compared with what the chains say, a batch of chains at a time; then the
//! log's own head (`log`: count, digest over every chain's head, anchor) against the sum of the chains read, and
//! with a checkpoint (`Since`) the chains as they were at it against its signed statement. Memory holds one page of events and one batch of chain facts,
//! whatever the size of the log. `/audit/verify` and `waste-api verify` both run this.

use crate::StoreError;
use crate::conn::{AnyConnection, Dedicated};
use crate::schema::{
    additions, chain_heads, containers, contracts, events, manifest_lines, manifests, pickup_lines,
    users,
};
use crate::store::events::EventRow;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use waste_core::custody::{self, Head, StoredEvent, Verifier};

use super::log;
mod read;
mod spans;
mod state;
use super::log::{Digest, leaf};
use read::{Run, read_span};
use spans::{Span, cuts, spans};
use state::{
    AdditionState, ContainerState, Facts, LineState, ManifestState, compare_container,
    compare_container_rows, compare_contract, compare_manifest, compare_user,
};

/// How much an audit reads per query and compares per round of queries (tests use small sizes, so that a few
/// chains cross page and batch boundaries).
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Events read per query.
    pub page: i64,
    /// Finished chains compared with their heads and rows per round of queries.
    pub batch: usize,
    /// How many consecutive key ranges of the log are read at once, each on a connection of its own, all in one
    /// state of the database (PostgreSQL: one exported snapshot; SQLite: snapshots taken while a write lock is
    /// held).
    pub parts: usize,
}

impl Default for Sizes {
    fn default() -> Self {
        Sizes {
            page: 10_000,
            batch: 2_000,
            parts: 2,
        }
    }
}

/// A finished chain waiting for its head and rows to be compared.
struct Finished {
    head: Head,
    facts: Facts,
}

/// Figures of a run, for the report, and the part of the log's digest its chains make.
#[derive(Default)]
struct Counts {
    containers: u64,
    manifests: u64,
    users: u64,
    contracts: u64,
    /// The sum of the leaves of the chains compared (`log`).
    digest: Digest,
}

/// A checkpoint to compare the log with (`verify --since`): its number, and the log's size and digest it saw.
#[derive(Debug, Clone)]
pub struct Since {
    pub epoch: i64,
    pub count: i64,
    pub digest: String,
}

/// How far the comparison of heads and state rows has come, in the database's own order: everything up to
/// these keys has been compared. Each batch reads the ranges that follow them, so a head, container or manifest
/// that has no events inside a range is found there, without a search of its own. Also where a part of the
/// log ends (`Span`).
#[derive(Debug, Default, Clone)]
struct Compared {
    aggregate: String,
    container: String,
    manifest: String,
}

/// A head without events, or a state row without a chain.
fn missing(aggregate: &str) -> Value {
    json!({ "aggregate": aggregate, "kind": "chain_missing" })
}

/// Compares a batch of finished chains (consecutive in the log's order) with the stored heads and state rows of
/// their range; the first disagreement found.
fn check_batch(
    conn: &mut AnyConnection,
    batch: &mut Vec<Finished>,
    key: Option<&[u8]>,
    counts: &mut Counts,
    compared: &mut Compared,
) -> Result<Option<Value>, StoreError> {
    let Some(last) = batch.last().map(|f| f.head.aggregate.clone()) else {
        return Ok(None);
    };
    let mut heads: HashMap<String, (i64, String, Option<String>)> = chain_heads::table
        .filter(chain_heads::aggregate.gt(&compared.aggregate))
        .filter(chain_heads::aggregate.le(&last))
        .select((
            chain_heads::aggregate,
            chain_heads::count,
            chain_heads::last_hash,
            chain_heads::anchor,
        ))
        .load::<(String, i64, String, Option<String>)>(conn)?
        .into_iter()
        .map(|(a, c, h, s)| (a, (c, h, s)))
        .collect();
    for f in batch.iter() {
        counts
            .digest
            .add(&leaf(&f.head.aggregate, f.head.count, &f.head.last_hash));
        let stored = heads.remove(&f.head.aggregate).map(|(c, h, s)| {
            (
                Head {
                    aggregate: f.head.aggregate.clone(),
                    count: u64::try_from(c).unwrap_or(0),
                    last_hash: h,
                },
                s,
            )
        });
        if let Err(kind) = custody::check_head(
            &f.head,
            stored.as_ref().map(|(h, s)| (h, s.as_deref())),
            key,
        ) {
            return Ok(Some(json!({
                "aggregate": f.head.aggregate, "kind": kind, "seq": f.head.count,
                "head_count": stored.as_ref().map(|(h, _)| h.count),
            })));
        }
    }
    // A head left over lies between two chains of the batch, and has no events.
    if let Some(orphan) = heads.keys().min() {
        return Ok(Some(missing(orphan)));
    }
    compared.aggregate = last;
    let last_id = |prefix: &str| {
        batch
            .iter()
            .rev()
            .find_map(|f| f.head.aggregate.strip_prefix(prefix).map(str::to_owned))
    };
    let mut crows: HashMap<String, ContainerState> = HashMap::new();
    let mut arows: HashMap<String, Vec<AdditionState>> = HashMap::new();
    let mut grows: HashMap<String, String> = HashMap::new();
    if let Some(last) = last_id("container:") {
        for a in additions::table
            .filter(additions::container_id.gt(&compared.container))
            .filter(additions::container_id.le(&last))
            .select((additions::container_id, additions::seq, additions::quantity))
            .load::<AdditionState>(conn)?
        {
            arows.entry(a.container_id.clone()).or_default().push(a);
        }
        grows = pickup_lines::table
            .filter(pickup_lines::container_id.gt(&compared.container))
            .filter(pickup_lines::container_id.le(&last))
            .select((pickup_lines::container_id, pickup_lines::gross_weight_kg))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect();
        crows = containers::table
            .filter(containers::id.gt(&compared.container))
            .filter(containers::id.le(&last))
            .select((
                containers::id,
                containers::status,
                containers::additions_count,
                containers::filled_l,
                containers::organization_id,
            ))
            .load::<ContainerState>(conn)?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        compared.container = last;
    }
    let mut mrows: HashMap<String, ManifestState> = HashMap::new();
    let mut lrows: HashMap<String, Vec<LineState>> = HashMap::new();
    if let Some(last) = last_id("manifest:") {
        mrows = manifests::table
            .filter(manifests::id.gt(&compared.manifest))
            .filter(manifests::id.le(&last))
            .select((
                manifests::id,
                manifests::number,
                manifests::status,
                manifests::shipper_id,
                manifests::carrier_id,
                manifests::receiver_id,
                manifests::disposal_method,
            ))
            .load::<ManifestState>(conn)?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        for l in manifest_lines::table
            .filter(manifest_lines::manifest_id.gt(&compared.manifest))
            .filter(manifest_lines::manifest_id.le(&last))
            .select((
                manifest_lines::manifest_id,
                manifest_lines::container_id,
                manifest_lines::code,
                manifest_lines::shipped_weight_kg,
                manifest_lines::received_weight_kg,
                manifest_lines::accepted,
            ))
            .load::<LineState>(conn)?
        {
            lrows.entry(l.manifest_id.clone()).or_default().push(l);
        }
        compared.manifest = last;
    }
    // Users and contracts: the rows of the chains of the batch (a row without a chain is not looked for).
    let ids = |prefix: &str| -> Vec<String> {
        batch
            .iter()
            .filter_map(|f| f.head.aggregate.strip_prefix(prefix).map(str::to_owned))
            .collect()
    };
    let (user_ids, contract_ids) = (ids("user:"), ids("contract:"));
    let mut urows: HashMap<String, String> = HashMap::new();
    for chunk in user_ids.chunks(500) {
        urows.extend(
            users::table
                .filter(users::id.eq_any(chunk))
                .select((users::id, users::roles))
                .load::<(String, String)>(conn)?,
        );
    }
    let mut krows: HashMap<String, String> = HashMap::new();
    for chunk in contract_ids.chunks(500) {
        krows.extend(
            contracts::table
                .filter(contracts::id.eq_any(chunk))
                .select((contracts::id, contracts::valid_until))
                .load::<(String, String)>(conn)?,
        );
    }
    for f in batch.drain(..) {
        let agg = f.head.aggregate.as_str();
        let broken = match &f.facts {
            Facts::Container(c) => {
                counts.containers += 1;
                let id = agg.trim_start_matches("container:");
                compare_container(agg, c, crows.remove(id).as_ref()).or_else(|| {
                    compare_container_rows(
                        agg,
                        c,
                        arows.get(id).map(Vec::as_slice).unwrap_or(&[]),
                        grows.get(id),
                    )
                })
            }
            Facts::User(u) => {
                counts.users += 1;
                compare_user(agg, u, urows.get(agg.trim_start_matches("user:")))
            }
            Facts::Contract(k) => {
                counts.contracts += 1;
                compare_contract(agg, k, krows.get(agg.trim_start_matches("contract:")))
            }
            Facts::Manifest(m) => {
                counts.manifests += 1;
                let id = agg.trim_start_matches("manifest:");
                compare_manifest(
                    agg,
                    m,
                    mrows.remove(id).as_ref(),
                    lrows.get(id).map(Vec::as_slice).unwrap_or(&[]),
                )
            }
            Facts::Other => None,
        };
        if broken.is_some() {
            return Ok(broken);
        }
    }
    // A row left over lies between two chains of the batch, and has no chain.
    if let Some(id) = crows.keys().min() {
        return Ok(Some(missing(&format!("container:{id}"))));
    }
    if let Some(id) = mrows.keys().min() {
        return Ok(Some(missing(&format!("manifest:{id}"))));
    }
    Ok(None)
}

/// Whatever lies after the last chain compared up to the span's end: a head whose events are all gone, a
/// container or manifest with no event (those before it were found by the batches).
fn orphans(
    conn: &mut AnyConnection,
    compared: &Compared,
    to: Option<&Compared>,
) -> Result<Option<Value>, StoreError> {
    // The first key of a table after `after`, up to `upto` when the span ends.
    macro_rules! first_after {
        ($table:ident, $key:expr, $after:expr, $upto:expr) => {{
            let mut q = $table::table
                .filter($key.gt($after))
                .select($key)
                .order($key)
                .into_boxed();
            if let Some(upto) = $upto {
                q = q.filter($key.le(upto));
            }
            q.first::<String>(conn).optional()?
        }};
    }
    let head = first_after!(
        chain_heads,
        chain_heads::aggregate,
        &compared.aggregate,
        to.map(|t| &t.aggregate)
    );
    if let Some(a) = head {
        return Ok(Some(missing(&a)));
    }
    let container = first_after!(
        containers,
        containers::id,
        &compared.container,
        to.map(|t| &t.container)
    );
    if let Some(id) = container {
        return Ok(Some(missing(&format!("container:{id}"))));
    }
    let manifest = first_after!(
        manifests,
        manifests::id,
        &compared.manifest,
        to.map(|t| &t.manifest)
    );
    Ok(manifest.map(|id| missing(&format!("manifest:{id}"))))
}

/// Runs the audit on connections of its own (the run holds one read snapshot from start to end). With `key`,
/// every head's anchor is checked too. Reports `{"ok": true, "events_checked", "chains", "anchored",
/// "state_checked"}` or `{"ok": false, "events_checked", "broken": {"aggregate", "kind", …}}` with the first
/// break found.
pub fn verify(db: &impl Dedicated, key: Option<&[u8]>) -> Result<Value, StoreError> {
    verify_with(db, key, Sizes::default())
}

/// How an audit's SQLite connection begins: it reads the database file mapped into memory and keeps 64 MB of
/// pages. State rows are read in key order, which is not the order they were written in, so their pages come in
/// no order: through SQLite's default 2 MB cache and a `pread` per page that was a fifth of the run.
const SQLITE_AUDIT: &str = "PRAGMA mmap_size = 2147418112; PRAGMA cache_size = -65536; BEGIN";

/// `verify` with other page, batch and part sizes.
pub fn verify_with(
    db: &impl Dedicated,
    key: Option<&[u8]>,
    sizes: Sizes,
) -> Result<Value, StoreError> {
    verify_since(db, key, sizes, None)
}

/// `verify_with`, and with `since` the log compared with a checkpoint too: every chain holds, at the count the
/// checkpoint saw, the event it held then (the log has only grown since).
pub fn verify_since(
    db: &impl Dedicated,
    key: Option<&[u8]>,
    sizes: Sizes,
    since: Option<&Since>,
) -> Result<Value, StoreError> {
    let open = || {
        db.dedicated()
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    };
    let mut first = open()?;
    let begin = match first {
        AnyConnection::Sqlite(_) => SQLITE_AUDIT,
        AnyConnection::Postgresql(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    };
    first.batch_execute(begin)?;
    let mut conns = vec![first];
    let result = in_snapshot(&mut conns, open, key, sizes, since);
    for c in &mut conns {
        let _ = c.batch_execute("ROLLBACK");
    }
    result
}

/// Cuts the log into spans and reads them at once, each on a connection of its own, all in one state of the
/// database (PostgreSQL: `conns[0]` exports its snapshot, the others import it; SQLite: they take theirs while a
/// write lock is held); the reports in the log's order make one: the first break of the earliest span that
/// found one (with several breaks, not always the one a single reader would meet first).
fn in_snapshot<F>(
    conns: &mut Vec<AnyConnection>,
    open: F,
    key: Option<&[u8]>,
    sizes: Sizes,
    since: Option<&Since>,
) -> Result<Value, StoreError>
where
    F: Fn() -> Result<AnyConnection, StoreError>,
{
    // SQLite: a write lock held while every reader takes its snapshot, so that no commit falls between them
    // (its connections cannot share one otherwise); the cuts are found before it, so writers wait for it only
    // as long as the readers take to begin (milliseconds).
    let sqlite = matches!(conns[0], AnyConnection::Sqlite(_));
    let (cuts, gate) = if sqlite && sizes.parts > 1 {
        let mut gate = open()?;
        let cuts = cuts(&mut gate, sizes.parts)?;
        gate.batch_execute("BEGIN IMMEDIATE")?;
        (cuts, Some(gate))
    } else {
        (cuts(&mut conns[0], sizes.parts)?, None)
    };
    if let Some(mut gate) = gate {
        // A read begins a snapshot.
        conns[0].batch_execute("SELECT 1 FROM events LIMIT 1")?;
        for _ in 0..cuts.len() {
            let mut c = open()?;
            c.batch_execute(&format!("{SQLITE_AUDIT}; SELECT 1 FROM events LIMIT 1"))?;
            conns.push(c);
        }
        gate.batch_execute("ROLLBACK")?;
    }
    let spans = spans(&mut conns[0], cuts)?;
    // PostgreSQL's readers import the first one's snapshot (SQLite's have theirs by now).
    if !sqlite && spans.len() > 1 {
        #[derive(QueryableByName)]
        struct Exported {
            #[diesel(sql_type = diesel::sql_types::Text)]
            snapshot: String,
        }
        let exported: Exported = diesel::sql_query("SELECT pg_export_snapshot() AS snapshot")
            .get_result(&mut conns[0])?;
        // The identifier is the server's (hex digits and dashes); checked before it is put into SQL text.
        if !exported
            .snapshot
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == '-')
        {
            return Err(StoreError::internal(format!(
                "unexpected snapshot identifier {}",
                exported.snapshot
            )));
        }
        for _ in 1..spans.len() {
            let mut c = open()?;
            c.batch_execute(&format!(
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{}'",
                exported.snapshot
            ))?;
            conns.push(c);
        }
    }
    let stop = AtomicUsize::new(usize::MAX);
    let runs: Vec<Result<Run, StoreError>> = std::thread::scope(|s| {
        let stop = &stop;
        let running: Vec<_> = conns
            .iter_mut()
            .zip(spans.iter().enumerate())
            .map(|(c, span)| s.spawn(move || read_span(c, span, stop, key, sizes, since)))
            .collect();
        running
            .into_iter()
            .map(|r| match r.join() {
                Ok(run) => run,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    let mut total = Run::default();
    for run in runs {
        let run = run?;
        total.events += run.events;
        if let Some(b) = run.broken {
            return Ok(json!({ "ok": false, "events_checked": total.events, "broken": b }));
        }
        total.chains += run.chains;
        total.counts.containers += run.counts.containers;
        total.counts.manifests += run.counts.manifests;
        total.counts.users += run.counts.users;
        total.counts.contracts += run.counts.contracts;
        total.counts.digest.add(&run.counts.digest);
        total.at_checkpoint.0 += run.at_checkpoint.0;
        total.at_checkpoint.1.add(&run.at_checkpoint.1);
    }
    let head = log::read(&mut conns[0])?;
    if let Some(b) = log_break(head.as_ref(), &total, key) {
        return Ok(json!({ "ok": false, "events_checked": total.events, "broken": b }));
    }
    if let Some(since) = since
        && let Some(b) = since_break(since, head.as_ref(), &total)
    {
        return Ok(json!({ "ok": false, "events_checked": total.events, "broken": b }));
    }
    let mut report = json!({
        "ok": true, "events_checked": total.events, "chains": total.chains, "anchored": key.is_some(),
        "state_checked": {
            "containers": total.counts.containers, "manifests": total.counts.manifests,
            "users": total.counts.users, "contracts": total.counts.contracts,
        },
        "log": { "count": total.events, "digest": total.counts.digest.hex() },
    });
    if let Some(since) = since {
        report["since"] = json!({ "checkpoint": since.epoch, "count": since.count, "grown_by": total.events.saturating_sub(u64::try_from(since.count).unwrap_or(0)) });
    }
    Ok(report)
}

/// The log's head against the chains read: its count of events, its digest and (with a key) its anchor. A chain
/// erased whole, or rolled back to an earlier head, leaves the log's head counting more, or summing other leaves.
fn log_break(head: Option<&log::LogHead>, total: &Run, key: Option<&[u8]>) -> Option<Value> {
    let broken = |kind: &str, extra: Value| {
        let mut b = json!({ "aggregate": "log", "kind": kind });
        if let (Some(b), Value::Object(extra)) = (b.as_object_mut(), extra) {
            b.extend(extra);
        }
        Some(b)
    };
    let Some(head) = head else {
        return broken("log_head_missing", json!({}));
    };
    if head.count < 0 {
        // Not sealed yet (a database just upgraded, before the service started on it): nothing to compare.
        return if total.events > 0 {
            broken("log_head_unsealed", json!({}))
        } else {
            None
        };
    }
    let events = i64::try_from(total.events).unwrap_or(i64::MAX);
    if head.count != events {
        return broken(
            "log_count",
            json!({ "head_count": head.count, "events": total.events }),
        );
    }
    if Digest::parse(&head.digest) != Some(total.counts.digest) {
        return broken(
            "log_digest",
            json!({ "stored": head.digest, "chains_say": total.counts.digest.hex() }),
        );
    }
    if let Some(key) = key
        && head.anchor.as_deref() != Some(log::anchor(key, head.count, &head.digest).as_str())
    {
        return broken("log_anchor", json!({}));
    }
    None
}

/// The log against a checkpoint: the chains' events up to the counts the checkpoint saw make its size and digest.
fn since_break(since: &Since, head: Option<&log::LogHead>, total: &Run) -> Option<Value> {
    let broken = |kind: &str, extra: Value| {
        let mut b = json!({ "aggregate": "log", "kind": kind, "checkpoint": since.epoch });
        if let (Some(b), Value::Object(extra)) = (b.as_object_mut(), extra) {
            b.extend(extra);
        }
        Some(b)
    };
    let known = head.map_or(0, |h| h.epoch);
    if since.epoch > known {
        return broken(
            "since_unknown_checkpoint",
            json!({ "last_checkpoint_here": known }),
        );
    }
    let (count, digest) = &total.at_checkpoint;
    if *count != since.count {
        return broken(
            "since_count",
            json!({ "checkpoint_count": since.count, "found": count }),
        );
    }
    if Digest::parse(&since.digest) != Some(*digest) {
        return broken(
            "since_digest",
            json!({ "checkpoint_digest": since.digest, "found": digest.hex() }),
        );
    }
    None
}
