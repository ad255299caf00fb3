//! Storage sites: register and read sites, move containers between them, record self-inspections and their
//! follow-up, print and record the HJ 1276-2022 signs.

use super::{ErrorEnvelope, Page, Paged, change, create, read};
use crate::app::sites::{self as uc, CreateSite, EditSite, FollowUpCmd, Inspect};
use crate::auth::AuthUser;
use crate::body::parse_json;
use crate::error::ApiError;
use crate::state::AppState;
use crate::views::sites::{
    self as view, FindingView, InspectionView, MovedView, SignPrintView, SiteView,
};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::ToSchema;
use waste_core::sign::SignType;
use waste_core::site::{Answer, FindingInput};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSite {
    /// An administrator names the organisation; others register sites of their own.
    pub organization_id: Option<String>,
    #[schema(value_type = crate::views::SiteKindName)]
    pub kind: String,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub location: String,
    /// Spill containment volume in litres, decimal string.
    pub containment_liters: Option<String>,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub responsible: String,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub contact: String,
    /// The facility code printed on the facility sign; generated when absent.
    #[schema(min_length = 1, max_length = 60, pattern = r"\S")]
    pub facility_code: Option<String>,
    /// Zone names, each once; none for an undivided site.
    #[schema(value_type = Option<Vec<crate::views::ZoneName>>, max_items = 26)]
    pub zones: Option<Vec<String>>,
}

/// Register a storage site (safety officer or station operator; an administrator for any organisation).
#[utoipa::path(post, path = "/api/v1/storage-sites", request_body = NewSite,
    responses((status = 201, body = SiteView, description = "The storage site, registered"), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)), security(("bearer" = [])))]
#[post("/api/v1/storage-sites")]
pub async fn create_site(
    req: HttpRequest,
    user: AuthUser,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let new: NewSite = parse_json(&body)?;
    let cmd = CreateSite::parse(
        new.organization_id,
        &new.kind,
        &new.name,
        &new.location,
        new.containment_liters.as_deref(),
        &new.responsible,
        &new.contact,
        new.facility_code.as_deref(),
        new.zones,
    )?;
    let env = state.env();
    create(&state, &req, user.id.clone(), &body, move |tx| {
        Ok(view::site(uc::create(tx, &env, &user, cmd)?))
    })
    .await
}

/// The caller's organisation's storage sites with their checks (every site for an administrator or a bureau).
#[utoipa::path(get, path = "/api/v1/storage-sites", params(Page), responses((status = 200, body = Paged<SiteView>, description = "A page of storage sites"), (status = 401, body = ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/storage-sites")]
pub async fn list_sites(
    user: AuthUser,
    q: web::Query<Page>,
    state: web::Data<AppState>,
) -> Result<web::Json<Paged<SiteView>>, ApiError> {
    let page = q.into_inner().keyset()?;
    let env = state.env();
    let found = read(&state, move |c| uc::list(c, &env, &user, &page)).await?;
    Ok(web::Json(found.map(view::site).into()))
}

