//! Pickup requests: a school asks a transfer station to collect sealed containers within a preferred window; a
//! station schedules a slot or declines with a reason; the school may cancel; a collection closes the request.
//! The core's machine (`waste_core::pickup`) decides every step; each step is a custody event on
//! `pickup_request:{id}`.
//!
//! Who sees what: a school its own requests; a station the requests not yet scheduled of the schools of its own
//! city (`waste_core::pickup::station_serves`: a request is addressed to every station of the school's city, the
//! first to schedule it takes it) and those it scheduled, declined or collected; administrators and authorities
//! all.

use super::{Actor, AppError, Env};
use crate::db::AnyConnection;
use crate::store::containers as rows;
use crate::store::manifests as store_m;
use crate::store::page::{Keyset, Page};
use crate::store::pickup_requests::{self as store_r, RequestRow, Scope, StepChanges};
use crate::store::{Tx, organizations};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use waste_core::access::Action;
use waste_core::container::Step;
use waste_core::party::OrgKind;
use waste_core::pickup::{RequestAction, RequestRefusal, RequestState, Side, transition};

/// A request with the containers it lists.
#[derive(Debug, Clone)]
pub struct PickupRequest {
    pub row: RequestRow,
    pub containers: Vec<String>,
}

/// A date-time as a body gives it (RFC 3339 with an offset), stored in UTC.
fn when(field: &str, s: &str) -> Result<OffsetDateTime, AppError> {
    OffsetDateTime::parse(s.trim(), &Rfc3339).map_err(|_| {
        AppError::invalid(
            field,
            "an RFC 3339 date-time with its offset, e.g. 2026-12-01T09:00:00+08:00",
        )
    })
}

/// A window `[from, until)`: from before until, until still ahead, at most 92 days long.
fn window(
    names: (&str, &str),
    from: &str,
    until: &str,
    now: OffsetDateTime,
) -> Result<(String, String), AppError> {
    let (f, u) = (when(names.0, from)?, when(names.1, until)?);
    if f >= u {
        return Err(AppError::invalid(
            names.1,
            format!("must be after {}", names.0),
        ));
    }
    if u <= now {
        return Err(AppError::invalid(names.1, "is in the past"));
    }
    if u - f > time::Duration::days(92) {
        return Err(AppError::invalid(
            names.1,
            "the window is longer than 92 days",
        ));
    }
    Ok((
        waste_core::custody::format_at(f),
        waste_core::custody::format_at(u),
    ))
}

fn text(field: &str, s: &str, max: usize) -> Result<String, AppError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(AppError::invalid(
            field,
            format!("1 to {max} characters, no control characters"),
        ));
    }
    Ok(t.to_owned())
}

/// Ask for a pickup of sealed containers.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub container_ids: Vec<String>,
    pub preferred_from: String,
    pub preferred_until: String,
    pub contact: String,
    pub note: Option<String>,
}

impl NewRequest {
    pub fn parse(
        env: &Env,
        container_ids: Vec<String>,
        preferred_from: &str,
        preferred_until: &str,
        contact: &str,
        note: Option<&str>,
    ) -> Result<Self, AppError> {
        if container_ids.is_empty() || container_ids.len() > 500 {
            return Err(AppError::invalid(
                "container_ids",
                "list 1 to 500 containers",
            ));
        }
        if container_ids.iter().collect::<BTreeSet<_>>().len() != container_ids.len() {
            return Err(AppError::invalid(
                "container_ids",
                "a container is listed twice",
            ));
        }
        let (preferred_from, preferred_until) = window(
            ("preferred_from", "preferred_until"),
            preferred_from,
            preferred_until,
            env.clock.now(),
        )?;
        Ok(NewRequest {
            container_ids,
            preferred_from,
            preferred_until,
            contact: text("contact", contact, 200)?,
            note: note
                .filter(|n| !n.trim().is_empty())
                .map(|n| text("note", n, 1000))
                .transpose()?,
        })
    }
}

/// Schedule a slot, as a station (`station_id`, when given, must be the actor's own station).
#[derive(Debug, Clone)]
pub struct Schedule {
    pub station_id: Option<String>,
    pub slot_from: String,
    pub slot_until: String,
}

impl Schedule {
    pub fn parse(
        env: &Env,
        station_id: Option<String>,
        slot_from: &str,
        slot_until: &str,
    ) -> Result<Self, AppError> {
        let (slot_from, slot_until) = window(
            ("slot_from", "slot_until"),
            slot_from,
            slot_until,
            env.clock.now(),
        )?;
        Ok(Schedule {
            station_id,
            slot_from,
            slot_until,
        })
    }
}

