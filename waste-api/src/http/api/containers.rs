//! Waste containers for lab staff: create, add waste, seal, read, label, events; and storage alerts.

use super::{Created, ErrorEnvelope, Page, Paged, change, create, read};
use crate::app::containers::{self as uc, AddWaste, CreateContainer};
use crate::auth::AuthUser;
use crate::body::parse_json;
use crate::error::ApiError;
use crate::state::AppState;
use crate::views::containers::{self as view, ContainerView, StorageAlertsView};
use crate::views::custody::EventsPage;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use waste_core::WasteRequest;
use waste_core::container::Status;
#[allow(unused_imports)]
use waste_core::container::{Material as ContainerMaterial, Status as ContainerStatus, Unit};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContainer {
    /// Laboratory room, e.g. "B-304".
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub lab: String,
    /// Decimal string, above 0 and at most 2000, e.g. "20".
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", example = "20")]
    pub capacity_liters: String,
    #[schema(value_type = ContainerMaterial)]
    pub material: String,
    /// Contact person and phone for the label; defaults to the creating user's name.
    #[schema(max_length = 100)]
    pub contact: Option<String>,
    /// A storage site of the organisation where the container stands (`GET /api/v1/storage-sites`).
    pub site_id: Option<String>,
    /// A zone of that site (required at a site with zones).
    pub zone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAddition {
    /// A classification request (see `POST /api/v1/classify`).
    pub waste: WasteRequest,
    /// Decimal string, above 0, e.g. "1.5".
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", example = "1.5")]
    pub quantity: String,
    #[schema(value_type = Unit)]
    pub unit: String,
}

fn render(state: &AppState, s: uc::ContainerState) -> ContainerView {
    let size = state.std.labels.size_for(s.label.container_volume_l);
    view::container(s, size)
}

/// Register a waste container (lab staff or safety officer of a school).
#[utoipa::path(post, path = "/api/v1/containers", request_body = NewContainer,
    responses((status = 201, body = Created, description = "The container is registered; its id"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)), security(("bearer" = [])))]
