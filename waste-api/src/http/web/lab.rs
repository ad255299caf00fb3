//! Lab staff pages: my containers, new container, the container page (opened by scan), add waste with the
//! chemical search and the live classification preview, seal, the label and its print at true size.

use super::lab_app::{self};
use super::page::{Chrome, Form, WebError, encode, ok, query_pairs, redirect, render, respond};
use super::session::Viewer;
use crate::error::ApiError;
use crate::state::AppState;
use crate::views::containers::ContainerView;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use rust_decimal::Decimal;
use std::str::FromStr;
use waste_core::Standards;
use waste_core::custody::Event;
use waste_core::stream::Stream;

pub(super) fn std() -> &'static Standards {
    Standards::embedded()
}

/// A container as a card: stream colour and name, fill, storage days, label state.
pub struct Card {
    /// The path segment that opens it: the digital identification code once it has one, else the id.
    pub key: String,
    pub lab: String,
    pub status: String,
    /// The catalogue key of the status chip.
    pub status_key: String,
    pub open: bool,
    pub stream_name: String,
    /// A CSS class naming the stream's colour (`stream-yellow`); the name is always written beside it.
    pub colour: String,
    pub filled: String,
    pub capacity: String,
    pub fill_limit: String,
    /// 0–100, for the fill bar.
    pub fill_pct: u32,
    pub days_left: Option<i64>,
    pub deadline: String,
    /// `ok`, `due_soon`, `overdue`, or empty before the first addition.
    pub storage_status: String,
    pub label_complete: bool,
    pub code: String,
    pub digital_id: String,
}

pub(super) fn stream_name(id: Option<&str>, zh: bool) -> (String, String) {
    let info = id
        .and_then(Stream::parse)
        .and_then(|s| std().streams.info(s));
    match info {
        Some(i) => (
            if zh {
                i.name_zh.clone()
            } else {
                i.name_en.clone()
            },
            format!("stream-{}", i.colour.as_deref().unwrap_or("none")),
        ),
        None => (String::new(), "stream-none".into()),
    }
}

impl Card {
    pub fn of(v: ContainerView, zh: bool) -> Card {
        let (name, colour) = stream_name(v.stream.as_deref(), zh);
        let filled = Decimal::from_str(&v.filled_liters).unwrap_or_default();
        let capacity = Decimal::from_str(&v.capacity_liters).unwrap_or(Decimal::ONE);
        let pct = if capacity > Decimal::ZERO {
            (filled * Decimal::from(100) / capacity).round()
        } else {
            Decimal::ZERO
        };
        Card {
            key: v.label.digital_id.clone().unwrap_or_else(|| v.id.clone()),
            lab: v.lab,
            open: v.status == "open",
            status_key: format!("status.{}", v.status),
            status: v.status,
            stream_name: name,
            colour,
            filled: v.filled_liters,
            capacity: v.capacity_liters,
            fill_limit: v.fill_limit_liters,
            fill_pct: pct.to_string().parse::<u32>().unwrap_or(0).min(100),
            days_left: v.storage.as_ref().map(|s| s.days_left),
            deadline: v
                .storage
                .as_ref()
                .map(|s| s.deadline.clone())
                .unwrap_or_default(),
            storage_status: v
                .storage
                .as_ref()
                .map(|s| s.status.clone())
                .unwrap_or_default(),
            label_complete: v.label.missing.is_empty(),
            code: v.code.unwrap_or_default(),
            digital_id: v.label.digital_id.unwrap_or_default(),
        }
    }

    pub fn overdue_days(&self) -> i64 {
        self.days_left.map(|d| -d).unwrap_or(0)
    }
}

#[derive(Template)]
#[template(path = "containers.html")]
struct ContainersPage {
    c: Chrome,
    cards: Vec<Card>,
}

