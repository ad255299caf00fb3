//! The webhook delivery worker: one task on the service's runtime, apart from the HTTP workers, so a receiver's
//! slowness never slows a request. It claims due deliveries from the outbox (a short write that counts the attempt
//! and leases the delivery), sends each signed body with its own timeout without holding any connection of the
//! database, and records the outcome. In order per aggregate (`store::outbox::due`), at least once (a delivery
//! whose attempt was cut short by a crash is sent again after its lease, with the same delivery id), retried with
//! exponential backoff and given up after the attempts limit. It also runs the deadline scan (`app::webhooks`).

use crate::config::Webhooks as Settings;
use crate::state::AppState;
use crate::store::outbox::{self, Claimed, Outcome};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use waste_core::webhook::AfterFailure;

/// Attempts in flight at once.
const MAX_IN_FLIGHT: usize = 16;

/// Starts the worker on the current runtime, when there is one (the service's, or a test's); returns whether it
/// started.
pub fn start(state: &AppState) -> bool {
    if tokio::runtime::Handle::try_current().is_err() {
        tracing::warn!("no async runtime: the webhook worker is not started");
        return false;
    }
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // The connection goes to the address the resolver checked, never through a proxy of the environment.
        .no_proxy()
        .dns_resolver(Arc::new(Checked {
            allow_local: state.guards.webhooks.allow_local,
        }))
        .timeout(state.guards.webhooks.timeout)
        .user_agent("waste-api-webhooks/1")
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhook client");
            return false;
        }
    };
    tokio::spawn(run(state.clone(), client));
    true
}

/// The retries this worker scheduled, on the monotonic clock: delivery id → when it is due. A delivery's
/// `next_attempt_at` is a time of the wall clock, which can be set back (issue 28 item 4): a retry scheduled
/// before that would then wait as long as the jump. The worker also claims a retry whose monotonic time has come,
/// whatever the wall clock says; and, for retries scheduled before a restart, any pending delivery whose time
/// lies further ahead than the longest wait could put it.
type Timers = Arc<Mutex<HashMap<String, Instant>>>;

async fn run(state: AppState, client: reqwest::Client) {
    let settings = state.guards.webhooks.clone();
    let timers: Timers = Arc::default();
    let in_flight = Arc::new(AtomicUsize::new(0));
    let mut last_scan: Option<Instant> = None;
    loop {
        // Registered before the work, so that a commit during the work still wakes the wait below.
        let woken = outbox::wake().notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        if last_scan.is_none_or(|t| t.elapsed() >= settings.scan) {
            last_scan = Some(Instant::now());
            if let Err(e) = scan(&state).await {
                tracing::warn!(error = %e, "webhook scan");
            }
            state.metrics.webhook_scans.fetch_add(1, Ordering::AcqRel);
        }
        let free = MAX_IN_FLIGHT.saturating_sub(in_flight.load(Ordering::Acquire));
        if free > 0 {
            match claim(&state, &settings, &timers, free).await {
                Ok(claimed) => {
                    for c in claimed {
                        in_flight.fetch_add(1, Ordering::AcqRel);
                        state
                            .metrics
                            .webhook_in_flight
                            .fetch_add(1, Ordering::AcqRel);
                        let (state, client, settings, in_flight, timers) = (
                            state.clone(),
                            client.clone(),
                            settings.clone(),
                            in_flight.clone(),
                            timers.clone(),
                        );
                        tokio::spawn(async move {
                            attempt(&state, &client, &settings, &timers, c).await;
                            in_flight.fetch_sub(1, Ordering::AcqRel);
                            state
                                .metrics
                                .webhook_in_flight
                                .fetch_sub(1, Ordering::AcqRel);
                            outbox::wake().notify_waiters();
                        });
                    }
                }
                Err(e) => tracing::warn!(error = %e, "webhook claim"),
            }
        }
        state.metrics.webhook_rounds.fetch_add(1, Ordering::AcqRel);
        tokio::select! {
            _ = &mut woken => {}
            _ = tokio::time::sleep(settings.poll) => {}
        }
    }
}

/// Writes what the scan found, one short transaction each.
async fn scan(state: &AppState) -> Result<(), crate::error::ApiError> {
    let env = state.env();
    let found = state
        .db(move |c| Ok(crate::app::webhooks::scan(c, &env)?))
        .await?;
    for a in found {
        state
            .write(move |c| {
                crate::store::write_tx(c, |tx| {
                    crate::app::webhooks::announce(tx, a).map_err(crate::error::ApiError::from)
                })
            })
            .await?;
    }
    Ok(())
}

