//! The reagent shelf on a phone (issue 31): the school's bottles with the shelf's alerts and the receipt form
//! (`/shelf`), one bottle's page opened by scanning its e-label (`/b/{code}`) with its steps, its discard and its
//! history. The same use cases as the JSON API's (`app::shelf`); a controlled bottle's second person types their
//! PIN on the same phone (`handover::witness`).

use super::form::{Form, WebError};
use super::lab_app::{read, write};
use super::page::{Chrome, redirect, render, respond};
use super::session::Viewer;
use crate::app::pin::{Confirmed, PinAttempt};
use crate::app::shelf::{self as uc, Discard, Receive, StepCmd};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::bottles::BottleRow;
use crate::store::chain::Signer;
use crate::store::page::Keyset;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use rust_decimal::Decimal;
use waste_core::reagent::{AlertCode, AmountUnit, ControlList, Status};

/// The viewer may keep the school's shelf (the access table's `KeepReagents`).
pub(super) fn keeper(v: &Viewer) -> Result<(), WebError> {
    v.user
        .may(waste_core::access::Action::KeepReagents)
        .map_err(|_| WebError::forbidden())
}

/// A list's name in the page's language.
pub fn list_key(l: ControlList) -> &'static str {
    match l {
        ControlList::HighlyToxic => "shelf.list.highly_toxic",
        ControlList::Precursor => "shelf.list.precursor",
        ControlList::ExplosivePrecursor => "shelf.list.explosive_precursor",
    }
}

fn status_key(s: &str) -> &'static str {
    match Status::parse(s) {
        Some(Status::Sealed) => "shelf.status.sealed",
        Some(Status::Open) => "shelf.status.open",
        Some(Status::Out) => "shelf.status.out",
        Some(Status::Empty) => "shelf.status.empty",
        Some(Status::Discarded) => "shelf.status.discarded",
        None => "shelf.status.open",
    }
}

/// A bottle as a card shows it.
pub struct BottleCard {
    pub code: String,
    pub name: String,
    pub cas: String,
    pub amount: String,
    pub place: String,
    pub status_key: &'static str,
    pub expires_on: String,
    pub lists: Vec<&'static str>,
}

impl BottleCard {
    pub fn of(r: &BottleRow, sites: &[(String, String)]) -> BottleCard {
        let site = sites
            .iter()
            .find(|(id, _)| *id == r.site_id)
            .map_or("", |(_, n)| n.as_str());
        BottleCard {
            code: r.code.clone(),
            name: r.substance_name.clone(),
            cas: r.substance_cas.clone(),
            amount: format!("{} / {} {}", r.balance, r.received_amount, r.unit),
            place: match &r.cabinet {
                Some(c) => format!("{site} · {c}"),
                None => site.to_owned(),
            },
            status_key: status_key(&r.status),
            expires_on: r.expires_on.clone().unwrap_or_default(),
            lists: uc::lists_of(r).into_iter().map(list_key).collect(),
        }
    }
}

/// An alert in the page's words.
pub struct AlertLine {
    pub key: &'static str,
    pub what: String,
    pub due: String,
    pub danger: bool,
}

/// The receipt form's fields as typed, re-shown on a refusal.
#[derive(Default)]
pub struct ReceiveFields {
    pub substance: String,
    pub amount: String,
    pub unit: String,
    pub site_id: String,
    pub cabinet: String,
    pub expires_on: String,
    pub supplier: String,
    pub lot: String,
    pub bad: String,
    pub error: String,
}

impl ReceiveFields {
    fn from_form(f: &Form) -> ReceiveFields {
        ReceiveFields {
            substance: f.get("substance").to_owned(),
            amount: f.get("amount").to_owned(),
            unit: f.get("unit").to_owned(),
            site_id: f.get("site_id").to_owned(),
            cabinet: f.get("cabinet").to_owned(),
            expires_on: f.get("expires_on").to_owned(),
            supplier: f.get("supplier").to_owned(),
            lot: f.get("lot").to_owned(),
            ..ReceiveFields::default()
        }
    }
    pub fn is_bad(&self, field: &str) -> bool {
        self.bad == field
    }
}

#[derive(Template)]
#[template(path = "shelf.html")]
struct ShelfPage {
    c: Chrome,
    bottles: Vec<BottleCard>,
    alerts: Vec<AlertLine>,
    sites: Vec<(String, String)>,
    officers: Vec<Signer>,
    units: Vec<&'static str>,
    f: ReceiveFields,
}

