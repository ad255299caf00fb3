//! Organisations, users, contracts.

use super::{Created, Page, Paged, respond};
use crate::auth::{AuthUser, hash_token, new_token, parse_date};
use crate::body::{Stored, idempotency_key, idempotent, parse_json, request_hash};
use crate::error::ApiError;
use crate::schema::{contracts, organizations, users};
use crate::state::{AppState, new_id, now};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use waste_core::catalogue::HwCode;
use waste_core::party::{OrgKind, Role, validate_credit_code, validate_region_code};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganization {
    /// school | transfer_station | disposal_firm | carrier | authority
    pub kind: String,
    pub name: String,
    /// 18-character unified social credit code (GB 32100-2015 check character).
    pub credit_code: String,
    /// 6-digit administrative division code.
    pub region_code: String,
    /// Required for disposal firms.
    pub license: Option<License>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct License {
    pub number: String,
    pub waste_codes: Vec<String>,
    /// YYYY-MM-DD
    pub valid_until: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Organization {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub credit_code: Option<String>,
    pub region_code: String,
    pub license: Option<License>,
    pub created_at: String,
}

type OrgRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

fn org_columns() -> (
    organizations::id,
    organizations::kind,
    organizations::name,
    organizations::credit_code,
    organizations::region_code,
    organizations::license_number,
    organizations::license_waste_codes,
    organizations::license_valid_until,
    organizations::created_at,
) {
    (
        organizations::id,
        organizations::kind,
        organizations::name,
        organizations::credit_code,
        organizations::region_code,
        organizations::license_number,
        organizations::license_waste_codes,
        organizations::license_valid_until,
        organizations::created_at,
    )
}

fn org_from(r: OrgRow) -> Organization {
    let license = match (r.5, r.6, r.7) {
        (Some(number), Some(codes), Some(valid_until)) => Some(License {
            number,
            waste_codes: serde_json::from_str(&codes).unwrap_or_default(),
            valid_until,
        }),
        _ => None,
    };
    Organization {
        id: r.0,
        kind: r.1,
        name: r.2,
        credit_code: r.3,
        region_code: r.4,
        license,
        created_at: r.8,
    }
}

fn text(field: &str, s: &str, max: usize) -> Result<String, ApiError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(ApiError::invalid(field, "must not be empty"));
    }
    if t.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!("longer than {max} characters"),
        ));
    }
    Ok(t.to_owned())
}

fn codes(field: &str, list: &[String]) -> Result<Vec<String>, ApiError> {
    if list.is_empty() || list.len() > 100 {
        return Err(ApiError::invalid(field, "must list 1 to 100 waste codes"));
    }
    let mut out = Vec::new();
    for (i, c) in list.iter().enumerate() {
        let code = HwCode::parse(c.trim())
            .map_err(|e| ApiError::invalid(format!("{field}[{i}]"), e.to_string()))?;
        if !out.contains(&code.to_string()) {
            out.push(code.to_string());
        }
    }
    Ok(out)
}

fn date(field: &str, s: &str) -> Result<time::Date, ApiError> {
    parse_date(s.trim())
        .ok_or_else(|| ApiError::invalid(field, format!("'{s}' is not a date (YYYY-MM-DD)")))
}

/// Create an organisation (admin).
#[utoipa::path(post, path = "/api/v1/organizations", request_body = NewOrganization,
    responses((status = 201, body = Created), (status = 401, body = super::ErrorEnvelope), (status = 403, body = super::ErrorEnvelope), (status = 409, body = super::ErrorEnvelope), (status = 422, body = super::ErrorEnvelope)),
    security(("bearer" = [])))]
