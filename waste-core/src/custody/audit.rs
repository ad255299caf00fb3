//! The streaming audit of the whole log: one event at a time, holding only the current chain's head.

use super::GENESIS;
use super::chain::{Break, BrokenLink};
use super::hash::hash_of_stored;
use super::head::Head;

/// An event as stored: the payload still as its text.
#[derive(Debug, Clone, Copy)]
pub struct StoredEvent<'a> {
    pub aggregate: &'a str,
    pub seq: u64,
    pub kind: &'a str,
    pub actor: &'a str,
    pub at: &'a str,
    pub payload: &'a str,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

/// Verifies the whole log read once in `(aggregate, seq)` order, one event at a time, holding only the current
/// chain's head: memory does not grow with the log.
#[derive(Debug, Default)]
pub struct Verifier {
    current: Option<Head>,
    /// Events verified so far.
    pub events: u64,
    /// Chains finished so far.
    pub chains: u64,
}

impl Verifier {
    /// Checks the next event. When it starts a new chain, returns the head of the chain it ends (for the caller to
    /// compare with the stored head).
    pub fn push(&mut self, e: StoredEvent) -> Result<Option<Head>, BrokenLink> {
        let ended = match &self.current {
            Some(h) if h.aggregate != e.aggregate => self.current.take(),
            _ => None,
        };
        if ended.is_some() {
            self.chains += 1;
        }
        let (want_seq, want_prev) = match &self.current {
            Some(h) => (h.count + 1, h.last_hash.as_str()),
            None => (1, GENESIS),
        };
        let broken = |kind| BrokenLink {
            aggregate: e.aggregate.to_owned(),
            index: usize::try_from(want_seq.saturating_sub(1)).unwrap_or(usize::MAX),
            seq: e.seq,
            kind,
        };
        if e.seq != want_seq {
            return Err(broken(Break::Seq));
        }
        if e.prev_hash != want_prev {
            return Err(broken(Break::PrevHash));
        }
        let hash = hash_of_stored(
            e.aggregate,
            e.seq,
            e.kind,
            e.actor,
            e.at,
            e.payload,
            e.prev_hash,
        );
        if e.hash != hash {
            return Err(broken(Break::Hash));
        }
        self.events += 1;
        match &mut self.current {
            // The same chain goes on: no new name to allocate.
            Some(h) => {
                h.count = e.seq;
                h.last_hash = hash;
            }
            None => {
                self.current = Some(Head {
                    aggregate: e.aggregate.to_owned(),
                    count: e.seq,
                    last_hash: hash,
                })
            }
        }
        Ok(ended)
    }

    /// Ends the read: the head of the last chain, if any.
    pub fn finish(&mut self) -> Option<Head> {
        let last = self.current.take();
        if last.is_some() {
            self.chains += 1;
        }
        last
    }
}