/// A reason to decline, as the school will read it.
#[derive(Debug, Clone)]
pub struct Decline {
    pub reason: String,
}

impl Decline {
    pub fn parse(reason: &str) -> Result<Self, AppError> {
        Ok(Decline {
            reason: text("reason", reason, 500)?,
        })
    }
}

/// Whether the actor may request pickups (asked before the body is read).
pub fn may_request(actor: &Actor, today: Date) -> Result<(), AppError> {
    actor.may_on(Action::RequestPickup, today)
}

/// Whether the actor may schedule or decline requests (asked before the body is read).
pub fn may_schedule(actor: &Actor, today: Date) -> Result<(), AppError> {
    actor.may_on(Action::SchedulePickup, today)
}

/// Whether a record of `school` is the actor's to read: every school's for an administrator, a school of its
/// division for an authority's auditor, otherwise as `own` says of the actor's organisation.
pub(super) fn school_in_scope(
    conn: &mut AnyConnection,
    actor: &Actor,
    school: &str,
    own: impl Fn(&str) -> bool,
) -> Result<bool, AppError> {
    Ok(match actor.scope(conn)? {
        crate::store::Scope::All => true,
        crate::store::Scope::Division(p) => {
            crate::store::organizations::region(conn, school)?.starts_with(p.as_str())
        }
        crate::store::Scope::Org(o) => own(&o),
    })
}

/// The actor's part in a request.
pub fn side(actor: &Actor, r: &RequestRow) -> Side {
    if r.school_id == actor.org_id {
        Side::School
    } else if actor.org_kind == OrgKind::TransferStation {
        if r.state == RequestState::Scheduled.as_str()
            && r.station_id.as_deref() == Some(actor.org_id.as_str())
        {
            Side::ScheduledStation
        } else {
            Side::Station
        }
    } else {
        Side::Other
    }
}

pub(super) fn visible_to(
    conn: &mut AnyConnection,
    actor: &Actor,
    r: &RequestRow,
) -> Result<bool, AppError> {
    // An open request is a station's to see (and schedule) only when the school is in its city.
    let open_here = actor.org_kind == OrgKind::TransferStation
        && r.state == RequestState::Requested.as_str()
        && r.school_id != actor.org_id
        && waste_core::pickup::station_serves(
            &organizations::region(conn, &actor.org_id)?,
            &organizations::region(conn, &r.school_id)?,
        );
    school_in_scope(conn, actor, &r.school_id, |_| {
        r.school_id == actor.org_id
            || open_here
            || (actor.org_kind == OrgKind::TransferStation
                && r.station_id.as_deref() == Some(actor.org_id.as_str()))
    })
}

fn refusal(e: RequestRefusal) -> AppError {
    match e {
        RequestRefusal::WrongSide { .. } => AppError::Denied {
            code: e.code(),
            message: e.to_string(),
            details: serde_json::to_value(&e).unwrap_or(Value::Null),
        },
        _ => AppError::rule(e.code(), &e),
    }
}

fn event(
    tx: &mut Tx,
    id: &str,
    kind: &str,
    actor: &Actor,
    at: &str,
    payload: Value,
) -> Result<(), AppError> {
    crate::event(tx, format!("pickup_request:{id}"), kind, actor, at, payload)
}