#[post("/api/v1/organizations")]
pub async fn create_organization(
    req: HttpRequest,
    user: AuthUser,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    if !user.is_admin() {
        return Err(ApiError::Forbidden(
            "only an administrator creates organisations".into(),
        ));
    }
    let new: NewOrganization = parse_json(&body)?;
    let kind = OrgKind::parse(&new.kind).ok_or_else(|| ApiError::invalid("kind", format!("unknown kind '{}'; one of school, transfer_station, disposal_firm, carrier, authority", new.kind)))?;
    let name = text("name", &new.name, 200)?;
    let credit = validate_credit_code(&new.credit_code)
        .map_err(|e| ApiError::invalid("credit_code", e.to_string()))?;
    let region =
        validate_region_code(&new.region_code).map_err(|e| ApiError::invalid("region_code", e))?;
    let license = match (&new.license, kind) {
        (None, OrgKind::DisposalFirm) => {
            return Err(ApiError::invalid(
                "license",
                "a disposal firm must carry its licence (number, waste codes, expiry)",
            ));
        }
        (None, _) => None,
        (Some(l), _) => {
            let number = text("license.number", &l.number, 100)?;
            let list = codes("license.waste_codes", &l.waste_codes)?;
            let until = date("license.valid_until", &l.valid_until)?;
            Some((
                number,
                serde_json::to_string(&list).unwrap_or_default(),
                until.to_string(),
            ))
        }
    };
    let key = idempotency_key(&req)?;
    let hash = request_hash(req.path(), &body);
    let uid = user.id.clone();
    let out = state
        .write(move |c| {
            idempotent(c, &uid, key.as_deref(), &hash, |c| {
                let c = c.conn();
                let taken: i64 = organizations::table
                    .filter(organizations::credit_code.eq(&credit))
                    .count()
                    .get_result(c)?;
                if taken > 0 {
                    return Err(ApiError::conflict(
                        "duplicate_credit_code",
                        format!("an organisation with credit code {credit} exists"),
                        json!({ "credit_code": credit }),
                    ));
                }
                let id = new_id();
                let (ln, lc, lv) = match &license {
                    Some((n, c, v)) => (Some(n.clone()), Some(c.clone()), Some(v.clone())),
                    None => (None, None, None),
                };
                diesel::insert_into(organizations::table)
                    .values((
                        organizations::id.eq(&id),
                        organizations::kind.eq(kind.as_str()),
                        organizations::name.eq(&name),
                        organizations::credit_code.eq(Some(&credit)),
                        organizations::region_code.eq(&region),
                        organizations::license_number.eq(ln),
                        organizations::license_waste_codes.eq(lc),
                        organizations::license_valid_until.eq(lv),
                        organizations::created_at.eq(now()),
                    ))
                    .execute(c)?;
                Ok(Stored::created(json!({ "id": id }).to_string()))
            })
        })
        .await?;
    Ok(respond(out))
}