/// Claims up to `limit` due deliveries, each leased for one attempt's time and a margin: due on the wall clock,
/// due on the worker's monotonic timers, or further ahead than any wait (see `Timers`).
async fn claim(
    state: &AppState,
    settings: &Settings,
    timers: &Timers,
    limit: usize,
) -> Result<Vec<Claimed>, crate::error::ApiError> {
    let clock = state.clock.clone();
    let lease = settings.timeout + Duration::from_secs(2);
    let now = clock.now();
    let beyond = waste_core::custody::format_at(
        now + time::Duration::try_from(settings.backoff_max.max(lease) + Duration::from_secs(1))
            .unwrap_or(time::Duration::DAY),
    );
    let now = waste_core::custody::format_at(now);
    let ripe: Vec<String> = {
        let t = timers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mono = Instant::now();
        t.iter()
            .filter(|(_, due)| **due <= mono)
            .map(|(id, _)| id.clone())
            .collect()
    };
    let due = state
        .db(move |c| {
            Ok(outbox::due(
                c,
                &outbox::Due {
                    now: &now,
                    ripe: &ripe,
                    beyond: &beyond,
                },
                i64::try_from(limit).unwrap_or(16),
            )?)
        })
        .await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    {
        let mut t = timers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for d in &due {
            t.remove(&d.id);
        }
    }
    state
        .write(move |c| {
            let until = waste_core::custody::format_at(
                clock.now() + time::Duration::try_from(lease).unwrap_or(time::Duration::MINUTE),
            );
            let mut out = Vec::new();
            for d in &due {
                let claimed = crate::store::write_tx(c, |tx| {
                    outbox::claim(tx, d, &until).map_err(crate::error::ApiError::from)
                })?;
                out.extend(claimed);
            }
            Ok(out)
        })
        .await
}

/// Sends one attempt and records how it ended.
async fn attempt(
    state: &AppState,
    client: &reqwest::Client,
    settings: &Settings,
    timers: &Timers,
    c: Claimed,
) {
    let sent = send(client, settings, &c).await;
    let clock = state.clock.clone();
    let outcome = match sent {
        Ok(status) if (200..300).contains(&status) => Outcome::Delivered {
            status: i32::from(status),
        },
        failed => {
            let (status, error) = match failed {
                Ok(s) => (Some(i32::from(s)), format!("the receiver answered {s}")),
                Err(e) => (None, e),
            };
            let attempt = u32::try_from(c.attempt).unwrap_or(u32::MAX);
            match settings.retry().after_failure(attempt) {
                AfterFailure::GiveUp => Outcome::GiveUp { status, error },
                AfterFailure::RetryIn(wait) => {
                    timers
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .insert(c.delivery_id.clone(), Instant::now() + wait);
                    Outcome::Retry {
                        status,
                        error,
                        next_attempt_at: waste_core::custody::format_at(
                            clock.now()
                                + time::Duration::try_from(wait).unwrap_or(time::Duration::HOUR),
                        ),
                    }
                }
            }
        }
    };
    let (id, n) = (c.delivery_id.clone(), c.attempt);
    let at = clock.stamp();
    let recorded = state
        .write(move |conn| {
            crate::store::write_tx(conn, |tx| {
                outbox::record(tx, &id, n, &at, &outcome).map_err(crate::error::ApiError::from)
            })
        })
        .await;
    if let Err(e) = recorded {
        // The lease runs out and the delivery is attempted again: at least once.
        tracing::warn!(error = %e, delivery = %c.delivery_id, "webhook outcome not recorded");
    }
}

/// A receiver's name resolved when the delivery is sent, each address checked (`special_use`), and only checked
/// addresses handed to the connection: a name that resolves to the service's own network is refused, and a name
/// whose answer changes between a check and the connection cannot happen, as there is one answer.
struct Checked {
    allow_local: bool,
}

/// A receiver whose address is not on the public internet.
#[derive(Debug)]
struct NotAllowed;

impl std::fmt::Display for NotAllowed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("address not allowed")
    }
}

impl std::error::Error for NotAllowed {}

impl reqwest::dns::Resolve for Checked {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_local = self.allow_local;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<std::net::SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addrs.is_empty()
                || (!allow_local
                    && addrs
                        .iter()
                        .any(|a| waste_core::webhook::special_use(a.ip()).is_some()))
            {
                return Err(Box::new(NotAllowed) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// What the subscriber reads of a failed attempt: never the internal error's words (addresses, names, the
/// network's own answers); the operator's log has them.
const REFUSED: &str = "refused: address not allowed";

/// One POST of the body, signed; the receiver's status, or why there was none.
async fn send(client: &reqwest::Client, settings: &Settings, c: &Claimed) -> Result<u16, String> {
    let url = crate::app::webhooks::parse_url(&c.url, settings.allow_local)
        .map_err(|_| REFUSED.to_owned())?;
    let r = client
        .post(url)
        .header("content-type", "application/json")
        .header(
            "x-waste-signature",
            waste_core::webhook::signature(&c.secret, c.body.as_bytes()),
        )
        .header("x-waste-event", &c.event_type)
        .header("x-waste-delivery", &c.delivery_id)
        .body(c.body.clone())
        .send()
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, delivery = %c.delivery_id, "webhook attempt failed");
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
            while let Some(s) = source {
                if s.is::<NotAllowed>() {
                    return REFUSED.to_owned();
                }
                source = s.source();
            }
            if e.is_timeout() {
                "timed out".to_owned()
            } else {
                "connection failed".to_owned()
            }
        })?;
    Ok(r.status().as_u16())
}
