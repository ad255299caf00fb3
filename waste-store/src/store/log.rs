//! The log's own head (issue 29, item 8): how many events the whole log holds and a digest over every chain's
//! head, anchored like a chain's head. A chain erased with its head and its state rows, or rolled back to an
//! earlier head whose anchor still verifies, leaves every chain it touched consistent with itself, but not the
//! log's head: the audit sums the chains it reads and compares.
//!
//! The digest is the sum modulo 2^256 of one SHA-256 leaf per chain over (aggregate, count, last hash), so that a
//! write moves it by the leaves of the heads it moved (no other chain is read), and the audit can add up its
//! parts in any order. Each write transaction moves the head once, as its last statement before it commits
//! (`settle`): the row is the last lock a transaction takes, so two writers never wait on each other in a cycle.

use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::{chain_heads, checkpoint_marks, log_head};
use diesel::prelude::*;
use sha2::{Digest as _, Sha256};
use std::cell::RefCell;

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

/// A 256-bit number, big-endian: a leaf or a digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    pub fn add(&mut self, o: &Digest) {
        let mut carry = 0u16;
        for i in (0..32).rev() {
            let s = u16::from(self.0[i]) + u16::from(o.0[i]) + carry;
            self.0[i] = (s & 0xff) as u8;
            carry = s >> 8;
        }
    }

    pub fn sub(&mut self, o: &Digest) {
        let mut borrow = 0i16;
        for i in (0..32).rev() {
            let mut d = i16::from(self.0[i]) - i16::from(o.0[i]) - borrow;
            borrow = i16::from(d < 0);
            if d < 0 {
                d += 256;
            }
            self.0[i] = d as u8;
        }
    }

    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn parse(s: &str) -> Option<Digest> {
        let bytes = hex::decode(s).ok()?;
        Some(Digest(bytes.try_into().ok()?))
    }
}

fn length_prefixed(out: &mut Vec<u8>, field: &str) {
    out.extend_from_slice(&(field.len() as u64).to_be_bytes());
    out.extend_from_slice(field.as_bytes());
}

/// One chain's leaf: SHA-256 over its length-prefixed aggregate, count and last hash.
pub fn leaf(aggregate: &str, count: u64, last_hash: &str) -> Digest {
    let mut msg = Vec::with_capacity(48 + aggregate.len() + last_hash.len());
    msg.extend_from_slice(b"waste-leaf-v1");
    length_prefixed(&mut msg, aggregate);
    length_prefixed(&mut msg, &count.to_string());
    length_prefixed(&mut msg, last_hash);
    Digest(Sha256::digest(&msg).into())
}

/// The log head's anchor: HMAC-SHA-256 under the audit key over its length-prefixed count and digest.
pub fn anchor(key: &[u8], count: i64, digest: &str) -> String {
    let mut msg = Vec::with_capacity(96);
    msg.extend_from_slice(b"waste-log-v1");
    length_prefixed(&mut msg, &count.to_string());
    length_prefixed(&mut msg, digest);
    hex::encode(waste_core::custody::hmac_sha256(key, &msg))
}

/// The log's head as stored.
#[derive(Debug, Clone, Queryable)]
pub struct LogHead {
    pub count: i64,
    pub digest: String,
    pub anchor: Option<String>,
    pub epoch: i64,
}

/// The head as read (None on a database the log head's migration has not reached).
pub fn read(conn: &mut AnyConnection) -> Result<Option<LogHead>, StoreError> {
    Ok(log_head::table
        .filter(log_head::id.eq(1))
        .select((
            log_head::count,
            log_head::digest,
            log_head::anchor,
            log_head::epoch,
        ))
        .first::<LogHead>(conn)
        .optional()?)
}

/// What the current write transaction's appends moved: events added and the digest's change.
#[derive(Debug, Default, Clone, Copy)]
struct Moved {
    events: i64,
    plus: Digest,
    minus: Digest,
}

