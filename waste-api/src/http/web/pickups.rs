//! Pickup requests and collection rounds: the school asks (sealed containers, a preferred window, a contact) and
//! follows its request; a station schedules a slot or declines with a reason; the operator collects on a phone,
//! scanning each container and entering its gross weight, refusing a badly packed item with its reason, and the
//! school's safety officer confirms the hand-over with their PIN on the operator's phone. Every decision is the
//! use cases' (`app::pickup_requests`, `app::pickups`, `app::pin`).

use super::lab_app::{read, write};
use super::manifest_cards::Refused;
use super::page::{Chrome, Form, WebError, ok, query_pairs, redirect, render, respond};
use super::session::Viewer;
use crate::app::pickup_requests::{self as pr, Decline, NewRequest, Schedule};
use crate::app::{chain, pickups, pin};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::page::Keyset;
use actix_web::{HttpRequest, HttpResponse, ResponseError, get, post, web};
use askama::Template;
use waste_core::calendar::Zone;
use waste_core::pickup::Side;

/// A `datetime-local` value (`2026-12-01T09:00`, the deployment's local time) as the use case reads it (RFC 3339
/// with the zone's offset at that time).
fn local(zone: &Zone, s: &str) -> String {
    let s = s.trim();
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    match time::PrimitiveDateTime::parse(s, &format) {
        Ok(t) => zone.rfc3339(zone.instant(t)),
        Err(_) => s.to_owned(),
    }
}

/// A stored UTC time as `YYYY-MM-DD HH:MM` local time.
pub(super) fn shown(zone: &Zone, s: &str) -> String {
    zone.show_stamp(s)
}

pub struct RequestV {
    pub id: String,
    pub state: String,
    pub state_key: String,
    pub school: String,
    pub window: String,
    /// The school's window as `datetime-local` values: the slot the station proposes starts from it.
    pub prefill_from: String,
    pub prefill_until: String,
    pub slot: String,
    pub contact: String,
    pub note: String,
    pub reason: String,
    pub n: usize,
    /// Each container as the station plans the trip by it: waste, code, hazards, lab, and where it stands.
    pub items: Vec<ItemV>,
    /// What the viewer may do: `cancel`, `schedule` (and decline), `collect`.
    pub can: Vec<&'static str>,
}

pub struct ItemV {
    pub what: String,
    pub site: String,
}

impl RequestV {
    pub fn may(&self, what: &'static str) -> bool {
        self.can.contains(&what)
    }
}

#[derive(Template)]
#[template(path = "pickups.html")]
struct PickupsPage {
    c: Chrome,
    requests: Vec<RequestV>,
    may_request: bool,
    may_pin: bool,
    refusal: Option<Refused>,
    notice: String,
}

pub(super) async fn requests(
    state: &AppState,
    viewer: &Viewer,
    c: &Chrome,
) -> Result<Vec<RequestV>, ApiError> {
    let (env, actor) = (state.env(), viewer.user.clone());
    let zone = state.clock.zone().clone();
    let found = read(state, move |c| {
        let found = pr::list(
            c,
            &actor,
            &[],
            &Keyset {
                limit: 500,
                after: None,
            },
        )?;
        let collector = pickups::may_pick_up(&actor, &env).is_ok();
        let mut out = Vec::new();
        for r in found.items.into_iter().rev() {
            let full = pr::get(c, &actor, &r.id)?;
            let briefs = chain::briefs(c, &full.containers)?;
            let school = crate::store::organizations::summary(c, &r.school_id)?.name;
            let side = pr::side(&actor, &r);
            let mut can = Vec::new();
            let open = matches!(r.state.as_str(), "requested" | "scheduled");
            if open && side == Side::School && pr::may_request(&actor, env.clock.today()).is_ok() {
                can.push("cancel");
            }
            if r.state == "requested"
                && side == Side::Station
                && pr::may_schedule(&actor, env.clock.today()).is_ok()
            {
                can.push("schedule");
            }
            if r.state == "scheduled" && side == Side::ScheduledStation && collector {
                can.push("collect");
            }
            let (from, until) = slot_default(&zone, &r.preferred_from, &r.preferred_until);
            out.push((
                briefs,
                RequestV {
                    state_key: format!("rstate.{}", r.state),
                    window: format!(
                        "{} – {}",
                        shown(&zone, &r.preferred_from),
                        shown(&zone, &r.preferred_until)
                    ),
                    prefill_from: from,
                    prefill_until: until,
                    slot: match (&r.slot_from, &r.slot_until) {
                        (Some(f), Some(u)) => format!("{} – {}", shown(&zone, f), shown(&zone, u)),
                        _ => String::new(),
                    },
                    contact: r.contact.clone(),
                    note: r.note.clone().unwrap_or_default(),
                    reason: r.decline_reason.clone().unwrap_or_default(),
                    n: full.containers.len(),
                    items: Vec::new(),
                    id: r.id,
                    state: r.state,
                    school,
                    can,
                },
            ));
        }
        Ok(out)
    })
    .await?;
    Ok(found
        .into_iter()
        .map(|(briefs, r)| RequestV {
            items: briefs
                .iter()
                .map(|b| ItemV {
                    what: super::scanning::what_of(b, c),
                    site: b.site.clone().unwrap_or_default(),
                })
                .collect(),
            ..r
        })
        .collect())
}

