//! Lab staff pages: my containers, new container, the container page (opened by scan), add waste with the
//! chemical search and the live classification preview, seal, the label and its print at true size.

use super::lab_app::{self, Preview};
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
use waste_core::compatibility::Consequence;
use waste_core::compatibility::Reaction;
use waste_core::container::{Quantity, Unit};
use waste_core::custody::Event;
use waste_core::request::{ComponentRequest, Form as WasteForm, Origin};
use waste_core::stream::Stream;
use waste_core::{Standards, WasteRequest};

fn std() -> &'static Standards {
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

fn stream_name(id: Option<&str>, zh: bool) -> (String, String) {
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
            let page = NewContainerPage {
                c: Chrome::new(&req, Some(&viewer)),
                lab: form.get("lab").to_owned(),
                capacity: form.get("capacity").to_owned(),
                material: form.get("material").to_owned(),
                contact: form.get("contact").to_owned(),
                error: e.to_string(),
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

fn steps(events: &[Event]) -> Vec<Step> {
    events
        .iter()
        .map(|e| Step {
            kind_key: format!("event.{}", e.kind),
            // RFC 3339 UTC → "YYYY-MM-DD HH:MM" (24-hour).
            at: e.at.get(..16).unwrap_or(&e.at).replace('T', " "),
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
        let notice = match query_pairs(req.query_string())
            .iter()
            .find(|(k, _)| k == "done")
            .map(|(_, v)| v.as_str())
        {
            Some("added") => "container.added",
            Some("sealed") => "container.sealed_now",
            Some("created") => "container.created",
            _ => "",
        };
        let hazards = opened.view.label.hazards.clone();
        let steps = steps(&opened.events);
        let k = Card::of(
            serde_json::from_value(
                serde_json::to_value(&opened.view)
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
            )
            .map_err(|e| ApiError::Internal(e.to_string()))?,
            c.zh(),
        );
        let material_key = format!("material.{}", opened.view.material);
        let missing_keys = opened
            .view
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
                v: opened.view,
                steps,
                hazards,
                notice,
                material_key,
                missing_keys,
            },
        ))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// The add-waste form's state, carried in the query string so that every step works as a plain link too.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub cas: Vec<String>,
    pub q: String,
    pub form: String,
    pub origin: String,
    pub qty: String,
    pub unit: String,
}

pub const ORIGINS: [&str; 8] = [
    "experiment_residue",
    "vessel_cleaning_residue",
    "expired_reagent",
    "unused_reagent",
    "contaminated_reagent",
    "spent_adsorbent",
    "contaminated_consumables",
    "other",
];

impl Draft {
    fn from_pairs(p: &[(String, String)]) -> Draft {
        let get = |k: &str| {
            p.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default()
        };
        let mut cas: Vec<String> = Vec::new();
        for (k, v) in p {
            let v = v.trim();
            if k == "cas" && !v.is_empty() && !cas.iter().any(|c| c == v) && cas.len() < 10 {
                cas.push(v.to_owned());
            }
        }
        let or = |v: String, d: &str| if v.is_empty() { d.to_owned() } else { v };
        Draft {
            cas,
            q: get("q"),
            form: or(get("form"), "liquid"),
            origin: or(get("origin"), "experiment_residue"),
            qty: get("qty"),
            unit: or(get("unit"), "L"),
        }
    }

    /// The query string of this draft, with `cas` changed as asked.
    pub fn query(&self, add: Option<&str>, remove: Option<&str>) -> String {
        let mut parts = vec![
            format!("form={}", encode(&self.form)),
            format!("origin={}", encode(&self.origin)),
            format!("qty={}", encode(&self.qty)),
            format!("unit={}", encode(&self.unit)),
        ];
        for c in &self.cas {
            if Some(c.as_str()) != remove {
                parts.push(format!("cas={}", encode(c)));
            }
        }
        if let Some(a) = add
            && !self.cas.iter().any(|c| c == a)
        {
            parts.push(format!("cas={}", encode(a)));
        }
        parts.join("&")
    }

    fn request(&self) -> Result<WasteRequest, WebError> {
        let form = match self.form.as_str() {
            "solid" => WasteForm::Solid,
            "semi_solid" => WasteForm::SemiSolid,
            _ => WasteForm::Liquid,
        };
        let origin: Origin = serde_json::from_value(serde_json::Value::String(self.origin.clone()))
            .map_err(|_| WebError::bad("add.bad_origin"))?;
        Ok(WasteRequest {
            description: String::new(),
            form,
            origin,
            fate: Default::default(),
            lab_kind: Default::default(),
            radioactive: false,
            cleaned_per_lab_rules: false,
            sorted_collection: true,
            material: None,
            adsorbent_use: None,
            components: self
                .cas
                .iter()
                .map(|c| ComponentRequest {
                    name: None,
                    cas: Some(c.clone()),
                    fraction: None,
                })
                .collect(),
        })
    }

    fn quantity(&self) -> Option<Quantity> {
        let amount = Decimal::from_str(self.qty.trim()).ok()?;
        let unit = if self.unit == "kg" { Unit::Kg } else { Unit::L };
        Quantity::new(amount, unit).ok()
    }
}

/// A chosen substance, named in the page's language first.
pub struct Chosen {
    pub cas: String,
    pub name: String,
    pub other: String,
    pub remove_href: String,
}

/// A search hit, as a link that adds it to the draft.
pub struct Hit {
    pub cas: String,
    pub name: String,
    pub other: String,
    pub href: String,
}

fn names(cas: &str, zh: bool) -> (String, String) {
    let s = waste_core::CasNumber::parse(cas)
        .ok()
        .and_then(|k| std().substances.by_cas(&k));
    match s {
        Some(s) if zh => (s.name_zh.clone(), s.name_en.clone()),
        Some(s) => (s.name_en.clone(), s.name_zh.clone()),
        None => (cas.to_owned(), String::new()),
    }
}

fn hits(key: &str, d: &Draft, zh: bool) -> Vec<Hit> {
    lab_app::search(std(), &d.q, 8)
        .into_iter()
        .map(|s| {
            let cas = s.cas.to_string();
            let (name, other) = if zh {
                (s.name_zh.clone(), s.name_en.clone())
            } else {
                (s.name_en.clone(), s.name_zh.clone())
            };
            Hit {
                href: format!("/c/{}/add?{}", encode(key), d.query(Some(&cas), None)),
                cas,
                name,
                other,
            }
        })
        .collect()
}

/// The refusal card: one plain sentence, what to do instead, and the details (reacting substances, groups,
/// standard and clause) folded away.
pub struct RefusalCard {
    pub sentence: String,
    pub todo_key: &'static str,
    pub details: Vec<String>,
    pub citation: String,
    pub code: String,
}

fn consequence_key(c: Consequence) -> &'static str {
    match c {
        Consequence::H => "cons.H",
        Consequence::F => "cons.F",
        Consequence::G => "cons.G",
        Consequence::GT => "cons.GT",
        Consequence::GF => "cons.GF",
        Consequence::E => "cons.E",
        Consequence::P => "cons.P",
        Consequence::S => "cons.S",
        Consequence::U => "cons.U",
    }
}

