//! The manifest's roadside link and its printable document.

use super::{ErrorEnvelope, change, read};
use crate::app::{chain, road_links};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, get, post, web};
use askama::Template;
use serde_json::json;

/// Issue a roadside link: a URL that shows the manifest read-only without signing in for 30 minutes (a party
/// to the manifest: its driver or the shipping station). The secret is shown once.
#[utoipa::path(post, path = "/api/v1/manifests/{id}/road-link",
    responses((status = 201, body = crate::views::custody::RoadLinkView, description = "The link, shown once"), (status = 403, body = ErrorEnvelope, description = "Not a driver or station operator"), (status = 404, body = ErrorEnvelope, description = "No such manifest of the caller's organisation")), security(("bearer" = [])))]
#[post("/api/v1/manifests/{id}/road-link")]
pub async fn road_link(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    user.may(waste_core::access::Action::RoadsideLink)?;
    let token = road_links::new_token()?;
    let env = state.env();
    let id = path.into_inner();
    let issued = change(&state, move |tx| {
        road_links::issue(tx, &env, &user, &id, token)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(json!({ "manifest_id": issued.manifest_id, "url": format!("/r/{}", issued.token), "expires_at": issued.expires_at })))
}

/// The manifest as a printable A4 document (HTML, bilingual, its number as a QR code, the parties with their
/// credit codes, the firm's licence, the lines, every signature).
#[utoipa::path(get, path = "/api/v1/manifests/{id}/print",
    responses((status = 200, content_type = "text/html", body = String, description = "The printable A4 manifest (HTML)"), (status = 404, body = ErrorEnvelope, description = "No such manifest the caller may see")), security(("bearer" = [])))]
#[get("/api/v1/manifests/{id}/print")]
pub async fn print(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let today = state.clock.today();
    let sheet = read(&state, move |c| chain::sheet(c, &user, &id, today)).await?;
    let body = crate::views::print::document(state.clock.zone(), &[sheet])
        .render()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut resp = HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body);
    resp.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(crate::views::print::CSP),
    );
    Ok(resp)
}
