//! Record ids: UUID v7, whose leading 48 bits are the service clock's milliseconds, so that ordering by id is
//! chronological and every list's keyset cursor (`?after=<id>`, `store::page`) follows the order of writing.
//!
//! A clock set back must not break that: a record written after a poll must sort after the poll's last id, or
//! the poll `?after=<last id>` never sees it (issue 28, item 4). So an id is never smaller than one issued
//! before, in this process or any other on the same database, across restarts:
//!
//! - every write transaction (`store::write_tx`) reads the greatest id issued so far from the one-row table
//!   `id_floor`, draws its ids above it (and above each other), and raises the floor to its own greatest id
//!   before it commits;
//! - an id is the clock's millisecond when the clock is ahead of that floor, or else the floor plus a random
//!   step (the same millisecond, a higher counter), so that ids never go backwards while the clock is behind,
//!   and two instances drawing above the same floor still draw different ids.
//!
//! Why this rather than cursors on a database sequence: the ids stay what they were (text UUIDs, one portable
//! schema, every stored id and cursor still valid, no column added to the listed tables), the floor is one
//! portable upsert on both backends, and SQLite (one writer) and PostgreSQL (several instances) get the same
//! rule. What it does not order is two PostgreSQL transactions that overlap in time: the later to commit may
//! hold the smaller id, exactly as it could with a sequence; a transaction that starts after another committed
//! always draws above it, whatever the two instances' clocks say.

use std::cell::Cell;
use time::OffsetDateTime;

/// The bits of a UUID v7 after its 48-bit millisecond, its version and variant: `rand_a` (12) and `rand_b` (62).
const COUNTER_BITS: u32 = 74;
const RAND_B_BITS: u32 = 62;

thread_local! {
    /// The floor of the write transaction open on this thread: the greatest id issued before it began.
    static FLOOR: Cell<Option<u128>> = const { Cell::new(None) };
    /// The greatest id this thread's open write transaction issued.
    static ISSUED: Cell<Option<u128>> = const { Cell::new(None) };
}

