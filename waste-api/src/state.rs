//! Shared application state and the helper that runs diesel work on the blocking pool.

use crate::db::{AnyConnection, Db};
use crate::error::ApiError;
use crate::metrics::Metrics;
use actix_web::web;
use std::sync::Arc;
use waste_core::Standards;

#[derive(Clone)]
pub struct AppState {
    pub database: Db,
    pub std: &'static Standards,
    pub metrics: Arc<Metrics>,
    pub clock: crate::app::Clock,
    pub guards: Arc<crate::config::Guards>,
    /// The custody audit: one run at a time, the last result kept.
    pub audit: Arc<crate::app::audit::AuditRunner>,
    /// Request rate limits per token and per address.
    pub limiter: Arc<crate::limits::Limiter>,
}

impl AppState {
    /// The rules and the clock, for a use case.
    pub fn env(&self) -> crate::app::Env {
        crate::app::Env {
            std: self.std,
            clock: self.clock.clone(),
            max_open_drafts: self.guards.max_open_drafts,
            training: self.guards.training,
            max_cancelled_serials: self.guards.max_cancelled_serials,
        }
    }

    /// Runs `f` with a pooled connection on actix's blocking pool, never on an async worker, which a blocking
    /// diesel call would stall.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.database.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }

    /// Like `db`, on the connection writes go through (see `Db`): every handler that writes uses this.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        self.database.write_async(f).await
    }
}

/// Now, as stored: RFC 3339 UTC with microseconds.
pub fn now() -> String {
    waste_core::custody::format_at(time::OffsetDateTime::now_utc())
}
