//! Chaining an event after its aggregate's last one, and verifying one aggregate's chain link by link.

use super::hash::hash_of;
use super::{Event, GENESIS, NewEvent};
use serde::{Deserialize, Serialize};

/// Chains `new` after `last` (or starts a chain): next `seq`, `prev_hash` = the last hash.
pub fn chain(last: Option<&Event>, new: NewEvent) -> Event {
    chain_after(last.map(|e| (e.seq, e.hash.as_str())), new)
}

/// Chains `new` after the chain's head, given as the last event's `(seq, hash)` — all a link needs, so a writer
/// need not read the previous event whole.
pub fn chain_after(head: Option<(u64, &str)>, new: NewEvent) -> Event {
    let (seq, prev_hash) = match head {
        Some((seq, hash)) => (seq + 1, hash.to_owned()),
        None => (1, GENESIS.to_owned()),
    };
    let hash = hash_of(
        &new.aggregate,
        seq,
        &new.kind,
        &new.actor,
        &new.at,
        &new.payload,
        &prev_hash,
    );
    Event {
        aggregate: new.aggregate,
        seq,
        kind: new.kind,
        actor: new.actor,
        at: new.at,
        payload: new.payload,
        prev_hash,
        hash,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ChainBreak))]
#[serde(rename_all = "snake_case")]
pub enum Break {
    /// The sequence number is not the previous one plus one (or 1 at the start).
    Seq,
    /// `prev_hash` is not the previous event's hash (or the genesis hash at the start).
    PrevHash,
    /// The stored hash is not the hash of the event's content.
    Hash,
    /// The event belongs to another aggregate.
    Aggregate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("chain {aggregate} breaks at seq {seq} (position {index}): {kind:?}")]
pub struct BrokenLink {
    pub aggregate: String,
    pub index: usize,
    pub seq: u64,
    pub kind: Break,
}

/// Verifies one aggregate's chain, in `seq` order; returns the number of events checked or the first broken link.
pub fn verify(events: &[Event]) -> Result<usize, BrokenLink> {
    let Some(first) = events.first() else {
        return Ok(0);
    };
    let aggregate = first.aggregate.as_str();
    let mut prev: Option<&Event> = None;
    for (index, e) in events.iter().enumerate() {
        let broken = |kind| BrokenLink {
            aggregate: aggregate.to_owned(),
            index,
            seq: e.seq,
            kind,
        };
        if e.aggregate != aggregate {
            return Err(broken(Break::Aggregate));
        }
        let (want_seq, want_prev) = match prev {
            Some(p) => (p.seq + 1, p.hash.as_str()),
            None => (1, GENESIS),
        };
        if e.seq != want_seq {
            return Err(broken(Break::Seq));
        }
        if e.prev_hash != want_prev {
            return Err(broken(Break::PrevHash));
        }
        if e.hash
            != hash_of(
                &e.aggregate,
                e.seq,
                &e.kind,
                &e.actor,
                &e.at,
                &e.payload,
                &e.prev_hash,
            )
        {
            return Err(broken(Break::Hash));
        }
        prev = Some(e);
    }
    Ok(events.len())
}