/// Organisations the caller may see: all for an administrator or an authority, otherwise its own.
#[utoipa::path(get, path = "/api/v1/organizations", params(Page), responses((status = 200, body = Paged<Organization>), (status = 401, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/organizations")]
pub async fn list_organizations(
    user: AuthUser,
    page: web::Query<Page>,
    state: web::Data<AppState>,
) -> Result<web::Json<Paged<Organization>>, ApiError> {
    let limit = page.limit();
    let after = page.after.clone();
    let all = user.is_admin() || user.org_kind == OrgKind::Authority;
    let org = user.org_id.clone();
    let rows = state
        .db(move |c| {
            let mut q = organizations::table
                .select(org_columns())
                .order(organizations::id.asc())
                .limit(limit)
                .into_boxed();
            if !all {
                q = q.filter(organizations::id.eq(org));
            }
            if let Some(a) = after {
                q = q.filter(organizations::id.gt(a));
            }
            Ok(q.load::<OrgRow>(c)?)
        })
        .await?;
    let items: Vec<Organization> = rows.into_iter().map(org_from).collect();
    Ok(web::Json(
        crate::store::page::Keyset { limit, after: None }
            .page(items, |o| o.id.clone())
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/organizations/{id}", responses((status = 200, body = Organization), (status = 404, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/organizations/{id}")]
pub async fn get_organization(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<Organization>, ApiError> {
    let id = path.into_inner();
    if !(user.is_admin() || user.org_kind == OrgKind::Authority || user.org_id == id) {
        return Err(ApiError::NotFound("organisation"));
    }
    let row = state
        .db(move |c| {
            Ok(organizations::table
                .filter(organizations::id.eq(id))
                .select(org_columns())
                .first::<OrgRow>(c)
                .optional()?)
        })
        .await?;
    row.map(|r| web::Json(org_from(r)))
        .ok_or(ApiError::NotFound("organisation"))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub name: String,
    /// lab_staff | safety_officer | station_operator | driver | disposal_operator | auditor | admin
    pub roles: Vec<String>,
    /// Date until which the user's safety training is valid (YYYY-MM-DD).
    pub trained_until: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedUser {
    pub id: String,
    /// Shown once; only its hash is stored.
    pub token: String,
}

/// Create a user of an organisation (admin, or that organisation's safety officer). The token is shown once.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/users", request_body = NewUser,
    responses((status = 201, body = CreatedUser), (status = 403, body = super::ErrorEnvelope), (status = 404, body = super::ErrorEnvelope), (status = 422, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[post("/api/v1/organizations/{id}/users")]
pub async fn create_user(
    req: HttpRequest,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path.into_inner();
    let own_officer = user.org_id == org_id && user.has(Role::SafetyOfficer);
    if !(user.is_admin() || own_officer) {
        return Err(if user.org_id == org_id {
            ApiError::Forbidden(
                "only an administrator or the organisation's safety officer adds users".into(),
            )
        } else {
            ApiError::NotFound("organisation")
        });
    }
    let new: NewUser = parse_json(&body)?;
    let name = text("name", &new.name, 100)?;
    if new.roles.is_empty() || new.roles.len() > 7 {
        return Err(ApiError::invalid("roles", "list 1 to 7 roles"));
    }
    let mut roles = Vec::new();
    for (i, r) in new.roles.iter().enumerate() {
        let role = Role::parse(r).ok_or_else(|| {
            ApiError::invalid(format!("roles[{i}]"), format!("unknown role '{r}'"))
        })?;
        if role == Role::Admin && !user.is_admin() {
            return Err(ApiError::Forbidden(
                "only an administrator grants the admin role".into(),
            ));
        }
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    let trained = new
        .trained_until
        .as_deref()
        .map(|d| date("trained_until", d))
        .transpose()?;
    let token = new_token()?;
    let shown = token.clone();
    let key = idempotency_key(&req)?;
    let hash = request_hash(req.path(), &body);
    let uid = user.id.clone();
    let out = state
        .write(move |c| {
            idempotent(c, &uid, key.as_deref(), &hash, |c| {
                let c = c.conn();
                let exists: i64 = organizations::table
                    .filter(organizations::id.eq(&org_id))
                    .count()
                    .get_result(c)?;
                if exists == 0 {
                    return Err(ApiError::NotFound("organisation"));
                }
                let id = new_id();
                let role_text: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                diesel::insert_into(users::table)
                    .values((
                        users::id.eq(&id),
                        users::organization_id.eq(&org_id),
                        users::name.eq(&name),
                        users::roles.eq(role_text.join(",")),
                        users::trained_until.eq(trained.map(|d| d.to_string())),
                        users::token_hash.eq(hash_token(&token)),
                        users::created_at.eq(now()),
                    ))
                    .execute(c)?;
                // The token is added to the answer below, never stored: a replay cannot show it again.
                Ok(Stored::created(json!({ "id": id }).to_string()))
            })
        })
        .await?;
    let mut v: serde_json::Value =
        serde_json::from_str(&out.body).map_err(|e| ApiError::Internal(e.to_string()))?;
    v["token"] = if out.replayed {
        serde_json::Value::Null
    } else {
        json!(shown)
    };
    Ok(respond(Stored {
        body: v.to_string(),
        ..out
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub name: String,
    pub organization_id: String,
    pub organization_kind: String,
    pub roles: Vec<String>,
    pub trained_until: Option<String>,
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/me")]
pub async fn me(user: AuthUser) -> web::Json<Me> {
    web::Json(Me {
        id: user.id.clone(),
        name: user.name.clone(),
        organization_id: user.org_id.clone(),
        organization_kind: user.org_kind.as_str().into(),
        roles: user.roles.iter().map(|r| r.as_str().to_owned()).collect(),
        trained_until: user.trained_until.map(|d| d.to_string()),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContract {
    pub shipper_id: String,
    pub disposal_firm_id: String,
    pub valid_from: String,
    pub valid_until: String,
    pub waste_codes: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Contract {
    pub id: String,
    pub shipper_id: String,
    pub disposal_firm_id: String,
    pub valid_from: String,
    pub valid_until: String,
    pub waste_codes: Vec<String>,
}

/// Record a disposal contract between a shipper (school or transfer station) and a licensed disposal firm
/// (admin, or a safety officer of either party).
#[utoipa::path(post, path = "/api/v1/contracts", request_body = NewContract,
    responses((status = 201, body = Created), (status = 403, body = super::ErrorEnvelope), (status = 404, body = super::ErrorEnvelope), (status = 422, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[post("/api/v1/contracts")]
pub async fn create_contract(
    req: HttpRequest,
    user: AuthUser,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let new: NewContract = parse_json(&body)?;
    let party = user.org_id == new.shipper_id || user.org_id == new.disposal_firm_id;
    if !(user.is_admin() || (party && user.has(Role::SafetyOfficer))) {
        return Err(ApiError::Forbidden(
            "only an administrator or a party's safety officer records a contract".into(),
        ));
    }
    let from = date("valid_from", &new.valid_from)?;
    let until = date("valid_until", &new.valid_until)?;
    if until < from {
        return Err(ApiError::invalid("valid_until", "ends before valid_from"));
    }
    let list = codes("waste_codes", &new.waste_codes)?;
    let key = idempotency_key(&req)?;
    let hash = request_hash(req.path(), &body);
    let uid = user.id.clone();
    let out = state
        .write(move |c| {
            idempotent(c, &uid, key.as_deref(), &hash, |c| {
                let c = c.conn();
                let kinds: Vec<(String, String)> = organizations::table
                    .filter(organizations::id.eq_any([&new.shipper_id, &new.disposal_firm_id]))
                    .select((organizations::id, organizations::kind))
                    .load(c)?;
                let kind_of = |id: &str| {
                    kinds
                        .iter()
                        .find(|(i, _)| i == id)
                        .and_then(|(_, k)| OrgKind::parse(k))
                };
                match kind_of(&new.shipper_id) {
                    Some(OrgKind::School | OrgKind::TransferStation) => {}
                    Some(_) => {
                        return Err(ApiError::invalid(
                            "shipper_id",
                            "the shipper must be a school or a transfer station",
                        ));
                    }
                    None => return Err(ApiError::NotFound("shipper organisation")),
                }
                match kind_of(&new.disposal_firm_id) {
                    Some(OrgKind::DisposalFirm) => {}
                    Some(_) => {
                        return Err(ApiError::invalid(
                            "disposal_firm_id",
                            "must be a disposal firm",
                        ));
                    }
                    None => return Err(ApiError::NotFound("disposal firm")),
                }
                let id = new_id();
                diesel::insert_into(contracts::table)
                    .values((
                        contracts::id.eq(&id),
                        contracts::shipper_id.eq(&new.shipper_id),
                        contracts::disposal_firm_id.eq(&new.disposal_firm_id),
                        contracts::valid_from.eq(from.to_string()),
                        contracts::valid_until.eq(until.to_string()),
                        contracts::waste_codes.eq(serde_json::to_string(&list).unwrap_or_default()),
                        contracts::created_at.eq(now()),
                    ))
                    .execute(c)?;
                Ok(Stored::created(json!({ "id": id }).to_string()))
            })
        })
        .await?;
    Ok(respond(out))
}

/// Contracts the caller's organisation is a party to (all for an administrator or an authority).
#[utoipa::path(get, path = "/api/v1/contracts", params(Page), responses((status = 200, body = Paged<Contract>)), security(("bearer" = [])))]
#[get("/api/v1/contracts")]
pub async fn list_contracts(
    user: AuthUser,
    page: web::Query<Page>,
    state: web::Data<AppState>,
) -> Result<web::Json<Paged<Contract>>, ApiError> {
    let limit = page.limit();
    let after = page.after.clone();
    let all = user.is_admin() || user.org_kind == OrgKind::Authority;
    let org = user.org_id.clone();
    let rows = state
        .db(move |c| {
            let mut q = contracts::table
                .select((
                    contracts::id,
                    contracts::shipper_id,
                    contracts::disposal_firm_id,
                    contracts::valid_from,
                    contracts::valid_until,
                    contracts::waste_codes,
                ))
                .order(contracts::id.asc())
                .limit(limit)
                .into_boxed();
            if !all {
                q = q.filter(
                    contracts::shipper_id
                        .eq(org.clone())
                        .or(contracts::disposal_firm_id.eq(org)),
                );
            }
            if let Some(a) = after {
                q = q.filter(contracts::id.gt(a));
            }
            Ok(q.load::<(String, String, String, String, String, String)>(c)?)
        })
        .await?;
    let items: Vec<Contract> = rows
        .into_iter()
        .map(|r| Contract {
            id: r.0,
            shipper_id: r.1,
            disposal_firm_id: r.2,
            valid_from: r.3,
            valid_until: r.4,
            waste_codes: serde_json::from_str(&r.5).unwrap_or_default(),
        })
        .collect();
    Ok(web::Json(
        crate::store::page::Keyset { limit, after: None }
            .page(items, |o| o.id.clone())
            .into(),
    ))
}

/// Creates the first administrator when none exists: with `token` when given, else a fresh one (returned so the
/// caller can print it once).
/// The shortest bootstrap token accepted, and how many different characters it must hold at least: a secret of
/// 32 random characters, not a word or a repeated one ("aaaa…", "changeme" twice).
pub const BOOTSTRAP_TOKEN_MIN: usize = 32;
const BOOTSTRAP_TOKEN_DISTINCT: usize = 10;

/// A bootstrap token fit to be an administrator's secret: at least `BOOTSTRAP_TOKEN_MIN` visible ASCII characters
/// (no spaces), at least `BOOTSTRAP_TOKEN_DISTINCT` of them different.
pub fn check_bootstrap_token(t: &str) -> Result<String, ApiError> {
    let t = t.trim();
    let distinct = t.chars().collect::<std::collections::BTreeSet<_>>().len();
    if t.len() < BOOTSTRAP_TOKEN_MIN
        || !t.chars().all(|ch| ch.is_ascii_graphic())
        || distinct < BOOTSTRAP_TOKEN_DISTINCT
    {
        return Err(ApiError::invalid(
            "WASTE_BOOTSTRAP_TOKEN",
            format!(
                "must be at least {BOOTSTRAP_TOKEN_MIN} random visible ASCII characters (at least \
                 {BOOTSTRAP_TOKEN_DISTINCT} different ones, no spaces); unset it to have one generated"
            ),
        ));
    }
    Ok(t.to_owned())
}

pub fn bootstrap_admin(
    conn: &mut crate::db::AnyConnection,
    token: Option<&str>,
) -> Result<Option<String>, ApiError> {
    crate::db::write_tx(conn, |c| {
        // Several instances starting at once on one PostgreSQL: only one bootstraps (SQLite's BEGIN IMMEDIATE
        // already serialises this transaction).
        if let crate::db::AnyConnection::Postgresql(pg) = c {
            diesel::sql_query("SELECT pg_advisory_xact_lock(7231001)").execute(pg)?;
        }
        let admins: i64 = users::table
            .filter(users::roles.like("%admin%"))
            .count()
            .get_result(c)?;
        if admins > 0 {
            // A bootstrap value that is no administrator's token is refused loudly rather than ignored: an
            // operator who changed it expects it to work, and silently keeping the old one hides that it did not.
            if let Some(t) = token {
                let known: i64 = users::table
                    .filter(users::roles.like("%admin%"))
                    .filter(users::token_hash.eq(hash_token(t.trim())))
                    .count()
                    .get_result(c)?;
                if known == 0 {
                    return Err(ApiError::Invalid {
                        status: actix_web::http::StatusCode::CONFLICT,
                        code: "bootstrap_token_changed",
                        message: "WASTE_BOOTSTRAP_TOKEN is not the token of any administrator of this database: it \
                                  only sets the first administrator's token and cannot replace one; unset it, or set \
                                  it to a current administrator's token"
                            .into(),
                        details: serde_json::json!({}),
                    });
                }
            }
            return Ok(None);
        }
        let token = match token {
            Some(t) => check_bootstrap_token(t)?,
            None => new_token()?,
        };
        let org = new_id();
        diesel::insert_into(organizations::table)
            .values((
                organizations::id.eq(&org),
                organizations::kind.eq(OrgKind::Authority.as_str()),
                organizations::name.eq("平台管理 Platform administration"),
                organizations::credit_code.eq(None::<String>),
                organizations::region_code.eq("000000"),
                organizations::created_at.eq(now()),
            ))
            .execute(c)?;
        diesel::insert_into(users::table)
            .values((
                users::id.eq(new_id()),
                users::organization_id.eq(&org),
                users::name.eq("admin"),
                users::roles.eq("admin"),
                users::trained_until.eq(None::<String>),
                users::token_hash.eq(hash_token(&token)),
                users::created_at.eq(now()),
            ))
            .execute(c)?;
        Ok(Some(token))
    })
}
