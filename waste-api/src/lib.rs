//! The waste service: actix-web handlers over diesel (SQLite or PostgreSQL), recording what `waste-core` decides.

// The store is its own crate (issue 30); its modules keep their paths here.
pub use waste_app as app;
pub use waste_store::{db, ids, schema, storage, store, writer};
pub mod auth;
pub mod body;
pub mod config;
pub mod credentials;
pub mod edge;
pub mod error;
pub mod export;
pub mod handover;
pub mod http;
pub mod i18n;
pub mod limits;
pub mod metrics;
pub mod openapi;
pub mod ops;
pub mod startup;
pub mod state;
pub mod tls;
pub mod views;
pub mod webhooks;

use std::net::TcpListener;
use std::sync::Arc;

/// mimalloc instead of glibc's allocator, for the service and every binary that links it (the benchmarks'
/// ceilings included, so they measure the same stack). Measured under load: glibc's allocator was 13 % of the
/// service's samples (`malloc_consolidate` alone 4 %); mimalloc gave +10 % additions and +10 % on the ceiling
/// (bench/RESULTS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A running service: its address and the handle that stops it.
pub struct Running {
    pub addr: std::net::SocketAddr,
    pub handle: actix_web::dev::ServerHandle,
    pub server: actix_web::dev::Server,
    /// Printed once at the first start when no bootstrap token was given.
    pub admin_token: Option<String>,
    /// The service's clock: tests move it forward instead of back-dating rows.
    pub clock: app::Clock,
    /// Serving HTTPS: the certificate presented (its SHA-256 fingerprint, whether it was made at this start).
    pub tls: Option<tls::Presented>,
}

/// Connects (creating and migrating the database), bootstraps the first administrator, binds `bind`, starts the
/// webhook worker when called on a runtime, and builds the server, with the guards of the environment (`config::Guards::from_env`). The caller awaits `server`.
pub fn build(
    bind: &str,
    database_url: &str,
    bootstrap_token: Option<&str>,
    workers: usize,
    pool_size: u32,
) -> Result<Running, String> {
    build_guarded(
        bind,
        database_url,
        bootstrap_token,
        workers,
        pool_size,
        config::Guards::from_env(),
    )
}

/// `build` with the given guards.
pub fn build_guarded(
    bind: &str,
    database_url: &str,
    bootstrap_token: Option<&str>,
    workers: usize,
    pool_size: u32,
    guards: config::Guards,
) -> Result<Running, String> {
    // A TLS setting that cannot be used stops the start before anything else.
    let tls = guards.tls.as_ref().map(tls::load).transpose()?;
    let zone = waste_core::calendar::Zone::named(&guards.time_zone)
        .map_err(|e| format!("WASTE_TIME_ZONE: {e}"))?;
    // The heads of the chains appended from now on are anchored with this key (none: not anchored); set before
    // the database is opened, which seals the log's head of an upgraded database (`store::log`).
    store::events::set_audit_key(guards.audit_key.as_deref());
    let database = db::connect(database_url, pool_size).map_err(|e| e.to_string())?;
    let bootstrap_token = bootstrap_token.map(str::to_owned);
    let admin_token = database
        .write(move |c| http::api::parties::bootstrap_admin(c, bootstrap_token.as_deref()))
        .map_err(|e| format!("bootstrap: {e}"))?;
    if guards.audit_key.is_none() {
        tracing::warn!("WASTE_AUDIT_KEY is not set: custody chain heads are kept but not anchored");
    }
    let listener = TcpListener::bind(bind).map_err(|e| format!("cannot bind {bind}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let state = state::AppState {
        database,
        std: waste_core::Standards::embedded(),
        metrics: Arc::new(metrics::Metrics::default()),
        clock: app::Clock::in_zone(zone),
        audit: Arc::new(app::audit::AuditRunner::with_gate(
            guards.audit_gate.clone(),
        )),
        limiter: Arc::new(limits::Limiter::new(guards.limits)),
        guards: Arc::new(guards),
    };
    let clock = state.clock.clone();
    let shown = tls.as_ref().map(|t| t.presented.clone());
    // The webhook delivery worker runs on the caller's runtime, beside the server (none outside a runtime).
    webhooks::start(&state);
    if let Some(schedule) = state.guards.backups.clone() {
        ops::backup::start(&state.database, schedule, state.guards.audit_key.clone());
    }
    let server =
        startup::run(listener, state, workers, tls.map(|t| t.config)).map_err(|e| e.to_string())?;
    Ok(Running {
        addr,
        handle: server.handle(),
        server,
        admin_token,
        clock,
        tls: shown,
    })
}