/// A reaction names a substance as "name (名称, CAS)"; the sentence uses the name in the page's language alone.
fn plain_name(named: &str, zh: bool) -> String {
    let cas = named
        .rsplit_once(", ")
        .map(|(_, tail)| tail.trim_end_matches(')'))
        .and_then(|c| waste_core::CasNumber::parse(c).ok());
    match cas.and_then(|k| std().substances.by_cas(&k)) {
        Some(s) if zh => s.name_zh.clone(),
        Some(s) => s.name_en.clone(),
        None => named.to_owned(),
    }
}

fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    pairs.iter().fold(template.to_owned(), |s, (k, v)| {
        s.replace(&format!("{{{k}}}"), v)
    })
}

/// The details of a rule's refusal as the addition use case gives them (`waste_core::container::Refusal`,
/// tagged by its code); the page words each kind in plain language.
#[derive(Debug, serde::Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
enum Refusal {
    ContainerSealed,
    CodeMismatch {
        container: String,
        addition: String,
        citation: String,
    },
    NotHazardous {
        citation: Option<String>,
    },
    NoStream {
        reason: String,
    },
    StreamMismatch {
        container: String,
        addition: String,
    },
    ContainerMaterial {
        material: String,
        substance: String,
        reason: String,
        citation: String,
    },
    IncompatibleAddition {
        reactions: Vec<Reaction>,
        consequences: Vec<Consequence>,
        citation: String,
    },
    ContainerFull {
        limit_l: Decimal,
        would_be_l: Decimal,
        citation: String,
    },
}

