//! Organisations, users and contracts.

use super::{Created, ErrorEnvelope, Page, Paged, create, read, respond};
use crate::app::parties::{
    self as uc, LicenceInput, NewOrganization as Register, RecordContract, RegisterUser,
};
use crate::auth::AuthUser;
use crate::body::{Stored, idempotency_key, idempotent, parse_json, request_hash};
use crate::error::ApiError;
use crate::state::AppState;
#[allow(unused_imports)]
use crate::views::WasteCode;
use crate::views::parties::{self as view, Contract, CreatedUser, License, Me, Organization};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use waste_core::access::Action;
#[allow(unused_imports)]
use waste_core::party::{OrgKind, Role};

pub use uc::bootstrap_admin;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganization {
    #[schema(value_type = OrgKind)]
    pub kind: String,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    /// 18-character unified social credit code (GB 32100-2015 check character).
    #[schema(
        min_length = 18,
        max_length = 18,
        pattern = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
    )]
    pub credit_code: String,
    /// 6-digit administrative division code.
    #[schema(value_type = crate::views::RegionCode)]
    pub region_code: String,
    /// Required for disposal firms.
    pub license: Option<License>,
}

/// Create an organisation (admin).
#[utoipa::path(post, path = "/api/v1/organizations", request_body = NewOrganization,
    responses((status = 201, body = Created, description = "The organisation is registered; its id"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[post("/api/v1/organizations")]
pub async fn create_organization(
    req: HttpRequest,
    user: AuthUser,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    Ok(respond(
        create_organization_for(&state, user, &body, key, req.path()).await?,
    ))
}

/// Registers an organisation from a `NewOrganization` JSON body: the API handler and the web page both call this.
pub async fn create_organization_for(
    state: &AppState,
    user: AuthUser,
    body: &[u8],
    key: Option<String>,
    path: &str,
) -> Result<Stored, ApiError> {
    user.may(Action::RegisterOrganization)?;
    let new: NewOrganization = parse_json(body)?;
    let licence = new.license.map(|l| LicenceInput {
        number: l.number,
        waste_codes: l.waste_codes,
        valid_until: l.valid_until,
    });
    let cmd = Register::parse(
        &new.kind,
        &new.name,
        &new.credit_code,
        &new.region_code,
        licence.as_ref(),
    )?;
    let (hash, env, uid) = (request_hash(path, body), state.env(), user.id.clone());
    state
        .write(move |c| {
            idempotent(c, &uid, key.as_deref(), &hash, |tx| {
                let id = uc::register_organization(tx, &env, &user, cmd)?;
                Ok(Stored::created(json!({ "id": id }).to_string()))
            })
        })
        .await
}

/// Organisations the caller may see: all for an administrator, those of its division for an authority's auditor,
/// otherwise its own.
#[utoipa::path(get, path = "/api/v1/organizations", params(Page), responses((status = 200, body = Paged<Organization>, description = "A page of organisations"), (status = 401, body = ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/organizations")]
pub async fn list_organizations(
    user: AuthUser,
    page: web::Query<Page>,
    state: web::Data<AppState>,
) -> Result<web::Json<Paged<Organization>>, ApiError> {
    let keyset = page.keyset()?;
    let found = read(&state, move |c| uc::organizations(c, &user, &keyset)).await?;
    Ok(web::Json(found.map(view::organization).into()))
}

/// An organisation the caller may see.
#[utoipa::path(get, path = "/api/v1/organizations/{id}", responses((status = 200, body = Organization, description = "The organisation"), (status = 404, body = ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/organizations/{id}")]
pub async fn get_organization(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<Organization>, ApiError> {
    let (row, licences) = read(&state, move |c| {
        let row = uc::organization(c, &user, &path)?;
        let licences = crate::app::admin::licences(c, &row.id)?;
        Ok((row, licences))
    })
    .await?;
    Ok(web::Json(view::organization_with(row, licences)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    #[schema(value_type = Vec<Role>, min_items = 1, max_items = 7)]
    pub roles: Vec<String>,
    /// Date until which the user's safety training is valid (YYYY-MM-DD).
    #[schema(format = Date)]
    pub trained_until: Option<String>,
}

/// Create a user of an organisation (admin, or that organisation's safety officer). The token is shown once.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/users", request_body = NewUser,
    responses((status = 201, body = CreatedUser, description = "The user is registered; the token and the sign-in link are shown this once (null on a replay)"), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)), security(("bearer" = [])))]
#[post("/api/v1/organizations/{id}/users")]
pub async fn create_user(
    req: HttpRequest,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    Ok(respond(
        create_user_for(&state, user, path.into_inner(), &body, key, req.path()).await?,
    ))
}

/// Registers a user from a `NewUser` JSON body, with a bearer token and a one-time browser sign-in link, both
/// shown once: the API handler and the web page both call this.
pub async fn create_user_for(
    state: &AppState,
    user: AuthUser,
    org_id: String,
    body: &[u8],
    key: Option<String>,
    path: &str,
) -> Result<Stored, ApiError> {
    uc::may_register_user(&user, &org_id, &[])?;
    let new: NewUser = parse_json(body)?;
    let cmd = RegisterUser::parse(org_id, &new.name, &new.roles, new.trained_until.as_deref())?;
    uc::may_register_user(&user, &cmd.organization_id, &cmd.roles)?;
    let token = uc::new_token()?;
    let token_hash = uc::hash_token(&token);
    let link = crate::credentials::new_link_token()?;
    let shown_link = crate::credentials::link_path(&link);
    let (hash, env, uid) = (request_hash(path, body), state.env(), user.id.clone());
    let out = state
        .write(move |c| {
            idempotent(c, &uid, key.as_deref(), &hash, |tx| {
                let id = uc::register_user(tx, &env, &user, cmd, token_hash)?;
                crate::credentials::store_link(tx.conn(), &id, &link)?;
                // The token and the link are added to the answer below, never stored: a replay cannot show them.
                Ok(Stored::created(json!({ "id": id }).to_string()))
            })
        })
        .await?;
    let mut v: serde_json::Value =
        serde_json::from_str(&out.body).map_err(|e| ApiError::Internal(e.to_string()))?;
    (v["token"], v["signin_link"]) = if out.replayed {
        (serde_json::Value::Null, serde_json::Value::Null)
    } else {
        (json!(token), json!(shown_link))
    };
    Ok(Stored {
        body: v.to_string(),
        ..out
    })
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me, description = "The caller"), (status = 401, body = ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/me")]
pub async fn me(user: AuthUser) -> web::Json<Me> {
    web::Json(view::me(&user))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContract {
    pub shipper_id: String,
    pub disposal_firm_id: String,
    #[schema(format = Date)]
    pub valid_from: String,
    #[schema(format = Date)]
    pub valid_until: String,
    /// National Catalogue codes the contract covers, e.g. "900-047-49".
    #[schema(value_type = Vec<WasteCode>, min_items = 1, max_items = 100)]
    pub waste_codes: Vec<String>,
}

/// Record a disposal contract between a shipper (school or transfer station) and a licensed disposal firm
/// (admin, or a safety officer of either party). A party's record counts once the other party confirms it
/// (`POST /api/v1/contracts/{id}/confirm`); an administrator's counts at once.
#[utoipa::path(post, path = "/api/v1/contracts", request_body = NewContract,
    responses((status = 201, body = Created, description = "The contract is recorded; its id"), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)), security(("bearer" = [])))]
#[post("/api/v1/contracts")]
pub async fn create_contract(
    req: HttpRequest,
    user: AuthUser,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let new: NewContract = parse_json(&body)?;
    uc::may_record_contract(&user, &new.shipper_id, &new.disposal_firm_id)?;
    let cmd = RecordContract::parse(
        new.shipper_id,
        new.disposal_firm_id,
        &new.valid_from,
        &new.valid_until,
        &new.waste_codes,
    )?;
    let env = state.env();
    create(&state, &req, user.id.clone(), &body, move |tx| {
        Ok(Created {
            id: uc::record_contract(tx, &env, &user, cmd)?,
        })
    })
    .await
}

/// Contracts the caller's organisation is a party to (all for an administrator; those with a party in its
/// division for an authority's auditor). `confirmed` says whether each counts for a submission.
#[utoipa::path(get, path = "/api/v1/contracts", params(Page), responses((status = 200, body = Paged<Contract>, description = "A page of contracts")), security(("bearer" = [])))]
#[get("/api/v1/contracts")]
pub async fn list_contracts(
    user: AuthUser,
    page: web::Query<Page>,
    state: web::Data<AppState>,
) -> Result<web::Json<Paged<Contract>>, ApiError> {
    let keyset = page.keyset()?;
    let found = read(&state, move |c| uc::contracts(c, &user, &keyset)).await?;
    Ok(web::Json(found.map(view::contract).into()))
}
