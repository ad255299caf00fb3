//! The head of a chain (its count and last hash), its keyed anchor, and the check of a chain against it.

use super::Event;
use super::hash::hmac_sha256;
use serde::{Deserialize, Serialize};

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