/// The card for a refusal of the addition use case: its details worded when the kind is known, else its message.
pub fn refusal_card(c: &Chrome, e: &ApiError) -> RefusalCard {
    let (code, message, details) = match e {
        ApiError::Conflict {
            code,
            message,
            details,
        } => (*code, message.clone(), details.clone()),
        ApiError::TrainingExpired => (
            "training_expired",
            c.t("err.training_expired").to_owned(),
            serde_json::Value::Null,
        ),
        other => (other.code(), other.to_string(), serde_json::Value::Null),
    };
    let mut tagged = details.clone();
    if let Some(o) = tagged.as_object_mut() {
        o.insert("code".into(), serde_json::Value::String(code.to_owned()));
    }
    match serde_json::from_value::<Refusal>(tagged) {
        Ok(r) => worded(c, code, &r),
        Err(_) => RefusalCard {
            sentence: message,
            todo_key: "refuse.other_todo",
            details: vec![],
            citation: details
                .get("citation")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned(),
            code: code.to_owned(),
        },
    }
}

fn worded(c: &Chrome, code: &str, r: &Refusal) -> RefusalCard {
    let zh = c.zh();
    let sname = |id: &str| {
        let (n, _) = stream_name(Some(id), zh);
        if n.is_empty() { id.to_owned() } else { n }
    };
    match r {
        Refusal::IncompatibleAddition {
            reactions,
            consequences,
            citation,
        } => {
            let words: Vec<&str> = consequences
                .iter()
                .map(|k| c.t(consequence_key(*k)))
                .collect();
            let first = reactions.first();
            let sentence = fill(
                c.t("refuse.incompatible"),
                &[
                    (
                        "a",
                        &first
                            .map(|x| plain_name(&x.adding, c.zh()))
                            .unwrap_or_default(),
                    ),
                    (
                        "b",
                        &first
                            .map(|x| plain_name(&x.present, c.zh()))
                            .unwrap_or_default(),
                    ),
                    ("what", &words.join(c.t("list.sep"))),
                ],
            );
            let details = reactions
                .iter()
                .map(|x| {
                    let cons: Vec<&str> = x
                        .consequences
                        .iter()
                        .map(|k| c.t(consequence_key(*k)))
                        .collect();
                    format!(
                        "{} ({} {}: {}) + {} ({} {}: {}) → {} — {}",
                        x.adding,
                        c.t("refuse.group"),
                        x.adding_group,
                        x.adding_group_name,
                        x.present,
                        c.t("refuse.group"),
                        x.present_group,
                        x.present_group_name,
                        cons.join(c.t("list.sep")),
                        x.citation
                    )
                })
                .collect();
            RefusalCard {
                sentence,
                todo_key: "refuse.incompatible_todo",
                details,
                citation: citation.clone(),
                code: code.into(),
            }
        }
        Refusal::CodeMismatch {
            container,
            addition,
            citation,
        } => RefusalCard {
            sentence: fill(
                c.t("refuse.code"),
                &[("have", container), ("new", addition)],
            ),
            todo_key: "refuse.stream_todo",
            details: vec![],
            citation: citation.clone(),
            code: code.into(),
        },
        Refusal::NotHazardous { citation } => RefusalCard {
            sentence: c.t("refuse.not_hazardous").to_owned(),
            todo_key: "refuse.not_hazardous_todo",
            details: vec![],
            citation: citation.clone().unwrap_or_default(),
            code: code.into(),
        },
        Refusal::StreamMismatch {
            container,
            addition,
        } => RefusalCard {
            sentence: fill(
                c.t("refuse.stream"),
                &[("have", &sname(container)), ("new", &sname(addition))],
            ),
            todo_key: "refuse.stream_todo",
            details: vec![],
            citation: "GB 18597-2023 4.3".into(),
            code: code.into(),
        },
        Refusal::ContainerMaterial {
            material,
            substance,
            reason,
            citation,
        } => RefusalCard {
            sentence: fill(
                c.t("refuse.material"),
                &[("substance", substance), ("material", material)],
            ),
            todo_key: "refuse.material_todo",
            details: vec![reason.clone()],
            citation: citation.clone(),
            code: code.into(),
        },
        Refusal::ContainerFull {
            limit_l,
            would_be_l,
            citation,
            ..
        } => RefusalCard {
            sentence: fill(
                c.t("refuse.full"),
                &[
                    ("would", &would_be_l.to_string()),
                    ("limit", &limit_l.to_string()),
                ],
            ),
            todo_key: "refuse.full_todo",
            details: vec![],
            citation: citation.clone(),
            code: code.into(),
        },
        Refusal::NoStream { reason } => RefusalCard {
            sentence: c.t("refuse.no_stream").to_owned(),
            todo_key: "refuse.no_stream_todo",
            details: vec![reason.clone()],
            citation: String::new(),
            code: code.into(),
        },
        Refusal::ContainerSealed => RefusalCard {
            sentence: c.t("refuse.sealed").to_owned(),
            todo_key: "refuse.sealed_todo",
            details: vec![],
            citation: String::new(),
            code: code.into(),
        },
    }
}

