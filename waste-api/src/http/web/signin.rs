//! Sign-in (a sign-in name and password, or an API token), sign-out, and a new user's one-time link.

use super::page::{Chrome, Form, WebError, error_page, redirect, render, respond};
use super::session::{PRE_COOKIE, Viewer, same, session_cookie};
use crate::app::attempts::{self, Blocked};
use crate::credentials;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use std::sync::LazyLock;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    pre: String,
    next: String,
    login: String,
    /// A message key shown above the form (expired session, wrong password, too many attempts).
    notice: &'static str,
    minutes: u64,
}

/// Only a path on this site is a place to return to after sign-in (never `//host` or `https://…`).
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

fn login_page(
    req: &HttpRequest,
    status: StatusCode,
    next: &str,
    login: &str,
    notice: &'static str,
    minutes: u64,
) -> HttpResponse {
    let pre = credentials::new_secret("").unwrap_or_default();
    let mut resp = render(
        req,
        &LoginPage {
            c: Chrome::new(req, None),
            pre: pre.clone(),
            next: safe_next(next),
            login: login.to_owned(),
            notice,
            minutes,
        },
        status,
        true,
    );
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&format!(
        "{PRE_COOKIE}={pre}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600{}",
        super::session::secure_attr(req)
    )) {
        resp.headers_mut()
            .append(actix_web::http::header::SET_COOKIE, v);
    }
    resp
}

#[get("/login")]
pub async fn login_form(req: HttpRequest) -> HttpResponse {
    let q = super::page::query_pairs(req.query_string());
    let get = |k: &str| {
        q.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let notice = if get("expired") == "1" {
        "login.expired"
    } else if get("welcome") == "1" {
        "login.password_set"
    } else {
        ""
    };
    login_page(&req, StatusCode::OK, &get("next"), "", notice, 0)
}

/// A hash to verify against when the sign-in name is unknown, so both cases take the same time.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    credentials::hash_password("no such user, no such password").unwrap_or_default()
});

#[post("/login")]
pub async fn login_submit(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    let next = form.get("next").to_owned();
    let login = form.get("login").to_owned();
    let password = form.get("password").to_owned();
    let token = form.get("token").to_owned();
    let pre = req
        .cookie(PRE_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    if !same(form.get("csrf").as_bytes(), pre.as_bytes()) {
        return login_page(&req, StatusCode::FORBIDDEN, &next, &login, "err.csrf", 0);
    }
    let addr = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    // Counted before the secret is checked, in the database (every instance sees every attempt): the address
    // for any sign-in, the account per address for a password; a token has no account before it is checked.
    let account = token.is_empty().then(|| login.clone());
    let (env, a, acct) = (state.env(), addr.clone(), account.clone());
    let begun = state
        .write(move |c| {
            crate::store::write_tx(c, |tx| {
                attempts::begin_sign_in(tx, &env, &a, acct.as_deref()).map_err(ApiError::from)
            })
        })
        .await;
    match begun {
        Ok(Err(Blocked::Account(m))) => {
            return login_page(
                &req,
                StatusCode::TOO_MANY_REQUESTS,
                &next,
                &login,
                "login.blocked_account",
                m,
            );
        }
        Ok(Err(Blocked::Address(m))) => {
            return login_page(
                &req,
                StatusCode::TOO_MANY_REQUESTS,
                &next,
                &login,
                "login.blocked_address",
                m,
            );
        }
        Ok(Ok(())) => {}
        Err(e) => return error_page(&req, None, &WebError::from(e)),
    }
    if token.is_empty() && (login.is_empty() || password.is_empty()) {
        return login_page(
            &req,
            StatusCode::UNPROCESSABLE_ENTITY,
            &next,
            &login,
            "login.missing",
            0,
        );
    }
    let found = state
        .db(move |c| {
            if !token.is_empty() {
                return credentials::user_of_token(c, &token);
            }
            let row = credentials::password_of(c, &login)?;
            let hash = row
                .as_ref()
                .and_then(|(_, h)| h.clone())
                .unwrap_or_else(|| DUMMY_HASH.clone());
            let good = credentials::verify_password(&hash, &password);
            Ok(row.filter(|(_, h)| good && h.is_some()).map(|(id, _)| id))
        })
        .await;
    let user_id = match found {
        Ok(Some(id)) => id,
        Ok(None) => {
            return login_page(
                &req,
                StatusCode::UNAUTHORIZED,
                &next,
                form.get("login"),
                "login.failed",
                0,
            );
        }
        Err(e) => return error_page(&req, None, &WebError::from(e)),
    };
    let session = state
        .write(move |c| {
            crate::store::write_tx(c, |tx| {
                attempts::signed_in(tx, &addr, account.as_deref()).map_err(ApiError::from)
            })?;
            credentials::create_session(c, &user_id)
        })
        .await;
    match session {
        Ok(s) => signed_in(&req, &s.token, &safe_next(&next)),
        Err(e) => error_page(&req, None, &WebError::from(e)),
    }
}

/// The answer that starts a session: its cookie, and on to `to`.
fn signed_in(req: &HttpRequest, token: &str, to: &str) -> HttpResponse {
    let mut resp = redirect(req, to);
    if let Ok(v) =
        actix_web::http::header::HeaderValue::from_str(&session_cookie(req, token, 86_400 * 30))
    {
        resp.headers_mut()
            .append(actix_web::http::header::SET_COOKIE, v);
    }
    resp
}

#[post("/logout")]
pub async fn logout(
    req: HttpRequest,
    viewer: Viewer,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    if let Err(e) = viewer.check_csrf(&form) {
        return error_page(&req, Some(&viewer), &e);
    }
    let hash = viewer.session_hash.clone();
    if let Err(e) = state
        .write(move |c| credentials::end_session(c, &hash))
        .await
    {
        return error_page(&req, Some(&viewer), &WebError::from(e));
    }
    let mut resp = redirect(&req, "/login");
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&session_cookie(&req, "", 0)) {
        resp.headers_mut()
            .append(actix_web::http::header::SET_COOKIE, v);
    }
    resp
}

