//! Bearer tokens (random, shown once, stored as a SHA-256 hash) and the extractor that yields the user.

use crate::error::ApiError;
use crate::schema::{organizations, users};
use crate::state::AppState;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use diesel::prelude::*;
use sha2::{Digest, Sha256};
use std::future::Future;
use std::pin::Pin;
use time::Date;
use waste_core::party::{OrgKind, Role};

/// 32 random bytes, hex: 256 bits from the operating system's generator.
pub fn new_token() -> Result<String, ApiError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| ApiError::Internal(format!("random: {e}")))?;
    Ok(format!("wst_{}", hex::encode(b)))
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Recently authenticated tokens (by hash), so that a burst of requests does not look the same token up each
/// time. An entry lives `SESSION_TTL`: a change to a user (roles, training date) reaches requests within that time.
#[derive(Default)]
pub struct SessionCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (AuthUser, std::time::Instant)>>,
}

pub const SESSION_TTL: std::time::Duration = std::time::Duration::from_secs(5);
const SESSION_MAX: usize = 10_000;

impl SessionCache {
    fn get(&self, hash: &str) -> Option<AuthUser> {
        let m = self.entries.lock().ok()?;
        m.get(hash)
            .filter(|(_, at)| at.elapsed() < SESSION_TTL)
            .map(|(u, _)| u.clone())
    }
    fn put(&self, hash: String, user: AuthUser) {
        if let Ok(mut m) = self.entries.lock() {
            if m.len() >= SESSION_MAX {
                m.retain(|_, (_, at)| at.elapsed() < SESSION_TTL);
                if m.len() >= SESSION_MAX {
                    m.clear();
                }
            }
            m.insert(hash, (user, std::time::Instant::now()));
        }
    }
}

/// The authenticated user and the organisation they act for.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: String,
    pub name: String,
    pub org_id: String,
    pub org_kind: OrgKind,
    pub roles: Vec<Role>,
    pub trained_until: Option<Date>,
}

impl AuthUser {
    pub fn has(&self, r: Role) -> bool {
        self.roles.contains(&r)
    }
    pub fn is_admin(&self) -> bool {
        self.has(Role::Admin)
    }
    pub fn require_any(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.iter().any(|r| self.has(*r)) {
            Ok(())
        } else {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(ApiError::Forbidden(format!(
                "this needs one of the roles: {}",
                names.join(", ")
            )))
        }
    }
    /// The governance plan: 100% trained before work. A signing or recording action needs a current record.
    pub fn require_training(&self, today: Date) -> Result<(), ApiError> {
        match self.trained_until {
            Some(d) if d >= today => Ok(()),
            _ => Err(ApiError::TrainingExpired),
        }
    }
    pub fn actor(&self) -> String {
        format!("user:{}", self.id)
    }
}

pub fn parse_roles(s: &str) -> Vec<Role> {
    s.split(',').filter_map(Role::parse).collect()
}

pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_owned());
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let (Some(token), Some(state)) = (token, state) else {
                return Err(ApiError::Unauthenticated);
            };
            if token.is_empty() || token.len() > 200 {
                return Err(ApiError::Unauthenticated);
            }
            let hash = hash_token(&token);
            if let Some(user) = state.sessions.get(&hash) {
                return Ok(user);
            }
            let key = hash.clone();
            let row = state
                .db(move |c| {
                    users::table
                        .inner_join(organizations::table)
                        .filter(users::token_hash.eq(hash))
                        .select((
                            users::id,
                            users::name,
                            users::organization_id,
                            organizations::kind,
                            users::roles,
                            users::trained_until,
                        ))
                        .first::<(String, String, String, String, String, Option<String>)>(c)
                        .optional()
                        .map_err(ApiError::from)
                })
                .await?;
            let Some((id, name, org_id, kind, roles, trained)) = row else {
                return Err(ApiError::Unauthenticated);
            };
            let user = AuthUser {
                id,
                name,
                org_id,
                org_kind: OrgKind::parse(&kind).ok_or_else(|| {
                    ApiError::Internal(format!("stored organisation kind '{kind}'"))
                })?,
                roles: parse_roles(&roles),
                trained_until: trained.as_deref().and_then(parse_date),
            };
            state.sessions.put(key, user.clone());
            Ok(user)
        })
    }
}