/// The classification preview as shown: outcome, code, stream, hazards and the trace with its citations.
pub struct PreviewView {
    pub outcome_key: String,
    pub code: String,
    pub stream: String,
    pub colour: String,
    pub hazards: Vec<String>,
    pub trace: Vec<(String, String, String)>,
    pub warnings: Vec<String>,
    pub refusal: Option<RefusalCard>,
    pub quantity_missing: bool,
}

fn preview_view(c: &Chrome, p: &Preview, quantity_missing: bool) -> PreviewView {
    let cl = &p.classification;
    let outcome = serde_json::to_value(cl.hazardous.outcome)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let (stream, colour) = stream_name(cl.stream.map(|s| s.as_str()), c.zh());
    PreviewView {
        outcome_key: format!("outcome.{outcome}"),
        code: cl.hazardous.code.clone().unwrap_or_default(),
        stream,
        colour,
        hazards: cl
            .hazardous
            .hazards
            .iter()
            .map(|h| {
                format!(
                    "{} {}",
                    h.as_str(),
                    if c.zh() { h.name_zh() } else { h.name_en() }
                )
            })
            .collect(),
        trace: cl
            .trace
            .iter()
            .map(|t| (t.rule.clone(), t.result.clone(), t.citation.clone()))
            .collect(),
        warnings: cl.warnings.iter().map(|w| w.message.clone()).collect(),
        refusal: p.refusal.as_ref().map(|r| refusal_card(c, r)),
        quantity_missing,
    }
}

#[derive(Template)]
#[template(path = "add.html")]
struct AddPage {
    c: Chrome,
    key: String,
    k: Card,
    d: Draft,
    chosen: Vec<Chosen>,
    hits: Vec<Hit>,
    preview: Option<PreviewView>,
    /// A refusal or error from the addition itself (not from the preview).
    error: String,
}

#[derive(Template)]
#[template(path = "search_results.html")]
struct SearchResults {
    c: Chrome,
    d: Draft,
    hits: Vec<Hit>,
}

#[derive(Template)]
#[template(path = "preview.html")]
struct PreviewPartial {
    c: Chrome,
    preview: Option<PreviewView>,
}

/// The preview for a draft, when it names at least one substance. The quantity only matters for the fill check;
/// without one, 1 mL stands in and the page says so.
async fn preview_of(
    state: &AppState,
    viewer: &Viewer,
    c: &Chrome,
    key: &str,
    d: &Draft,
) -> Result<Option<PreviewView>, WebError> {
    if d.cas.is_empty() {
        return Ok(None);
    }
    let (quantity, missing) = match d.quantity() {
        Some(q) => (q, false),
        None => (
            Quantity::new(Decimal::new(1, 3), Unit::L).map_err(|_| WebError::bad("err.invalid"))?,
            true,
        ),
    };
    let p = lab_app::preview(state, &viewer.user, key, d.request()?, quantity).await?;
    Ok(Some(preview_view(c, &p, missing)))
}

async fn card_of(state: &AppState, viewer: &Viewer, key: &str, zh: bool) -> Result<Card, WebError> {
    Ok(Card::of(
        lab_app::open(state, &viewer.user, key).await?.view,
        zh,
    ))
}

fn chosen(key: &str, d: &Draft, zh: bool) -> Vec<Chosen> {
    d.cas
        .iter()
        .map(|cas| {
            let (name, other) = names(cas, zh);
            Chosen {
                cas: cas.clone(),
                name,
                other,
                remove_href: format!("/c/{}/add?{}", encode(key), d.query(None, Some(cas))),
            }
        })
        .collect()
}

