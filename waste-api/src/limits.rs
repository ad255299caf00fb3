//! Request rate limits (README, "Rate limits"): one GCRA bucket (`governor`) per bearer token and one per client
//! address, and a count of failed authentications per address that, once over its limit, refuses every request
//! from that address until it refills. Every answer says where its client stands (`RateLimit-Limit`,
//! `RateLimit-Remaining`, `RateLimit-Reset`); a refused one is 429 `rate_limited` with `Retry-After`.
//!
//! The address is the TCP peer: behind a reverse proxy every client shares the proxy's address, so set
//! `WASTE_RATE_PER_ADDRESS=0` there and limit per address at the proxy.

use crate::config::Limits;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock, StateInformationMiddleware>;

/// Forget idle buckets every this many requests, so keys seen once (a guessed token) do not accumulate.
const PRUNE_EVERY: u64 = 10_000;
/// Addresses blocked for failed authentications, at most (the oldest are forgotten first past it).
const BLOCKED_MAX: usize = 100_000;

/// One limit: its bucket per key and its allowance per minute.
struct Bucket<K: std::hash::Hash + Eq + Clone> {
    limiter: Keyed<K>,
    per_minute: u32,
}

impl<K: std::hash::Hash + Eq + Clone> Bucket<K> {
    fn new(per_minute: u32) -> Option<Self> {
        let n = NonZeroU32::new(per_minute)?;
        Some(Bucket {
            limiter: RateLimiter::keyed(Quota::per_minute(n))
                .with_middleware::<StateInformationMiddleware>(),
            per_minute,
        })
    }

    /// Takes one request from `key`'s bucket: where it stands after, or how long until it may come back.
    fn take(&self, key: &K, clock: &DefaultClock) -> Result<Standing, Duration> {
        match self.limiter.check_key(key) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                // A spent request comes back every 60 / limit seconds: the bucket is full again after this.
                let spent = u64::from(self.per_minute.saturating_sub(remaining));
                let reset = (spent * 60).div_ceil(u64::from(self.per_minute.max(1)));
                Ok(Standing {
                    limit: self.per_minute,
                    remaining,
                    reset_s: reset,
                })
            }
            Err(not_until) => Err(not_until.wait_time_from(clock.now())),
        }
    }
}

/// Where a client stands against the limit that applies to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub limit: u32,
    pub remaining: u32,
    pub reset_s: u64,
}

/// What the limiter decided about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Go on; the standing to report, if any limit applies.
    Admitted(Option<Standing>),
    /// 429: the limit and how many seconds until the client may retry.
    Refused { limit: u32, retry_after_s: u64 },
}

pub struct Limiter {
    per_token: Option<Bucket<String>>,
    per_address: Option<Bucket<IpAddr>>,
    auth_failures: Option<Bucket<IpAddr>>,
    /// Addresses over their failed-authentication limit, until when.
    blocked: Mutex<HashMap<IpAddr, Instant>>,
    clock: DefaultClock,
    seen: AtomicU64,
}

fn seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

impl Limiter {
    pub fn new(limits: Limits) -> Self {
        Limiter {
            per_token: Bucket::new(limits.per_token),
            per_address: Bucket::new(limits.per_address),
            auth_failures: Bucket::new(limits.auth_failures),
            blocked: Mutex::default(),
            clock: DefaultClock::default(),
            seen: AtomicU64::new(0),
        }
    }

