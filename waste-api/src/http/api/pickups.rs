//! Pickup requests (school → transfer station), the list and detail of pickups, and a safety officer's PIN.
//! Creating a pickup is `custody::create_pickup`.

use super::{ErrorEnvelope, Page, Paged, change, create, read};
use crate::app::pickup_requests::{self as uc, Decline, NewRequest, Schedule};
use crate::app::{pickups, pin};
use crate::auth::AuthUser;
use crate::body::parse_json;
use crate::error::ApiError;
use crate::state::AppState;
use crate::views::pickups::{
    self as view, PickupRequestSummary, PickupRequestView, PickupSummary, PickupView,
};
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use serde::Deserialize;
use utoipa::ToSchema;
use waste_core::pickup::RequestState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPickupRequest {
    /// Sealed, labelled containers of the caller's school, on no other open request (1 to 500).
    pub container_ids: Vec<String>,
    /// RFC 3339 date-time with offset, e.g. "2026-12-01T09:00:00+08:00".
    pub preferred_from: String,
    /// After `preferred_from`, still ahead, at most 92 days later.
    pub preferred_until: String,
    /// Who the station calls, 1 to 200 characters.
    pub contact: String,
    /// Up to 1000 characters.
    pub note: Option<String>,
}

/// Ask for a pickup of sealed containers (a school's lab staff or safety officer) -> `requested`.
#[utoipa::path(post, path = "/api/v1/pickup-requests", request_body = NewPickupRequest,
    responses((status = 201, description = "The request, `requested`", body = PickupRequestView), (status = 400, description = "Malformed body", body = ErrorEnvelope), (status = 401, description = "No valid token", body = ErrorEnvelope), (status = 403, description = "Not a school's lab staff or safety officer, or training expired", body = ErrorEnvelope), (status = 404, description = "A container is not the school's", body = ErrorEnvelope), (status = 409, description = "A container is not sealed, labelled or free (`container_not_ready`, `label_incomplete`, `container_on_request`, `container_on_manifest`)", body = ErrorEnvelope), (status = 422, description = "Invalid field", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[post("/api/v1/pickup-requests")]
pub async fn create_request(
    req: HttpRequest,
    user: AuthUser,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    uc::may_request(&user, state.clock.today())?;
    let new: NewPickupRequest = parse_json(&body)?;
    let env = state.env();
    let cmd = NewRequest::parse(
        &env,
        new.container_ids,
        &new.preferred_from,
        &new.preferred_until,
        &new.contact,
        new.note.as_deref(),
    )?;
    create(&state, &req, user.id.clone(), &body, move |tx| {
        Ok(view::request(uc::request(tx, &env, &user, cmd)?))
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListRequests {
    /// requested | scheduled | declined | cancelled | collected; several separated by commas.
    #[param(value_type = Option<crate::views::RequestStates>)]
    pub state: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    pub after: Option<String>,
}

/// Pickup requests the caller's organisation sees: a school its own; a station those not yet scheduled (addressed
/// to every station) and those it scheduled, declined or collected; administrators and authorities all.
#[utoipa::path(get, path = "/api/v1/pickup-requests", params(ListRequests),
    responses((status = 200, description = "A page of requests", body = Paged<PickupRequestSummary>), (status = 401, description = "No valid token", body = ErrorEnvelope), (status = 403, description = "Not a school, station, authority or administrator", body = ErrorEnvelope), (status = 422, description = "Unknown state", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[get("/api/v1/pickup-requests")]
pub async fn list_requests(
    user: AuthUser,
    q: web::Query<ListRequests>,
    state: web::Data<AppState>,
) -> Result<web::Json<Paged<PickupRequestSummary>>, ApiError> {
    let q = q.into_inner();
    let states = q
        .state
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            RequestState::parse(s).ok_or_else(|| {
                ApiError::invalid(
                    "state",
                    "requested, scheduled, declined, cancelled or collected",
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let page = Page {
        limit: q.limit,
        after: q.after,
    }
    .keyset()?;
    let found = read(&state, move |c| uc::list(c, &user, &states, &page)).await?;
    Ok(web::Json(found.map(view::request_summary).into()))
}

/// One pickup request with its containers.
#[utoipa::path(get, path = "/api/v1/pickup-requests/{id}",
    responses((status = 200, description = "The request", body = PickupRequestView), (status = 401, description = "No valid token", body = ErrorEnvelope), (status = 403, description = "Not a school, station, authority or administrator", body = ErrorEnvelope), (status = 404, description = "No such request the caller may see", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[get("/api/v1/pickup-requests/{id}")]
pub async fn get_request(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<PickupRequestView>, ApiError> {
    let r = read(&state, move |c| uc::get(c, &user, &path)).await?;
    Ok(web::Json(view::request(r)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    /// The caller's own station (optional).
    pub station_id: Option<String>,
    /// RFC 3339 date-time with offset.
    pub slot_from: String,
    pub slot_until: String,
}

/// Schedule (or move) the collection slot, as a transfer station's operator -> `scheduled`; the request is then
/// the scheduling station's (other stations no longer see it: 404).
#[utoipa::path(post, path = "/api/v1/pickup-requests/{id}/schedule", request_body = ScheduleBody,
    responses((status = 200, description = "The request, `scheduled`", body = PickupRequestView), (status = 400, description = "Malformed body", body = ErrorEnvelope), (status = 401, description = "No valid token", body = ErrorEnvelope), (status = 403, description = "Not a station operator, or training expired", body = ErrorEnvelope), (status = 404, description = "No such request the caller may see", body = ErrorEnvelope), (status = 409, description = "The request is closed (`invalid_transition`)", body = ErrorEnvelope), (status = 422, description = "Invalid slot", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[post("/api/v1/pickup-requests/{id}/schedule")]
pub async fn schedule_request(
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<web::Json<PickupRequestView>, ApiError> {
    uc::may_schedule(&user, state.clock.today())?;
    let b: ScheduleBody = parse_json(&body)?;
    let env = state.env();
    let cmd = Schedule::parse(&env, b.station_id, &b.slot_from, &b.slot_until)?;
    let id = path.into_inner();
    let r = change(&state, move |tx| uc::schedule(tx, &env, &user, &id, cmd)).await?;
    Ok(web::Json(view::request(r)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineBody {
    /// Why, as the school will read it: 1 to 500 characters.
    pub reason: String,
}

/// Decline a request with a reason, as a transfer station's operator -> `declined`.
#[utoipa::path(post, path = "/api/v1/pickup-requests/{id}/decline", request_body = DeclineBody,
    responses((status = 200, description = "The request, `declined`", body = PickupRequestView), (status = 400, description = "Malformed body", body = ErrorEnvelope), (status = 401, description = "No valid token", body = ErrorEnvelope), (status = 403, description = "Not a station operator, or training expired", body = ErrorEnvelope), (status = 404, description = "No such request the caller may see", body = ErrorEnvelope), (status = 409, description = "The request is closed (`invalid_transition`)", body = ErrorEnvelope), (status = 422, description = "Invalid reason", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[post("/api/v1/pickup-requests/{id}/decline")]
pub async fn decline_request(
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<web::Json<PickupRequestView>, ApiError> {
    uc::may_schedule(&user, state.clock.today())?;
    let b: DeclineBody = parse_json(&body)?;
    let cmd = Decline::parse(&b.reason)?;
    let env = state.env();
    let id = path.into_inner();
    let r = change(&state, move |tx| uc::decline(tx, &env, &user, &id, cmd)).await?;
    Ok(web::Json(view::request(r)))
}

/// Cancel a request, as its school -> `cancelled`; a cancelled request is never collected.
#[utoipa::path(post, path = "/api/v1/pickup-requests/{id}/cancel",
    responses((status = 200, description = "The request, `cancelled`", body = PickupRequestView), (status = 401, description = "No valid token", body = ErrorEnvelope), (status = 403, description = "Not a school's lab staff or safety officer", body = ErrorEnvelope), (status = 404, description = "No such request the caller may see", body = ErrorEnvelope), (status = 409, description = "The request is closed (`invalid_transition`)", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[post("/api/v1/pickup-requests/{id}/cancel")]
pub async fn cancel_request(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<PickupRequestView>, ApiError> {
    uc::may_request(&user, state.clock.today())?;
    let env = state.env();
    let id = path.into_inner();
    let r = change(&state, move |tx| uc::cancel(tx, &env, &user, &id)).await?;
    Ok(web::Json(view::request(r)))
}

/// Pickups the caller's organisation took part in (as station or school; all for administrators and
/// authorities).
#[utoipa::path(get, path = "/api/v1/pickups", params(Page),
    responses((status = 200, description = "A page of pickups", body = Paged<PickupSummary>), (status = 401, description = "No valid token", body = ErrorEnvelope), (status = 403, description = "Not a school, station, authority or administrator", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[get("/api/v1/pickups")]
pub async fn list_pickups(
    user: AuthUser,
    q: web::Query<Page>,
    state: web::Data<AppState>,
) -> Result<web::Json<Paged<PickupSummary>>, ApiError> {
    let page = q.into_inner().keyset()?;
    let found = read(&state, move |c| pickups::list(c, &user, &page)).await?;
    Ok(web::Json(found.map(view::pickup_summary).into()))
}

/// One pickup: the containers taken with their gross weights, and those refused at the hand-over.
#[utoipa::path(get, path = "/api/v1/pickups/{id}",
    responses((status = 200, description = "The pickup", body = PickupView), (status = 401, description = "No valid token", body = ErrorEnvelope), (status = 403, description = "Not a school, station, authority or administrator", body = ErrorEnvelope), (status = 404, description = "No such pickup the caller may see", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[get("/api/v1/pickups/{id}")]
pub async fn get_pickup(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<PickupView>, ApiError> {
    let p = read(&state, move |c| pickups::get(c, &user, &path)).await?;
    Ok(web::Json(view::pickup(p)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PinBody {
    /// 6 to 12 digits, not one digit repeated nor a plain run.
    pub pin: String,
}

/// Set (or replace) the caller's personal PIN, with which a school's safety officer confirms a hand-over on the
/// station operator's phone. Stored as an argon2id hash.
#[utoipa::path(put, path = "/api/v1/users/me/pin", request_body = PinBody,
    responses((status = 200, description = "The PIN is set", body = PinSet), (status = 400, description = "Malformed body", body = ErrorEnvelope), (status = 401, description = "No valid token", body = ErrorEnvelope), (status = 403, description = "Not a school's safety officer", body = ErrorEnvelope), (status = 422, description = "A PIN too short, too long or too easy", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[put("/api/v1/users/me/pin")]
pub async fn set_pin(
    user: AuthUser,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<web::Json<PinSet>, ApiError> {
    pin::may_set(&user)?;
    let b: PinBody = parse_json(&body)?;
    let cmd = web::block(move || pin::SetPin::parse(&b.pin)).await??;
    let env = state.env();
    let at = change(&state, move |tx| pin::set(tx, &env, &user, cmd)).await?;
    Ok(web::Json(PinSet { pin_set_at: at }))
}

/// A PIN was set (its hash is kept; the PIN is never shown again).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PinSet {
    /// When (RFC 3339 UTC).
    #[schema(format = DateTime)]
    pub pin_set_at: String,
}
