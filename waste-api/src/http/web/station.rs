//! The manifests of every party (tabs Drafts / To act / Following / Archive / Returns with counts, late receipts
//! highlighted, bulk print), and the shipper's pages: stock (containers held, days held against the holder's
//! limit) and drafting a manifest (sealed containers grouped by waste code; the firm's licence and the contract
//! coverage shown before submitting; the use case's refusals inline).

use super::lab::Card;
use super::lab_app::{read, write};
use super::manifest_cards::Refused;
use super::page::{Chrome, Form, WebError, encode, ok, query_pairs, redirect, render, respond};
use super::session::Viewer;
use crate::app::chain::{self, Listed, Tab};
use crate::app::manifests::{self, Draft};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::page::Keyset;
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, post, web};
use askama::Template;
use std::collections::{BTreeMap, BTreeSet};

pub struct Row {
    pub number: String,
    /// The number, or a draft's name (`manifest::draft_name`).
    pub shown: String,
    pub status: String,
    pub status_key: String,
    pub shipper: String,
    pub carrier: String,
    pub receiver: String,
    pub created: String,
    pub late: bool,
    pub returns: bool,
    /// The catalogue key of the next step the viewer may take, if any.
    pub next_key: String,
}

impl Row {
    /// A manifest as the lists show it: its number (or a draft's name), parties and the viewer's next step.
    pub fn of(c: &Chrome, l: &Listed, late: &BTreeSet<String>) -> Row {
        Row {
            number: l.row.key().to_owned(),
            shown: match l.row.official_number() {
                Some(n) => n.to_owned(),
                None => super::manifest::draft_name(c, &l.names[2], &l.row.created_at),
            },
            status: l.row.status.clone(),
            status_key: format!("mstatus.{}", l.row.status),
            shipper: l.names[0].clone(),
            carrier: l.names[1].clone(),
            receiver: l.names[2].clone(),
            created: l.row.created_at.clone(),
            late: late.contains(&l.row.id),
            returns: l.returns,
            next_key: l
                .steps
                .iter()
                .find(|a| **a != waste_core::manifest::Action::Cancel)
                .map(|a| format!("next.{}", a.path()))
                .unwrap_or_default(),
        }
    }
}

pub struct TabV {
    pub id: &'static str,
    pub key: &'static str,
    pub n: usize,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "manifests.html")]
struct ManifestsPage {
    c: Chrome,
    tabs: Vec<TabV>,
    rows: Vec<Row>,
    may_draft: bool,
}

const TABS: [(&str, &str); 5] = [
    ("act", "tabs.act"),
    ("drafts", "tabs.drafts"),
    ("following", "tabs.following"),
    ("archive", "tabs.archive"),
    ("returns", "tabs.returns"),
];

fn in_tab(l: &Listed, tab: &str) -> bool {
    match tab {
        "drafts" => l.tab == Tab::Drafts,
        "act" => l.tab == Tab::ToAct,
        "following" => l.tab == Tab::Following,
        "archive" => l.tab == Tab::Archive,
        "returns" => l.returns,
        _ => false,
    }
}

/// The manifests the viewer's organisation is a party to, and the ids of those whose receipt is late.
pub async fn load(
    state: &AppState,
    viewer: &Viewer,
) -> Result<(Vec<Listed>, BTreeSet<String>), ApiError> {
    let (env, actor) = (state.env(), viewer.user.clone());
    read(state, move |c| {
        let listed = chain::listed(c, &actor, env.clock.today())?;
        let late = manifests::receipt_alerts(
            c,
            &env,
            &actor,
            &Keyset {
                limit: 500,
                after: None,
            },
        )?
        .items
        .into_iter()
        .map(|l| l.manifest.id)
        .collect();
        Ok((listed, late))
    })
    .await
}

