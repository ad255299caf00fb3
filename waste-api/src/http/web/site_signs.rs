//! A storage site's signs (HJ 1276-2022): the SVG with its size in millimetres, the page that prints it at true
//! size, and recording it as printed and posted. Every decision is the use case's (`app::sites`).

use super::lab_app::{read, write};
use super::page::{Chrome, Form, WebError, ok, query_pairs, redirect, respond};
use super::session::Viewer;
use super::sites::{manager, site_model, site_page};
use crate::app::sites as uc;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use waste_core::sign::SignType;

fn sign_query(req: &HttpRequest) -> Result<(SignType, Option<String>), WebError> {
    let q = query_pairs(req.query_string());
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let t = get("type")
        .as_deref()
        .and_then(SignType::parse)
        .ok_or_else(|| WebError::bad("err.invalid"))?;
    Ok((t, get("zone").filter(|z| !z.is_empty())))
}

async fn sign_of(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    t: SignType,
    zone: Option<String>,
) -> Result<uc::SignSvg, ApiError> {
    let (env, actor, id) = (state.env(), viewer.user.clone(), id.to_owned());
    read(state, move |c| {
        uc::sign_svg(c, &env, &actor, &id, t, zone.as_deref(), None)
    })
    .await
}

/// The sign as an image (HJ 1276-2022), its size in millimetres in the SVG itself.
#[get("/sites/{id}/sign.svg")]
pub async fn sign_svg(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let out = async {
        manager(&viewer)?;
        let (t, zone) = sign_query(&req)?;
        let s = sign_of(&state, &viewer, &path, t, zone).await?;
        let mut resp = super::page::secure(
            &req,
            HttpResponse::Ok().content_type("image/svg+xml").body(s.svg),
            false,
        );
        resp.headers_mut().insert(
            actix_web::http::header::CONTENT_SECURITY_POLICY,
            actix_web::http::header::HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
            ),
        );
        Ok(resp)
    }
    .await;
    respond(&req, Some(&viewer), out)
}

#[derive(Template)]
#[template(path = "sign_print.html")]
struct SignPage {
    c: Chrome,
    id: String,
    site_name: String,
    sign: &'static str,
    sign_key: String,
    zone: String,
    src: String,
    digest: String,
}

/// A sign at true size for printing, with the button that records it as printed and posted.
#[get("/sites/{id}/sign")]
pub async fn sign_page(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let out = async {
        manager(&viewer)?;
        let (t, zone) = sign_query(&req)?;
        let c = Chrome::new(&req, Some(&viewer));
        let m = site_model(&state, &viewer, &path, c.zh()).await?;
        let s = sign_of(&state, &viewer, &path, t, zone.clone()).await?;
        let zone = zone.unwrap_or_default();
        let src = format!(
            "/sites/{}/sign.svg?type={}&zone={}",
            m.id,
            t.as_str(),
            super::page::encode(&zone)
        );
        Ok(ok(
            &req,
            &SignPage {
                c,
                id: m.id,
                site_name: m.name,
                sign: t.as_str(),
                sign_key: format!("sign.{}", t.as_str()),
                zone,
                src,
                digest: s.digest,
            },
        ))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// Records that the sign shown was printed and posted (refused when the site changed since it was shown).
#[post("/sites/{id}/signs")]
pub async fn record_sign(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    let id = path.into_inner();
    let out = async {
        viewer.check_csrf(&form)?;
        manager(&viewer)?;
        let t = SignType::parse(form.get("type")).ok_or_else(|| WebError::bad("err.invalid"))?;
        let zone = Some(form.get("zone").to_owned()).filter(|z| !z.is_empty());
        let digest = form.get("digest").to_owned();
        let (env, actor, site) = (state.env(), viewer.user.clone(), id.clone());
        let done = write(&state, move |tx| {
            uc::record_sign(tx, &env, &actor, &site, t, zone.as_deref(), &digest).map(|_| ())
        })
        .await;
        match done {
            Ok(()) => Ok(redirect(&req, &format!("/sites/{id}#signs"))),
            Err(e) => site_page(&req, &viewer, &state, &id, Some((&form, e))).await,
        }
    }
    .await;
    respond(&req, Some(&viewer), out)
}