/// A storage site: the containers there, the quantity on hand against the storage-point ceiling (GB 18597-2023
/// 8.3.5), the spill-containment check with its figures (6.2.2), incompatible wastes sharing a zone (6.1.2), the
/// last inspection, open findings, the signs and the to-do list.
#[utoipa::path(get, path = "/api/v1/storage-sites/{id}", responses((status = 200, body = SiteView, description = "The storage site with its quantity, containment, zones and to-do list"), (status = 404, body = ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/storage-sites/{id}")]
pub async fn get_site(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<SiteView>, ApiError> {
    let env = state.env();
    let s = read(&state, move |c| uc::get(c, &env, &user, &path)).await?;
    Ok(web::Json(view::site(s)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteChanges {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub location: Option<String>,
    /// Spill containment volume in litres, decimal string.
    pub containment_liters: Option<String>,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub responsible: Option<String>,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub contact: Option<String>,
    /// The zones after the change, each once (a zone holding containers cannot be removed).
    #[schema(value_type = Option<Vec<crate::views::ZoneName>>, max_items = 26)]
    pub zones: Option<Vec<String>>,
}

/// Edit a storage site (its kind and facility code stay). A change of what a sign shows makes the printed sign
/// outdated; 409 `zone_in_use` when a removed zone still holds containers.
#[utoipa::path(patch, path = "/api/v1/storage-sites/{id}", request_body = SiteChanges,
    responses((status = 200, body = SiteView, description = "The site as edited"), (status = 403, body = ErrorEnvelope, description = "Not the site's manager"), (status = 404, body = ErrorEnvelope, description = "No such site the caller may see"), (status = 409, body = ErrorEnvelope, description = "A zone still holds containers (`zone_in_use`)"), (status = 422, body = ErrorEnvelope, description = "Invalid field")), security(("bearer" = [])))]
#[patch("/api/v1/storage-sites/{id}")]
pub async fn edit_site(
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<web::Json<SiteView>, ApiError> {
    let ch: SiteChanges = parse_json(&body)?;
    let cmd = EditSite::parse(
        ch.name.as_deref(),
        ch.location.as_deref(),
        ch.containment_liters.as_deref(),
        ch.responsible.as_deref(),
        ch.contact.as_deref(),
        ch.zones,
    )?;
    let env = state.env();
    let s = change(&state, move |tx| uc::update(tx, &env, &user, &path, cmd)).await?;
    Ok(web::Json(view::site(s)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SignQuery {
    #[param(value_type = crate::views::SignTypeName)]
    #[serde(rename = "type")]
    pub sign_type: String,
    /// The zone of a zone sign (required at a site with zones).
    pub zone: Option<String>,
    /// Viewing distance in metres (above 0, at most 1000): chooses the sign size.
    #[param(value_type = Option<crate::views::Metres>)]
    pub distance_m: Option<String>,
}

fn sign_type(s: &str) -> Result<SignType, ApiError> {
    SignType::parse(s)
        .ok_or_else(|| ApiError::invalid("type", format!("'{s}' is not zone or facility")))
}

/// A printable HJ 1276-2022 sign of the site as SVG: the storage-facility sign or a storage-zone sign. The
/// `X-Sign-Digest` header (also `data-digest` in the SVG) identifies its content, to record the print.
#[utoipa::path(get, path = "/api/v1/storage-sites/{id}/sign.svg", params(SignQuery), responses((status = 200, content_type = "image/svg+xml", body = String, description = "The sign, an SVG document"), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/storage-sites/{id}/sign.svg")]
pub async fn sign_svg(
    user: AuthUser,
    path: web::Path<String>,
    q: web::Query<SignQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let t = sign_type(&q.sign_type)?;
    let distance = match q.distance_m.as_deref() {
        None => None,
        Some(d) => Some(
            d.trim()
                .parse::<Decimal>()
                .ok()
                .filter(|d| *d > Decimal::ZERO && *d <= Decimal::from(1000))
                .ok_or_else(|| {
                    ApiError::invalid(
                        "distance_m",
                        "a distance in metres, above 0 and at most 1000",
                    )
                })?,
        ),
    };
    let env = state.env();
    let s = read(&state, move |c| {
        uc::sign_svg(c, &env, &user, &path, t, q.zone.as_deref(), distance)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("X-Sign-Digest", s.digest))
        .body(s.svg))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSignPrint {
    #[schema(value_type = crate::views::SignTypeName)]
    #[serde(rename = "type")]
    pub sign_type: String,
    pub zone: Option<String>,
    /// The digest of the printed sign (`X-Sign-Digest`).
    pub digest: String,
}

/// Record that a sign was printed and posted. 409 `sign_outdated` when the digest is not the sign the site needs
/// now.
#[utoipa::path(post, path = "/api/v1/storage-sites/{id}/signs", request_body = NewSignPrint,
    responses((status = 201, body = SignPrintView, description = "The printed sign, recorded"), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)), security(("bearer" = [])))]
#[post("/api/v1/storage-sites/{id}/signs")]
pub async fn record_sign(
    req: HttpRequest,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let new: NewSignPrint = parse_json(&body)?;
    let t = sign_type(&new.sign_type)?;
    let env = state.env();
    create(&state, &req, user.id.clone(), &body, move |tx| {
        let row = uc::record_sign(tx, &env, &user, &path, t, new.zone.as_deref(), &new.digest)?;
        Ok(view::sign_print(row))
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInspection {
    /// YYYY-MM-DD, not after today.
    #[schema(format = Date)]
    pub inspected_on: String,
    /// Who checked; the caller's name when absent.
    pub inspector: Option<String>,
    /// Every checklist item once: `{"item", "ok", "note"?}`.
    pub answers: Vec<Answer>,
    /// Findings: `{"item", "description"}`. A failed item without one gets one from its note.
    pub findings: Option<Vec<FindingInput>>,
}

fn date(field: &str, s: &str) -> Result<time::Date, ApiError> {
    crate::store::parse_date(s.trim())
        .ok_or_else(|| ApiError::invalid(field, format!("'{s}' is not a date YYYY-MM-DD")))
}

/// Record a self-inspection of the site (GB 18597-2023 8.2.2): the checklist answers and findings.
#[utoipa::path(post, path = "/api/v1/storage-sites/{id}/inspections", request_body = NewInspection,
    responses((status = 201, body = InspectionView, description = "The inspection, recorded with its findings"), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)), security(("bearer" = [])))]
#[post("/api/v1/storage-sites/{id}/inspections")]
pub async fn inspect(
    req: HttpRequest,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let new: NewInspection = parse_json(&body)?;
    let cmd = Inspect {
        inspected_on: date("inspected_on", &new.inspected_on)?,
        inspector: new.inspector,
        answers: new.answers,
        findings: new.findings.unwrap_or_default(),
    };
    let env = state.env();
    create(&state, &req, user.id.clone(), &body, move |tx| {
        Ok(view::inspection(uc::inspect(tx, &env, &user, &path, cmd)?))
    })
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFollowUp {
    /// YYYY-MM-DD: not before the inspection, not after today.
    #[schema(format = Date)]
    pub done_on: String,
    /// Who did it; the caller's name when absent.
    pub by: Option<String>,
    pub action: String,
}

/// Record the follow-up of a finding; the finding is then closed.
#[utoipa::path(post, path = "/api/v1/storage-sites/{id}/findings/{finding_id}/follow-up", request_body = NewFollowUp,
    responses((status = 200, body = FindingView, description = "The finding, followed up"), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)), security(("bearer" = [])))]
#[post("/api/v1/storage-sites/{id}/findings/{finding_id}/follow-up")]
pub async fn follow_up(
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<web::Json<FindingView>, ApiError> {
    let new: NewFollowUp = parse_json(&body)?;
    let done_on = date("done_on", &new.done_on)?;
    let (site, finding) = path.into_inner();
    let env = state.env();
    let f = change(&state, move |tx| {
        uc::follow_up(
            tx,
            &env,
            &user,
            &site,
            &finding,
            FollowUpCmd {
                done_on,
                by: new.by,
                action: new.action,
            },
        )
    })
    .await?;
    Ok(web::Json(view::finding(f)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMove {
    pub site_id: String,
    /// A zone of the site (required at a site with zones).
    pub zone: Option<String>,
}

/// Move a container to a storage site of its holder (a custody event). 409 `storage_point_full` when it would
/// take a storage point over 3 t (GB 18597-2023 8.3.5); a containment shortfall (6.2.2) or an incompatible
/// waste in the zone (6.1.2) is answered as a warning.
#[utoipa::path(post, path = "/api/v1/containers/{id}/move", request_body = NewMove,
    responses((status = 200, body = MovedView, description = "The container, moved, with the site's admission checks"), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)), security(("bearer" = [])))]
#[post("/api/v1/containers/{id}/move")]
pub async fn move_container(
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<web::Json<MovedView>, ApiError> {
    let new: NewMove = parse_json(&body)?;
    let env = state.env();
    let m = change(&state, move |tx| {
        uc::move_container(tx, &env, &user, &path, &new.site_id, new.zone.as_deref())
    })
    .await?;
    Ok(web::Json(view::moved(m)))
}