#[post("/api/v1/containers")]
pub async fn create_container(
    req: HttpRequest,
    user: AuthUser,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    uc::may_fill(&user, None)?;
    let new: NewContainer = parse_json(&body)?;
    let mut cmd = CreateContainer::parse(
        &new.lab,
        &new.capacity_liters,
        &new.material,
        new.contact.as_deref(),
    )?;
    cmd.site_id = new.site_id;
    cmd.zone = new.zone;
    let env = state.env();
    create(&state, &req, user.id.clone(), &body, move |tx| {
        Ok(Created {
            id: uc::create(tx, &env, &user, cmd)?,
        })
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListContainers {
    /// Only containers in this status.
    #[param(value_type = Option<ContainerStatus>)]
    pub status: Option<String>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_after` of the previous page.
    pub after: Option<String>,
}

/// The caller's organisation's containers, oldest first, keyset-paginated.
#[utoipa::path(get, path = "/api/v1/containers", params(ListContainers), responses((status = 200, body = Paged<ContainerView>, description = "A page of containers"), (status = 401, body = ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/containers")]
pub async fn list_containers(
    user: AuthUser,
    q: web::Query<ListContainers>,
    state: web::Data<AppState>,
) -> Result<web::Json<Paged<ContainerView>>, ApiError> {
    let q = q.into_inner();
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| {
            let all: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
            ApiError::invalid("status", format!("one of {}", all.join(", ")))
        })?),
    };
    let page = Page {
        limit: q.limit,
        after: q.after,
    }
    .keyset()?;
    let env = state.env();
    let found = read(&state, move |c| uc::list(c, &env, &user, status, &page)).await?;
    Ok(web::Json(found.map(|s| render(&state, s)).into()))
}

/// A container: code, hazards, stream, status, storage clock and deadline, label fields.
#[utoipa::path(get, path = "/api/v1/containers/{id}", responses((status = 200, body = ContainerView, description = "The container"), (status = 404, body = ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/containers/{id}")]
pub async fn get_container(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<ContainerView>, ApiError> {
    let env = state.env();
    let s = read(&state, move |c| uc::get(c, &env, &user, &path)).await?;
    Ok(web::Json(render(&state, s)))
}

/// Add waste to a container. The core classifies it and checks, danger first, compatibility, code, stream,
/// material, fill and the storage-point ceiling; a refusal is 409 with the rule's code and details, and nothing
/// is written.
#[utoipa::path(post, path = "/api/v1/containers/{id}/additions", request_body = NewAddition,
    responses((status = 201, body = ContainerView, description = "The waste is added: the container as it is now, with `classification` the decision for this addition"), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)), security(("bearer" = [])))]
#[post("/api/v1/containers/{id}/additions")]
pub async fn add_waste(
    req: HttpRequest,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let env = state.env();
    uc::may_fill(&user, Some(env.clock.today()))?;
    let new: NewAddition = parse_json(&body)?;
    let cmd = AddWaste::parse(path.into_inner(), new.waste, &new.quantity, &new.unit)?;
    let st = state.clone();
    create(&state, &req, user.id.clone(), &body, move |tx| {
        let added = uc::add_waste(tx, &env, &user, cmd)?;
        let mut v = render(&st, added.container);
        v.classification = Some(added.classification);
        Ok(v)
    })
    .await
}

/// Seal a container: no more additions; it can then be picked up.
#[utoipa::path(post, path = "/api/v1/containers/{id}/seal", responses((status = 200, body = ContainerView, description = "The container, sealed"), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)), security(("bearer" = [])))]
#[post("/api/v1/containers/{id}/seal")]
pub async fn seal(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<ContainerView>, ApiError> {
    let env = state.env();
    uc::may_fill(&user, Some(env.clock.today()))?;
    let s = change(&state, move |tx| uc::seal(tx, &env, &user, &path)).await?;
    Ok(web::Json(render(&state, s)))
}

/// Hand a container the disposal firm rejected back to its school (HW Transfer Measures Art.18, Art.31): the
/// shipper holding it, `returned`, gives it back; it is then sealed in the school's custody, to be asked for again.
#[utoipa::path(post, path = "/api/v1/containers/{id}/hand-back", responses((status = 200, body = ContainerView, description = "The container, sealed, back in its school's custody"), (status = 403, body = ErrorEnvelope, description = "Not a station operator or safety officer, or training expired"), (status = 404, body = ErrorEnvelope, description = "No such container held by your organisation"), (status = 409, body = ErrorEnvelope, description = "The container is not returned (`container_not_returned`)")), security(("bearer" = [])))]
#[post("/api/v1/containers/{id}/hand-back")]
pub async fn hand_back(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<ContainerView>, ApiError> {
    let env = state.env();
    crate::app::returns::may_hand_back(&user, env.clock.today())?;
    let s = change(&state, move |tx| {
        crate::app::returns::hand_back(tx, &env, &user, &path)
    })
    .await?;
    Ok(web::Json(render(&state, s)))
}

/// The HJ 1276-2022 label as SVG (with a QR code of the digital identification code). 409 `label_incomplete`
/// names the missing fields while the label cannot be printed.
#[utoipa::path(get, path = "/api/v1/containers/{id}/label.svg", responses((status = 200, content_type = "image/svg+xml", body = String, description = "The label, an SVG document"), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope, description = "The label cannot be printed yet (`label_incomplete`); `details` names the missing fields")), security(("bearer" = [])))]
#[get("/api/v1/containers/{id}/label.svg")]
pub async fn label_svg(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let env = state.env();
    let svg = read(&state, move |c| uc::label_svg(c, &env, &user, &path)).await?;
    Ok(HttpResponse::Ok().content_type("image/svg+xml").body(svg))
}

/// The container's custody chain.
#[utoipa::path(get, path = "/api/v1/containers/{id}/events", responses((status = 200, body = EventsPage, description = "The container's events, oldest first"), (status = 404, body = ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/containers/{id}/events")]
pub async fn container_events(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<EventsPage>, ApiError> {
    let items = read(&state, move |c| uc::events(c, &user, &path)).await?;
    Ok(web::Json(EventsPage { items }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AlertPage {
    /// 1 to 500 containers scanned per page, default 200.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next_after` of the previous page.
    #[param(value_type = Option<crate::views::AlertCursor>)]
    pub after: Option<String>,
}

/// Containers the caller's organisation holds whose storage is overdue or due soon, oldest clock first, and a
/// school's quantity on hand against the 3 t storage-point ceiling; keyset-paginated (`next_after` is set while
/// more containers remain to be scanned).
#[utoipa::path(get, path = "/api/v1/alerts/storage", params(AlertPage), responses((status = 200, body = StorageAlertsView, description = "Containers due soon or overdue, and the quantity on hand"), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/alerts/storage")]
pub async fn storage_alerts(
    user: AuthUser,
    page: web::Query<AlertPage>,
    state: web::Data<AppState>,
) -> Result<web::Json<StorageAlertsView>, ApiError> {
    let page = page.into_inner();
    let keyset = crate::store::page::Keyset::asked(page.limit, page.after, 200, 500)?;
    let env = state.env();
    let alerts = read(&state, move |c| uc::storage_alerts(c, &env, &user, &keyset)).await?;
    Ok(web::Json(view::storage_alerts(alerts)))
}