/// A UUID v7 of millisecond `ms` with `counter` (74 bits) in its random fields.
fn compose(ms: u64, counter: u128) -> u128 {
    let ms = u128::from(ms) & ((1 << 48) - 1);
    let rand_a = (counter >> RAND_B_BITS) & 0xfff;
    let rand_b = counter & ((1 << RAND_B_BITS) - 1);
    (ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
}

/// The millisecond and the counter of a UUID v7.
fn split(id: u128) -> (u64, u128) {
    let ms = u64::try_from(id >> 80).unwrap_or(u64::MAX);
    let counter = (((id >> 64) & 0xfff) << RAND_B_BITS) | (id & ((1 << RAND_B_BITS) - 1));
    (ms, counter)
}

/// The next id at `now`, above `floor`: the clock's millisecond with a random counter (its top bit clear, to
/// leave room to count up) when the clock is past the floor's millisecond; else the floor's counter plus a
/// random step of 1 to 2^32 (the next millisecond when the counter is spent).
fn next_above(now: OffsetDateTime, floor: Option<u128>) -> u128 {
    let random = uuid::Uuid::new_v4().as_u128();
    let ms = u64::try_from(now.unix_timestamp_nanos().max(0) / 1_000_000).unwrap_or(0);
    let fresh = |ms| compose(ms, random & ((1 << (COUNTER_BITS - 1)) - 1));
    match floor.map(split) {
        Some((floor_ms, counter)) if ms <= floor_ms => {
            let c = counter + 1 + (random & 0xffff_ffff);
            if c >> COUNTER_BITS == 0 {
                compose(floor_ms, c)
            } else {
                fresh(floor_ms + 1)
            }
        }
        _ => fresh(ms),
    }
}

/// A new id at `now` (the service clock's reading): above every id issued before it in the open write
/// transaction's view (see the module's notes).
pub fn new_id_at(now: OffsetDateTime) -> String {
    let floor = FLOOR.with(Cell::get).max(ISSUED.with(Cell::get));
    let id = next_above(now, floor);
    ISSUED.with(|i| i.set(Some(id)));
    uuid::Uuid::from_u128(id).to_string()
}

/// A new id stamped at `stamp` (RFC 3339, as stored): for writes that carry the time of the change they follow.
pub fn new_id_stamped(stamp: &str) -> String {
    let at = OffsetDateTime::parse(stamp, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| OffsetDateTime::now_utc());
    new_id_at(at)
}

/// What a write transaction's id floor was before this one began (for nested transactions).
pub struct Saved(Option<u128>, Option<u128>);

/// Begins a write transaction's ids above `stored` (the table's floor, None when empty). Returns what to
/// restore when it ends.
pub fn begin(stored: Option<&str>) -> Saved {
    let stored = stored
        .and_then(|s| uuid::Uuid::parse_str(s).ok())
        .map(|u| u.as_u128());
    // A nested transaction (a savepoint) continues its outer one's ids.
    let outer = FLOOR.with(Cell::get).max(ISSUED.with(Cell::get));
    let saved = Saved(FLOOR.with(Cell::get), ISSUED.with(Cell::get));
    FLOOR.with(|f| f.set(stored.max(outer)));
    ISSUED.with(|i| i.set(None));
    saved
}

/// The greatest id the transaction issued, if any (what the floor must be raised to before it commits).
pub fn issued() -> Option<String> {
    ISSUED
        .with(Cell::get)
        .map(|u| uuid::Uuid::from_u128(u).to_string())
}

/// Ends a write transaction's ids: an outer transaction continues above what the inner one issued.
pub fn end(saved: Saved, kept: bool) {
    let inner = ISSUED.with(Cell::get);
    FLOOR.with(|f| f.set(saved.0));
    ISSUED.with(|i| i.set(if kept { saved.1.max(inner) } else { saved.1 }));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> OffsetDateTime {
        OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).expect("instant")
    }

    #[test]
    fn ids_are_uuid_v7_of_the_clock_when_it_is_ahead() {
        let t = at("2026-12-07T10:00:00.123Z");
        let id = uuid::Uuid::parse_str(&new_id_at(t)).expect("uuid");
        assert_eq!(id.get_version_num(), 7);
        assert_eq!(split(id.as_u128()).0, 1_796_637_600_123);
        let later = next_above(at("2026-12-07T10:00:01Z"), Some(id.as_u128()));
        assert_eq!(split(later).0, 1_796_637_601_000);
    }

    #[test]
    fn a_clock_set_back_never_draws_an_id_below_the_floor() {
        let floor = next_above(at("2026-12-07T10:00:00Z"), None);
        let mut last = floor;
        for _ in 0..1000 {
            let id = next_above(at("2026-12-06T10:00:00Z"), Some(last));
            assert!(id > last, "{id:x} after {last:x}");
            assert_eq!(uuid::Uuid::from_u128(id).get_version_num(), 7);
            assert_eq!(
                uuid::Uuid::from_u128(id).get_variant(),
                uuid::Variant::RFC4122
            );
            last = id;
        }
        // The floor's millisecond, not the clock's.
        assert_eq!(split(last).0, split(floor).0);
        // A spent counter moves to the next millisecond.
        let full = compose(5, (1 << COUNTER_BITS) - 1);
        let next = next_above(at("1970-01-01T00:00:00Z"), Some(full));
        assert!(next > full);
        assert_eq!(split(next).0, 6);
    }

    #[test]
    fn a_transaction_draws_above_its_floor_and_reports_its_greatest_id() {
        let floor = next_above(at("2026-12-07T10:00:00Z"), None);
        let stored = uuid::Uuid::from_u128(floor).to_string();
        let saved = begin(Some(&stored));
        let a = new_id_at(at("2026-12-01T00:00:00Z"));
        let b = new_id_at(at("2026-12-01T00:00:00Z"));
        assert!(a > stored && b > a, "{stored} < {a} < {b}");
        assert_eq!(issued(), Some(b.clone()));
        end(saved, true);
        assert_eq!(FLOOR.with(Cell::get), None);
    }
}
