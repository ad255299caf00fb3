//! `POST /api/v1/classify`: a decision without a container.

use crate::auth::AuthUser;
use crate::body::parse_json;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{post, web};
use waste_core::{Classification, Waste, WasteRequest, classify};

/// Classify a waste: GB 34330-2017 identification, National Catalogue code and hazards, collection stream, with
/// warnings and a trace that cites each rule. Same decision as `waste-api classify`.
#[utoipa::path(post, path = "/api/v1/classify", request_body(content = WasteRequest, description = "The waste: form, origin, components (see the README)"),
    responses((status = 200, body = Classification, description = "The decision with its warnings and the trace of rules"), (status = 401, body = super::ErrorEnvelope), (status = 422, body = super::ErrorEnvelope), (status = 400, body = super::ErrorEnvelope)),
    security(("bearer" = [])))]
#[post("/api/v1/classify")]
pub async fn classify_waste(
    _user: AuthUser,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<web::Json<Classification>, ApiError> {
    let req: WasteRequest = parse_json(&body)?;
    let waste = Waste::parse(req, &state.std.substances)?;
    Ok(web::Json(classify(state.std, &waste, state.clock.today())))
}
