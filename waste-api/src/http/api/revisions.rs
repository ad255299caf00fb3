//! Corrections of a signed manifest (Transfer Measures Art.29): propose, approve, refuse, and the history.

use super::{ErrorEnvelope, change, create, read};
use crate::app::revisions::{self as uc, Decide, LineInput, Propose};
use crate::auth::AuthUser;
use crate::body::parse_json;
use crate::error::ApiError;
use crate::state::AppState;
use crate::views::revisions::{self as view, RevisionList, RevisionView};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::ToSchema;
use waste_core::revision::Verdict;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRevision {
    /// The lines to correct, each with only the values that change.
    #[serde(default)]
    #[schema(max_items = 500)]
    pub lines: Vec<RevisionLine>,
    /// The corrected disposal or utilisation method of a disposed manifest: D1–D15 or R1–R13 (Basel Convention
    /// Annex IV).
    #[schema(pattern = r"^[DR][1-9][0-9]?$", example = "D10")]
    pub disposal_method: Option<String>,
    /// Why the manifest is corrected, 1 to 500 characters.
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevisionLine {
    pub container_id: String,
    /// Corrected shipped weight, decimal string, kg.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", example = "6.2")]
    pub shipped_weight_kg: Option<String>,
    /// Corrected received weight (a received line only), decimal string, kg.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", example = "5.15")]
    pub received_weight_kg: Option<String>,
    /// Corrected National Catalogue code, listed in the catalogue in force.
    #[schema(pattern = r"^\d{3}-\d{3}-\d{2}$", example = "900-047-49")]
    pub code: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveBody {
    /// A note with the approval, at most 500 characters.
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefuseBody {
    /// Why the correction is refused, 1 to 500 characters.
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Propose a correction of a received or disposed manifest the caller's organisation is a party to (weights,
/// waste codes, disposal method) with a reason -> `pending`. Each other party that signed the manifest approves
/// or refuses; it applies when all have approved (Transfer Measures Art.29). One pending revision per manifest.
#[utoipa::path(post, path = "/api/v1/manifests/{id}/revisions", request_body = NewRevision,
    responses((status = 201, body = RevisionView, description = "The revision, `pending` (or `applied` when no other party must approve)"), (status = 403, description = "Not a role that signs for the caller's part, or training expired", body = ErrorEnvelope), (status = 404, description = "No such manifest of the caller's organisation", body = ErrorEnvelope), (status = 409, description = "Not received or disposed (`revision_not_allowed`), another revision pending (`revision_pending`), nothing changes (`revision_without_change`)", body = ErrorEnvelope), (status = 422, description = "Invalid field: reason, a line's container, weight or code (not in the catalogue in force), disposal method", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[post("/api/v1/manifests/{id}/revisions")]
pub async fn propose(
    req: HttpRequest,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let b: NewRevision = parse_json(&body)?;
    let lines = b
        .lines
        .into_iter()
        .map(|l| LineInput {
            container_id: l.container_id,
            shipped_weight_kg: l.shipped_weight_kg,
            received_weight_kg: l.received_weight_kg,
            code: l.code,
        })
        .collect();
    let cmd = Propose::parse(lines, b.disposal_method.as_deref(), b.reason)?;
    let env = state.env();
    let id = path.into_inner();
    create(&state, &req, user.id.clone(), &body, move |tx| {
        Ok(view::revision(&uc::propose(tx, &env, &user, &id, cmd)?))
    })
    .await
}

async fn decide(
    user: AuthUser,
    id: String,
    cmd: Decide,
    state: web::Data<AppState>,
) -> Result<web::Json<RevisionView>, ApiError> {
    let env = state.env();
    let r = change(&state, move |tx| uc::decide(tx, &env, &user, &id, cmd)).await?;
    Ok(web::Json(view::revision(&r)))
}

/// Approve a pending revision, as a party whose approval it awaits; the last approval applies it to the manifest
/// (its lines then read the corrected values). The body may be empty.
#[utoipa::path(post, path = "/api/v1/revisions/{id}/approve", request_body = ApproveBody,
    responses((status = 200, body = RevisionView, description = "The revision, `pending` or `applied`"), (status = 403, description = "The revision does not await the caller's organisation (the proposer's, or not a party), or the caller's role does not sign for its part", body = ErrorEnvelope), (status = 404, description = "No such revision of a manifest of the caller's organisation", body = ErrorEnvelope), (status = 409, description = "Closed (`revision_closed`), already approved (`revision_already_approved`), or the manifest changed since (`revision_outdated`)", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[post("/api/v1/revisions/{id}/approve")]
pub async fn approve(
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<web::Json<RevisionView>, ApiError> {
    let note = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        parse_json::<ApproveBody>(&body)?.note
    };
    let cmd = Decide::parse(Verdict::Approve, note)?;
    decide(user, path.into_inner(), cmd, state).await
}

/// Refuse a pending revision with a reason, as a party whose approval it awaits: it closes as `refused` and
/// nothing changes.
#[utoipa::path(post, path = "/api/v1/revisions/{id}/refuse", request_body = RefuseBody,
    responses((status = 200, body = RevisionView, description = "The revision, `refused`"), (status = 403, description = "The revision does not await the caller's organisation, or the caller's role does not sign for its part", body = ErrorEnvelope), (status = 404, description = "No such revision of a manifest of the caller's organisation", body = ErrorEnvelope), (status = 409, description = "Closed (`revision_closed`) or already approved (`revision_already_approved`)", body = ErrorEnvelope), (status = 422, description = "No reason, or one over 500 characters", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[post("/api/v1/revisions/{id}/refuse")]
pub async fn refuse(
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<web::Json<RevisionView>, ApiError> {
    let b: RefuseBody = parse_json(&body)?;
    let cmd = Decide::parse(Verdict::Refuse, Some(b.reason))?;
    decide(user, path.into_inner(), cmd, state).await
}

/// The revisions of a manifest the caller may see, oldest first: each change with its old and new value, the
/// reason, who proposed it, and every approval or refusal with name, role and time.
#[utoipa::path(get, path = "/api/v1/manifests/{id}/revisions",
    responses((status = 200, body = RevisionList, description = "The manifest's revisions"), (status = 404, description = "No such manifest the caller may see", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[get("/api/v1/manifests/{id}/revisions")]
pub async fn list(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<RevisionList>, ApiError> {
    let id = path.into_inner();
    let rs = read(&state, move |c| uc::list(c, &user, &id)).await?;
    Ok(web::Json(view::list(&rs)))
}