#[get("/manifests")]
pub async fn manifests_page(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
) -> HttpResponse {
    let out = async {
        let (listed, late) = load(&state, &viewer).await?;
        let asked = query_pairs(req.query_string())
            .into_iter()
            .find(|(k, _)| k == "tab")
            .map(|(_, v)| v)
            .unwrap_or_default();
        let tab = TABS
            .iter()
            .map(|(id, _)| *id)
            .find(|id| *id == asked)
            .unwrap_or("act");
        let tabs = TABS
            .iter()
            .map(|&(id, key)| TabV {
                id,
                key,
                n: listed.iter().filter(|l| in_tab(l, id)).count(),
                current: id == tab,
            })
            .collect();
        let c = Chrome::new(&req, Some(&viewer));
        let rows = listed
            .iter()
            .filter(|l| in_tab(l, tab))
            .map(|l| Row::of(&c, l, &late))
            .collect();
        let may_draft = manifests::may_draft(&viewer.user).is_ok();
        Ok::<_, WebError>(ok(
            &req,
            &ManifestsPage {
                c,
                tabs,
                rows,
                may_draft,
            },
        ))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// A held container as the stock and the draft list show it.
pub struct Held {
    pub k: Card,
    pub id: String,
    pub started_on: String,
    pub shippable: bool,
    /// The catalogue key of the button that gives a rejected container back to its school (empty: none).
    pub hand_back_key: &'static str,
}

async fn held(state: &AppState, viewer: &Viewer, zh: bool) -> Result<Vec<Held>, ApiError> {
    let (env, actor) = (state.env(), viewer.user.clone());
    read(state, move |c| {
        let states = chain::held(c, &env, &actor)?;
        let mut out = Vec::new();
        for s in states {
            let shippable = chain::shippable(c, &s)?;
            let hand_back_key = match s.row.status() {
                Ok(waste_core::container::Status::Returned)
                    if s.row.organization_id == actor.org_id =>
                {
                    "stock.take_back"
                }
                Ok(waste_core::container::Status::Returned) => "stock.hand_back",
                _ => "",
            };
            let size = env.std.labels.size_for(s.label.container_volume_l);
            let v = crate::views::containers::container(s, size);
            let started_on = v
                .storage
                .as_ref()
                .map(|s| s.started_on.clone())
                .unwrap_or_default();
            let id = v.id.clone();
            out.push(Held {
                k: Card::of(v, zh),
                id,
                started_on,
                shippable,
                hand_back_key,
            });
        }
        Ok(out)
    })
    .await
}

#[derive(Template)]
#[template(path = "stock.html")]
struct StockPage {
    c: Chrome,
    held: Vec<Held>,
    /// A rejected container was just handed back.
    handed_back: bool,
}

#[get("/stock")]
pub async fn stock(req: HttpRequest, viewer: Viewer, state: web::Data<AppState>) -> HttpResponse {
    let out = async {
        let c = Chrome::new(&req, Some(&viewer));
        let held = held(&state, &viewer, c.zh()).await?;
        let handed_back = query_pairs(req.query_string())
            .iter()
            .any(|(k, v)| k == "done" && v == "handed_back");
        Ok::<_, WebError>(ok(
            &req,
            &StockPage {
                c,
                held,
                handed_back,
            },
        ))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

pub struct Group {
    pub code: String,
    pub items: Vec<Held>,
}

pub struct Choice {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "draft.html")]
struct DraftPage {
    c: Chrome,
    groups: Vec<Group>,
    firms: Vec<Choice>,
    carriers: Vec<Choice>,
    chosen: BTreeSet<String>,
    weights: BTreeMap<String, String>,
    coverage: Option<super::manifest::CoverageV>,
    refusal: Option<Refused>,
}

impl DraftPage {
    fn is_chosen(&self, id: &str) -> bool {
        self.chosen.contains(id)
    }
    fn weight(&self, id: &str) -> &str {
        self.weights.get(id).map(String::as_str).unwrap_or("")
    }
}

/// The draft form; `form` holds what was chosen (a "check" POST or a refused POST).
async fn draft_page(
    req: &HttpRequest,
    state: &AppState,
    viewer: &Viewer,
    form: &Form,
    refusal: Option<Refused>,
) -> Result<DraftPage, ApiError> {
    let c = Chrome::new(req, Some(viewer));
    let actor = viewer.user.clone();
    let choices = read(state, move |conn| chain::choices(conn, &actor)).await?;
    let held: Vec<Held> = held(state, viewer, c.zh())
        .await?
        .into_iter()
        .filter(|h| h.shippable)
        .collect();
    let firm = form.get("receiver_id").to_owned();
    let carrier = form.get("carrier_id").to_owned();
    let chosen: BTreeSet<String> = if form.0.iter().any(|(k, _)| k == "c") {
        form.all("c").into_iter().collect()
    } else {
        held.iter().map(|h| h.id.clone()).collect()
    };
    let weights = held
        .iter()
        .map(|h| (h.id.clone(), form.get(&format!("w_{}", h.id)).to_owned()))
        .collect();
    let codes: BTreeSet<String> = held
        .iter()
        .filter(|h| chosen.contains(&h.id))
        .map(|h| h.k.code.clone())
        .collect();
    let coverage = if firm.is_empty() || codes.is_empty() {
        None
    } else {
        let (env, actor, f) = (state.env(), viewer.user.clone(), firm.clone());
        match read(state, move |conn| {
            chain::coverage(conn, &env, &actor, &f, &codes)
        })
        .await
        {
            Ok(cov) => Some(super::manifest::CoverageV {
                licence: cov.licence.number.clone().unwrap_or_default(),
                valid_until: cov
                    .licence
                    .valid_until
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                refusal: cov.refusal.map(|e| Refused::of(&ApiError::from(e))),
            }),
            Err(ApiError::NotFound(_)) => None,
            Err(e) => return Err(e),
        }
    };
    let mut groups: BTreeMap<String, Vec<Held>> = BTreeMap::new();
    for h in held {
        groups.entry(h.k.code.clone()).or_default().push(h);
    }
    let pick = |rows: Vec<crate::store::organizations::OrgRow>, sel: &str| -> Vec<Choice> {
        rows.into_iter()
            .map(|o| Choice {
                selected: o.id == sel,
                id: o.id,
                name: o.name,
            })
            .collect()
    };
    Ok(DraftPage {
        c,
        groups: groups
            .into_iter()
            .map(|(code, items)| Group { code, items })
            .collect(),
        firms: pick(choices.firms, &firm),
        carriers: pick(choices.carriers, &carrier),
        chosen,
        weights,
        coverage,
        refusal,
    })
}

#[get("/manifests/new")]
pub async fn draft_form(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form(query_pairs(req.query_string()));
    let out = async {
        let p = draft_page(&req, &state, &viewer, &form, None).await?;
        Ok::<_, WebError>(ok(&req, &p))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

#[post("/manifests/new")]
pub async fn draft(
    req: HttpRequest,
    viewer: Viewer,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    if let Err(e) = viewer.check_csrf(&form) {
        return respond(&req, Some(&viewer), Err(e));
    }
    // "Check coverage" posts the same form (its CSRF token stays out of every URL) and only shows the coverage.
    if form.get("check") == "1" {
        let out = async {
            let p = draft_page(&req, &state, &viewer, &form, None).await?;
            Ok::<_, WebError>(ok(&req, &p))
        }
        .await;
        return respond(&req, Some(&viewer), out);
    }
    let out = async {
        let drafted = async {
            let ids = form.all("c");
            let weights: BTreeMap<String, String> = ids
                .iter()
                .map(|id| (id.clone(), form.get(&format!("w_{id}")).to_owned()))
                .filter(|(_, w)| !w.is_empty())
                .collect();
            let cmd = Draft::parse(
                form.get("receiver_id").to_owned(),
                form.get("carrier_id").to_owned(),
                ids,
                &weights,
            )?;
            let (env, actor) = (state.env(), viewer.user.clone());
            write(&state, move |tx| manifests::draft(tx, &env, &actor, cmd)).await
        }
        .await;
        match drafted {
            Ok(m) => Ok(redirect(&req, &format!("/m/{}", encode(m.row.key())))),
            Err(e) => {
                let status = e.status_code();
                let p = draft_page(&req, &state, &viewer, &form, Some(Refused::of(&e))).await?;
                Ok::<_, WebError>(render(&req, &p, status, false))
            }
        }
    }
    .await;
    respond(&req, Some(&viewer), out)
}
