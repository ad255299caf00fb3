//! Pickups: a transfer station collects sealed, labelled containers of one school; custody passes to the
//! station, whose own storage clock starts (Solid Waste Law Art.81).

use super::{Actor, AppError, Env, kg};
use crate::store::containers as rows;
use crate::store::pickups::{self, PickupLineRow, PickupRow};
use crate::store::{Tx, events, organizations};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use waste_core::access::Action;
use waste_core::container::Step;
use waste_core::party::OrgKind;

/// One container to collect and its gross weight as weighed.
#[derive(Debug, Clone)]
pub struct Line {
    pub container_id: String,
    pub gross_kg: Decimal,
}

/// Collect containers from a school.
#[derive(Debug, Clone)]
pub struct Pickup {
    pub school_id: String,
    pub lines: Vec<Line>,
}

impl Pickup {
    /// `lines` are (container id, gross weight text) in the order given.
    pub fn parse(school_id: String, lines: &[(String, String)]) -> Result<Self, AppError> {
        if lines.is_empty() || lines.len() > 500 {
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
        })
    }
}

/// A pickup as recorded.
#[derive(Debug, Clone)]
pub struct PickedUp {
    pub pickup: PickupRow,
    pub lines: Vec<PickupLineRow>,
}

/// Whether the actor may make pickups and holds a current training record (asked before the body is read).
pub fn may_pick_up(actor: &Actor, env: &Env) -> Result<(), AppError> {
    actor.may(Action::PickUp)?;
    actor.require_training(env.clock.today())
}

/// Collects the listed containers: each must be the school's, sealed, in its custody and fully labelled; each
/// is then in the station's custody on the station's clock. A container is picked up once.
pub fn pick_up(tx: &mut Tx, env: &Env, actor: &Actor, cmd: Pickup) -> Result<PickedUp, AppError> {
    may_pick_up(actor, env)?;
    match organizations::summary(tx, &cmd.school_id) {
        Ok(s) if s.kind == OrgKind::School => {}
        Ok(_) => return Err(AppError::invalid("school_id", "is not a school")),
        Err(AppError::NotFound(_)) => return Err(AppError::NotFound("school")),
        Err(e) => return Err(e),
    }
    let at = env.clock.stamp();
    let today = env.clock.today().to_string();
    let pickup = PickupRow {
        id: crate::state::new_id(),
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
                format!("containers[{i}] has no complete label"),
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
    let list: Vec<Value> = lines
        .iter()
        .map(|l| json!({ "container_id": l.container_id, "gross_weight_kg": l.gross_weight_kg }))
        .collect();
    events::append(
        tx,
        events::Record {
            aggregate: format!("pickup:{}", pickup.id),
            kind: "picked_up",
            actor: actor.actor(),
            at,
            payload: json!({ "school_id": cmd.school_id, "station_id": actor.org_id, "containers": list }),
        },
    )?;
    Ok(PickedUp { pickup, lines })
}
