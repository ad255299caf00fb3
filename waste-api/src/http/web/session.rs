//! Browser sessions: the signed-in `Viewer` (from the `HttpOnly; SameSite=Strict` cookie), idle expiry, the CSRF
//! check of every form, and the sign-in limiter.

use super::WebState;
use super::form::{Form, WebError, encode};
use crate::auth::AuthUser;
use crate::credentials;
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::error::InternalError;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, web};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

pub const SESSION_COOKIE: &str = "wst_session";
/// The double-submit token of the sign-in form (there is no session yet to hold it).
pub const PRE_COOKIE: &str = "wst_pre";

/// The `Set-Cookie` value of a session cookie (`Max-Age=0` ends it); `Secure` when the service serves HTTPS.
pub fn session_cookie(req: &HttpRequest, token: &str, max_age: i64) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        secure_attr(req)
    )
}

/// The `Secure` attribute of the cookies set over HTTPS (the listener serves TLS, `tls::load`); empty over HTTP,
/// where a browser would drop a `Secure` cookie.
pub fn secure_attr(req: &HttpRequest) -> &'static str {
    if req.app_config().secure() {
        "; Secure"
    } else {
        ""
    }
}

/// A signed-in browser user.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: AuthUser,
    pub org_name: String,
    pub session_hash: String,
    pub csrf: String,
}

impl Viewer {
    /// Refuses a form whose CSRF token is not this session's (compared in constant time).
    pub fn check_csrf(&self, form: &Form) -> Result<(), WebError> {
        if same(form.get("csrf").as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(WebError::new(StatusCode::FORBIDDEN, "err.csrf"))
        }
    }
}

pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && !a.is_empty()
        && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The user with `id` as the API's `AuthUser` (the store's one actor query, as for a bearer token), and the
/// organisation's name.
pub fn load_user(c: &mut AnyConnection, id: &str) -> Result<Option<(AuthUser, String)>, ApiError> {
    let Some(r) = crate::store::users::actor(c, id)? else {
        return Ok(None);
    };
    let org_name = crate::store::organizations::summary(c, &r.org_id)?.name;
    Ok(Some((AuthUser(r.into()), org_name)))
}

fn to_login(req: &HttpRequest, expired: bool) -> actix_web::Error {
    let next = match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    };
    let to = format!(
        "/login?next={}{}",
        encode(&next),
        if expired { "&expired=1" } else { "" }
    );
    let resp = if req.headers().contains_key("hx-request") {
        HttpResponse::Ok()
            .insert_header(("HX-Redirect", to))
            .finish()
    } else {
        HttpResponse::SeeOther()
            .insert_header(("Location", to))
            .insert_header(("Cache-Control", "no-store"))
            .finish()
    };
    InternalError::from_response("sign in first", resp).into()
}

impl FromRequest for Viewer {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned());
            let (Some(state), Some(web)) = (
                req.app_data::<web::Data<AppState>>().cloned(),
                req.app_data::<web::Data<WebState>>().cloned(),
            ) else {
                return Err(to_login(&req, false));
            };
            let Some(token) = token.filter(|t| t.len() <= 200 && !t.is_empty()) else {
                return Err(to_login(&req, false));
            };
            let found = state
                .db(move |c| {
                    let Some(s) = credentials::find_session(c, &token)? else {
                        return Ok(None);
                    };
                    Ok(load_user(c, &s.user_id)?.map(|u| (s, u)))
                })
                .await
                .map_err(actix_web::Error::from)?;
            let Some((session, (user, org_name))) = found else {
                return Err(to_login(&req, false));
            };
            let idle = time::OffsetDateTime::now_utc() - session.last_seen_at;
            let hash = session.token_hash.clone();
            if idle > web.idle {
                state
                    .write(move |c| credentials::end_session(c, &hash))
                    .await
                    .map_err(actix_web::Error::from)?;
                return Err(to_login(&req, true));
            }
            // Record activity at most once a minute: a page view is not worth a write each time.
            if idle > Duration::from_secs(60) {
                state
                    .write(move |c| credentials::touch_session(c, &hash))
                    .await
                    .map_err(actix_web::Error::from)?;
            }
            Ok(Viewer {
                user,
                org_name,
                session_hash: session.token_hash,
                csrf: session.csrf,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_compare_whole() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"", b""));
        assert!(!same(b"ab", b"abc"));
    }
}
