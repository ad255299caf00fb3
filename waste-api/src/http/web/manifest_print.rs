//! The manifest's read-only views: the roadside page `/r/{token}` (no sign-in, while the link is valid) and the
//! print document (one A4 page per manifest), singly `/m/{number}/print` or in bulk `/print/manifests?m=…`.

use super::lab_app::read;
use super::manifest::PartyRow;
use super::manifest_cards::{LineCard, at};
use super::page::{Chrome, WebError, query_pairs, render, respond};
use super::session::Viewer;
use crate::app::chain::{self, Sheet};
use crate::app::road_links;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;

#[derive(Template)]
#[template(path = "roadside.html")]
struct RoadsidePage {
    c: Chrome,
    number: String,
    status_key: String,
    parties: Vec<PartyRow>,
    lines: Vec<LineCard>,
    expires_at: String,
    dispatched_at: String,
    /// Plate and transport permit as recorded at dispatch (Transfer Measures Art.11).
    vehicle: String,
    /// Whether any party has a contact telephone to call in an emergency.
    has_contact: bool,
}

/// The roadside view: read-only, no sign-in, while the link is valid; the same 404 for an unknown or expired link.
#[get("/r/{token}")]
pub async fn roadside(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let token = path.into_inner();
    let out = async {
        let env = state.env();
        let sheet = read(&state, move |c| {
            let (m, expires) = road_links::open(c, &env, &token)?;
            let s = chain::sheet_of(c, m)?;
            Ok((s, expires))
        })
        .await?;
        let (s, expires) = sheet;
        let c = Chrome::new(&req, None);
        let keys = ["party.shipper", "party.carrier", "party.receiver"];
        let m = &s.opened.manifest.row;
        let has_contact = s
            .opened
            .parties
            .iter()
            .flatten()
            .any(|o| o.contact.as_deref().is_some_and(|t| !t.trim().is_empty()));
        let p = RoadsidePage {
            has_contact,
            vehicle: s.vehicle.clone().unwrap_or_default(),
            number: m.key().to_owned(),
            status_key: format!("mstatus.{}", m.status),
            dispatched_at: m
                .dispatched_at
                .as_deref()
                .map(|s| at(&c.zone, s))
                .unwrap_or_default(),
            parties: s
                .opened
                .parties
                .iter()
                .zip(keys)
                .map(|(o, key)| PartyRow {
                    key,
                    name: o.as_ref().map(|o| o.name.clone()).unwrap_or_default(),
                    credit_code: o
                        .as_ref()
                        .and_then(|o| o.credit_code.clone())
                        .unwrap_or_default(),
                    contact: o
                        .as_ref()
                        .and_then(|o| o.contact.clone())
                        .unwrap_or_default(),
                    ours: false,
                })
                .collect(),
            lines: s
                .lines
                .iter()
                .enumerate()
                // The roadside page is what was shipped: nothing of the receipt.
                .map(|(i, l)| LineCard {
                    received: String::new(),
                    accepted: None,
                    reason: String::new(),
                    discrepancy: false,
                    ..LineCard::of(i, l, &c)
                })
                .collect(),
            expires_at: at(&c.zone, &expires),
            c,
        };
        Ok::<_, WebError>(render(&req, &p, StatusCode::OK, true))
    }
    .await;
    respond(&req, None, out)
}

/// The print document (one A4 page per manifest): its own style, no script.
pub fn print_response(req: &HttpRequest, sheets: &[Sheet]) -> HttpResponse {
    let doc = crate::views::print::document(&super::page::zone_of(req), sheets);
    let mut resp = render(req, &doc, StatusCode::OK, false);
    resp.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(crate::views::print::CSP),
    );
    resp
}

#[get("/m/{key}/print")]
pub async fn print(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let key = path.into_inner();
    let out = async {
        let (actor, today) = (viewer.user.clone(), state.clock.today());
        let s = read(&state, move |c| chain::sheet(c, &actor, &key, today)).await?;
        Ok::<_, WebError>(print_response(&req, &[s]))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// Several manifests in one document: `/print/manifests?m=…&m=…` (numbers or ids, at most 50).
#[get("/print/manifests")]
pub async fn print_many(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
) -> HttpResponse {
    let keys: Vec<String> = query_pairs(req.query_string())
        .into_iter()
        .filter(|(k, v)| k == "m" && !v.is_empty())
        .map(|(_, v)| v)
        .collect();
    let out = async {
        if keys.is_empty() || keys.len() > 50 {
            let mut e = WebError::bad("err.invalid");
            e.detail = "m: 1 to 50 manifests".into();
            return Err(e);
        }
        let (actor, today) = (viewer.user.clone(), state.clock.today());
        let sheets = read(&state, move |c| {
            keys.iter()
                .map(|k| chain::sheet(c, &actor, k, today))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
        Ok::<_, WebError>(print_response(&req, &sheets))
    }
    .await;
    respond(&req, Some(&viewer), out)
}
