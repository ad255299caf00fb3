//! Reading the log in chain order: a page of events at a time after a (aggregate, seq) position, each span on a
//! connection of its own, with the next page read while the current one is checked.

use super::*;

/// The page of events that follows `after` (`aggregate`, `seq`) in chain order.
pub(super) fn page_after(
    conn: &mut AnyConnection,
    after: Option<&(String, i64)>,
    until: Option<&str>,
    page: i64,
) -> Result<Vec<EventRow>, StoreError> {
    // A row-value comparison, so that both backends seek in the (aggregate, seq) index to where the last page
    // ended (the equivalent OR made PostgreSQL rescan from the start on every page). Read on the backend's own
    // connection: through `AnyConnection` every value of every row is converted once more.
    macro_rules! page {
        ($c:expr) => {{
            let mut q = events::table
                .select(EventRow::as_select())
                .order((events::aggregate.asc(), events::seq.asc()))
                .limit(page)
                .into_boxed();
            if let Some(after) = after {
                q = q.filter(
                    diesel::dsl::sql::<diesel::sql_types::Bool>(
                        "(events.aggregate, events.seq) > (",
                    )
                    .bind::<diesel::sql_types::Text, _>(after.0.clone())
                    .sql(", ")
                    .bind::<diesel::sql_types::BigInt, _>(after.1)
                    .sql(")"),
                );
            }
            if let Some(until) = until {
                q = q.filter(events::aggregate.le(until));
            }
            q.load::<EventRow>($c)?
        }};
    }
    Ok(match conn {
        AnyConnection::Sqlite(c) => page!(c),
        AnyConnection::Postgresql(c) => page!(c),
    })
}

pub(super) fn stored(r: &EventRow) -> StoredEvent<'_> {
    StoredEvent {
        aggregate: &r.aggregate,
        seq: u64::try_from(r.seq).unwrap_or(0),
        kind: &r.kind,
        actor: &r.actor,
        at: &r.at,
        payload: &r.payload,
        prev_hash: &r.prev_hash,
        hash: &r.hash,
    }
}

/// What the log says so far: the links verified, the chain being read and the finished chains waiting for their
/// heads and rows.
#[derive(Default)]
pub(super) struct Reading {
    v: Verifier,
    facts: Option<Facts>,
    batch: Vec<Finished>,
    /// With a checkpoint: each chain's count at it (of the page's aggregates), and the events and digest of the
    /// log as it was then, so far.
    marks: HashMap<String, i64>,
    at_checkpoint: (i64, Digest),
}

impl Reading {
    /// Takes in a page of events; the first broken link, if any.
    fn take(&mut self, rows: &[EventRow]) -> Option<Value> {
        for r in rows {
            if self.marks.get(&r.aggregate) == Some(&r.seq) {
                self.at_checkpoint.0 += r.seq;
                self.at_checkpoint.1.add(&leaf(
                    &r.aggregate,
                    u64::try_from(r.seq).unwrap_or(0),
                    &r.hash,
                ));
            }
            match self.v.push(stored(r)) {
                Err(b) => return Some(json!(b)),
                Ok(Some(head)) => self.batch.push(Finished {
                    head,
                    facts: self.facts.take().unwrap_or(Facts::Other),
                }),
                Ok(None) => {}
            }
            self.facts
                .get_or_insert_with(|| Facts::start(&r.aggregate))
                .observe(&r.kind, &r.payload);
        }
        None
    }
}

/// Takes in `rows` on a second thread while this one reads the page after them: hashing and reading the payloads
/// need no database, so they overlap with the database's work on a second core.
pub(super) fn take_and_read_next(
    conn: &mut AnyConnection,
    reading: &mut Reading,
    rows: &[EventRow],
    until: Option<&str>,
    page: i64,
) -> Result<(Option<Value>, Vec<EventRow>), StoreError> {
    let Some(last) = rows.last() else {
        return Ok((None, Vec::new()));
    };
    let after = (last.aggregate.clone(), last.seq);
    std::thread::scope(|s| {
        let taking = s.spawn(|| reading.take(rows));
        let next = page_after(conn, Some(&after), until, page);
        let broken = match taking.join() {
            Ok(b) => b,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        Ok((broken, next?))
    })
}

/// What one reader found in its span.
#[derive(Default)]
pub(super) struct Run {
    pub(super) events: u64,
    pub(super) chains: u64,
    pub(super) counts: Counts,
    pub(super) broken: Option<Value>,
    /// The events and digest of the log as it was at the checkpoint compared with (`verify --since`).
    pub(super) at_checkpoint: (i64, Digest),
}

/// Reads and verifies the events of `span` (the `index`th) and compares its heads and state rows; stops early
/// once `stop`, the index of the first span that found a break, is below its own.
pub(super) fn read_span(
    conn: &mut AnyConnection,
    (index, span): (usize, &Span),
    stop: &AtomicUsize,
    key: Option<&[u8]>,
    sizes: Sizes,
    since: Option<&Since>,
) -> Result<Run, StoreError> {
    let mut r = Reading::default();
    let mut counts = Counts::default();
    let mut compared = span.from.clone();
    let until = span.to.as_ref().map(|t| t.aggregate.as_str());
    let run = |r: &Reading, counts: Counts, broken: Option<Value>| Run {
        events: r.v.events,
        chains: r.v.chains,
        counts,
        broken,
        at_checkpoint: r.at_checkpoint,
    };
    // With a checkpoint, the counts it saw of the chains of each page, read before the page is taken in.
    let marks =
        |conn: &mut AnyConnection, rows: &[EventRow]| -> Result<HashMap<String, i64>, StoreError> {
            match (since, rows.first(), rows.last()) {
                (Some(s), Some(first), Some(last)) => {
                    log::marks(conn, s.epoch, &first.aggregate, &last.aggregate)
                }
                _ => Ok(HashMap::new()),
            }
        };
    // After every event of the aggregate the span starts after.
    let start = (compared.aggregate.clone(), i64::MAX);
    let mut rows = page_after(conn, (!span.first).then_some(&start), until, sizes.page)?;
    let found = |broken: Option<Value>| {
        if broken.is_some() {
            stop.fetch_min(index, Ordering::Relaxed);
        }
        broken
    };
    while !rows.is_empty() {
        // A span before this one found a break: that is the report, whatever this one holds.
        if stop.load(Ordering::Relaxed) < index {
            return Ok(Run::default());
        }
        r.marks = marks(conn, &rows)?;
        let (broken, next) = take_and_read_next(conn, &mut r, &rows, until, sizes.page)?;
        if broken.is_some() {
            return Ok(run(&r, counts, found(broken)));
        }
        rows = next;
        if r.batch.len() >= sizes.batch {
            let broken = check_batch(conn, &mut r.batch, key, &mut counts, &mut compared)?;
            if broken.is_some() {
                return Ok(run(&r, counts, found(broken)));
            }
        }
    }
    if let Some(head) = r.v.finish() {
        let facts = r.facts.take().unwrap_or(Facts::Other);
        r.batch.push(Finished { head, facts });
    }
    let mut broken = check_batch(conn, &mut r.batch, key, &mut counts, &mut compared)?;
    if broken.is_none() {
        broken = orphans(conn, &compared, span.to.as_ref())?;
    }
    Ok(run(&r, counts, found(broken)))
}