/// The slot a station is offered first: two hours from the start of the school's window (or the window, if
/// shorter), as `datetime-local` values in local time, so scheduling is one tap when the start suits.
fn slot_default(zone: &Zone, from: &str, until: &str) -> (String, String) {
    let local = |s: &str| shown(zone, s).replacen(' ', "T", 1);
    let start =
        time::OffsetDateTime::parse(from, &time::format_description::well_known::Rfc3339).ok();
    let end =
        time::OffsetDateTime::parse(until, &time::format_description::well_known::Rfc3339).ok();
    match (start, end) {
        (Some(s), Some(e)) => {
            let two = s + time::Duration::hours(2);
            let stop = if two < e { two } else { e };
            let stamp = stop
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| until.to_owned());
            (local(from), local(&stamp))
        }
        _ => (local(from), local(until)),
    }
}

async fn list_page(
    req: &HttpRequest,
    state: &AppState,
    viewer: &Viewer,
    refusal: Option<Refused>,
) -> Result<PickupsPage, ApiError> {
    let notice = query_pairs(req.query_string())
        .into_iter()
        .find(|(k, _)| k == "done")
        .map(|(_, v)| v)
        .filter(|v| {
            [
                "requested",
                "schedule",
                "decline",
                "cancel",
                "collected",
                "pin",
            ]
            .contains(&v.as_str())
        })
        .map(|v| format!("rdone.{v}"))
        .unwrap_or_default();
    Ok(PickupsPage {
        c: Chrome::new(req, Some(viewer)),
        requests: requests(state, viewer, &Chrome::new(req, Some(viewer))).await?,
        may_request: pr::may_request(&viewer.user, state.clock.today()).is_ok(),
        may_pin: pin::may_set(&viewer.user).is_ok(),
        refusal,
        notice,
    })
}

