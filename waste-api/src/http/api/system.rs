//! Health, readiness, metrics.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Status {
    pub status: String,
    /// `/readyz` on PostgreSQL, only when the service's clock and the database server's differ by more than a
    /// minute: seconds the service's clock is ahead (negative: behind). Records are stamped with the service's
    /// clock; run NTP on both (docs/operations.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_skew_s: Option<i64>,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Status, description = "`{\"status\": \"ok\"}`")))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Status> {
    web::Json(Status {
        status: "ok".into(),
        clock_skew_s: None,
    })
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", responses((status = 200, body = Status, description = "`{\"status\": \"ready\"}`"), (status = 503, body = super::ErrorEnvelope)))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<web::Json<Status>, ApiError> {
    // Not ready while writes fail for space (issue 28): a proxy sends the requests elsewhere, a monitor says why.
    let db = state.database.clone();
    if web::block(move || crate::db::still_full(&db)).await? {
        return Err(ApiError::Invalid {
            status: actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            code: "storage_full",
            message: "the database's disk is full: writes are refused until space is freed".into(),
            details: serde_json::json!({}),
        });
    }
    let server_time = state
        .db(|c| {
            crate::store::maintenance::server_time(c)
                .map_err(|e| ApiError::Unavailable(e.to_string()))
        })
        .await?;
    let skew = server_time
        .map(|t| state.clock.now().unix_timestamp() - t)
        .filter(|s| s.abs() > 60);
    if let Some(s) = skew {
        tracing::warn!(
            clock_skew_s = s,
            "the service's clock and PostgreSQL's differ by more than a minute"
        );
    }
    Ok(web::Json(Status {
        status: "ready".into(),
        clock_skew_s: skew,
    }))
}

/// Prometheus text format. With `WASTE_METRICS_TOKEN` set, only for `Authorization: Bearer <that token>`.
#[utoipa::path(get, path = "/metrics", responses((status = 200, content_type = "text/plain", body = String, description = "The metrics, Prometheus text format 0.0.4"), (status = 401, body = super::ErrorEnvelope, description = "`WASTE_METRICS_TOKEN` is set and the bearer token is not it")))]
#[get("/metrics")]
pub async fn metrics(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if let Some(expected) = &state.guards.metrics_token {
        let given = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default();
        // Compared as hashes, so the comparison's time says nothing about the token.
        if crate::auth::hash_token(given) != crate::auth::hash_token(expected) {
            return Err(ApiError::Unauthenticated);
        }
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(
            state.metrics.render()
                + &crate::metrics::render_writes(state.database.write_stats())
                + &crate::db::render(&state.database),
        ))
}