thread_local! {
    /// The appends of the write transaction running on this thread, not yet added to the log's head.
    static MOVED: RefCell<Option<Moved>> = const { RefCell::new(None) };
    /// How many `store::write_tx` run on this thread, one inside the other (each settles at its end); an append
    /// outside any settles at once.
    static IN_TX: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// A write transaction begins on this thread: the outermost forgets what an earlier one left (one that failed
/// before it settled).
pub fn begin() {
    let depth = IN_TX.with(|t| {
        t.set(t.get() + 1);
        t.get()
    });
    if depth == 1 {
        MOVED.with(|m| *m.borrow_mut() = None);
    }
}

/// A write transaction on this thread has ended (kept or not).
pub fn end() {
    let depth = IN_TX.with(|t| {
        t.set(t.get().saturating_sub(1));
        t.get()
    });
    if depth == 0 {
        MOVED.with(|m| *m.borrow_mut() = None);
    }
}

/// Whether the thread runs a `store::write_tx`, which settles at its end.
pub fn in_tx() -> bool {
    IN_TX.with(std::cell::Cell::get) > 0
}

/// Notes an event written by the current transaction: its chain's head moved from `seq - 1` (`prev_hash`) to
/// `seq` (`hash`).
pub fn wrote(aggregate: &str, seq: i64, prev_hash: &str, hash: &str) {
    let seq = u64::try_from(seq).unwrap_or(0);
    MOVED.with(|m| {
        let mut m = m.borrow_mut();
        let m = m.get_or_insert_with(Moved::default);
        m.events += 1;
        m.plus.add(&leaf(aggregate, seq, hash));
        if seq > 1 {
            m.minus.add(&leaf(aggregate, seq - 1, prev_hash));
        }
    });
}

/// The head over the chains as they are now (`chain_heads`), for a log that has none yet.
fn over_heads(conn: &mut AnyConnection) -> QueryResult<(i64, Digest)> {
    let mut count = 0i64;
    let mut digest = Digest::default();
    let mut after = String::new();
    loop {
        let page: Vec<(String, i64, String)> = chain_heads::table
            .filter(chain_heads::aggregate.gt(&after))
            .order(chain_heads::aggregate)
            .select((
                chain_heads::aggregate,
                chain_heads::count,
                chain_heads::last_hash,
            ))
            .limit(10_000)
            .load(conn)?;
        let Some(last) = page.last() else { break };
        after = last.0.clone();
        for (a, c, h) in &page {
            count += c;
            digest.add(&leaf(a, u64::try_from(*c).unwrap_or(0), h));
        }
    }
    Ok((count, digest))
}

/// Locks the head row until the transaction ends (PostgreSQL; SQLite's writer is alone already).
fn locked(conn: &mut AnyConnection) -> QueryResult<Option<LogHead>> {
    if let AnyConnection::Postgresql(pg) = conn {
        return log_head::table
            .filter(log_head::id.eq(1))
            .select((
                log_head::count,
                log_head::digest,
                log_head::anchor,
                log_head::epoch,
            ))
            .for_update()
            .first::<LogHead>(pg)
            .optional();
    }
    log_head::table
        .filter(log_head::id.eq(1))
        .select((
            log_head::count,
            log_head::digest,
            log_head::anchor,
            log_head::epoch,
        ))
        .first::<LogHead>(conn)
        .optional()
}

fn store(conn: &mut AnyConnection, count: i64, digest: &Digest) -> QueryResult<()> {
    let digest = digest.hex();
    let anchor = audit_key().map(|k| anchor(&k, count, &digest));
    diesel::update(log_head::table.filter(log_head::id.eq(1)))
        .set((
            log_head::count.eq(count),
            log_head::digest.eq(&digest),
            log_head::anchor.eq(anchor),
        ))
        .execute(conn)?;
    Ok(())
}

/// Seals a log that has no head yet (count -1: a database the log head's migration just reached) over the chains
/// as they are: they are trusted as found, as chain heads were when they were introduced. Says how many events
/// it sealed over, if it did.
pub fn seal(conn: &mut AnyConnection) -> QueryResult<Option<i64>> {
    let Some(head) = locked(conn)? else {
        return Ok(None);
    };
    if head.count >= 0 {
        return Ok(None);
    }
    let (count, digest) = over_heads(conn)?;
    store(conn, count, &digest)?;
    Ok(Some(count))
}

/// Moves the log's head by what the transaction's appends moved; the transaction's last statement before it
/// commits.
pub fn settle(conn: &mut AnyConnection) -> QueryResult<()> {
    let Some(moved) = MOVED.with(|m| m.borrow_mut().take()) else {
        return Ok(());
    };
    let Some(head) = locked(conn)? else {
        return Ok(());
    };
    if head.count < 0 {
        // Not sealed yet: sealed over the chains as they are now, this transaction's events included.
        let (count, digest) = over_heads(conn)?;
        return store(conn, count, &digest);
    }
    let mut digest = Digest::parse(&head.digest).unwrap_or_default();
    digest.add(&moved.plus);
    digest.sub(&moved.minus);
    store(conn, head.count + moved.events, &digest)
}

/// A checkpoint taken: its number and the log's head it saw.
#[derive(Debug, Clone)]
pub struct Taken {
    pub epoch: i64,
    pub count: i64,
    pub digest: String,
}

/// Takes a checkpoint in the caller's write transaction: the next number, and each chain's count where it moved
/// since the checkpoint before (so that `verify --since` can tell each chain's count at this one).
pub fn checkpoint(conn: &mut AnyConnection) -> Result<Taken, StoreError> {
    let head = match locked(conn)? {
        Some(h) if h.count >= 0 => h,
        Some(_) => {
            seal(conn)?;
            locked(conn)?.ok_or_else(|| StoreError::internal("log head missing"))?
        }
        None => return Err(StoreError::internal("log head missing")),
    };
    let epoch = head.epoch + 1;
    diesel::sql_query(
        "INSERT INTO checkpoint_marks (epoch, aggregate, count) \
         SELECT $1, h.aggregate, h.count FROM chain_heads h \
         WHERE h.count <> COALESCE((SELECT m.count FROM checkpoint_marks m WHERE m.aggregate = h.aggregate \
           ORDER BY m.epoch DESC LIMIT 1), 0)",
    )
    .bind::<diesel::sql_types::BigInt, _>(epoch)
    .execute(conn)?;
    diesel::update(log_head::table.filter(log_head::id.eq(1)))
        .set(log_head::epoch.eq(epoch))
        .execute(conn)?;
    Ok(Taken {
        epoch,
        count: head.count,
        digest: head.digest,
    })
}

/// Each chain's count at checkpoint `epoch`, for the aggregates from `first` to `last`.
pub fn marks(
    conn: &mut AnyConnection,
    epoch: i64,
    first: &str,
    last: &str,
) -> Result<std::collections::HashMap<String, i64>, StoreError> {
    let rows: Vec<(String, i64, i64)> = checkpoint_marks::table
        .filter(checkpoint_marks::aggregate.ge(first))
        .filter(checkpoint_marks::aggregate.le(last))
        .filter(checkpoint_marks::epoch.le(epoch))
        .select((
            checkpoint_marks::aggregate,
            checkpoint_marks::epoch,
            checkpoint_marks::count,
        ))
        .load(conn)?;
    let mut latest: std::collections::HashMap<String, (i64, i64)> = Default::default();
    for (a, e, c) in rows {
        let slot = latest.entry(a).or_insert((e, c));
        if e >= slot.0 {
            *slot = (e, c);
        }
    }
    Ok(latest.into_iter().map(|(a, (_, c))| (a, c)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_adds_and_takes_away_modulo_2_256() {
        let a = leaf("container:a", 1, "h1");
        let b = leaf("container:b", 7, "h7");
        let mut d = Digest::default();
        d.add(&a);
        d.add(&b);
        let mut other = Digest::default();
        other.add(&b);
        other.add(&a);
        assert_eq!(d, other, "the order of chains does not matter");
        d.sub(&a);
        assert_eq!(d, b);
        let mut max = Digest([0xff; 32]);
        max.add(&Digest({
            let mut one = [0; 32];
            one[31] = 1;
            one
        }));
        assert_eq!(max, Digest::default(), "wraps around");
        assert_ne!(leaf("a", 1, "h"), leaf("a", 2, "h"));
        assert_eq!(Digest::parse(&d.hex()), Some(d));
        assert_ne!(anchor(b"k", 1, &d.hex()), anchor(b"k", 2, &d.hex()));
    }
}
