//! Bearer tokens (random, shown once, stored as a SHA-256 hash) and the extractor that yields the user.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use std::future::Future;
use std::pin::Pin;

pub use crate::app::parties::{hash_token, new_token};

/// The authenticated user: the acting user of the use cases (`Actor`, which it derefs to), built from a bearer
/// token. A newtype because the extractor is the front door's, the actor the application's.
#[derive(Debug, Clone)]
pub struct AuthUser(pub crate::app::Actor);

impl std::ops::Deref for AuthUser {
    type Target = crate::app::Actor;
    fn deref(&self) -> &crate::app::Actor {
        &self.0
    }
}

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
            // Looked up on every request, never cached: a token replaced or a user deactivated (here or by
            // another instance on the same database) stops working with the next request (issue 29, item 6).
            let hash = hash_token(&token);
            state
                .db(move |c| {
                    Ok(crate::store::users::actor_by_token(c, &hash)?.map(crate::app::Actor::from))
                })
                .await?
                .map(AuthUser)
                .ok_or(ApiError::Unauthenticated)
        })
    }
}
