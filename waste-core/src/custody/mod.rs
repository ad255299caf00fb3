//! The custody log: a canonical byte encoding of each event and SHA-256 chaining per aggregate, so that any
//! change to any byte of any event is detected and the first broken link is reported.

mod audit;
mod chain;
mod hash;
mod head;
#[cfg(test)]
mod tests;

pub use audit::{StoredEvent, Verifier};
pub use chain::{Break, BrokenLink, chain, chain_after, verify};
pub use hash::{canonical_bytes, canonical_json, hash_of, hash_of_stored, hmac_sha256};
pub use head::{Head, HeadBreak, check_head};

use serde::{Deserialize, Serialize};
use serde_json::Value;

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
