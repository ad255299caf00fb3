//! A bottle into waste in one step: its contents (or, emptied, the bottle itself) become an addition to a waste
//! container (one of the school's open containers, or a new one, e.g. the lab pack the bottle goes into),
//! classified by the same use case as any addition (`containers::add_waste`: a chemical of the Catalogue of
//! Hazardous Chemicals to 900-999-49, and so on). An emptied bottle cleaned per the laboratory's rules is recorded
//! as cleaned and becomes no waste. The bottle's chain names the container, the addition names the bottle.

use super::{balance, get, lists_of, may_keep, status};
use crate::containers::{self, AddWaste, CreateContainer};
use crate::store::Tx;
use crate::store::bottles::{self as rows, BottleChange, BottleRow};
use crate::{Actor, AppError, Env, event};
use rust_decimal::Decimal;
use serde_json::json;
use waste_core::container::{Quantity, Unit};
use waste_core::reagent::{
    AmountUnit, Bottle, Status, Step, waste_of_bottle, waste_of_empty_bottle,
};

/// Where the waste goes.
#[derive(Debug, Clone)]
pub enum Discard {
    /// Into an open container of the school.
    Into { container_id: String },
    /// Into a new container (the lab pack or the bottle's own overpack).
    New(CreateContainer),
    /// An emptied bottle cleaned per the laboratory's rules: no waste.
    Cleaned,
}

/// What discarding gave: the bottle, and the container and code of its waste (none when cleaned).
#[derive(Debug, Clone)]
pub struct Discarded {
    pub bottle: BottleRow,
    pub container_id: Option<String>,
    pub code: Option<String>,
}

/// Discards the bottle `id`. An emptied bottle's waste is its packaging, weighing `empty_mass_kg`.
pub fn discard(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    id: &str,
    to: Discard,
    empty_mass_kg: Option<Decimal>,
) -> Result<Discarded, AppError> {
    may_keep(actor, env)?;
    let mut row = get(tx, actor, id)?;
    if row.organization_id != actor.org_id {
        return Err(AppError::NotFound("bottle"));
    }
    let today = env.clock.today();
    let sub = super::substance(env, &row.substance_cas)?;
    let unit = AmountUnit::parse(&row.unit).ok_or_else(|| AppError::internal("bottle unit"))?;
    let was = status(&row)?;
    let (request, quantity) = match (was, &to) {
        (Status::Empty, Discard::Cleaned) => (None, None),
        (Status::Empty, _) => {
            let mass = empty_mass_kg.ok_or_else(|| {
                AppError::invalid("empty_mass_kg", "what the empty bottle weighs, in kg")
            })?;
            let q = Quantity::new(mass, Unit::Kg)
                .map_err(|e| AppError::invalid("empty_mass_kg", e.to_string()))?;
            (Some(waste_of_empty_bottle(sub, &row.code, false)), Some(q))
        }
        (_, Discard::Cleaned) => {
            return Err(AppError::refused(
                "bottle_not_empty",
                "only an emptied bottle is cleaned; a bottle with contents is discarded into a container",
                json!({ "status": row.status }),
            ));
        }
        (_, _) => {
            let bottle = Bottle {
                status: was,
                balance: balance(&row)?,
                received: balance(&row)?,
                controlled: !lists_of(&row).is_empty(),
                opened_on: None,
            };
            bottle
                .after(&Step::Discard)
                .map_err(|e| AppError::rule(e.code(), &e))?;
            let expires = row.expires_on.as_deref().and_then(crate::store::parse_date);
            let d = waste_of_bottle(sub, &row.code, bottle.balance, unit, expires, today);
            let q = Quantity::new(d.quantity, d.unit)
                .map_err(|e| AppError::refused("bottle_amount", e.to_string(), json!({})))?;
            (Some(d.request), Some(q))
        }
    };
    let mut container_id = None;
    let mut code = None;
    if let (Some(request), Some(quantity)) = (request, quantity) {
        let target = match to {
            Discard::Into { container_id } => container_id,
            Discard::New(cmd) => containers::create(tx, env, actor, cmd)?,
            Discard::Cleaned => unreachable_cleaned()?,
        };
        let added = containers::add_waste(
            tx,
            env,
            actor,
            AddWaste {
                container_id: target.clone(),
                waste: request,
                quantity,
            },
        )?;
        code = added.classification.hazardous.code.clone();
        container_id = Some(target);
    }
    let change = BottleChange {
        status: Some(Status::Discarded.as_str().to_owned()),
        balance: Some("0".into()),
        opened_on: None,
        container_id: container_id.clone(),
    };
    if rows::change(tx, id, &row.status, &change)? == 0 {
        return Err(AppError::refused(
            "conflict",
            "the bottle changed meanwhile: open it again",
            json!({}),
        ));
    }
    let kind = if container_id.is_some() {
        "discarded"
    } else {
        "cleaned"
    };
    event(
        tx,
        format!("bottle:{id}"),
        kind,
        actor,
        &env.clock.stamp(),
        json!({ "container_id": container_id, "code": code, "balance": row.balance, "status_before": row.status }),
    )?;
    row.status = Status::Discarded.as_str().to_owned();
    row.balance = "0".into();
    row.container_id = container_id.clone();
    Ok(Discarded {
        bottle: row,
        container_id,
        code,
    })
}

/// `Discard::Cleaned` never reaches the container step (no request is made for it).
fn unreachable_cleaned() -> Result<String, AppError> {
    Err(AppError::internal("a cleaned bottle has no container"))
}
