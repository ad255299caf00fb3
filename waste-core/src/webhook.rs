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
    /// horizon of `standards-data`); announced when its storage clock becomes due soon.
    #[serde(rename = "container.storage_due_soon")]
    StorageDueSoon,
    /// A container's storage deadline has passed; announced when its storage clock becomes overdue.
    #[serde(rename = "container.storage_overdue")]
    StorageOverdue,
    /// A storage alert announced before no longer stands: the container's storage clock is back to due soon or
    /// fine (the service's clock had been set forward, then corrected). Its `data` names the alert withdrawn and
    /// the status now. Sent to every subscription that asks for either storage alert.
    #[serde(rename = "container.storage_alert_withdrawn")]
    StorageAlertWithdrawn,
}

impl EventType {
    pub const ALL: [EventType; 16] = [
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
        EventType::StorageAlertWithdrawn,
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
            EventType::StorageAlertWithdrawn => "container.storage_alert_withdrawn",
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

/// IPv4 special-purpose blocks (IANA IPv4 Special-Purpose Address Registry, RFC 6890 and its updates), with
/// multicast (RFC 5771) and the reserved 240/4 with the limited broadcast: (network, prefix length, what it is).
const SPECIAL_V4: [(u32, u32, &str); 18] = [
    (0x0000_0000, 8, "this network (RFC 791)"),
    (0x0a00_0000, 8, "private-use (RFC 1918)"),
    (0x6440_0000, 10, "shared address space (RFC 6598)"),
    (0x7f00_0000, 8, "loopback (RFC 1122)"),
    (0xa9fe_0000, 16, "link-local (RFC 3927)"),
    (0xac10_0000, 12, "private-use (RFC 1918)"),
    (0xc000_0000, 24, "IETF protocol assignments (RFC 6890)"),
    (0xc000_0200, 24, "documentation (RFC 5737)"),
    (0xc01f_c400, 24, "AS112-v4 (RFC 7535)"),
    (0xc034_c100, 24, "AMT (RFC 7450)"),
    (0xc058_6300, 24, "6to4 relay anycast (RFC 7526)"),
    (0xc0a8_0000, 16, "private-use (RFC 1918)"),
    (0xc0af_3000, 24, "direct delegation AS112 (RFC 7534)"),
    (0xc612_0000, 15, "benchmarking (RFC 2544)"),
    (0xc633_6400, 24, "documentation (RFC 5737)"),
    (0xcb00_7100, 24, "documentation (RFC 5737)"),
    (0xe000_0000, 4, "multicast (RFC 5771)"),
    (
        0xf000_0000,
        4,
        "reserved and limited broadcast (RFC 1112, RFC 919)",
    ),
];

/// IPv6 special-purpose blocks (IANA IPv6 Special-Purpose Address Registry, RFC 6890 and its updates), with
/// multicast, link-local, site-local and unique local addresses.
const SPECIAL_V6: [(u128, u32, &str); 13] = [
    (0, 96, "unspecified, loopback or IPv4-compatible (RFC 4291)"),
    (0xffff_0000_0000, 96, "IPv4-mapped (RFC 4291)"),
    (0x0064_ff9b << 96, 96, "IPv4/IPv6 translation (RFC 6052)"),
    (
        0x0064_ff9b_0001 << 80,
        48,
        "local-use IPv4/IPv6 translation (RFC 8215)",
    ),
    (0x0100 << 112, 64, "discard-only (RFC 6666)"),
    (
        0x2001 << 112,
        23,
        "IETF protocol assignments, Teredo (RFC 2928, RFC 4380)",
    ),
    (0x2001_0db8 << 96, 32, "documentation (RFC 3849)"),
    (0x3fff << 112, 20, "documentation (RFC 9637)"),
    (0x5f00 << 112, 16, "segment routing SIDs (RFC 9602)"),
    (0xfc00 << 112, 7, "unique local (RFC 4193)"),
    (0xfe80 << 112, 10, "link-local (RFC 4291)"),
    (0xfec0 << 112, 10, "site-local (RFC 3879)"),
    (0xff00 << 112, 8, "multicast (RFC 4291)"),
];

/// Why a receiver at `ip` is not called, or `None` for an address on the public internet: every block of the
/// IANA special-purpose registries (IPv4 and IPv6), multicast, and every IPv6 address outside global unicast
/// (2000::/3, RFC 4291); a 6to4 address (2002::/16, RFC 3056) counts as the IPv4 address it embeds. A setting
/// would not be a rule: a webhook may reach only the public internet, so that a subscriber cannot make the
/// service call its own network.
pub fn special_use(ip: std::net::IpAddr) -> Option<&'static str> {
    use std::net::IpAddr;
    let within = |addr: u128, net: u128, len: u32, bits: u32| {
        let shift = bits - len;
        (addr >> shift) == (net >> shift)
    };
    match ip {
        IpAddr::V4(a) => {
            let n = u128::from(u32::from(a));
            SPECIAL_V4
                .iter()
                .find(|(net, len, _)| within(n, u128::from(*net), *len, 32))
                .map(|(_, _, what)| *what)
        }
        IpAddr::V6(a) => {
            let n = u128::from(a);
            if let Some((_, _, what)) = SPECIAL_V6
                .iter()
                .find(|(net, len, _)| within(n, *net, *len, 128))
            {
                return Some(what);
            }
            if within(n, 0x2002 << 112, 16, 128) {
                let v4 = std::net::Ipv4Addr::from(((n >> 80) & 0xffff_ffff) as u32);
                return special_use(IpAddr::V4(v4))
                    .map(|_| "6to4 of a special-use IPv4 address (RFC 3056)");
            }
            if !within(n, 0x2000 << 112, 3, 128) {
                return Some("not global unicast (RFC 4291)");
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_special_use_block_is_refused_and_the_public_internet_is_not() {
        for a in [
            "0.0.0.0",
            "0.1.2.3",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.255",
            "127.0.0.1",
            "127.255.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.9",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:8.8.8.8",
            "64:ff9b::7f00:1",
            "64:ff9b::808:808",
            "64:ff9b:1::1",
            "100::1",
            "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001:db8::1",
            "2002:7f00:1::",
            "2002:a00:1::1",
            "3fff::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "1::1",
            "4000::1",
        ] {
            let ip: std::net::IpAddr = a.parse().expect(a);
            assert!(special_use(ip).is_some(), "{a} is special-use");
        }
        for a in [
            "8.8.8.8",
            "1.1.1.1",
            "100.128.0.1",
            "172.32.0.1",
            "198.20.0.1",
            "223.255.255.254",
            "2400:3200::1",
            "2606:4700::1111",
            "2002:808:808::1",
        ] {
            let ip: std::net::IpAddr = a.parse().expect(a);
            assert_eq!(special_use(ip), None, "{a} is public");
        }
    }

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
