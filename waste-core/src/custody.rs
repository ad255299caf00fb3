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
    to_hex(&Sha256::digest(canonical_bytes(
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

/// The hash of an event whose payload is given as its stored canonical JSON text (`canonical_json` of the
/// payload), so that an audit need not parse every payload. Equal to `hash_of` for every event the service wrote;
/// a payload edited into other text, even text that parses to the same value, hashes differently.
pub fn hash_of_stored(
    aggregate: &str,
    seq: u64,
    kind: &str,
    actor: &str,
    at: &str,
    payload_json: &str,
    prev_hash: &str,
) -> String {
    let seq = seq.to_string();
    let mut h = Sha256::new();
    h.update(b"waste-custody-v1");
    for field in [
        aggregate,
        seq.as_str(),
        kind,
        actor,
        at,
        payload_json,
        prev_hash,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    to_hex(&h.finalize())
}

/// Lower-case hex digits of `bytes` (`hex::encode` goes a `char` at a time: 6 % of an audit's time).
fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// HMAC-SHA-256 (RFC 2104; checked against RFC 4231's test vectors).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.map(|b| b ^ byte);
    let mut inner = Sha256::new();
    inner.update(pad(0x36));
    inner.update(message);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(pad(0x5c));
    outer.update(inner);
    outer.finalize().into()
}

/// The head of a chain: how many events it holds and the last one's hash. Kept beside the log in the same
/// transaction as each append, so that deleting the last events of a chain, or a whole chain, leaves a head that
/// no longer matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub aggregate: String,
    pub count: u64,
    pub last_hash: String,
}

impl Head {
    /// The head's anchor: HMAC-SHA-256 under a key kept outside the database, over the head's length-prefixed
    /// fields. Whoever can rewrite the database but not read the key cannot recompute a chain's hashes and make
    /// its head agree.
    pub fn anchor(&self, key: &[u8]) -> String {
        let count = self.count.to_string();
        let mut msg = Vec::with_capacity(32 + self.aggregate.len() + self.last_hash.len());
        msg.extend_from_slice(b"waste-head-v1");
        for field in [self.aggregate.as_str(), count.as_str(), &self.last_hash] {
            msg.extend_from_slice(&(field.len() as u64).to_be_bytes());
            msg.extend_from_slice(field.as_bytes());
        }
        hex::encode(hmac_sha256(key, &msg))
    }

    /// The head after appending `e`.
    pub fn after(e: &Event) -> Head {
        Head {
            aggregate: e.aggregate.clone(),
            count: e.seq,
            last_hash: e.hash.clone(),
        }
    }
}

/// What an audit finds wrong with a chain as a whole, beyond its links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeadBreak {
    /// Events without a stored head.
    HeadMissing,
    /// The chain holds fewer (or more) events than its head counts: its last events were deleted.
    Count,
    /// The chain's last hash is not the head's.
    LastHash,
    /// The head's anchor is missing or is not the keyed signature of the head: head and chain were rewritten
    /// together by someone without the key.
    Anchor,
    /// A head whose chain has no event left: the whole chain was deleted.
    ChainMissing,
}

/// Compares a chain as read with its stored head and, when a key is given, the head's anchor.
pub fn check_head(
    found: &Head,
    stored: Option<(&Head, Option<&str>)>,
    key: Option<&[u8]>,
) -> Result<(), HeadBreak> {
    let Some((head, anchor)) = stored else {
        return Err(HeadBreak::HeadMissing);
    };
    if found.count != head.count {
        return Err(if found.count == 0 {
            HeadBreak::ChainMissing
        } else {
            HeadBreak::Count
        });
    }
    if found.last_hash != head.last_hash {
        return Err(HeadBreak::LastHash);
    }
    if let Some(key) = key
        && anchor != Some(head.anchor(key).as_str())
    {
        return Err(HeadBreak::Anchor);
    }
    Ok(())
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_written_as_lower_case_hex() {
        assert_eq!(to_hex(&[0x00, 0x0f, 0xa5, 0xff, 0x10]), "000fa5ff10");
        let digest = Sha256::digest(b"waste");
        assert_eq!(to_hex(&digest), hex::encode(digest));
    }

    #[test]
    fn hmac_sha256_matches_rfc_4231_test_cases_1_2_and_6() {
        assert_eq!(
            hex::encode(hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            hex::encode(hmac_sha256(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    fn log(n: u64) -> Vec<(Event, String)> {
        let mut out: Vec<(Event, String)> = Vec::new();
        for agg in ["a", "b"] {
            let mut last: Option<Event> = None;
            for i in 0..n {
                let e = chain(
                    last.as_ref(),
                    NewEvent {
                        aggregate: agg.into(),
                        kind: "k".into(),
                        actor: "u".into(),
                        at: "2026-11-30T00:00:00.000000Z".into(),
                        payload: serde_json::json!({ "i": i, "z": [1, "x"] }),
                    },
                );
                let mut text = String::new();
                canonical_json(&e.payload, &mut text);
                out.push((e.clone(), text));
                last = Some(e);
            }
        }
        out
    }

    fn stored<'a>(e: &'a Event, payload: &'a str) -> StoredEvent<'a> {
        StoredEvent {
            aggregate: &e.aggregate,
            seq: e.seq,
            kind: &e.kind,
            actor: &e.actor,
            at: &e.at,
            payload,
            prev_hash: &e.prev_hash,
            hash: &e.hash,
        }
    }

    #[test]
    fn the_streaming_verifier_agrees_with_the_whole_chain_check_and_reports_heads() {
        let events = log(3);
        let mut v = Verifier::default();
        let mut heads = Vec::new();
        for (e, text) in &events {
            if let Some(h) = v.push(stored(e, text)).expect("intact") {
                heads.push(h);
            }
        }
        heads.extend(v.finish());
        assert_eq!((v.events, v.chains), (6, 2));
        assert_eq!(heads.len(), 2);
        assert_eq!(heads[0], Head::after(&events[2].0));
        assert_eq!(heads[1], Head::after(&events[5].0));
        // An edited payload is a broken hash at its event.
        let mut v = Verifier::default();
        let r: Result<Vec<_>, _> = events
            .iter()
            .enumerate()
            .map(|(i, (e, text))| {
                let t = if i == 4 { "{\"i\":9}" } else { text.as_str() };
                v.push(stored(e, t))
            })
            .collect();
        let b = r.expect_err("edited");
        assert_eq!((b.aggregate.as_str(), b.seq, b.kind), ("b", 2, Break::Hash));
    }

    #[test]
    fn a_head_detects_deleted_tails_and_an_anchor_detects_rewritten_heads() {
        let events = log(3);
        let key = b"a key outside the database";
        let head = Head::after(&events[2].0);
        let anchor = head.anchor(key);
        let found_all = head.clone();
        assert_eq!(
            check_head(&found_all, Some((&head, Some(&anchor))), Some(key)),
            Ok(())
        );
        let tail_deleted = Head::after(&events[1].0);
        assert_eq!(
            check_head(&tail_deleted, Some((&head, Some(&anchor))), Some(key)),
            Err(HeadBreak::Count)
        );
        // Head rewritten to match a shortened chain, without the key.
        assert_eq!(
            check_head(
                &tail_deleted,
                Some((&tail_deleted, Some(&anchor))),
                Some(key)
            ),
            Err(HeadBreak::Anchor)
        );
        // Without a key the rewritten head passes: that is what anchoring adds.
        assert_eq!(
            check_head(&tail_deleted, Some((&tail_deleted, Some(&anchor))), None),
            Ok(())
        );
        let none = Head {
            count: 0,
            last_hash: GENESIS.into(),
            ..head.clone()
        };
        assert_eq!(
            check_head(&none, Some((&head, Some(&anchor))), Some(key)),
            Err(HeadBreak::ChainMissing)
        );
        assert_eq!(
            check_head(&found_all, None, Some(key)),
            Err(HeadBreak::HeadMissing)
        );
        // The stored-text hash equals the value hash for what the service writes.
        let (e, text) = &events[0];
        assert_eq!(
            hash_of_stored(
                &e.aggregate,
                e.seq,
                &e.kind,
                &e.actor,
                &e.at,
                text,
                &e.prev_hash
            ),
            e.hash
        );
    }
}