async fn sites_of(state: &AppState, viewer: &Viewer) -> Result<Vec<(String, String)>, ApiError> {
    let (env, actor) = (state.env(), viewer.user.clone());
    read(state, move |c| {
        let page = Keyset {
            limit: 200,
            after: None,
        };
        Ok(crate::app::sites::list(c, &env, &actor, &page)?
            .items
            .into_iter()
            .map(|s| (s.row.id, s.row.name))
            .collect())
    })
    .await
}

fn officers_of(people: Vec<Signer>, not: &str) -> Vec<Signer> {
    people
        .into_iter()
        .filter(|p| p.id != not && p.roles.split(',').any(|r| r == "safety_officer"))
        .collect()
}

async fn shelf_page(
    req: &HttpRequest,
    viewer: &Viewer,
    state: &AppState,
    f: ReceiveFields,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let c = Chrome::new(req, Some(viewer));
    let sites = sites_of(state, viewer).await?;
    let (env, actor) = (state.env(), viewer.user.clone());
    let (rows, alerts, people) = read(state, move |conn| {
        let rows = crate::store::bottles::on_hand(conn, &actor.org_id, None)?;
        let alerts = uc::alerts(conn, &env, &actor)?;
        let people = uc::people(conn, &actor)?;
        Ok((rows, alerts, people))
    })
    .await?;
    let name_of = |id: &str| {
        rows.iter()
            .find(|r| r.id == id)
            .map(|r| format!("{} {}", r.substance_name, r.code))
            .unwrap_or_default()
    };
    let alerts = alerts
        .into_iter()
        .map(|a| AlertLine {
            key: match a.code {
                AlertCode::Expired => "shelf.alert.expired",
                AlertCode::Expiring => "shelf.alert.expiring",
                AlertCode::OpenedPastUseBy => "shelf.alert.opened_past_use_by",
                AlertCode::StocktakeDue => "shelf.alert.stocktake_due",
                AlertCode::IncompatibleNeighbours => "shelf.alert.incompatible",
            },
            what: match a.list {
                Some(l) => c.t(list_key(l)).to_owned(),
                None => a
                    .bottles
                    .iter()
                    .map(|b| name_of(b))
                    .collect::<Vec<_>>()
                    .join(c.t("list.sep")),
            },
            due: a.due.map(|d| d.to_string()).unwrap_or_default(),
            danger: matches!(
                a.code,
                AlertCode::Expired | AlertCode::IncompatibleNeighbours | AlertCode::StocktakeDue
            ),
        })
        .collect();
    let bottles = rows.iter().map(|r| BottleCard::of(r, &sites)).collect();
    let mut f = f;
    if f.unit.is_empty() {
        f.unit = "g".into();
    }
    Ok(render(
        req,
        &ShelfPage {
            officers: officers_of(people, &viewer.user.id),
            c,
            bottles,
            alerts,
            sites,
            units: AmountUnit::ALL.iter().map(|u| u.as_str()).collect(),
            f,
        },
        status,
        false,
    ))
}

