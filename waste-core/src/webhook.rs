//! Webhooks: which recorded step of a manifest or pickup request (and which deadline a scan finds) is announced
//! to subscribers under which name, how a delivery is signed, and how long a failed delivery waits before its
//! next attempt. No I/O: the service records, the worker sends.

use crate::custody::hmac_sha256;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The events a subscription may ask for. Names are `<aggregate>.<what happened>`; the wire carries them as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventType {
    #[serde(rename = "manifest.drafted")]
    ManifestDrafted,
    #[serde(rename = "manifest.submitted")]
    ManifestSubmitted,
    #[serde(rename = "manifest.dispatched")]
    ManifestDispatched,
    #[serde(rename = "manifest.received")]
    ManifestReceived,
    #[serde(rename = "manifest.disposed")]
    ManifestDisposed,
    #[serde(rename = "manifest.cancelled")]
    ManifestCancelled,
    /// A manifest entered afterwards from its paper run (Transfer Measures Art.20).
    #[serde(rename = "manifest.back_filled")]
    ManifestBackFilled,
    /// Receipt not confirmed within 5 working days of dispatch, or confirmed after that (Transfer Measures
    /// Art.18); announced once per manifest.
    #[serde(rename = "manifest.receipt_late")]
    ManifestReceiptLate,
    #[serde(rename = "pickup_request.requested")]
    PickupRequested,
    #[serde(rename = "pickup_request.scheduled")]
    PickupScheduled,
    #[serde(rename = "pickup_request.declined")]
    PickupDeclined,
    #[serde(rename = "pickup_request.cancelled")]
    PickupCancelled,
    #[serde(rename = "pickup_request.collected")]
    PickupCollected,
    /// A container's storage deadline is near (GB 18597-2023 and Solid Waste Law Art.81 time limits, the
    /// horizon of `standards-data`); announced once per container and storage clock.
    #[serde(rename = "container.storage_due_soon")]
    StorageDueSoon,
    /// A container's storage deadline has passed; announced once per container and storage clock.
    #[serde(rename = "container.storage_overdue")]
    StorageOverdue,
}

impl EventType {
    pub const ALL: [EventType; 15] = [
        EventType::ManifestDrafted,
        EventType::ManifestSubmitted,
        EventType::ManifestDispatched,
        EventType::ManifestReceived,
        EventType::ManifestDisposed,
        EventType::ManifestCancelled,
        EventType::ManifestBackFilled,
        EventType::ManifestReceiptLate,
        EventType::PickupRequested,
        EventType::PickupScheduled,
        EventType::PickupDeclined,
        EventType::PickupCancelled,
        EventType::PickupCollected,
        EventType::StorageDueSoon,
        EventType::StorageOverdue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ManifestDrafted => "manifest.drafted",
            EventType::ManifestSubmitted => "manifest.submitted",
            EventType::ManifestDispatched => "manifest.dispatched",
            EventType::ManifestReceived => "manifest.received",
            EventType::ManifestDisposed => "manifest.disposed",
            EventType::ManifestCancelled => "manifest.cancelled",
            EventType::ManifestBackFilled => "manifest.back_filled",
            EventType::ManifestReceiptLate => "manifest.receipt_late",
            EventType::PickupRequested => "pickup_request.requested",
            EventType::PickupScheduled => "pickup_request.scheduled",
            EventType::PickupDeclined => "pickup_request.declined",
            EventType::PickupCancelled => "pickup_request.cancelled",
            EventType::PickupCollected => "pickup_request.collected",
            EventType::StorageDueSoon => "container.storage_due_soon",
            EventType::StorageOverdue => "container.storage_overdue",
        }
    }

    pub fn parse(s: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// The event a custody step announces: `kind` of step on an aggregate named `<aggregate kind>:<id>` (the
    /// custody chain's names). Steps that change no state a receiver follows (a container's additions, a
    /// roadside link) announce nothing.
    pub fn of_step(aggregate: &str, kind: &str) -> Option<EventType> {
        let (what, _) = aggregate.split_once(':')?;
        Some(match (what, kind) {
            ("manifest", "drafted") => EventType::ManifestDrafted,
            ("manifest", "submit") => EventType::ManifestSubmitted,
            ("manifest", "dispatch") => EventType::ManifestDispatched,
            ("manifest", "receive") => EventType::ManifestReceived,
            ("manifest", "confirm-disposal") => EventType::ManifestDisposed,
            ("manifest", "cancel") => EventType::ManifestCancelled,
            ("manifest", "back_filled") => EventType::ManifestBackFilled,
            ("pickup_request", "requested") => EventType::PickupRequested,
            ("pickup_request", "scheduled") => EventType::PickupScheduled,
            ("pickup_request", "declined") => EventType::PickupDeclined,
            ("pickup_request", "cancelled") => EventType::PickupCancelled,
            ("pickup_request", "collected") => EventType::PickupCollected,
            _ => return None,
        })
    }
}