#[get("/c/{key}/add")]
pub async fn add_form(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let key = path.into_inner();
    let out = async {
        let c = Chrome::new(&req, Some(&viewer));
        let d = Draft::from_pairs(&query_pairs(req.query_string()));
        let k = card_of(&state, &viewer, &key, c.zh()).await?;
        let preview = preview_of(&state, &viewer, &c, &key, &d).await?;
        let page = AddPage {
            hits: hits(&key, &d, c.zh()),
            chosen: chosen(&key, &d, c.zh()),
            c,
            key,
            k,
            d,
            preview,
            error: String::new(),
        };
        Ok::<_, WebError>(ok(&req, &page))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// The search results only (htmx, as the user types).
#[get("/c/{key}/search")]
pub async fn search(req: HttpRequest, viewer: Viewer, path: web::Path<String>) -> HttpResponse {
    let key = path.into_inner();
    let c = Chrome::new(&req, Some(&viewer));
    let d = Draft::from_pairs(&query_pairs(req.query_string()));
    ok(
        &req,
        &SearchResults {
            hits: hits(&key, &d, c.zh()),
            c,
            d,
        },
    )
}

/// The classification preview only (htmx, when the form changes).
#[get("/c/{key}/preview")]
pub async fn preview_partial(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let key = path.into_inner();
    let out = async {
        let c = Chrome::new(&req, Some(&viewer));
        let d = Draft::from_pairs(&query_pairs(req.query_string()));
        let preview = preview_of(&state, &viewer, &c, &key, &d).await?;
        Ok::<_, WebError>(ok(&req, &PreviewPartial { c, preview }))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

#[post("/c/{key}/add")]
pub async fn add_submit(
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
        let c = Chrome::new(&req, Some(&viewer));
        let d = Draft::from_pairs(&form.0);
        let k = card_of(&state, &viewer, &key, c.zh()).await?;
        let page = |c: Chrome, k: Card, preview: Option<PreviewView>, error: String| AddPage {
            hits: vec![],
            chosen: chosen(&key, &d, c.zh()),
            c,
            key: key.clone(),
            k,
            d: d.clone(),
            preview,
            error,
        };
        if d.cas.is_empty() {
            let p = page(c, k, None, String::new());
            let msg = p.c.t("add.choose_first").to_owned();
            return Ok(render(
                &req,
                &AddPage { error: msg, ..p },
                StatusCode::UNPROCESSABLE_ENTITY,
                false,
            ));
        }
        let Some(quantity) = d.quantity() else {
            let preview = preview_of(&state, &viewer, &c, &key, &d).await?;
            let msg = c.t("add.quantity_needed").to_owned();
            return Ok(render(
                &req,
                &page(c, k, preview, msg),
                StatusCode::UNPROCESSABLE_ENTITY,
                false,
            ));
        };
        // The core's check first: a refusal is shown as a card and nothing is written.
        let preview = preview_of(&state, &viewer, &c, &key, &d).await?;
        if preview.as_ref().is_some_and(|p| p.refusal.is_some()) {
            return Ok(render(
                &req,
                &page(c, k, preview, String::new()),
                StatusCode::CONFLICT,
                false,
            ));
        }
        match lab_app::add(&state, &viewer.user, &key, d.request()?, quantity).await {
            Ok(view) => {
                let to = view.label.digital_id.unwrap_or(view.id);
                Ok(redirect(&req, &format!("/c/{}?done=added", encode(&to))))
            }
            // Refused after all (a concurrent change since the preview): the same card, nothing recorded.
            Err(
                e @ (ApiError::Conflict { .. }
                | ApiError::Invalid { .. }
                | ApiError::TrainingExpired
                | ApiError::Forbidden(_)),
            ) => {
                let status = actix_web::ResponseError::status_code(&e);
                let mut preview = preview;
                if let Some(p) = preview.as_mut() {
                    p.refusal = Some(refusal_card(&c, &e));
                }
                let msg = if preview.is_none() {
                    e.to_string()
                } else {
                    String::new()
                };
                Ok(render(&req, &page(c, k, preview, msg), status, false))
            }
            Err(e) => Err(e.into()),
        }
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