/// Asks for a pickup: every container the school's own, in its custody, sealed and labelled, on no open request
/// and no open manifest.
pub fn request(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    cmd: NewRequest,
) -> Result<PickupRequest, AppError> {
    may_request(actor, env.clock.today())?;
    for (i, cid) in cmd.container_ids.iter().enumerate() {
        rows::lock(tx, cid)?;
        let row = rows::by_id(tx, cid)?
            .filter(|r| r.organization_id == actor.org_id)
            .ok_or(AppError::NotFound("container of your school"))?;
        let ready = row.status()?.after(Step::PickUp).is_ok()
            && row.custodian_id.as_deref() == Some(actor.org_id.as_str());
        if !ready {
            return Err(AppError::refused(
                "container_not_ready",
                format!(
                    "container_ids[{i}] is {} and not in the school's custody: only sealed containers the school holds are picked up",
                    row.status
                ),
                json!({ "container_id": cid, "status": row.status }),
            ));
        }
        let missing = super::containers::label_missing(tx, env.std, &row)?;
        if !missing.is_empty() {
            return Err(AppError::refused(
                "label_incomplete",
                format!("container_ids[{i}] has no complete label"),
                json!({ "container_id": cid, "missing": missing }),
            ));
        }
        if let Some(other) = store_r::open_request_of(tx, cid)? {
            return Err(AppError::refused(
                "container_on_request",
                format!("container_ids[{i}] is already on an open pickup request"),
                json!({ "container_id": cid, "request_id": other }),
            ));
        }
        if store_m::container_on_open_manifest(tx, cid)? {
            return Err(AppError::refused(
                "container_on_manifest",
                format!("container_ids[{i}] is already on a manifest"),
                json!({ "container_id": cid }),
            ));
        }
    }
    let at = env.clock.stamp();
    let row = RequestRow {
        id: env.clock.new_id(),
        school_id: actor.org_id.clone(),
        state: RequestState::Requested.as_str().to_owned(),
        version: 0,
        requested_by: actor.id.clone(),
        requested_at: at.clone(),
        preferred_from: cmd.preferred_from,
        preferred_until: cmd.preferred_until,
        contact: cmd.contact,
        note: cmd.note,
        station_id: None,
        slot_from: None,
        slot_until: None,
        scheduled_at: None,
        decline_reason: None,
        declined_at: None,
        cancelled_at: None,
        pickup_id: None,
        collected_at: None,
        updated_at: at.clone(),
    };
    let mut containers = cmd.container_ids;
    containers.sort();
    store_r::insert(tx, &row, &containers)?;
    event(
        tx,
        &row.id,
        "requested",
        actor,
        &at,
        json!({ "school_id": row.school_id, "containers": containers, "preferred_from": row.preferred_from, "preferred_until": row.preferred_until, "contact": row.contact, "note": row.note }),
    )?;
    Ok(PickupRequest { row, containers })
}

/// Loads a request for a step, under its row lock, and asks the machine.
fn step_on(
    tx: &mut Tx,
    actor: &Actor,
    id: &str,
    action: RequestAction,
) -> Result<(RequestRow, RequestState), AppError> {
    store_r::lock(tx, id)?;
    let r = match store_r::by_id(tx, id)? {
        Some(r) if visible_to(tx, actor, &r)? => r,
        _ => return Err(AppError::NotFound("pickup request")),
    };
    let next = transition(r.state()?, action, side(actor, &r), false).map_err(refusal)?;
    Ok((r, next))
}

fn after_step(tx: &mut Tx, id: &str) -> Result<PickupRequest, AppError> {
    let row = store_r::by_id(tx, id)?.ok_or(AppError::NotFound("pickup request"))?;
    let containers = store_r::containers(tx, id)?;
    Ok(PickupRequest { row, containers })
}

/// Schedules (or moves) the slot of a request, as the actor's station.
pub fn schedule(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    id: &str,
    cmd: Schedule,
) -> Result<PickupRequest, AppError> {
    may_schedule(actor, env.clock.today())?;
    if let Some(s) = &cmd.station_id
        && s != &actor.org_id
    {
        return Err(AppError::invalid("station_id", "must be your own station"));
    }
    let (r, next) = step_on(tx, actor, id, RequestAction::Schedule)?;
    let at = env.clock.stamp();
    store_r::apply_step(
        tx,
        id,
        r.version,
        &StepChanges {
            state: Some(next.as_str().into()),
            version: Some(r.version + 1),
            station_id: Some(actor.org_id.clone()),
            slot_from: Some(cmd.slot_from.clone()),
            slot_until: Some(cmd.slot_until.clone()),
            scheduled_at: Some(at.clone()),
            updated_at: Some(at.clone()),
            ..Default::default()
        },
    )?;
    event(
        tx,
        id,
        "scheduled",
        actor,
        &at,
        json!({ "from": r.state, "station_id": actor.org_id, "slot_from": cmd.slot_from, "slot_until": cmd.slot_until }),
    )?;
    after_step(tx, id)
}

/// Declines a request with a reason the school reads.
pub fn decline(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    id: &str,
    cmd: Decline,
) -> Result<PickupRequest, AppError> {
    may_schedule(actor, env.clock.today())?;
    let (r, next) = step_on(tx, actor, id, RequestAction::Decline)?;
    let at = env.clock.stamp();
    store_r::apply_step(
        tx,
        id,
        r.version,
        &StepChanges {
            state: Some(next.as_str().into()),
            version: Some(r.version + 1),
            station_id: Some(actor.org_id.clone()),
            decline_reason: Some(cmd.reason.clone()),
            declined_at: Some(at.clone()),
            updated_at: Some(at.clone()),
            ..Default::default()
        },
    )?;
    event(
        tx,
        id,
        "declined",
        actor,
        &at,
        json!({ "from": r.state, "station_id": actor.org_id, "reason": cmd.reason }),
    )?;
    after_step(tx, id)
}