#[get("/containers")]
pub async fn my_containers(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
) -> HttpResponse {
    let out = async {
        let c = Chrome::new(&req, Some(&viewer));
        let cards = lab_app::list(&state, &viewer.user)
            .await?
            .into_iter()
            .map(|v| Card::of(v, c.zh()))
            .collect();
        Ok::<_, WebError>(ok(&req, &ContainersPage { c, cards }))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

#[derive(Template)]
#[template(path = "new_container.html")]
struct NewContainerPage {
    c: Chrome,
    lab: String,
    capacity: String,
    material: String,
    contact: String,
    error: String,
}

pub const MATERIALS: [&str; 5] = ["hdpe", "glass", "pp", "ptfe", "metal"];

#[get("/containers/new")]
pub async fn new_container_form(req: HttpRequest, viewer: Viewer) -> HttpResponse {
    let c = Chrome::new(&req, Some(&viewer));
    ok(
        &req,
        &NewContainerPage {
            c,
            lab: String::new(),
            capacity: "20".into(),
            material: "hdpe".into(),
            contact: viewer.user.name.clone(),
            error: String::new(),
        },
    )
}

#[post("/containers/new")]
pub async fn new_container(
    req: HttpRequest,
    viewer: Viewer,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    if let Err(e) = viewer.check_csrf(&form) {
        return respond(&req, Some(&viewer), Err(e));
    }
    let contact = Some(form.get("contact")).filter(|s| !s.is_empty());
    let created = lab_app::create(
        &state,
        &viewer.user,
        form.get("lab"),
        form.get("capacity"),
        form.get("material"),
        contact,
    )
    .await;
    match created {
        Ok(id) => redirect(&req, &format!("/c/{id}")),
        Err(e) => {
            let status = actix_web::ResponseError::status_code(&e);
            let c = Chrome::new(&req, Some(&viewer));
            let page = NewContainerPage {
                error: c.refusal_of(&e),
                c,
                lab: form.get("lab").to_owned(),
                capacity: form.get("capacity").to_owned(),
                material: form.get("material").to_owned(),
                contact: form.get("contact").to_owned(),
            };
            render(&req, &page, status, false)
        }
    }
}

/// One custody event as a line of the timeline.
pub struct Step {
    pub kind_key: String,
    pub at: String,
    pub actor: String,
}

fn steps(zone: &waste_core::calendar::Zone, events: &[Event]) -> Vec<Step> {
    events
        .iter()
        .map(|e| Step {
            kind_key: format!("event.{}", e.kind),
            // Stored UTC → local "YYYY-MM-DD HH:MM" (24-hour).
            at: zone.show_stamp(&e.at),
            actor: e.actor.clone(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "container.html")]
struct ContainerPage {
    c: Chrome,
    k: Card,
    v: ContainerView,
    steps: Vec<Step>,
    hazards: Vec<String>,
    notice: &'static str,
    material_key: String,
    /// Catalogue keys of the label fields still empty.
    missing_keys: Vec<String>,
    /// Where it stands and where it may be moved (storage sites and zones of its holder).
    moves: Vec<super::sites_model::MoveTarget>,
    /// The storage site it stands at: its page and its name (zone, kind).
    site: Option<(String, String)>,
}

#[get("/c/{key}")]
pub async fn container_page(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let key = path.into_inner();
    let out = async {
        let opened = lab_app::open(&state, &viewer.user, &key).await?;
        let c = Chrome::new(&req, Some(&viewer));
        let moves =
            super::sites_model::move_targets(&state, &viewer, opened.site.as_ref(), c.zh()).await?;
        let site = opened.site.as_ref().map(|(id, _)| {
            let name = moves
                .iter()
                .find(|m| m.current)
                .map(|m| m.label.clone())
                .unwrap_or_default();
            (format!("/sites/{id}"), name)
        });
        let notice = match query_pairs(req.query_string())
            .iter()
            .find(|(k, _)| k == "done")
            .map(|(_, v)| v.as_str())
        {
            Some("added") => "container.added",
            Some("sealed") => "container.sealed_now",
            Some("created") => "container.created",
            Some("moved") => "container.moved",
            _ => "",
        };
        // The label is bilingual (HJ 1276-2022 asks for Chinese); the page names hazards and components in its
        // own language.
        let zh = c.zh();
        let mut view = opened.view;
        let hazards = view
            .hazards
            .iter()
            .filter_map(|h| waste_core::Hazard::parse(h))
            .map(|h| {
                format!(
                    "{} {}",
                    h.as_str(),
                    if zh { h.name_zh() } else { h.name_en() }
                )
            })
            .collect();
        for m in &mut view.label.main_components {
            if let Some(s) = std()
                .substances
                .iter()
                .find(|s| format!("{} {}", s.name_zh, s.name_en) == *m)
            {
                *m = if zh {
                    s.name_zh.clone()
                } else {
                    s.name_en.clone()
                };
            }
        }
        let steps = steps(&c.zone, &opened.events);
        let k = Card::of(
            serde_json::from_value(
                serde_json::to_value(&view).map_err(|e| ApiError::Internal(e.to_string()))?,
            )
            .map_err(|e| ApiError::Internal(e.to_string()))?,
            c.zh(),
        );
        let material_key = format!("material.{}", view.material);
        let missing_keys = view
            .label
            .missing
            .iter()
            .map(|m| format!("field.{m}"))
            .collect();
        Ok::<_, WebError>(ok(
            &req,
            &ContainerPage {
                c,
                k,
                v: view,
                steps,
                hazards,
                notice,
                material_key,
                missing_keys,
                moves,
                site,
            },
        ))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

#[post("/c/{key}/seal")]
pub async fn seal(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let key = path.into_inner();
    let form = Form::parse(&body);
    if let Err(e) = viewer.check_csrf(&form) {
        return respond(&req, Some(&viewer), Err(e));
    }
    let out = async {
        let view = lab_app::seal(&state, &viewer.user, &key).await?;
        let to = view.label.digital_id.unwrap_or(view.id);
        Ok::<_, WebError>(redirect(&req, &format!("/c/{}?done=sealed", encode(&to))))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// The label as an image for the page and for printing. Text in it is escaped by the core's SVG writer.
#[get("/c/{key}/label.svg")]
pub async fn label_svg(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let key = path.into_inner();
    match lab_app::label_svg(&state, &viewer.user, &key).await {
        Ok(svg) => {
            let mut resp = super::page::secure(
                &req,
                HttpResponse::Ok().content_type("image/svg+xml").body(svg),
                false,
            );
            // An SVG image runs no script; its own style attributes are allowed, nothing else.
            resp.headers_mut().insert(
                actix_web::http::header::CONTENT_SECURITY_POLICY,
                actix_web::http::header::HeaderValue::from_static(
                    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
                ),
            );
            resp
        }
        Err(e) => respond(&req, Some(&viewer), Err(e.into())),
    }
}

#[derive(Template)]
#[template(path = "print.html")]
struct PrintPage {
    c: Chrome,
    key: String,
    k: Card,
    size_mm: u32,
    copies: Vec<u32>,
    sheet: bool,
    /// The stylesheet that sets the printed page: the label's own size, or A4 for a sheet.
    page_css: &'static str,
}

/// The label at true size (HJ 1276-2022: 100, 150 or 200 mm by container volume): one per page, or a sheet.
#[get("/c/{key}/print")]
pub async fn print(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let key = path.into_inner();
    let out = async {
        let c = Chrome::new(&req, Some(&viewer));
        let opened = lab_app::open(&state, &viewer.user, &key).await?;
        if !opened.view.label.missing.is_empty() {
            let mut e = WebError::new(StatusCode::CONFLICT, "print.incomplete");
            e.detail = opened.view.label.missing.join(", ");
            return Err(e);
        }
        let copies = query_pairs(req.query_string())
            .iter()
            .find(|(k, _)| k == "copies")
            .and_then(|(_, v)| v.parse::<u32>().ok())
            .unwrap_or(1)
            .clamp(1, 24);
        let size_mm = opened.view.label.size_mm;
        let k = Card::of(opened.view, c.zh());
        let page_css = match (copies > 1, size_mm) {
            (true, _) => "page-a4.css",
            (false, 100) => "page-100.css",
            (false, 150) => "page-150.css",
            _ => "page-200.css",
        };
        Ok::<_, WebError>(ok(
            &req,
            &PrintPage {
                c,
                key: k.key.clone(),
                k,
                size_mm,
                copies: (1..=copies).collect(),
                sheet: copies > 1,
                page_css,
            },
        ))
    }
    .await;
    respond(&req, Some(&viewer), out)
}
