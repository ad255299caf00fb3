//! Bearer tokens (random, shown once, stored as a SHA-256 hash) and the extractor that yields the user.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use std::future::Future;
use std::pin::Pin;

pub use crate::app::parties::{hash_token, new_token};

/// Recently authenticated tokens (by hash), so that a burst of requests does not look the same token up each
/// time. An entry lives `SESSION_TTL`; a change to a user through this service (`forget_user`: token replaced,
/// deactivated, roles or training date changed) drops the user's entries at once, and a lookup that started
/// before the change never stores its stale answer (the epoch it started in has passed).
#[derive(Default)]
pub struct SessionCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (AuthUser, std::time::Instant)>>,
    epoch: std::sync::atomic::AtomicU64,
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
    fn epoch(&self) -> u64 {
        self.epoch.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Drops every cached entry of `user_id`; lookups begun before are not cached.
    pub fn forget_user(&self, user_id: &str) {
        if let Ok(mut m) = self.entries.lock() {
            self.epoch.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            m.retain(|_, (u, _)| u.id != user_id);
        }
    }

    fn put(&self, hash: String, user: AuthUser, epoch: u64) {
        if let Ok(mut m) = self.entries.lock() {
            if self.epoch() != epoch {
                return;
            }
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

/// The authenticated user: the acting user of the use cases, built from a bearer token.
pub type AuthUser = crate::app::Actor;

pub use crate::store::parse_date;
pub use crate::store::users::parse_roles;

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
            let epoch = state.sessions.epoch();
            let user = state
                .db(move |c| Ok(crate::store::users::actor_by_token(c, &hash)?))
                .await?
                .ok_or(ApiError::Unauthenticated)?;
            state.sessions.put(key, user.clone(), epoch);
            Ok(user)
        })
    }
}