/// Cancels a request, as its school.
pub fn cancel(tx: &mut Tx, env: &Env, actor: &Actor, id: &str) -> Result<PickupRequest, AppError> {
    may_request(actor, env.clock.today())?;
    let (r, next) = step_on(tx, actor, id, RequestAction::Cancel)?;
    let at = env.clock.stamp();
    store_r::apply_step(
        tx,
        id,
        r.version,
        &StepChanges {
            state: Some(next.as_str().into()),
            version: Some(r.version + 1),
            cancelled_at: Some(at.clone()),
            updated_at: Some(at.clone()),
            ..Default::default()
        },
    )?;
    event(tx, id, "cancelled", actor, &at, json!({ "from": r.state }))?;
    after_step(tx, id)
}

/// Whether the actor may follow pickup requests and pickups at all.
pub fn may_follow(actor: &Actor) -> Result<(), AppError> {
    actor.may(Action::FollowPickups)
}

/// A request the actor's organisation may see.
pub fn get(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<PickupRequest, AppError> {
    may_follow(actor)?;
    let row = match store_r::by_id(conn, id)? {
        Some(r) if visible_to(conn, actor, &r)? => r,
        _ => return Err(AppError::NotFound("pickup request")),
    };
    let containers = store_r::containers(conn, id)?;
    Ok(PickupRequest { row, containers })
}

fn scope(conn: &mut AnyConnection, actor: &Actor) -> Result<Scope, AppError> {
    Ok(match actor.scope(conn)? {
        crate::store::Scope::All => Scope::All,
        crate::store::Scope::Division(p) => Scope::Division(p),
        crate::store::Scope::Org(o) if actor.org_kind == OrgKind::TransferStation => {
            Scope::station(conn, &o)?
        }
        crate::store::Scope::Org(o) => Scope::School(o),
    })
}

/// The requests the actor's organisation sees (see the module), optionally in some states, in id order.
pub fn list(
    conn: &mut AnyConnection,
    actor: &Actor,
    states: &[RequestState],
    page: &Keyset,
) -> Result<Page<RequestRow>, AppError> {
    may_follow(actor)?;
    let scope = scope(conn, actor)?;
    let rows = store_r::list(conn, &scope, states, page)?;
    Ok(page.page(rows, |r| r.id.clone()))
}

/// Why a request waits for the actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToActKind {
    /// A station: a request no station scheduled yet.
    Schedule,
    /// A station: a request it scheduled, to collect in its slot.
    Collect,
    /// A school: a scheduled collection, to prepare the hand-over for.
    HandOver,
}

impl ToActKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Schedule => "schedule",
            Self::Collect => "collect",
            Self::HandOver => "hand_over",
        }
    }
}

/// What waits for the actor's organisation among the open requests (at most 100, oldest first): for a station,
/// requests to schedule and its scheduled collections; for a school, its scheduled collections.
pub fn to_act(
    conn: &mut AnyConnection,
    actor: &Actor,
) -> Result<Vec<(RequestRow, ToActKind)>, AppError> {
    let page = Keyset::new(Some(100), None, 100, 100);
    match actor.org_kind {
        OrgKind::TransferStation if actor.may(Action::SchedulePickup).is_ok() => {
            let scope = Scope::station(conn, &actor.org_id)?;
            let rows = store_r::list(
                conn,
                &scope,
                &[RequestState::Requested, RequestState::Scheduled],
                &page,
            )?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    let k = if r.state == RequestState::Requested.as_str() {
                        ToActKind::Schedule
                    } else {
                        ToActKind::Collect
                    };
                    (r, k)
                })
                .collect())
        }
        OrgKind::School if actor.may(Action::RequestPickup).is_ok() => {
            let rows = store_r::list(
                conn,
                &Scope::School(actor.org_id.clone()),
                &[RequestState::Scheduled],
                &page,
            )?;
            Ok(rows.into_iter().map(|r| (r, ToActKind::HandOver)).collect())
        }
        _ => Ok(Vec::new()),
    }
}

/// The school a request is of, checked to be a school (for collections).
pub(super) fn school_kind(conn: &mut AnyConnection, id: &str) -> Result<(), AppError> {
    match organizations::summary(conn, id) {
        Ok(s) if s.kind == OrgKind::School => Ok(()),
        Ok(_) => Err(AppError::invalid("school_id", "is not a school")),
        Err(waste_store::StoreError::NotFound(_)) => Err(AppError::NotFound("school")),
        Err(e) => Err(e.into()),
    }
}
