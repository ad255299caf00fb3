//! The manifest page `/m/{number}` (opened by scanning its printed QR code or typing its number): lines,
//! parties, state, the signatures, and the one step the signed-in user's organisation may take next (submit,
//! dispatch by scanning every container, receive with weights and verdicts, confirm disposal, cancel), each the
//! same use case as the JSON API's. The roadside link and its read-only page `/r/{token}`; the print document.

use super::lab_app::{read, write};
use super::manifest_cards::{LineCard, Refused, at};
use super::page::{Chrome, Form, WebError, encode, ok, query_pairs, redirect, render, respond};
use super::session::Viewer;
use crate::app::chain::{self, Sheet};
use crate::app::manifests::{self, StepCommand};
use crate::app::{AppError, road_links};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, post, web};
use askama::Template;
use waste_core::manifest::{Action, Party};

pub struct PartyRow {
    pub key: &'static str,
    pub name: String,
    pub credit_code: String,
    /// The organisation's contact (telephone), the emergency contact on the roadside page.
    pub contact: String,
    pub ours: bool,
}

pub struct Signed {
    pub kind_key: String,
    pub at: String,
    pub name: String,
    pub roles: Vec<String>,
}

/// The licence and contract coverage shown on a draft before it is submitted.
pub struct CoverageV {
    pub licence: String,
    pub valid_until: String,
    pub refusal: Option<Refused>,
}

pub struct LinkV {
    pub url: String,
    pub expires_at: String,
    pub qr: String,
}

#[derive(Template)]
#[template(path = "manifest.html")]
pub struct ManifestPage {
    pub c: Chrome,
    pub id: String,
    /// The key the page's links use: the number, or a draft's id.
    pub number: String,
    /// What a person reads: the number, or a draft named by its receiver and the day it was drafted.
    pub shown: String,
    pub status: String,
    pub status_key: String,
    pub party_key: &'static str,
    pub parties: Vec<PartyRow>,
    pub lines: Vec<LineCard>,
    pub signed: Vec<Signed>,
    pub can: Vec<&'static str>,
    pub coverage: Option<CoverageV>,
    pub refusal: Option<Refused>,
    pub notice: String,
    pub qr: String,
    pub link: Option<LinkV>,
    pub receipt_deadline: String,
    pub late: bool,
    /// The disposal method recorded, with its name (`D10 陆上焚化`).
    pub method: String,
    /// The operations the receiver chooses from (Basel Convention Annex IV), named in the page's language.
    pub methods: Vec<MethodV>,
    /// Its corrections, newest first, and what the viewer may do about them (Transfer Measures Art.29).
    pub revisions: Vec<super::manifest_cards::RevisionCard>,
    pub offer: crate::app::revisions::Offer,
}

impl ManifestPage {
    pub fn may(&self, what: &'static str) -> bool {
        self.can.contains(&what)
    }
}

pub struct MethodV {
    pub code: String,
    pub name: String,
    /// Annex IV Section B (recovery), else Section A.
    pub recovers: bool,
}

/// The Annex IV operations as the disposal form offers them.
pub(super) fn methods(zh: bool) -> Vec<MethodV> {
    super::lab::std()
        .manifest
        .methods
        .iter()
        .map(|m| MethodV {
            code: m.code.clone(),
            name: if zh {
                m.name_zh.clone()
            } else {
                m.name_en.clone()
            },
            recovers: m.recovers(),
        })
        .collect()
}

/// A recorded method code with its name, when the list names it.
fn method_named(code: &str, methods: &[MethodV]) -> String {
    match methods.iter().find(|m| m.code == code) {
        Some(m) => format!("{} {}", m.code, m.name),
        None => code.to_owned(),
    }
}

fn party_key(p: Option<Party>) -> &'static str {
    match p {
        Some(Party::Shipper) => "party.shipper",
        Some(Party::Carrier) => "party.carrier",
        Some(Party::Receiver) => "party.receiver",
        None => "party.none",
    }
}

/// A draft has no number yet: it is named by its receiver and the local day it was drafted.
pub(super) fn draft_name(c: &Chrome, receiver: &str, created_at: &str) -> String {
    format!(
        "{} · {receiver} · {}",
        c.t("mstatus.draft"),
        c.day(created_at)
    )
}