/// The `X-Waste-Signature` header of a body: `sha256=<hex HMAC-SHA-256 of the raw body under the secret>`
/// (RFC 2104). A receiver recomputes it over the bytes it received and compares in constant time.
pub fn signature(secret: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(hmac_sha256(secret.as_bytes(), body))
    )
}

/// Retries of a failed delivery: the wait after attempt `n` (1-based) is `base × 2^(n-1)`, at most `cap`; after
/// `max_attempts` attempts the delivery is given up. Settings, not rules: no standard fixes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    pub base: Duration,
    pub cap: Duration,
    pub max_attempts: u32,
}

/// What follows a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    RetryIn(Duration),
    GiveUp,
}

impl Retry {
    /// What follows the failure of attempt `attempt` (1 for the first).
    pub fn after_failure(&self, attempt: u32) -> AfterFailure {
        if attempt >= self.max_attempts {
            return AfterFailure::GiveUp;
        }
        let factor = 1u32
            .checked_shl(attempt.saturating_sub(1).min(31))
            .unwrap_or(u32::MAX);
        AfterFailure::RetryIn(self.base.saturating_mul(factor).min(self.cap))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_name_parses_back_and_serialises_as_its_name() {
        for e in EventType::ALL {
            assert_eq!(EventType::parse(e.as_str()), Some(e));
            assert_eq!(
                serde_json::to_value(e).ok(),
                Some(serde_json::json!(e.as_str()))
            );
        }
        assert_eq!(EventType::parse("manifest.receive"), None);
    }

    #[test]
    fn manifest_and_pickup_request_steps_are_announced_and_additions_are_not() {
        assert_eq!(
            EventType::of_step("manifest:01", "receive"),
            Some(EventType::ManifestReceived)
        );
        assert_eq!(
            EventType::of_step("manifest:01", "confirm-disposal"),
            Some(EventType::ManifestDisposed)
        );
        assert_eq!(
            EventType::of_step("pickup_request:9", "scheduled"),
            Some(EventType::PickupScheduled)
        );
        assert_eq!(EventType::of_step("container:1", "addition"), None);
        assert_eq!(EventType::of_step("manifest:01", "road_link"), None);
        assert_eq!(EventType::of_step("manifest", "receive"), None);
    }

    #[test]
    fn the_signature_is_rfc_4231_hmac_sha256_in_hex() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_gives_up_at_the_limit() {
        let r = Retry {
            base: Duration::from_secs(2),
            cap: Duration::from_secs(10),
            max_attempts: 5,
        };
        assert_eq!(
            r.after_failure(1),
            AfterFailure::RetryIn(Duration::from_secs(2))
        );
        assert_eq!(
            r.after_failure(2),
            AfterFailure::RetryIn(Duration::from_secs(4))
        );
        assert_eq!(
            r.after_failure(3),
            AfterFailure::RetryIn(Duration::from_secs(8))
        );
        assert_eq!(
            r.after_failure(4),
            AfterFailure::RetryIn(Duration::from_secs(10))
        );
        assert_eq!(r.after_failure(5), AfterFailure::GiveUp);
        let long = Retry {
            max_attempts: 100,
            ..r
        };
        assert_eq!(
            long.after_failure(90),
            AfterFailure::RetryIn(Duration::from_secs(10))
        );
    }
}
