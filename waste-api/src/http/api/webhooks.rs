//! Webhook subscriptions of the caller's organisation and their delivery log (README, "Webhooks").

use super::{ErrorEnvelope, Page, Paged, change, create_deletable, read};
use crate::app::webhooks::{self as uc, NewSubscription};
use crate::auth::AuthUser;
use crate::body::parse_json;
use crate::error::ApiError;
use crate::state::AppState;
use crate::views::webhooks::{self as view, DeliveryView, NewWebhookView, WebhookView};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use waste_core::webhook::EventType;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// An http or https URL, at most 2000 characters, without credentials; on the public internet (no special-use
    /// address, no `localhost`) unless the service allows local receivers.
    #[schema(max_length = 2000, example = "https://erp.example.edu.cn/hooks/waste")]
    pub url: String,
    /// The events to receive (1 or more, each once).
    #[schema(min_items = 1)]
    pub events: Vec<EventType>,
}

/// Subscribe the caller's organisation to events about what it is party to (a safety officer or an
/// administrator). Each delivery is a POST of the event's JSON, signed: `X-Waste-Signature: sha256=<hex
/// HMAC-SHA-256 of the body with the secret>`, `X-Waste-Event`, `X-Waste-Delivery` (the same on every retry).
#[utoipa::path(post, path = "/api/v1/webhooks", request_body = NewWebhook,
    responses((status = 201, description = "The subscription with its secret, shown this once", body = NewWebhookView), (status = 400, description = "Malformed body", body = ErrorEnvelope), (status = 401, description = "No valid token", body = ErrorEnvelope), (status = 403, description = "Not a safety officer or administrator", body = ErrorEnvelope), (status = 404, description = "An `Idempotency-Key` replay of a subscription deleted since", body = ErrorEnvelope), (status = 422, description = "Invalid URL or event name", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[post("/api/v1/webhooks")]
pub async fn create_webhook(
    req: HttpRequest,
    user: AuthUser,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    uc::may_manage(&user)?;
    // Event names are checked here with the field they came in, so the raw list is read first.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Raw {
        url: String,
        events: Vec<String>,
    }
    let raw: Raw = parse_json(&body)?;
    let cmd = NewSubscription::parse(&raw.url, &raw.events, state.guards.webhooks.allow_local)?;
    let secret = uc::new_secret()?;
    let env = state.env();
    create_deletable(
        &state,
        &req,
        user.id.clone(),
        &body,
        move |tx| Ok(view::created(uc::subscribe(tx, &env, &user, cmd, secret)?)),
        uc::live,
    )
    .await
}

/// The caller's organisation's subscriptions (without their secrets).
#[utoipa::path(get, path = "/api/v1/webhooks", params(Page),
    responses((status = 200, description = "A page of subscriptions", body = Paged<WebhookView>), (status = 401, description = "No valid token", body = ErrorEnvelope), (status = 403, description = "Not a safety officer or administrator", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[get("/api/v1/webhooks")]
pub async fn list_webhooks(
    user: AuthUser,
    page: web::Query<Page>,
    state: web::Data<AppState>,
) -> Result<web::Json<Paged<WebhookView>>, ApiError> {
    let keyset = page.keyset()?;
    let found = read(&state, move |c| uc::list(c, &user, &keyset)).await?;
    Ok(web::Json(found.map(view::webhook).into()))
}

/// Delete a subscription: nothing more is sent to it and its pending deliveries are given up; its log is kept.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}",
    responses((status = 204, description = "Deleted"), (status = 401, description = "No valid token", body = ErrorEnvelope), (status = 403, description = "Not a safety officer or administrator", body = ErrorEnvelope), (status = 404, description = "No such subscription of the caller's organisation", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[delete("/api/v1/webhooks/{id}")]
pub async fn delete_webhook(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let env = state.env();
    change(&state, move |tx| uc::delete(tx, &env, &user, &path)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The deliveries of a subscription, oldest first: state (`pending`, `delivered`, `failed`), attempts, the last
/// status or error.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", params(Page),
    responses((status = 200, description = "A page of deliveries", body = Paged<DeliveryView>), (status = 401, description = "No valid token", body = ErrorEnvelope), (status = 403, description = "Not a safety officer or administrator", body = ErrorEnvelope), (status = 404, description = "No such subscription of the caller's organisation", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[get("/api/v1/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    user: AuthUser,
    path: web::Path<String>,
    page: web::Query<Page>,
    state: web::Data<AppState>,
) -> Result<web::Json<Paged<DeliveryView>>, ApiError> {
    let keyset = page.keyset()?;
    let found = read(&state, move |c| uc::deliveries(c, &user, &path, &keyset)).await?;
    Ok(web::Json(Paged {
        items: found.items.into_iter().filter_map(view::delivery).collect(),
        next_after: found.next_after,
    }))
}
