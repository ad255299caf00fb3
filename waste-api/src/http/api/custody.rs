//! Custody: pickups by transfer stations, transfer manifests run by the core's state machine, the audit of
//! every custody chain, receipt alerts, and oversight for education bureaus.

use super::{ErrorEnvelope, Page, change, create, read};
use crate::app::manifests::{self as manifests, Draft, StepCommand};
use crate::app::oversight as overview;
use crate::app::{pickups, pin};
use crate::auth::AuthUser;
use crate::body::parse_json;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::page::Keyset;
use crate::views::Paged;
use crate::views::custody::{
    self as view, EventsPage, LateReceiptsPage, ManifestSummary, ManifestView, OverviewPage,
};
use crate::views::pickups::PickupView;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use waste_core::manifest::{Action, ManifestState};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPickup {
    pub school_id: String,
    /// The containers taken, with their gross weights (may be empty when every item is refused).
    pub containers: Vec<PickupLine>,
    /// The school's request this collection closes (scheduled by the caller's station, or `requested` with a
    /// `school_confirmation`).
    pub request_id: Option<String>,
    /// The school's safety officer confirms the hand-over on the operator's phone with their personal PIN.
    pub school_confirmation: Option<SchoolConfirmation>,
    /// Items refused at the hand-over (badly packed, unlabelled, over the fill limit): they stay with the school.
    #[serde(default)]
    pub refused_items: Vec<RefusedItem>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PickupLine {
    pub container_id: String,
    /// Decimal string, kg, as weighed at pickup.
    #[schema(value_type = crate::views::Kilograms, example = "6.2")]
    pub gross_weight_kg: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchoolConfirmation {
    /// The user id of a safety officer of the school.
    pub officer_id: String,
    /// Their personal PIN (`PUT /api/v1/users/me/pin`), checked only with `request_id` naming an open request of
    /// the school (else 409 `confirmation_needs_request`). 5 attempts per officer in 15 minutes: 429.
    pub pin: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefusedItem {
    pub container_id: String,
    /// Why, 1 to 500 characters.
    pub reason: String,
}

/// A transfer-station operator collects sealed, labelled containers of one school; custody passes to the
/// station. Only on a request of the school the station scheduled (`request_id`), or with the school's
/// confirmation of the hand-over (`school_confirmation`); otherwise 409 `pickup_not_authorized`. A container is
/// picked up once; refused items stay with the school.
#[utoipa::path(post, path = "/api/v1/pickups", request_body = NewPickup,
    responses((status = 201, description = "The pickup", body = PickupView), (status = 400, description = "Malformed body", body = ErrorEnvelope), (status = 401, description = "No valid token", body = ErrorEnvelope), (status = 403, description = "Not a station operator, training expired, wrong PIN (`pin_incorrect`), or the confirming safety officer's training expired (`officer_training_expired`)", body = ErrorEnvelope), (status = 404, description = "No such school, request or container of that school", body = ErrorEnvelope), (status = 409, description = "Not authorised (`pickup_not_authorized`, `school_confirmation_required`, `confirmation_needs_request`, `invalid_transition`, `container_not_requested`, `request_of_another_school`, `container_on_request`) or a container not ready", body = ErrorEnvelope), (status = 422, description = "Invalid field", body = ErrorEnvelope), (status = 429, description = "Too many PIN attempts for this officer, counted before each is checked (`rate_limited`, with Retry-After)", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[post("/api/v1/pickups")]
pub async fn create_pickup(
    req: HttpRequest,
    user: AuthUser,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let env = state.env();
    pickups::may_pick_up(&user, &env)?;
    let new: NewPickup = parse_json(&body)?;
    let lines: Vec<(String, String)> = new
        .containers
        .into_iter()
        .map(|l| (l.container_id, l.gross_weight_kg))
        .collect();
    let refused: Vec<(String, String)> = new
        .refused_items
        .into_iter()
        .map(|r| (r.container_id, r.reason))
        .collect();
    let attempt = new
        .school_confirmation
        .map(|c| pin::PinAttempt::parse(c.officer_id, c.pin))
        .transpose()?;
    let cmd = pickups::Pickup::parse(new.school_id, &lines)?
        .with_refused(&refused)?
        .with_request(new.request_id);
    // The PIN first, counted in its own transaction, so that a wrong one counts even though the pickup is
    // refused; the same sequence as the station's collection form.
    let confirmation = match attempt {
        None => None,
        Some(a) => Some(
            crate::handover::confirm(&state, &user, &cmd.school_id, cmd.request_id.as_deref(), a)
                .await?,
        ),
    };
    let cmd = cmd.confirmed(confirmation);
    create(&state, &req, user.id.clone(), &body, move |tx| {
        Ok(crate::views::pickups::pickup(pickups::pick_up(
            tx, &env, &user, cmd,
        )?))
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewManifest {
    pub receiver_id: String,
    pub carrier_id: String,
    #[schema(min_items = 1)]
    pub container_ids: Vec<String>,
    /// Weights (kg, decimal strings) of containers that were not weighed at a pickup, by container id (Art.10:
    /// the shipper weighs).
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, Decimal>)]
    pub weights_kg: BTreeMap<String, String>,
}

/// Draft a transfer manifest for containers in the shipper's custody (a transfer station's operator, or a
/// school's safety officer shipping directly).
#[utoipa::path(post, path = "/api/v1/manifests", request_body = NewManifest,
    responses((status = 201, body = ManifestView, description = "The manifest, drafted"), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)), security(("bearer" = [])))]
#[post("/api/v1/manifests")]
pub async fn create_manifest(
    req: HttpRequest,
    user: AuthUser,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    manifests::may_draft(&user)?;
    let new: NewManifest = parse_json(&body)?;
    let cmd = Draft::parse(
        new.receiver_id,
        new.carrier_id,
        new.container_ids,
        &new.weights_kg,
    )?;
    let env = state.env();
    create(&state, &req, user.id.clone(), &body, move |tx| {
        Ok(view::manifest(manifests::draft(tx, &env, &user, cmd)?))
    })
    .await
}

/// A manifest the caller's organisation is a party to, with its lines.
#[utoipa::path(get, path = "/api/v1/manifests/{id}", responses((status = 200, body = ManifestView, description = "The manifest"), (status = 404, body = ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/manifests/{id}")]
pub async fn get_manifest(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<ManifestView>, ApiError> {
    let env = state.env();
    let (m, w) = read(&state, move |c| {
        let m = manifests::get(c, &user, &path)?;
        let w = crate::app::weighings::of_manifest(c, &env, &m)?;
        Ok((m, w))
    })
    .await?;
    Ok(web::Json(view::manifest_weighed(m, &w)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListManifests {
    /// Only manifests in this state.
    #[param(value_type = Option<ManifestState>)]
    pub status: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_after` of the previous page.
    pub after: Option<String>,
}

/// Manifests the caller's organisation is a party to.
#[utoipa::path(get, path = "/api/v1/manifests", params(ListManifests), responses((status = 200, body = Paged<ManifestSummary>, description = "A page of manifests")), security(("bearer" = [])))]
#[get("/api/v1/manifests")]
pub async fn list_manifests(
    user: AuthUser,
    q: web::Query<ListManifests>,
    state: web::Data<AppState>,
) -> Result<web::Json<Paged<ManifestSummary>>, ApiError> {
    let q = q.into_inner();
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(ManifestState::parse(s).ok_or_else(|| {
            ApiError::invalid(
                "status",
                "one of draft, submitted, in_transit, received, disposed, cancelled",
            )
        })?),
    };
    let page = Page {
        limit: q.limit,
        after: q.after,
    }
    .keyset()?;
    let found = read(&state, move |c| manifests::list(c, &user, status, &page)).await?;
    Ok(web::Json(Paged {
        items: found.items.iter().map(view::summary).collect(),
        next_after: found.next_after,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispatchBody {
    /// The containers actually loaded; they must be exactly those on the manifest (Art.13).
    #[schema(min_items = 1)]
    pub container_ids: Vec<String>,
    /// The vehicle's plate, e.g. "吉A·12345" (Art.11; stored without the separator, upper case).
    pub vehicle_plate: Option<String>,
    /// The carrier's road transport permit number (Art.11), 4 to 40 characters.
    pub transport_permit_no: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiveBody {
    /// One line per container of the manifest.
    #[schema(min_items = 1)]
    pub lines: Vec<ReceiveLine>,
    /// Day of arrival (defaults to today); the receipt deadline counts 5 working days from it.
    #[schema(format = Date)]
    pub delivered_on: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiveLine {
    pub container_id: String,
    /// Decimal string, kg, as weighed on arrival.
    #[schema(value_type = crate::views::Kilograms, example = "6.2")]
    pub received_weight_kg: String,
    pub accepted: bool,
    /// Required when the container is refused (Art.18).
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisposalBody {
    /// Disposal or utilisation method code, e.g. "D10" (incineration) or "R2".
    #[schema(pattern = r"^[DR][0-9]{1,2}$", example = "D10")]
    pub method: String,
}

/// The body of a step, parsed before anything is read or written.
fn command(action: Action, body: &[u8]) -> Result<StepCommand, ApiError> {
    Ok(match action {
        Action::Submit => StepCommand::Submit,
        Action::Cancel => StepCommand::Cancel,
        Action::Dispatch => {
            let b: DispatchBody = parse_json(body)?;
            StepCommand::dispatch(
                b.container_ids.into_iter().collect(),
                b.vehicle_plate.as_deref(),
                b.transport_permit_no.as_deref(),
            )?
        }
        Action::Receive => {
            let b: ReceiveBody = parse_json(body)?;
            let lines: Vec<_> = b
                .lines
                .into_iter()
                .map(|l| (l.container_id, l.received_weight_kg, l.accepted, l.reason))
                .collect();
            StepCommand::receive(b.delivered_on.as_deref(), &lines)?
        }
        Action::ConfirmDisposal => {
            StepCommand::confirm_disposal(&parse_json::<DisposalBody>(body)?.method)?
        }
    })
}

async fn step(
    user: AuthUser,
    id: String,
    action: Action,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<web::Json<ManifestView>, ApiError> {
    let cmd = command(action, &body)?;
    let env = state.env();
    let m = change(&state, move |tx| manifests::step(tx, &env, &user, &id, cmd)).await?;
    Ok(web::Json(view::manifest(m)))
}

macro_rules! action_route {
    ($name:ident, $path:literal, $action:expr, $doc:literal, $answer:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path,
            responses((status = 200, body = ManifestView, description = $answer), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)), security(("bearer" = [])))]
        #[post($path)]
        pub async fn $name(user: AuthUser, path: web::Path<String>, state: web::Data<AppState>) -> Result<web::Json<ManifestView>, ApiError> {
            step(user, path.into_inner(), $action, web::Bytes::new(), state).await
        }
    };
    ($name:ident, $path:literal, $action:expr, $body:ty, $doc:literal, $answer:literal) => {
        action_route!(@ $name, $path, $action, $doc, $answer, request_body = $body,);
    };
    (@ $name:ident, $path:literal, $action:expr, $doc:literal, $answer:literal, $($body:tt)*) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, $($body)*
            responses((status = 200, body = ManifestView, description = $answer), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)), security(("bearer" = [])))]
        #[post($path)]
        pub async fn $name(user: AuthUser, path: web::Path<String>, body: web::Bytes, state: web::Data<AppState>) -> Result<web::Json<ManifestView>, ApiError> {
            step(user, path.into_inner(), $action, body, state).await
        }
    };
}

action_route!(
    submit_manifest,
    "/api/v1/manifests/{id}/submit",
    Action::Submit,
    "The shipper submits a draft: the core checks the disposal contract and the receiver's licence (no body).",
    "The manifest, submitted"
);
action_route!(
    dispatch_manifest,
    "/api/v1/manifests/{id}/dispatch",
    Action::Dispatch,
    DispatchBody,
    "The carrier takes the containers on the road; they must be exactly those on the manifest (Art.13).",
    "The manifest, in transit"
);
action_route!(
    receive_manifest,
    "/api/v1/manifests/{id}/receive",
    Action::Receive,
    ReceiveBody,
    "The receiver weighs and accepts or refuses each container; refused ones return to the shipper.",
    "The manifest, received"
);
action_route!(
    confirm_disposal,
    "/api/v1/manifests/{id}/confirm-disposal",
    Action::ConfirmDisposal,
    DisposalBody,
    "The receiver confirms utilisation or disposal with its method code.",
    "The manifest, disposed"
);
action_route!(
    cancel_manifest,
    "/api/v1/manifests/{id}/cancel",
    Action::Cancel,
    "The shipper cancels a manifest before dispatch (no body); its containers are free again.",
    "The manifest, cancelled"
);

/// The manifest's custody chain.
#[utoipa::path(get, path = "/api/v1/manifests/{id}/events", responses((status = 200, body = EventsPage, description = "The manifest's events, oldest first"), (status = 404, body = ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/manifests/{id}/events")]
pub async fn manifest_events(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<EventsPage>, ApiError> {
    let items = read(&state, move |c| manifests::events(c, &user, &path)).await?;
    Ok(web::Json(EventsPage { items }))
}

/// Verifies the whole custody log in one streaming read (administrators): every link, each chain against its
/// head and the head's anchor (with `WASTE_AUDIT_KEY`), and the state tables against the chains. One run at a
/// time, on a connection of its own; a call while one runs gets 409 `audit_running` with the last result.
#[utoipa::path(get, path = "/api/v1/audit/verify", responses((status = 200, body = crate::views::custody::AuditRun, description = "The result of the run"), (status = 403, body = ErrorEnvelope, description = "Not an administrator"), (status = 409, body = ErrorEnvelope, description = "an audit is already running: `details.last` holds the last result")), security(("bearer" = [])))]
#[get("/api/v1/audit/verify")]
pub async fn audit_verify(
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<web::Json<Value>, ApiError> {
    let running = state.audit.start(&user)?;
    let db = state.database.clone();
    let now = state.clock.stamp();
    let key = crate::store::events::audit_key();
    let result = web::block(move || {
        crate::app::audit::AuditRunner::run(running, now, || {
            Ok(crate::store::audit::verify(&db, key.as_deref())?)
        })
    })
    .await?
    .map_err(ApiError::from)?;
    Ok(web::Json(result))
}

/// The last audit's result with its time (`checked_at`), and whether one is running (administrators).
#[utoipa::path(get, path = "/api/v1/audit/last", responses((status = 200, body = crate::views::custody::AuditLast, description = "Whether an audit runs now, and the last result"), (status = 403, body = ErrorEnvelope, description = "Not an administrator")), security(("bearer" = [])))]
#[get("/api/v1/audit/last")]
pub async fn audit_last(
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<web::Json<Value>, ApiError> {
    user.may(waste_core::access::Action::AuditChains)?;
    Ok(web::Json(
        json!({ "running": state.audit.is_running(), "last": state.audit.last() }),
    ))
}

/// Manifests whose receipt is late: in transit more than 5 working days after dispatch, or confirmed after the
/// deadline (Transfer Measures Art.18), for the shipper, carrier or receiver.
#[utoipa::path(get, path = "/api/v1/alerts/receipts", params(Page), responses((status = 200, body = LateReceiptsPage, description = "Late receipts as of today")), security(("bearer" = [])))]
#[get("/api/v1/alerts/receipts")]
pub async fn receipt_alerts(
    user: AuthUser,
    page: web::Query<Page>,
    state: web::Data<AppState>,
) -> Result<web::Json<LateReceiptsPage>, ApiError> {
    let env = state.env();
    let day = env.clock.today();
    let keyset = page.keyset()?;
    let found = read(&state, move |c| {
        manifests::receipt_alerts(c, &env, &user, &keyset)
    })
    .await?;
    Ok(web::Json(LateReceiptsPage {
        items: found.items.iter().map(view::late_receipt).collect(),
        next_after: found.next_after,
        as_of: day.to_string(),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OversightPage {
    /// 1 to 500 schools, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next_after` of the previous page.
    pub after: Option<String>,
}

/// Per school under the authority's region: open and overdue containers, whether a valid disposal contract
/// exists, the last pickup, and manifests not closed (education bureaus, read-only). Keyset-paginated by school;
/// each figure is one grouped query over the page's schools, so the cost does not grow with the page's history.
#[utoipa::path(get, path = "/api/v1/oversight/schools", params(OversightPage), responses((status = 200, body = OverviewPage, description = "A page of the region's schools")), security(("bearer" = [])))]
#[get("/api/v1/oversight/schools")]
pub async fn oversight(
    user: AuthUser,
    page: web::Query<OversightPage>,
    state: web::Data<AppState>,
) -> Result<web::Json<OverviewPage>, ApiError> {
    user.may(waste_core::access::Action::Oversee)?;
    let page = page.into_inner();
    let keyset = Keyset::asked(page.limit, page.after, 100, 500)?;
    let env = state.env();
    let o = read(&state, move |c| overview::schools(c, &env, &user, &keyset)).await?;
    Ok(web::Json(view::overview(o)))
}
