//! The collection round on the operator's phone: each container of a scheduled request scanned and weighed, a
//! badly packed item refused with its reason, and the school's safety officer's PIN confirming the hand-over
//! (`app::pickups`, `app::pin`).

use super::lab_app::{read, write};
use super::manifest_cards::Refused;
use super::page::{Chrome, Form, WebError, ok, redirect, render, respond};
use super::pickups::shown;
use super::session::Viewer;
use crate::app::pickup_requests as pr;
use crate::app::{AppError, chain, pickups, pin};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, post, web};
use askama::Template;

pub struct ToCollect {
    pub i: usize,
    pub id: String,
    pub digital_id: String,
    pub code: String,
    /// Stream, code, hazards and lab: what the operator recognises the container by.
    pub what: String,
}

pub struct Officer {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "collect.html")]
struct CollectPage {
    c: Chrome,
    id: String,
    school: String,
    slot: String,
    items: Vec<ToCollect>,
    officers: Vec<Officer>,
    refusal: Option<Refused>,
}

async fn collect_page(
    req: &HttpRequest,
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    refusal: Option<Refused>,
) -> Result<CollectPage, ApiError> {
    let (env, actor, id) = (state.env(), viewer.user.clone(), id.to_owned());
    let zone = state.clock.zone().clone();
    let (r, school, items, officers) = read(state, move |c| {
        pickups::may_pick_up(&actor, &env)?;
        let r = pr::get(c, &actor, &id)?;
        let school = crate::store::organizations::summary(c, &r.row.school_id)?.name;
        let items = chain::briefs(c, &r.containers)?;
        let officers = chain::officers(c, &actor, &r.row.school_id)?;
        Ok((r, school, items, officers))
    })
    .await?;
    let c = Chrome::new(req, Some(viewer));
    let items = items
        .into_iter()
        .enumerate()
        .map(|(i, b)| ToCollect {
            i,
            what: super::scanning::what_of(&b, &c),
            id: b.id,
            digital_id: b.digital_id,
            code: b.code,
        })
        .collect();
    Ok(CollectPage {
        c,
        slot: match (&r.row.slot_from, &r.row.slot_until) {
            (Some(f), Some(u)) => format!("{} – {}", shown(&zone, f), shown(&zone, u)),
            _ => String::new(),
        },
        id: r.row.id,
        school,
        items,
        officers: officers
            .into_iter()
            .map(|s| Officer {
                id: s.id,
                name: s.name,
            })
            .collect(),
        refusal,
    })
}

#[get("/pickups/{id}/collect")]
pub async fn collect_form(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let id = path.into_inner();
    let out = async {
        let p = collect_page(&req, &state, &viewer, &id, None).await?;
        Ok::<_, WebError>(ok(&req, &p))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// The collection: per item a gross weight, or a refusal with its reason; the officer's PIN when given.
fn collection(
    form: &Form,
    school_id: String,
    request_id: &str,
) -> Result<pickups::Pickup, AppError> {
    let mut taken = Vec::new();
    let mut refused = Vec::new();
    for i in 0..500 {
        let cid = form.get(&format!("cid_{i}"));
        if cid.is_empty() {
            break;
        }
        if form.get(&format!("refuse_{i}")) == "1" {
            refused.push((cid.to_owned(), form.get(&format!("reason_{i}")).to_owned()));
        } else {
            taken.push((cid.to_owned(), form.get(&format!("gross_{i}")).to_owned()));
        }
    }
    Ok(pickups::Pickup::parse(school_id, &taken)?
        .with_refused(&refused)?
        .with_request(Some(request_id.to_owned())))
}

#[post("/pickups/{id}/collect")]
pub async fn collect(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let id = path.into_inner();
    let form = Form::parse(&body);
    if let Err(e) = viewer.check_csrf(&form) {
        return respond(&req, Some(&viewer), Err(e));
    }
    let out = async {
        let env = state.env();
        let done = async {
            let (actor, rid) = (viewer.user.clone(), id.clone());
            let r = read(&state, move |c| pr::get(c, &actor, &rid)).await?;
            let cmd = collection(&form, r.row.school_id.clone(), &id)?;
            // The same sequence as the API: may the user pick up at all, then the PIN, counted in its own
            // transaction so that a wrong one counts even though the pickup is refused.
            let officer = form.get("officer_id");
            let confirmation = if officer.is_empty() || form.get("pin").is_empty() {
                None
            } else {
                let attempt =
                    pin::PinAttempt::parse(officer.to_owned(), form.get("pin").to_owned())?;
                let (actor, school) = (&viewer.user, &r.row.school_id);
                Some(crate::handover::confirm(&state, actor, school, Some(&id), attempt).await?)
            };
            let cmd = cmd.confirmed(confirmation);
            let (env, actor) = (env.clone(), viewer.user.clone());
            write(&state, move |tx| pickups::pick_up(tx, &env, &actor, cmd)).await
        }
        .await;
        match done {
            Ok(_) => Ok(redirect(&req, "/stock?done=collected")),
            Err(e) => {
                let status = e.status_code();
                let p = collect_page(&req, &state, &viewer, &id, Some(Refused::of(&e))).await?;
                Ok::<_, WebError>(render(&req, &p, status, false))
            }
        }
    }
    .await;
    respond(&req, Some(&viewer), out)
}