/// Builds the page from the use case's sheet.
pub fn page(c: Chrome, s: Sheet, viewer: &Viewer) -> ManifestPage {
    let m = &s.opened.manifest.row;
    let zh = c.zh();
    let keys = ["party.shipper", "party.carrier", "party.receiver"];
    let parties = s
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
            ours: o.as_ref().is_some_and(|o| o.id == viewer.user.org_id),
        })
        .collect();
    let lines: Vec<LineCard> = s
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| LineCard::of(i, l, &c))
        .collect();
    let signed = s
        .signatures
        .iter()
        .map(|g| Signed {
            kind_key: format!("event.{}", g.kind),
            at: at(&c.zone, &g.at),
            name: g.name.clone(),
            roles: g.roles.iter().map(|r| format!("role.{r}")).collect(),
        })
        .collect();
    let mut can: Vec<&'static str> = s.opened.steps.iter().map(|a| a.path()).collect();
    if s.opened.party.is_some()
        && viewer
            .user
            .may(waste_core::access::Action::RoadsideLink)
            .is_ok()
        && !m.state().is_ok_and(|st| st.is_closed())
    {
        can.push("road-link");
    }
    let offer = crate::app::revisions::offer(m, &s.revisions, &viewer.user);
    let revisions = super::manifest_cards::cards(&c.zone, &s.revisions, &lines, &offer);
    let methods = methods(zh);
    ManifestPage {
        revisions,
        offer,
        id: m.id.clone(),
        number: m.key().to_owned(),
        shown: match m.official_number() {
            Some(n) => n.to_owned(),
            None => draft_name(
                &c,
                s.opened.parties[2].as_ref().map_or("", |o| o.name.as_str()),
                &m.created_at,
            ),
        },
        status: m.status.clone(),
        status_key: format!("mstatus.{}", m.status),
        party_key: party_key(s.opened.party),
        parties,
        lines,
        signed,
        can,
        coverage: None,
        refusal: None,
        notice: String::new(),
        qr: waste_core::label::qr_svg(m.key(), 40).unwrap_or_default(),
        link: None,
        receipt_deadline: m.receipt_deadline.clone().unwrap_or_default(),
        late: m.received_late == Some(true),
        method: m
            .disposal_method
            .as_deref()
            .map(|d| method_named(d, &methods))
            .unwrap_or_default(),
        methods,
        c,
    }
}

async fn load(state: &AppState, viewer: &Viewer, key: &str) -> Result<Sheet, ApiError> {
    let (actor, key, today) = (viewer.user.clone(), key.to_owned(), state.clock.today());
    read(state, move |c| chain::sheet(c, &actor, &key, today)).await
}

/// The page, with the draft's coverage when the viewer may submit it.
pub(super) async fn full_page(
    req: &HttpRequest,
    state: &AppState,
    viewer: &Viewer,
    key: &str,
) -> Result<ManifestPage, ApiError> {
    let sheet = load(state, viewer, key).await?;
    let codes: std::collections::BTreeSet<String> = sheet
        .opened
        .manifest
        .lines
        .iter()
        .map(|l| l.code.clone())
        .collect();
    let firm = sheet.opened.manifest.row.receiver_id.clone();
    let mut p = page(Chrome::new(req, Some(viewer)), sheet, viewer);
    if p.may("submit") {
        let (env, actor) = (state.env(), viewer.user.clone());
        let cov = read(state, move |c| {
            chain::coverage(c, &env, &actor, &firm, &codes)
        })
        .await?;
        p.coverage = Some(CoverageV {
            licence: cov.licence.number.clone().unwrap_or_default(),
            valid_until: cov
                .licence
                .valid_until
                .map(|d| d.to_string())
                .unwrap_or_default(),
            refusal: cov.refusal.map(|e| Refused::of(&ApiError::from(e))),
        });
    }
    Ok(p)
}

