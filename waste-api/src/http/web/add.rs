//! Add waste: the chemical search, the live classification preview and the addition itself.

use super::lab::{Card, std, stream_name};
use super::lab_app::{self, Preview};
use super::page::{Chrome, Form, WebError, encode, ok, query_pairs, redirect, render, respond};
use super::refusal::{RefusalCard, refusal_card};
use super::session::Viewer;
use super::words::say;
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use rust_decimal::Decimal;
use std::str::FromStr;
use waste_core::WasteRequest;
use waste_core::container::{Quantity, Unit};
use waste_core::request::{ComponentRequest, Form as WasteForm, Origin};

/// The add-waste form's state, carried in the query string so that every step works as a plain link too.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub cas: Vec<String>,
    pub q: String,
    pub form: String,
    pub origin: String,
    pub qty: String,
    pub unit: String,
    /// What a biological laboratory's waste is (`culture`, `blood`, `sharps`...), empty for a chemical waste.
    pub bio: String,
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
            bio: get("bio"),
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
        if !self.bio.is_empty() {
            parts.push(format!("bio={}", encode(&self.bio)));
        }
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
        // A biological waste (a culture, blood, sharps...) is a biological laboratory's, and needs no chemical.
        let biological = match self.bio.as_str() {
            "" => None,
            b => Some(
                waste_core::request::BiologicalMaterial::parse(b)
                    .filter(|m| m.is_biological())
                    .ok_or_else(|| WebError::bad("add.bad_bio"))?,
            ),
        };
        Ok(WasteRequest {
            description: String::new(),
            form,
            origin,
            fate: Default::default(),
            lab_kind: if biological.is_some() {
                waste_core::request::LabKind::Biological
            } else {
                Default::default()
            },
            radioactive: false,
            cleaned_per_lab_rules: false,
            sorted_collection: true,
            material: None,
            adsorbent_use: None,
            infectious: None,
            biological,
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

/// A classification warning in the page's language: its own words when the rules gave them, else its code's.
pub fn warning(c: &Chrome, w: &waste_core::citation::Warning) -> String {
    let specific = format!("warn.{}", w.words.key);
    let key = if !w.words.key.is_empty() && c.cat.has(&specific) {
        specific
    } else {
        format!("warn.code.{}", w.code.as_str())
    };
    w.words
        .args
        .iter()
        .fold(c.cat.get(&key).to_owned(), |s, (k, v)| {
            s.replace(&format!("{{{k}}}"), &say(c.lang, v))
        })
}

/// The classification preview as shown: outcome, code, stream, hazards and the trace with its citations.
pub struct PreviewView {
    pub outcome_key: String,
    pub code: String,
    pub stream: String,
    pub colour: String,
    pub hazards: Vec<String>,
    pub trace: Vec<(String, String, String)>,
    /// What the person can act on, shown under the result.
    pub warnings: Vec<String>,
    /// How the data decided (an edition's mapping, a name matched for a CAS number): with the details.
    pub notes: Vec<String>,
    pub refusal: Option<RefusalCard>,
    /// Where "我知道了" goes: the draft without the chosen substances the refusal names (an incompatible one
    /// would otherwise stay chosen, and the next tap on Add be refused again); empty when it names none.
    pub dismiss_href: String,
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
            .map(|t| {
                (
                    say(c.lang, &t.rule),
                    say(c.lang, &t.result),
                    say(c.lang, &t.citation),
                )
            })
            .collect(),
        warnings: cl
            .warnings
            .iter()
            .filter(|w| w.code.actionable())
            .map(|w| warning(c, w))
            .collect(),
        notes: cl
            .warnings
            .iter()
            .filter(|w| !w.code.actionable())
            .map(|w| warning(c, w))
            .collect(),
        refusal: p.refusal.as_ref().map(|r| refusal_card(c, r)),
        dismiss_href: String::new(),
        quantity_missing,
    }
}

/// The draft without the chosen substances a refusal names (by CAS number in its details).
fn dismiss_href(key: &str, d: &Draft, e: &ApiError) -> String {
    let ApiError::Conflict { details, .. } = e else {
        return String::new();
    };
    // Substances are named "Name (名称, CAS)" in a refusal's details; a bare CAS number is matched whole.
    fn strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
        match v {
            serde_json::Value::String(s) => out.push(s),
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
            _ => {}
        }
    }
    let mut named = Vec::new();
    strings(details, &mut named);
    let mut kept = d.clone();
    kept.cas.retain(|cas| {
        let tail = format!(", {cas})");
        !named.iter().any(|s| *s == cas || s.ends_with(&tail))
    });
    if kept.cas.len() == d.cas.len() {
        return String::new();
    }
    format!("/c/{}/add?{}", encode(key), kept.query(None, None))
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
    /// The biological wastes offered, with their names in the page's language.
    bio_options: Vec<(&'static str, String)>,
}

fn bio_options(c: &Chrome) -> Vec<(&'static str, String)> {
    BIO_OPTIONS
        .iter()
        .map(|b| (*b, c.t(&format!("bio.{b}")).to_owned()))
        .collect()
}

/// The biological wastes the add form offers (a biological laboratory's, needing no chemical).
pub const BIO_OPTIONS: [&str; 7] = [
    "culture",
    "blood",
    "specimen",
    "contaminated_article",
    "sharps",
    "tissue",
    "animal_carcass",
];

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
    if d.cas.is_empty() && d.bio.is_empty() {
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
    let mut v = preview_view(c, &p, missing);
    if let Some(e) = &p.refusal {
        v.dismiss_href = dismiss_href(key, d, e);
    }
    Ok(Some(v))
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
            bio_options: bio_options(&c),
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
        // Who may add comes before what is added, as at the API's door (one refusal order for both).
        crate::app::containers::may_fill(&viewer.user, Some(state.clock.today()))
            .map_err(ApiError::from)?;
        let c = Chrome::new(&req, Some(&viewer));
        let d = Draft::from_pairs(&form.0);
        let k = card_of(&state, &viewer, &key, c.zh()).await?;
        let page = |c: Chrome, k: Card, preview: Option<PreviewView>, error: String| AddPage {
            bio_options: bio_options(&c),
            hits: vec![],
            chosen: chosen(&key, &d, c.zh()),
            c,
            key: key.clone(),
            k,
            d: d.clone(),
            preview,
            error,
        };
        if d.cas.is_empty() && d.bio.is_empty() {
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
                    p.dismiss_href = dismiss_href(&key, &d, &e);
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
