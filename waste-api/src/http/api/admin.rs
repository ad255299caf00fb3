//! Administration: an organisation's contact and licence renewals, its users (list, change, a new token), and a
//! contract's confirmation and early end.

use super::{ErrorEnvelope, Page, Paged, change, read};
use crate::app::admin::{self as uc, ChangeOrganization, ChangeUser};
use crate::auth::AuthUser;
use crate::body::parse_json;
use crate::error::ApiError;
use crate::state::AppState;
use crate::views::parties::{self as view, Contract, NewToken, Organization, User};
use actix_web::{HttpResponse, get, patch, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

/// A licence renewal: a new version from `valid_from` (default today); every earlier version is kept.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenseRenewal {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub number: String,
    #[schema(value_type = Vec<crate::views::WasteCode>, min_items = 1, max_items = 100)]
    pub waste_codes: Vec<String>,
    /// YYYY-MM-DD; default today.
    #[schema(format = Date)]
    pub valid_from: Option<String>,
    /// YYYY-MM-DD
    #[schema(format = Date)]
    pub valid_until: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationChange {
    /// A contact (person, telephone), 1 to 200 characters: an administrator or the organisation's safety officer.
    pub contact: Option<String>,
    /// A renewed licence (an administrator).
    pub license: Option<LicenseRenewal>,
}

/// Change an organisation's contact, or record a renewed licence as a new version (the old one kept; a manifest
/// is checked against the licence valid on its own date).
#[utoipa::path(patch, path = "/api/v1/organizations/{id}", request_body = OrganizationChange,
    responses(
        (status = 200, description = "The organisation with every licence version", body = Organization),
        (status = 400, description = "The body is not JSON", body = ErrorEnvelope),
        (status = 401, description = "No valid token", body = ErrorEnvelope),
        (status = 403, description = "Not an administrator (licence) or the organisation's safety officer (contact)", body = ErrorEnvelope),
        (status = 404, description = "No such organisation, or another organisation's", body = ErrorEnvelope),
        (status = 422, description = "A field is invalid, named in details.field", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[patch("/api/v1/organizations/{id}")]
pub async fn patch_organization(
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<web::Json<Organization>, ApiError> {
    let b: OrganizationChange = parse_json(&body)?;
    let cmd = ChangeOrganization::parse(
        b.contact.as_deref(),
        b.license.as_ref().map(|l| {
            (
                l.number.as_str(),
                l.waste_codes.as_slice(),
                l.valid_from.as_deref(),
                l.valid_until.as_str(),
            )
        }),
    )?;
    let (env, id) = (state.env(), path.into_inner());
    let (row, licences) = change(&state, move |tx| {
        let row = uc::change_organization(tx, &env, &user, &id, cmd)?;
        let licences = uc::licences(tx, &id)?;
        Ok((row, licences))
    })
    .await?;
    Ok(web::Json(view::organization_with(row, licences)))
}

/// The users of an organisation (an administrator, or the organisation's safety officer).
#[utoipa::path(get, path = "/api/v1/organizations/{id}/users", params(Page),
    responses(
        (status = 200, description = "A page of users, without tokens", body = Paged<User>),
        (status = 401, description = "No valid token", body = ErrorEnvelope),
        (status = 403, description = "Not an administrator or the organisation's safety officer", body = ErrorEnvelope),
        (status = 404, description = "No such organisation, or another organisation's", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[get("/api/v1/organizations/{id}/users")]
pub async fn list_users(
    user: AuthUser,
    path: web::Path<String>,
    page: web::Query<Page>,
    state: web::Data<AppState>,
) -> Result<web::Json<Paged<User>>, ApiError> {
    let keyset = page.keyset()?;
    let found = read(&state, move |c| uc::users_of(c, &user, &path, &keyset)).await?;
    Ok(web::Json(found.map(view::user).into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    /// The user's roles from now on (each one the caller may grant, each one belonging in the organisation).
    #[schema(value_type = Option<Vec<waste_core::party::Role>>, min_items = 1, max_items = 7)]
    pub roles: Option<Vec<String>>,
    /// A renewed training date (YYYY-MM-DD), recorded with who set it; the caller needs a current training
    /// record of their own unless an administrator.
    #[schema(format = Date)]
    pub trained_until: Option<String>,
    /// false deactivates: the user's token and browser sessions stop working at once.
    pub active: Option<bool>,
}

/// Change a user's roles, training date or active state (an administrator, or the organisation's safety officer;
/// nobody changes their own).
#[utoipa::path(patch, path = "/api/v1/users/{id}", request_body = UserChange,
    responses(
        (status = 200, description = "The user as changed", body = User),
        (status = 400, description = "The body is not JSON", body = ErrorEnvelope),
        (status = 401, description = "No valid token", body = ErrorEnvelope),
        (status = 403, description = "Not allowed: a role the caller may not grant, one's own record, or the caller's training expired", body = ErrorEnvelope),
        (status = 404, description = "No such user, or another organisation's", body = ErrorEnvelope),
        (status = 422, description = "A field is invalid (or a role foreign to the organisation), named in details.field", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[patch("/api/v1/users/{id}")]
pub async fn patch_user(
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<web::Json<User>, ApiError> {
    let b: UserChange = parse_json(&body)?;
    let cmd = ChangeUser::parse(b.roles.as_deref(), b.trained_until.as_deref(), b.active)?;
    let (env, id) = (state.env(), path.into_inner());
    let row = change(&state, move |tx| uc::change_user(tx, &env, &user, &id, cmd)).await?;
    Ok(web::Json(view::user(row)))
}

/// Issue a new token for a user (the user themselves or an administrator). The new token is shown once; the old
/// one is revoked at once, the user's browser sessions end and their unused sign-in links stop working.
#[utoipa::path(post, path = "/api/v1/users/{id}/token",
    responses(
        (status = 200, description = "The new token, shown once (Cache-Control: no-store)", body = NewToken),
        (status = 401, description = "No valid token", body = ErrorEnvelope),
        (status = 403, description = "Not the user themself nor an administrator", body = ErrorEnvelope),
        (status = 404, description = "No such user, or another organisation's", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[post("/api/v1/users/{id}/token")]
pub async fn new_token(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let token = crate::auth::new_token()?;
    let hash = crate::auth::hash_token(&token);
    let (env, id) = (state.env(), path.into_inner());
    let target = id.clone();
    change(&state, move |tx| {
        uc::replace_token(tx, &env, &user, &id, hash)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(NewToken { id: target, token }))
}

/// Confirm a contract the other party recorded (that party's safety officer, or an administrator): from then on
/// it counts for a manifest's submission.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/confirm",
    responses(
        (status = 200, description = "The contract, confirmed", body = Contract),
        (status = 401, description = "No valid token", body = ErrorEnvelope),
        (status = 403, description = "Not a safety officer, or of the party that recorded it", body = ErrorEnvelope),
        (status = 404, description = "No such contract, or not the caller's organisation's", body = ErrorEnvelope),
        (status = 409, description = "Already confirmed (already_confirmed)", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[post("/api/v1/contracts/{id}/confirm")]
pub async fn confirm_contract(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<Contract>, ApiError> {
    let (env, id) = (state.env(), path.into_inner());
    let row = change(&state, move |tx| uc::confirm_contract(tx, &env, &user, &id)).await?;
    Ok(web::Json(view::contract(row)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractChange {
    /// The day from which the contract no longer counts (YYYY-MM-DD, default today; not in the past, not after
    /// its end date).
    #[schema(format = Date)]
    pub ended_on: Option<String>,
}

/// End a contract early (a party's safety officer, or an administrator).
#[utoipa::path(patch, path = "/api/v1/contracts/{id}", request_body = ContractChange,
    responses(
        (status = 200, description = "The contract, ended", body = Contract),
        (status = 400, description = "The body is not JSON", body = ErrorEnvelope),
        (status = 401, description = "No valid token", body = ErrorEnvelope),
        (status = 403, description = "Not a safety officer or an administrator", body = ErrorEnvelope),
        (status = 404, description = "No such contract, or not the caller's organisation's", body = ErrorEnvelope),
        (status = 409, description = "Already ended (contract_ended)", body = ErrorEnvelope),
        (status = 422, description = "ended_on is invalid, in the past or after the end date", body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[patch("/api/v1/contracts/{id}")]
pub async fn patch_contract(
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<web::Json<Contract>, ApiError> {
    let b: ContractChange = parse_json(&body)?;
    let (env, id) = (state.env(), path.into_inner());
    let row = change(&state, move |tx| {
        uc::end_contract(tx, &env, &user, &id, b.ended_on.as_deref())
    })
    .await?;
    Ok(web::Json(view::contract(row)))
}
