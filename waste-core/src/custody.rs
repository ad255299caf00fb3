//! The custody log: a canonical byte encoding of each event and SHA-256 chaining per aggregate, so that any
//! change to any byte of any event is detected and the first broken link is reported.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// `prev_hash` of the first event of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One custody event. `at` is kept as the exact text that was hashed (RFC 3339, UTC, microseconds) so that it
/// survives every database backend unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CustodyEvent))]
pub struct Event {
    /// E.g. `container:01J...`.
    pub aggregate: String,
    pub seq: u64,
    pub kind: String,
    pub actor: String,
    pub at: String,
    pub payload: Value,
    pub prev_hash: String,
    pub hash: String,
}

/// The event before it is chained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub aggregate: String,
    pub kind: String,
    pub actor: String,
    pub at: String,
    pub payload: Value,
}

/// Formats a time the way events store it: UTC, microsecond precision.
pub fn format_at(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

/// JSON with object keys sorted and no white space, whatever map order the value was built with.
pub fn canonical_json(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                canonical_json(&m[k.as_str()], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The canonical bytes of an event: a version tag, then each field as an 8-byte big-endian length and its
/// UTF-8 bytes, in a fixed order. Length prefixes make the encoding unambiguous (no field can borrow bytes
/// from the next).
pub fn canonical_bytes(
    aggregate: &str,
    seq: u64,
    kind: &str,
    actor: &str,
    at: &str,
    payload: &Value,
    prev_hash: &str,
) -> Vec<u8> {
    let mut json = String::new();
    canonical_json(payload, &mut json);
    let seq = seq.to_string();
    let mut out = Vec::with_capacity(
        64 + aggregate.len() + kind.len() + actor.len() + at.len() + json.len() + prev_hash.len(),
    );
    out.extend_from_slice(b"waste-custody-v1");
    for field in [
        aggregate,
        seq.as_str(),
        kind,
        actor,
        at,
        json.as_str(),
        prev_hash,
    ] {
        out.extend_from_slice(&(field.len() as u64).to_be_bytes());
        out.extend_from_slice(field.as_bytes());
    }
    out
}

pub fn hash_of(
    aggregate: &str,
    seq: u64,
    kind: &str,
    actor: &str,
    at: &str,
    payload: &Value,
    prev_hash: &str,
) -> String {
    hex::encode(Sha256::digest(canonical_bytes(
        aggregate, seq, kind, actor, at, payload, prev_hash,
    )))
}

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
