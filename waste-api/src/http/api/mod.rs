//! The JSON API: thin handlers that parse the request into a command, call `app`, and render a view.

pub mod admin;
pub mod bottles;
pub mod chain;
pub mod classify;
pub mod containers;
pub mod custody;
pub mod parties;
pub mod pickups;
pub mod records;
pub mod revisions;
pub mod sites;
pub mod system;
pub mod webhooks;

use crate::app::AppError;
use crate::body::{Stored, idempotency_key, idempotent, request_hash};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::Tx;
use crate::store::page::Keyset;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub use crate::views::{Created, Paged};

/// Every route of the JSON API (the system endpoints and the API documents are registered by `startup`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(classify::classify_waste)
        .service(parties::create_organization)
        .service(parties::list_organizations)
        .service(parties::get_organization)
        .service(parties::create_user)
        .service(parties::me)
        .service(parties::create_contract)
        .service(parties::list_contracts)
        .service(admin::patch_organization)
        .service(admin::list_users)
        .service(admin::patch_user)
        .service(admin::new_token)
        .service(admin::confirm_contract)
        .service(admin::patch_contract)
        .service(bottles::receive_bottle)
        .service(bottles::list_bottles)
        .service(bottles::get_bottle)
        .service(bottles::bottle_life)
        .service(bottles::safety_card)
        .service(bottles::bottle_step)
        .service(bottles::discard_bottle)
        .service(bottles::shelf_alerts)
        .service(bottles::start_stocktake)
        .service(bottles::get_stocktake)
        .service(bottles::count_bottle)
        .service(bottles::explain_difference)
        .service(bottles::close_stocktake)
        .service(bottles::school_shelf)
        .service(containers::create_container)
        .service(containers::list_containers)
        .service(containers::get_container)
        .service(containers::add_waste)
        .service(containers::seal)
        .service(containers::hand_back)
        .service(containers::label_svg)
        .service(containers::container_events)
        .service(containers::storage_alerts)
        .service(sites::create_site)
        .service(sites::list_sites)
        .service(sites::get_site)
        .service(sites::edit_site)
        .service(sites::sign_svg)
        .service(sites::record_sign)
        .service(sites::inspect)
        .service(sites::follow_up)
        .service(sites::move_container)
        .service(chain::road_link)
        .service(chain::print)
        .service(custody::create_pickup)
        .service(pickups::list_pickups)
        .service(pickups::get_pickup)
        .service(pickups::create_request)
        .service(pickups::list_requests)
        .service(pickups::get_request)
        .service(pickups::schedule_request)
        .service(pickups::decline_request)
        .service(pickups::cancel_request)
        .service(pickups::set_pin)
        .service(custody::create_manifest)
        .service(custody::list_manifests)
        .service(custody::get_manifest)
        .service(custody::submit_manifest)
        .service(custody::dispatch_manifest)
        .service(custody::receive_manifest)
        .service(custody::confirm_disposal)
        .service(custody::cancel_manifest)
        .service(custody::manifest_events)
        .service(custody::audit_verify)
        .service(custody::audit_last)
        .service(custody::receipt_alerts)
        .service(custody::oversight)
        .service(records::get_ledger)
        .service(records::annual_report)
        .service(records::management_class)
        .service(records::enter_paper_manifest)
        .service(webhooks::create_webhook)
        .service(webhooks::list_webhooks)
        .service(webhooks::delete_webhook)
        .service(webhooks::list_deliveries)
        .service(revisions::propose)
        .service(revisions::list)
        .service(revisions::approve)
        .service(revisions::refuse);
}

/// Keyset pagination: `?limit=50&after=<last id of the previous page>`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_after` of the previous page.
    pub after: Option<String>,
}

impl Page {
    /// The page asked for; a `limit` outside 1 to 200 is refused (422).
    pub fn keyset(&self) -> Result<Keyset, crate::app::AppError> {
        Ok(Keyset::asked(self.limit, self.after.clone(), 50, 200)?)
    }
}

/// Replays or returns a stored JSON response.
pub fn respond(s: Stored) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(s.status).unwrap_or(StatusCode::OK))
        .content_type("application/json")
        .body(s.body)
}

/// Runs a creating use case in one write transaction with the request's `Idempotency-Key`: a retry replays the
/// stored answer. `run` returns the view to answer with 201.
pub async fn create<V, F>(
    state: &AppState,
    req: &HttpRequest,
    user_id: String,
    body: &[u8],
    run: F,
) -> Result<HttpResponse, ApiError>
where
    V: Serialize,
    F: FnOnce(&mut Tx) -> Result<V, AppError> + Send + 'static,
{
    let key = idempotency_key(req)?;
    let hash = request_hash(req.path(), body);
    let out = state
        .write(move |c| {
            idempotent(c, &user_id, key.as_deref(), &hash, |tx| {
                let view = run(tx)?;
                let body =
                    serde_json::to_string(&view).map_err(|e| ApiError::Internal(e.to_string()))?;
                Ok(Stored::created(body))
            })
        })
        .await?;
    Ok(respond(out))
}

/// `create` for a resource that can be deleted: a replay of the creation answers as the resource does now, so a
/// replay after its deletion is what a read of it would be (`live` says whether the id still lives).
pub async fn create_deletable<V, F, L>(
    state: &AppState,
    req: &HttpRequest,
    user_id: String,
    body: &[u8],
    run: F,
    live: L,
) -> Result<HttpResponse, ApiError>
where
    V: Serialize,
    F: FnOnce(&mut Tx) -> Result<V, AppError> + Send + 'static,
    L: FnOnce(&mut crate::db::AnyConnection, &str) -> Result<(), AppError> + Send + 'static,
{
    let key = idempotency_key(req)?;
    let hash = request_hash(req.path(), body);
    let out = state
        .write(move |c| {
            idempotent(c, &user_id, key.as_deref(), &hash, |tx| {
                let view = run(tx)?;
                let body =
                    serde_json::to_string(&view).map_err(|e| ApiError::Internal(e.to_string()))?;
                Ok(Stored::created(body))
            })
        })
        .await?;
    if out.replayed {
        let id = serde_json::from_str::<serde_json::Value>(&out.body)
            .ok()
            .and_then(|v| v["id"].as_str().map(str::to_owned))
            .unwrap_or_default();
        read(state, move |c| live(c, &id)).await?;
    }
    Ok(respond(out))
}

/// Runs a use case that changes state in one write transaction.
pub async fn change<T, F>(state: &AppState, run: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut Tx) -> Result<T, AppError> + Send + 'static,
{
    state
        .write(move |c| crate::store::write_tx(c, |tx| run(tx).map_err(ApiError::from)))
        .await
}

/// Runs a reading use case on a pooled connection.
pub async fn read<T, F>(state: &AppState, run: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut crate::db::AnyConnection) -> Result<T, AppError> + Send + 'static,
{
    state.db(move |c| run(c).map_err(ApiError::from)).await
}

/// The error envelope, for the OpenAPI document.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable snake_case code scripts can match on, e.g. `invalid_input`, `not_found`, or a rule's refusal.
    #[schema(pattern = r"^[a-z][a-z0-9_]*$")]
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// The data of the refusal: `field` for invalid input, the rule's own data for a refusal.
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>)]
    pub details: serde_json::Value,
}
