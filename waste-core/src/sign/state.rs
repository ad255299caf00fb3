//! Which needed signs were printed, and whether each printed one still shows what the site needs now.

use super::SignType;
use serde::{Deserialize, Serialize};

/// A sign the site needs now, or one that was printed: which sign, for which zone, with which content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignRecord {
    pub sign: SignType,
    /// The zone of a zone sign; `None` for the facility sign (and the zone sign of an undivided site).
    pub zone: Option<String>,
    pub digest: String,
}

/// Whether a needed sign was printed, and with the content it needs now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignState {
    Current,
    /// Printed, but the content changed since (a new waste in the zone, a new responsible person, ...).
    Outdated,
    NeverPrinted,
}

/// The state of each needed sign against the signs printed (the latest print of a sign and zone counts).
pub fn sign_states(needed: &[SignRecord], printed: &[SignRecord]) -> Vec<(SignRecord, SignState)> {
    needed
        .iter()
        .map(|n| {
            let last = printed
                .iter()
                .rev()
                .find(|p| p.sign == n.sign && p.zone == n.zone);
            let state = match last {
                None => SignState::NeverPrinted,
                Some(p) if p.digest == n.digest => SignState::Current,
                Some(_) => SignState::Outdated,
            };
            (n.clone(), state)
        })
        .collect()
}
