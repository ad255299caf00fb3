//! Pickups: a transfer station collects sealed, labelled containers of one school; custody passes to the
//! station, whose own storage clock starts (Solid Waste Law Art.81).
//!
//! A station takes a school's containers only on a request of that school it scheduled, or with the school's
//! confirmation of the hand-over by a safety officer's PIN (`pin::verify`); the core decides
//! (`waste_core::pickup::authorize_collection`). Items refused at the hand-over stay with the school, unchanged.

use super::pickup_requests::{school_kind, side, visible_to};
use super::pin::Confirmed;
use super::{Actor, AppError, Env, kg};
use crate::db::AnyConnection;
use crate::store::containers as rows;
use crate::store::page::{Keyset, Page};
use crate::store::pickup_requests::{self as store_r, StepChanges};
use crate::store::pickups::{self, PickupLineRow, PickupRow, RefusalRow};
use crate::store::{Tx, events};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use waste_core::access::Action;
use waste_core::container::Step;
use waste_core::pickup::{Basis, RequestFacts, authorize_collection};

/// One container to collect and its gross weight as weighed.
#[derive(Debug, Clone)]
pub struct Line {
    pub container_id: String,
    pub gross_kg: Decimal,
}

/// A container refused at the hand-over (badly packed, unlabelled, over the fill limit), with the reason.
#[derive(Debug, Clone)]
pub struct Refused {
    pub container_id: String,
    pub reason: String,
}

/// Collect containers from a school.
#[derive(Debug, Clone)]
pub struct Pickup {
    pub school_id: String,
    pub lines: Vec<Line>,
    pub refused: Vec<Refused>,
    /// The school's request this collection closes.
    pub request_id: Option<String>,
    /// The school's confirmation of the hand-over (`pin::verify`).
    pub confirmation: Option<Confirmed>,
}

impl Pickup {
    /// `lines` are (container id, gross weight text) in the order given.
    pub fn parse(school_id: String, lines: &[(String, String)]) -> Result<Self, AppError> {
        if lines.len() > 500 {
            return Err(AppError::invalid("containers", "list 1 to 500 containers"));
        }
        let mut seen = BTreeSet::new();
        let mut out = Vec::with_capacity(lines.len());
        for (i, (id, w)) in lines.iter().enumerate() {
            if !seen.insert(id.clone()) {
                return Err(AppError::invalid(
                    format!("containers[{i}].container_id"),
                    "listed twice",
                ));
            }
            out.push(Line {
                container_id: id.clone(),
                gross_kg: kg(&format!("containers[{i}].gross_weight_kg"), w)?,
            });
        }
        Ok(Pickup {
            school_id,
            lines: out,
            refused: Vec::new(),
            request_id: None,
            confirmation: None,
        })
    }

    /// Adds the items refused at the hand-over: (container id, reason). A container is taken or refused, not both;
    /// at least one container is taken or refused.
    pub fn with_refused(mut self, refused: &[(String, String)]) -> Result<Self, AppError> {
        let mut seen: BTreeSet<&str> = self.lines.iter().map(|l| l.container_id.as_str()).collect();
        for (i, (id, reason)) in refused.iter().enumerate() {
            if !seen.insert(id) {
                return Err(AppError::invalid(
                    format!("refused_items[{i}].container_id"),
                    "listed twice or also taken",
                ));
            }
            let r = reason.trim();
            if r.is_empty() || r.chars().count() > 500 || r.chars().any(char::is_control) {
                return Err(AppError::invalid(
                    format!("refused_items[{i}].reason"),
                    "1 to 500 characters: why the item is refused",
                ));
            }
            self.refused.push(Refused {
                container_id: id.clone(),
                reason: r.to_owned(),
            });
        }
        if self.lines.len() + self.refused.len() == 0 || self.lines.len() + self.refused.len() > 500
        {
            return Err(AppError::invalid(
                "containers",
                "list 1 to 500 containers, taken or refused",
            ));
        }
        Ok(self)
    }

    pub fn with_request(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id;
        self
    }

    pub fn confirmed(mut self, c: Option<Confirmed>) -> Self {
        self.confirmation = c;
        self
    }
}

/// A pickup as recorded.
#[derive(Debug, Clone)]
pub struct PickedUp {
    pub pickup: PickupRow,
    pub lines: Vec<PickupLineRow>,
    pub refused: Vec<RefusalRow>,
}

/// Whether the actor may make pickups and holds a current training record (asked before the body is read).
pub fn may_pick_up(actor: &Actor, env: &Env) -> Result<(), AppError> {
    actor.may_on(Action::PickUp, env.clock.today())
}