#[get("/pickups")]
pub async fn pickups_page(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
) -> HttpResponse {
    let out = async {
        pr::may_follow(&viewer.user).map_err(ApiError::from)?;
        let p = list_page(&req, &state, &viewer, None).await?;
        Ok::<_, WebError>(ok(&req, &p))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// Schedule, decline or cancel a request (the form names the step).
#[post("/pickups/{id}/{step}")]
pub async fn request_step(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (id, step) = path.into_inner();
    let form = Form::parse(&body);
    if let Err(e) = viewer.check_csrf(&form) {
        return respond(&req, Some(&viewer), Err(e));
    }
    let out = async {
        let env = state.env();
        let done = async {
            let actor = viewer.user.clone();
            match step.as_str() {
                "schedule" => {
                    let cmd = Schedule::parse(
                        &env,
                        None,
                        &local(env.clock.zone(), form.get("slot_from")),
                        &local(env.clock.zone(), form.get("slot_until")),
                    )?;
                    write(&state, move |tx| pr::schedule(tx, &env, &actor, &id, cmd)).await
                }
                "decline" => {
                    let cmd = Decline::parse(form.get("reason"))?;
                    write(&state, move |tx| pr::decline(tx, &env, &actor, &id, cmd)).await
                }
                "cancel" => write(&state, move |tx| pr::cancel(tx, &env, &actor, &id)).await,
                _ => Err(ApiError::NotFound("step")),
            }
        }
        .await;
        match done {
            Ok(_) => Ok(redirect(&req, &format!("/pickups?done={step}"))),
            Err(e) => {
                let status = e.status_code();
                let p = list_page(&req, &state, &viewer, Some(Refused::of(&e))).await?;
                Ok::<_, WebError>(render(&req, &p, status, false))
            }
        }
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// A sealed container the school may ask to have collected.
pub struct Sealed {
    pub id: String,
    pub digital_id: String,
    pub filled: String,
    /// Stream, code, hazards and lab: what the scanning person recognises it by.
    pub what: String,
}

#[derive(Template)]
#[template(path = "pickup_new.html")]
struct NewRequestPage {
    c: Chrome,
    sealed: Vec<Sealed>,
    contact: String,
    from: String,
    until: String,
    note: String,
    refusal: Option<Refused>,
}

async fn new_page(
    req: &HttpRequest,
    state: &AppState,
    viewer: &Viewer,
    form: &Form,
    refusal: Option<Refused>,
) -> Result<NewRequestPage, ApiError> {
    let c = Chrome::new(req, Some(viewer));
    let zh = c.zh();
    let sealed = super::lab_app::list(state, &viewer.user)
        .await?
        .into_iter()
        .filter(|v| v.status == "sealed")
        .map(|v| {
            let hazards = super::scanning::hazard_words(&v.hazards, zh);
            let k = super::lab::Card::of(v, zh);
            Sealed {
                what: super::scanning::what(&k.stream_name, &k.code, &hazards, &k.lab, &c),
                id: k.key.clone(),
                digital_id: k.digital_id.clone(),
                filled: k.filled.clone(),
            }
        })
        .collect();
    let today = state.clock.today();
    Ok(NewRequestPage {
        c,
        sealed,
        contact: Some(form.get("contact").to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| viewer.user.name.clone()),
        from: Some(form.get("preferred_from").to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("{}T09:00", today + time::Duration::days(1))),
        until: Some(form.get("preferred_until").to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("{}T17:00", today + time::Duration::days(7))),
        note: form.get("note").to_owned(),
        refusal,
    })
}

#[get("/pickups/new")]
pub async fn new_request_form(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
) -> HttpResponse {
    let out = async {
        pr::may_request(&viewer.user, state.clock.today()).map_err(ApiError::from)?;
        let p = new_page(&req, &state, &viewer, &Form(Vec::new()), None).await?;
        Ok::<_, WebError>(ok(&req, &p))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

#[post("/pickups/new")]
pub async fn new_request(
    req: HttpRequest,
    viewer: Viewer,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    if let Err(e) = viewer.check_csrf(&form) {
        return respond(&req, Some(&viewer), Err(e));
    }
    let out = async {
        let env = state.env();
        let done = async {
            let note = Some(form.get("note")).filter(|n| !n.is_empty());
            // The form lists containers by their digital identification code (what the label's QR holds).
            let keys = form.all("c");
            let cmd_env = env.clone();
            let actor = viewer.user.clone();
            let (from, until, contact) = (
                local(env.clock.zone(), form.get("preferred_from")),
                local(env.clock.zone(), form.get("preferred_until")),
                form.get("contact").to_owned(),
            );
            let note = note.map(str::to_owned);
            write(&state, move |tx| {
                let ids = chain::container_ids(tx, &keys)?;
                let cmd =
                    NewRequest::parse(&cmd_env, ids, &from, &until, &contact, note.as_deref())?;
                pr::request(tx, &cmd_env, &actor, cmd)
            })
            .await
        }
        .await;
        match done {
            Ok(_) => Ok(redirect(&req, "/pickups?done=requested")),
            Err(e) => {
                let status = e.status_code();
                let p = new_page(&req, &state, &viewer, &form, Some(Refused::of(&e))).await?;
                Ok::<_, WebError>(render(&req, &p, status, false))
            }
        }
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// The safety officer sets the PIN they confirm hand-overs with.
#[post("/pickups/pin")]
pub async fn set_pin(
    req: HttpRequest,
    viewer: Viewer,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    if let Err(e) = viewer.check_csrf(&form) {
        return respond(&req, Some(&viewer), Err(e));
    }
    let out = async {
        let done = async {
            let cmd = pin::SetPin::parse(form.get("pin"))?;
            let (env, actor) = (state.env(), viewer.user.clone());
            write(&state, move |tx| pin::set(tx, &env, &actor, cmd)).await
        }
        .await;
        match done {
            Ok(_) => Ok(redirect(&req, "/pickups?done=pin")),
            Err(e) => {
                let status = e.status_code();
                let p = list_page(&req, &state, &viewer, Some(Refused::of(&e))).await?;
                Ok::<_, WebError>(render(&req, &p, status, false))
            }
        }
    }
    .await;
    respond(&req, Some(&viewer), out)
}