#[derive(Template)]
#[template(path = "welcome.html")]
struct WelcomePage {
    c: Chrome,
    token: String,
    name: String,
    login: String,
    notice: &'static str,
}

fn token_of(req: &HttpRequest) -> String {
    super::page::query_pairs(req.query_string())
        .into_iter()
        .find(|(k, _)| k == "t")
        .map(|(_, v)| v)
        .unwrap_or_default()
}

/// A new user's one-time link: choose a sign-in name and a password. The page holds a secret: never cached.
#[get("/welcome")]
pub async fn welcome_form(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let token = token_of(&req);
    let t = token.clone();
    let holder = state.db(move |c| credentials::link_holder(c, &t)).await;
    let out = match holder {
        Ok(Some(h)) => Ok(render(
            &req,
            &WelcomePage {
                c: Chrome::new(&req, None),
                token,
                name: h.name,
                login: h.login.unwrap_or_default(),
                notice: "",
            },
            StatusCode::OK,
            true,
        )),
        Ok(None) => Err(WebError::new(StatusCode::NOT_FOUND, "welcome.invalid")),
        Err(e) => Err(e.into()),
    };
    respond(&req, None, out)
}

#[post("/welcome")]
pub async fn welcome(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    let token = form.get("t").to_owned();
    let login = form.get("login").to_owned();
    let password = form.get("password").to_owned();
    let again = form.get("password2").to_owned();
    let t = token.clone();
    let holder = match state.db(move |c| credentials::link_holder(c, &t)).await {
        Ok(Some(h)) => h,
        Ok(None) => {
            return error_page(
                &req,
                None,
                &WebError::new(StatusCode::NOT_FOUND, "welcome.invalid"),
            );
        }
        Err(e) => return error_page(&req, None, &e.into()),
    };
    // The link's secret is the proof of intent here (no session yet); a forged form would need it.
    let problem = credentials::check_login(&login)
        .err()
        .or_else(|| credentials::check_password(&password).err())
        .or_else(|| (password != again).then_some("password_mismatch"));
    let notice = match problem {
        Some("login_invalid") => Some("welcome.login_invalid"),
        Some("password_too_short") => Some("welcome.password_too_short"),
        Some("password_too_long") => Some("welcome.password_too_long"),
        Some(_) => Some("welcome.password_mismatch"),
        None => None,
    };
    let page = |notice: &'static str, status| {
        render(
            &req,
            &WelcomePage {
                c: Chrome::new(&req, None),
                token: token.clone(),
                name: holder.name.clone(),
                login: login.clone(),
                notice,
            },
            status,
            true,
        )
    };
    if let Some(n) = notice {
        return page(n, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let hash = match web::block(move || credentials::hash_password(&password)).await {
        Ok(Ok(h)) => h,
        _ => {
            return error_page(
                &req,
                None,
                &WebError::new(StatusCode::INTERNAL_SERVER_ERROR, "err.internal"),
            );
        }
    };
    let (t, l) = (token.clone(), login.clone());
    match state
        .write(move |c| credentials::redeem_link(c, &t, &l, &hash))
        .await
    {
        // The person just proved the link and chose a password: they are signed in at once, not asked again.
        Ok(true) => {
            let user_id = holder.user_id.clone();
            match state
                .write(move |c| credentials::create_session(c, &user_id))
                .await
            {
                Ok(s) => signed_in(&req, &s.token, "/"),
                Err(_) => redirect(&req, "/login?welcome=1"),
            }
        }
        Ok(false) => error_page(
            &req,
            None,
            &WebError::new(StatusCode::NOT_FOUND, "welcome.invalid"),
        ),
        Err(crate::error::ApiError::Conflict {
            code: "login_taken",
            ..
        }) => page("welcome.login_taken", StatusCode::CONFLICT),
        Err(e) => error_page(&req, None, &e.into()),
    }
}