fn refused_rule(e: waste_core::pickup::CollectionRefusal) -> AppError {
    AppError::rule(e.code(), &e)
}

/// Collects the listed containers: the collection must be authorised (a scheduled request of the school or its
/// confirmation); each container taken must be the school's, sealed, in its custody and fully labelled, and is
/// then in the station's custody on the station's clock. A container is picked up once. Refused items stay.
pub fn pick_up(tx: &mut Tx, env: &Env, actor: &Actor, cmd: Pickup) -> Result<PickedUp, AppError> {
    may_pick_up(actor, env)?;
    school_kind(tx, &cmd.school_id)?;
    if cmd.lines.is_empty() && cmd.refused.is_empty() {
        return Err(AppError::invalid("containers", "list 1 to 500 containers"));
    }
    if let Some(c) = &cmd.confirmation
        && c.school_id() != cmd.school_id
    {
        return Err(AppError::invalid(
            "school_confirmation",
            "confirms a hand-over of another school",
        ));
    }
    let all: BTreeSet<String> = cmd
        .lines
        .iter()
        .map(|l| l.container_id.clone())
        .chain(cmd.refused.iter().map(|r| r.container_id.clone()))
        .collect();
    let request = match &cmd.request_id {
        Some(id) => {
            store_r::lock(tx, id)?;
            let r = match store_r::by_id(tx, id)? {
                Some(r) if visible_to(tx, actor, &r)? => r,
                _ => return Err(AppError::NotFound("pickup request")),
            };
            let listed: BTreeSet<String> = store_r::containers(tx, id)?.into_iter().collect();
            Some((r, listed))
        }
        None => None,
    };
    let facts = request.as_ref().map(|(r, listed)| -> Result<_, AppError> {
        Ok(RequestFacts {
            school_id: &r.school_id,
            state: r.state()?,
            side: side(actor, r),
            containers: listed,
        })
    });
    let facts = facts.transpose()?;
    let (basis, next) =
        authorize_collection(&cmd.school_id, &all, facts, cmd.confirmation.is_some())
            .map_err(refused_rule)?;
    for cid in &all {
        if let Some(other) = store_r::open_request_of(tx, cid)?
            && Some(&other) != cmd.request_id.as_ref()
        {
            return Err(AppError::refused(
                "container_on_request",
                format!("container {cid} is on another open pickup request"),
                json!({ "container_id": cid, "request_id": other }),
            ));
        }
    }
    let at = env.clock.stamp();
    let today = env.clock.today().to_string();
    let pickup = PickupRow {
        id: env.clock.new_id(),
        station_id: actor.org_id.clone(),
        school_id: cmd.school_id.clone(),
        picked_by: actor.id.clone(),
        picked_at: at.clone(),
        total_gross_kg: cmd
            .lines
            .iter()
            .map(|l| l.gross_kg)
            .sum::<Decimal>()
            .to_string(),
        request_id: cmd.request_id.clone(),
        confirmed_by: cmd.confirmation.as_ref().map(|c| c.officer_id().to_owned()),
    };
    pickups::insert(tx, &pickup)?;
    let mut lines = Vec::with_capacity(cmd.lines.len());
    for (i, l) in cmd.lines.iter().enumerate() {
        let cid = &l.container_id;
        rows::lock(tx, cid)?;
        let row = rows::by_id(tx, cid)?
            .filter(|r| r.organization_id == cmd.school_id)
            .ok_or(AppError::NotFound("container of that school"))?;
        let status = row.status()?;
        let next = status
            .after(Step::PickUp)
            .ok()
            .filter(|_| row.custodian_id.as_deref() == Some(cmd.school_id.as_str()))
            .ok_or_else(|| {
                AppError::refused(
                    "container_not_ready",
                    format!("containers[{i}] is {} and not in the school's custody: only sealed containers of the school are picked up, once", row.status),
                    json!({ "container_id": cid, "status": row.status }),
                )
            })?;
        let missing = super::containers::label_missing(tx, env.std, &row)?;
        if !missing.is_empty() {
            return Err(AppError::refused(
                "label_incomplete",
                format!(
                    "containers[{i}] has no complete label: refuse it at the hand-over instead"
                ),
                json!({ "container_id": cid, "missing": missing }),
            ));
        }
        let line = PickupLineRow {
            container_id: cid.clone(),
            pickup_id: pickup.id.clone(),
            gross_weight_kg: l.gross_kg.to_string(),
        };
        pickups::insert_line(tx, &line)?;
        rows::set_status(tx, cid, status, next, Some(&actor.org_id), None)?;
        rows::restart_clock(tx, cid, &today)?;
        events::append(
            tx,
            events::Record {
                aggregate: format!("container:{cid}"),
                kind: "picked_up",
                actor: actor.actor(),
                at: at.clone(),
                payload: json!({ "pickup_id": pickup.id, "station_id": actor.org_id, "gross_weight_kg": line.gross_weight_kg }),
            },
        )?;
        lines.push(line);
    }
    let mut refused = Vec::with_capacity(cmd.refused.len());
    for (i, r) in cmd.refused.iter().enumerate() {
        let cid = &r.container_id;
        rows::lock(tx, cid)?;
        rows::by_id(tx, cid)?
            .filter(|c| {
                c.organization_id == cmd.school_id
                    && c.custodian_id.as_deref() == Some(cmd.school_id.as_str())
            })
            .ok_or_else(|| {
                AppError::invalid(
                    format!("refused_items[{i}].container_id"),
                    "not a container the school holds",
                )
            })?;
        let row = RefusalRow {
            pickup_id: pickup.id.clone(),
            container_id: cid.clone(),
            reason: r.reason.clone(),
        };
        pickups::insert_refusal(tx, &row)?;
        events::append(
            tx,
            events::Record {
                aggregate: format!("container:{cid}"),
                kind: "refused_at_pickup",
                actor: actor.actor(),
                at: at.clone(),
                payload: json!({ "pickup_id": pickup.id, "station_id": actor.org_id, "reason": r.reason }),
            },
        )?;
        refused.push(row);
    }
    if let (Some((r, _)), Some(next)) = (&request, next) {
        store_r::apply_step(
            tx,
            &r.id,
            r.version,
            &StepChanges {
                state: Some(next.as_str().into()),
                version: Some(r.version + 1),
                station_id: Some(actor.org_id.clone()),
                pickup_id: Some(pickup.id.clone()),
                collected_at: Some(at.clone()),
                updated_at: Some(at.clone()),
                ..Default::default()
            },
        )?;
        events::append(
            tx,
            events::Record {
                aggregate: format!("pickup_request:{}", r.id),
                kind: "collected",
                actor: actor.actor(),
                at: at.clone(),
                payload: json!({ "from": r.state, "pickup_id": pickup.id, "station_id": actor.org_id, "confirmed_by": pickup.confirmed_by }),
            },
        )?;
    }
    let list: Vec<Value> = lines
        .iter()
        .map(|l| json!({ "container_id": l.container_id, "gross_weight_kg": l.gross_weight_kg }))
        .collect();
    let refused_list: Vec<Value> = refused
        .iter()
        .map(|r| json!({ "container_id": r.container_id, "reason": r.reason }))
        .collect();
    let basis_text = match basis {
        Basis::ScheduledRequest => "scheduled_request",
        Basis::SchoolConfirmation => "school_confirmation",
    };
    events::append(
        tx,
        events::Record {
            aggregate: format!("pickup:{}", pickup.id),
            kind: "picked_up",
            actor: actor.actor(),
            at,
            payload: json!({ "school_id": cmd.school_id, "station_id": actor.org_id, "containers": list, "refused": refused_list, "request_id": pickup.request_id, "confirmed_by": pickup.confirmed_by, "basis": basis_text }),
        },
    )?;
    Ok(PickedUp {
        pickup,
        lines,
        refused,
    })
}

/// A pickup the actor's organisation took part in (the station or the school; a school of its division for an
/// authority's auditor; all for administrators).
pub fn get(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<PickedUp, AppError> {
    super::pickup_requests::may_follow(actor)?;
    let pickup = match pickups::by_id(conn, id)? {
        Some(p)
            if super::pickup_requests::school_in_scope(conn, actor, &p.school_id, |o| {
                p.station_id == o || p.school_id == o
            })? =>
        {
            p
        }
        _ => return Err(AppError::NotFound("pickup")),
    };
    let lines = pickups::lines(conn, id)?;
    let refused = pickups::refusals(conn, id)?;
    Ok(PickedUp {
        pickup,
        lines,
        refused,
    })
}

/// Pickups the actor's organisation took part in, in id order.
pub fn list(
    conn: &mut AnyConnection,
    actor: &Actor,
    page: &Keyset,
) -> Result<Page<PickupRow>, AppError> {
    super::pickup_requests::may_follow(actor)?;
    let scope = actor.scope(conn)?;
    let rows = pickups::list(conn, &scope, page)?;
    Ok(page.page(rows, |r| r.id.clone()))
}