    /// Admits or refuses a request from `addr` carrying `token_hash` (the SHA-256 of its bearer token, if any).
    /// The address's allowance is taken first, then the token's; the standing reported is the token's when
    /// the request carries one, else the address's.
    pub fn admit(&self, addr: Option<IpAddr>, token_hash: Option<&str>) -> Admission {
        if self.seen.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.prune();
        }
        if let (Some(ip), Some(b)) = (addr, &self.auth_failures)
            && let Ok(blocked) = self.blocked.lock()
            && let Some(until) = blocked.get(&ip)
            && let Some(left) = until.checked_duration_since(Instant::now())
        {
            return Admission::Refused {
                limit: b.per_minute,
                retry_after_s: seconds(left).max(1),
            };
        }
        let mut standing = None;
        if let (Some(ip), Some(b)) = (addr, &self.per_address) {
            match b.take(&ip, &self.clock) {
                Ok(s) => standing = Some(s),
                Err(wait) => {
                    return Admission::Refused {
                        limit: b.per_minute,
                        retry_after_s: seconds(wait).max(1),
                    };
                }
            }
        }
        if let (Some(t), Some(b)) = (token_hash, &self.per_token) {
            match b.take(&t.to_owned(), &self.clock) {
                Ok(s) => standing = Some(s),
                Err(wait) => {
                    return Admission::Refused {
                        limit: b.per_minute,
                        retry_after_s: seconds(wait).max(1),
                    };
                }
            }
        }
        Admission::Admitted(standing)
    }

    /// Counts a failed authentication from `addr`; past the limit the address is refused until its bucket
    /// would let one more through.
    pub fn failed_authentication(&self, addr: Option<IpAddr>) {
        let (Some(ip), Some(b)) = (addr, &self.auth_failures) else {
            return;
        };
        if let Err(wait) = b.take(&ip, &self.clock)
            && let Ok(mut blocked) = self.blocked.lock()
        {
            if blocked.len() >= BLOCKED_MAX {
                let now = Instant::now();
                blocked.retain(|_, until| *until > now);
                if blocked.len() >= BLOCKED_MAX {
                    blocked.clear();
                }
            }
            blocked.insert(ip, Instant::now() + wait);
        }
    }

    fn prune(&self) {
        if let Some(b) = &self.per_token {
            b.limiter.retain_recent();
        }
        if let Some(b) = &self.per_address {
            b.limiter.retain_recent();
        }
        if let Some(b) = &self.auth_failures {
            b.limiter.retain_recent();
        }
        if let Ok(mut blocked) = self.blocked.lock() {
            let now = Instant::now();
            blocked.retain(|_, until| *until > now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_token: u32, per_address: u32, auth_failures: u32) -> Limits {
        Limits {
            per_token,
            per_address,
            auth_failures,
        }
    }

    #[test]
    fn a_token_spends_its_minute_then_is_refused_while_another_token_goes_on() {
        let l = Limiter::new(limits(3, 0, 0));
        let ip = Some(IpAddr::from([127, 0, 0, 1]));
        let remaining: Vec<u32> = (0..3)
            .map(|_| match l.admit(ip, Some("a")) {
                Admission::Admitted(Some(s)) => s.remaining,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(remaining, vec![2, 1, 0]);
        assert!(matches!(
            l.admit(ip, Some("a")),
            Admission::Refused { limit: 3, retry_after_s } if (1..=20).contains(&retry_after_s)
        ));
        assert!(matches!(
            l.admit(ip, Some("b")),
            Admission::Admitted(Some(_))
        ));
        // No limit applies to a request without a token when the address limit is off.
        assert_eq!(l.admit(ip, None), Admission::Admitted(None));
    }

    #[test]
    fn failed_authentications_past_the_limit_block_the_address() {
        let l = Limiter::new(limits(0, 0, 2));
        let ip = Some(IpAddr::from([10, 0, 0, 9]));
        for _ in 0..2 {
            l.failed_authentication(ip);
            assert!(matches!(l.admit(ip, None), Admission::Admitted(_)));
        }
        l.failed_authentication(ip);
        assert!(matches!(
            l.admit(ip, Some("t")),
            Admission::Refused { limit: 2, .. }
        ));
        let other = Some(IpAddr::from([10, 0, 0, 10]));
        assert!(matches!(l.admit(other, None), Admission::Admitted(_)));
    }
}