#[get("/shelf")]
pub async fn shelf(req: HttpRequest, viewer: Viewer, state: web::Data<AppState>) -> HttpResponse {
    let out = async {
        keeper(&viewer)?;
        shelf_page(
            &req,
            &viewer,
            &state,
            ReceiveFields::default(),
            StatusCode::OK,
        )
        .await
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// The second person's PIN typed on the form, checked (a wrong one counts) before the write.
async fn second_person(
    state: &AppState,
    viewer: &Viewer,
    form: &Form,
) -> Result<Option<Confirmed>, ApiError> {
    let (officer, pin) = (form.get("officer_id"), form.get("pin"));
    if officer.is_empty() && pin.is_empty() {
        return Ok(None);
    }
    let attempt = PinAttempt::parse(officer.to_owned(), pin.to_owned())?;
    Ok(Some(
        crate::handover::witness(state, &viewer.user, attempt).await?,
    ))
}

fn decimal(field: &str, s: &str) -> Result<Decimal, ApiError> {
    Ok(uc::parse_amount(field, s)?)
}

fn receive_cmd(f: &ReceiveFields, today: time::Date) -> Result<Receive, ApiError> {
    let date = |field: &str, s: &str| -> Result<Option<time::Date>, ApiError> {
        if s.trim().is_empty() {
            return Ok(None);
        }
        crate::store::parse_date(s.trim())
            .map(Some)
            .ok_or_else(|| crate::app::AppError::invalid(field, "YYYY-MM-DD").into())
    };
    Ok(Receive {
        substance: f.substance.clone(),
        amount: decimal("amount", &f.amount)?,
        unit: AmountUnit::parse(&f.unit)
            .ok_or_else(|| crate::app::AppError::invalid("unit", "g, kg, mL or L"))?,
        supplier: f.supplier.clone(),
        lot: f.lot.clone(),
        received_on: today,
        expires_on: date("expires_on", &f.expires_on)?,
        use_within_days: None,
        site_id: f.site_id.clone(),
        cabinet: Some(f.cabinet.clone()),
        responsible_id: None,
    })
}

/// Receives a bottle (the same use case as `POST /api/v1/bottles`); a refusal re-shows the form with the field
/// it names marked, and nothing is written.
#[post("/shelf")]
pub async fn receive(
    req: HttpRequest,
    viewer: Viewer,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    let out = async {
        viewer.check_csrf(&form)?;
        keeper(&viewer)?;
        let f = ReceiveFields::from_form(&form);
        let env = state.env();
        let done = async {
            let cmd = receive_cmd(&f, env.clock.today())?;
            let confirmed = second_person(&state, &viewer, &form).await?;
            let actor = viewer.user.clone();
            write(&state, move |tx| {
                Ok(uc::receive(tx, &env, &actor, cmd, confirmed.as_ref())?.code)
            })
            .await
        }
        .await;
        match done {
            Ok(code) => Ok(redirect(&req, &format!("/b/{code}"))),
            Err(e) => {
                let c = Chrome::new(&req, Some(&viewer));
                let mut f = f;
                if let ApiError::Invalid { details, .. } = &e {
                    f.bad = details["field"].as_str().unwrap_or_default().to_owned();
                }
                f.error = c.refusal_of(&e);
                let status = actix_web::ResponseError::status_code(&e);
                shelf_page(&req, &viewer, &state, f, status).await
            }
        }
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// One step of a bottle's history, in words.
pub struct HistoryLine {
    pub when: String,
    pub key: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "bottle.html")]
struct BottlePage {
    c: Chrome,
    b: BottleCard,
    status: String,
    controlled: bool,
    history: Vec<HistoryLine>,
    people: Vec<Signer>,
    officers: Vec<Signer>,
    refusal: String,
    /// The viewer's id: the person a bottle is issued to unless another is chosen.
    me: String,
}

async fn bottle_page(
    req: &HttpRequest,
    viewer: &Viewer,
    state: &AppState,
    code: &str,
    refusal: String,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let c = Chrome::new(req, Some(viewer));
    let sites = sites_of(state, viewer).await?;
    let (actor, code) = (viewer.user.clone(), code.to_owned());
    let (row, events, people) = read(state, move |conn| {
        let row = uc::by_code(conn, &actor, &code)?;
        let (_, events, _) = uc::life(conn, &actor, &row.id)?;
        let people = uc::people(conn, &actor)?;
        Ok((row, events, people))
    })
    .await?;
    let unit = row.unit.clone();
    let history = events
        .iter()
        .rev()
        .map(|e| {
            let p = &e.payload;
            let text = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
            let detail = match e.kind.as_str() {
                "issued" => format!(
                    "{} · {} {unit} · {}",
                    text("to_name"),
                    text("amount"),
                    text("purpose")
                ),
                "returned" | "used" => format!("{} {} {unit}", c.t("shelf.left"), text("balance")),
                "counted" => format!("{} {unit} · {}", text("counted"), text("explanation")),
                "received" => format!("{} {unit}", text("amount")),
                _ => String::new(),
            };
            HistoryLine {
                when: c.when(&e.at),
                key: format!("shelf.event.{}", e.kind),
                detail,
            }
        })
        .collect();
    let controlled = !uc::lists_of(&row).is_empty();
    Ok(render(
        req,
        &BottlePage {
            b: BottleCard::of(&row, &sites),
            status: row.status.clone(),
            controlled,
            history,
            officers: officers_of(people.clone(), &viewer.user.id),
            people,
            refusal,
            me: viewer.user.id.clone(),
            c,
        },
        status,
        false,
    ))
}

#[get("/b/{code}")]
pub async fn bottle(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let out = async {
        keeper(&viewer)?;
        bottle_page(&req, &viewer, &state, &path, String::new(), StatusCode::OK).await
    }
    .await;
    respond(&req, Some(&viewer), out)
}

fn step_cmd(form: &Form) -> Result<StepCmd, ApiError> {
    let need = |k: &str| -> Result<String, ApiError> {
        let v = form.get(k);
        if v.is_empty() {
            Err(crate::app::AppError::invalid(k, "required for this step").into())
        } else {
            Ok(v.to_owned())
        }
    };
    Ok(match form.get("step") {
        "open" => StepCmd::Open,
        "use" => StepCmd::Use {
            amount: decimal("amount", &need("amount")?)?,
        },
        "issue" => StepCmd::Issue {
            to: need("to")?,
            amount: decimal("amount", &need("amount")?)?,
            purpose: need("purpose")?,
        },
        "return" => StepCmd::Return {
            remaining: need("remaining")?
                .trim()
                .parse::<Decimal>()
                .ok()
                .filter(|d| *d >= Decimal::ZERO)
                .ok_or_else(|| crate::app::AppError::invalid("remaining", "0 or more"))?,
        },
        "empty" => StepCmd::Empty,
        _ => {
            return Err(
                crate::app::AppError::invalid("step", "open, use, issue, return or empty").into(),
            );
        }
    })
}

/// A step on the bottle (the same use case as `POST /api/v1/bottles/{id}/steps`); a refusal re-shows the page
/// with the reason.
#[post("/b/{code}/step")]
pub async fn step(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    let code = path.into_inner();
    let out = async {
        viewer.check_csrf(&form)?;
        keeper(&viewer)?;
        let done = async {
            let cmd = step_cmd(&form)?;
            let confirmed = second_person(&state, &viewer, &form).await?;
            let (env, actor, code) = (state.env(), viewer.user.clone(), code.clone());
            write(&state, move |tx| {
                let row = uc::by_code(tx, &actor, &code)?;
                uc::take_step(tx, &env, &actor, &row.id, cmd, confirmed.as_ref())
            })
            .await
        }
        .await;
        after(&req, &viewer, &state, &code, done.map(|_| ())).await
    }
    .await;
    respond(&req, Some(&viewer), out)
}

async fn after(
    req: &HttpRequest,
    viewer: &Viewer,
    state: &AppState,
    code: &str,
    done: Result<(), ApiError>,
) -> Result<HttpResponse, WebError> {
    match done {
        Ok(()) => Ok(redirect(req, &format!("/b/{code}"))),
        Err(e) => {
            let c = Chrome::new(req, Some(viewer));
            let status = actix_web::ResponseError::status_code(&e);
            let words = c.refusal_of(&e);
            bottle_page(req, viewer, state, code, words, status).await
        }
    }
}

/// Discards the bottle into a new lab pack, a container of the school, or (emptied) as cleaned.
#[post("/b/{code}/discard")]
pub async fn discard(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    let code = path.into_inner();
    let out = async {
        viewer.check_csrf(&form)?;
        keeper(&viewer)?;
        let done = async {
            let to = if form.get("cleaned") == "1" {
                Discard::Cleaned
            } else if !form.get("container_id").is_empty() {
                Discard::Into {
                    container_id: form.get("container_id").to_owned(),
                }
            } else {
                Discard::New(crate::app::containers::CreateContainer::parse(
                    form.get("lab"),
                    form.get("capacity_liters"),
                    form.get("material"),
                    None,
                )?)
            };
            let mass = match form.get("empty_mass_kg") {
                "" => None,
                m => Some(decimal("empty_mass_kg", m)?),
            };
            let (env, actor, code) = (state.env(), viewer.user.clone(), code.clone());
            write(&state, move |tx| {
                let row = uc::by_code(tx, &actor, &code)?;
                uc::discard(tx, &env, &actor, &row.id, to, mass).map(|_| ())
            })
            .await
        }
        .await;
        after(&req, &viewer, &state, &code, done).await
    }
    .await;
    respond(&req, Some(&viewer), out)
}