#[get("/m/{key}")]
pub async fn manifest_page(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let key = path.into_inner();
    let out = async {
        let mut p = full_page(&req, &state, &viewer, &key).await?;
        if let Some((_, done)) = query_pairs(req.query_string())
            .into_iter()
            .find(|(k, _)| k == "done")
            && (Action::ALL.iter().any(|a| a.path() == done)
                || super::manifest_cards::DONE.contains(&done.as_str()))
        {
            p.notice = format!("done.{done}");
        }
        Ok::<_, WebError>(ok(&req, &p))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// The step a form asks for, parsed before anything is read or written.
enum Asked {
    Plain(StepCommand),
    /// Dispatch: the codes scanned (digital identification codes or container ids), the vehicle plate and the
    /// transport permit number (Art.11).
    Scanned(Vec<String>, Option<String>, Option<String>),
}

fn asked(action: &str, form: &Form) -> Result<Asked, AppError> {
    Ok(match action {
        "submit" => Asked::Plain(StepCommand::Submit),
        "cancel" => Asked::Plain(StepCommand::Cancel),
        "dispatch" => {
            let mut codes: Vec<String> = form
                .get("codes")
                .split(|ch: char| ch.is_whitespace() || ch == ',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            codes.extend(form.all("code"));
            if codes.len() > 500 || codes.iter().any(|c| c.len() > 100) {
                return Err(AppError::invalid(
                    "codes",
                    "at most 500 codes of 100 characters",
                ));
            }
            let given = |k: &str| Some(form.get(k).to_owned()).filter(|v| !v.is_empty());
            // The vehicle is checked by the use case's own parser before anything is written.
            StepCommand::dispatch(
                Default::default(),
                given("vehicle_plate").as_deref(),
                given("transport_permit_no").as_deref(),
            )?;
            Asked::Scanned(codes, given("vehicle_plate"), given("transport_permit_no"))
        }
        "receive" => {
            let mut lines = Vec::new();
            for i in 0..500 {
                let cid = form.get(&format!("cid_{i}"));
                if cid.is_empty() {
                    break;
                }
                let accepted = match form.get(&format!("verdict_{i}")) {
                    "accept" => true,
                    "reject" => false,
                    _ => {
                        return Err(AppError::invalid(
                            format!("lines[{i}].accepted"),
                            "choose accept or reject",
                        ));
                    }
                };
                let reason =
                    Some(form.get(&format!("reason_{i}")).to_owned()).filter(|r| !r.is_empty());
                if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
                    return Err(AppError::invalid(
                        format!("lines[{i}].reason"),
                        "at most 500 characters",
                    ));
                }
                lines.push((
                    cid.to_owned(),
                    form.get(&format!("weight_{i}")).to_owned(),
                    accepted,
                    reason,
                ));
            }
            Asked::Plain(StepCommand::receive(None, &lines)?)
        }
        "confirm-disposal" => Asked::Plain(StepCommand::confirm_disposal(form.get("method"))?),
        _ => return Err(AppError::NotFound("step")),
    })
}

#[post("/m/{key}/step/{action}")]
pub async fn step(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (key, action) = path.into_inner();
    let form = Form::parse(&body);
    if let Err(e) = viewer.check_csrf(&form) {
        return respond(&req, Some(&viewer), Err(e));
    }
    let out = async {
        let done = async {
            let cmd = asked(&action, &form)?;
            let (env, actor, key) = (state.env(), viewer.user.clone(), key.clone());
            write(&state, move |tx| {
                let id = crate::store::manifests::id_by_number(tx, &key)?.unwrap_or(key);
                let cmd = match cmd {
                    Asked::Plain(c) => c,
                    Asked::Scanned(codes, plate, permit) => StepCommand::dispatch(
                        chain::scanned_ids(tx, &codes)?,
                        plate.as_deref(),
                        permit.as_deref(),
                    )?,
                };
                manifests::step(tx, &env, &actor, &id, cmd)
            })
            .await
        }
        .await;
        match done {
            Ok(m) => Ok(redirect(
                &req,
                &format!("/m/{}?done={}", encode(m.row.key()), encode(&action)),
            )),
            Err(e) => {
                let status = e.status_code();
                let mut p = full_page(&req, &state, &viewer, &key).await?;
                p.refusal = Some(Refused::of(&e));
                Ok::<_, WebError>(render(&req, &p, status, false))
            }
        }
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// The absolute URL of a path on this service, as the browser reached it (for a QR code read by another phone).
fn absolute(req: &HttpRequest, path: &str) -> String {
    let info = req.connection_info();
    format!("{}://{}{path}", info.scheme(), info.host())
}

#[post("/m/{key}/road-link")]
pub async fn road_link(
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
        let token = road_links::new_token().map_err(ApiError::from)?;
        let (env, actor, k) = (state.env(), viewer.user.clone(), key.clone());
        let issued = write(&state, move |tx| {
            let id = crate::store::manifests::id_by_number(tx, &k)?.unwrap_or(k);
            road_links::issue(tx, &env, &actor, &id, token)
        })
        .await?;
        let mut p = full_page(&req, &state, &viewer, &issued.manifest_id).await?;
        let url = absolute(&req, &format!("/r/{}", issued.token));
        p.link = Some(LinkV {
            qr: waste_core::label::qr_svg(&url, 60).unwrap_or_default(),
            url,
            expires_at: at(&p.c.zone, &issued.expires_at),
        });
        // The link is a secret for 30 minutes: never stored by the browser.
        Ok::<_, WebError>(render(&req, &p, StatusCode::CREATED, true))
    }
    .await;
    respond(&req, Some(&viewer), out)
}
