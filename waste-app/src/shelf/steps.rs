//! A bottle's steps on the shelf: open, use, issue to a person and take back, mark empty. The core decides what
//! the bottle's state allows and what the step does to its balance (`reagent::Bottle::after`); an issue records
//! the person, the amount planned and the purpose (the register a police or education inspection asks for).

use super::{balance, get, lists_of, may_keep, second_person, status, text};
use crate::pin::Confirmed;
use crate::store::Tx;
use crate::store::bottles::BottleRow;
use crate::{Actor, AppError, Env, event};
use rust_decimal::Decimal;
use serde_json::json;
use std::str::FromStr;
use waste_core::reagent::{Bottle, Step};

/// A step as a form or a body asks for it.
#[derive(Debug, Clone)]
pub enum StepCmd {
    Open,
    Use {
        amount: Decimal,
    },
    Issue {
        to: String,
        amount: Decimal,
        purpose: String,
    },
    Return {
        remaining: Decimal,
    },
    Empty,
}

impl StepCmd {
    fn core(&self, today: time::Date) -> Step {
        match self {
            StepCmd::Open => Step::Open { on: today },
            StepCmd::Use { amount } => Step::Use { amount: *amount },
            StepCmd::Issue { .. } => Step::Issue,
            StepCmd::Return { remaining } => Step::Return {
                remaining: *remaining,
            },
            StepCmd::Empty => Step::Empty,
        }
    }

    /// The steps a second person confirms on a controlled bottle (receipt is `receive`'s).
    fn witnessed(&self) -> bool {
        matches!(self, StepCmd::Issue { .. } | StepCmd::Return { .. })
    }
}

/// Takes `cmd` on the bottle `id` of the actor's school.
pub fn take_step(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    id: &str,
    cmd: StepCmd,
    confirmed: Option<&Confirmed>,
) -> Result<BottleRow, AppError> {
    may_keep(actor, env)?;
    let mut row = get(tx, actor, id)?;
    if row.organization_id != actor.org_id {
        return Err(AppError::NotFound("bottle"));
    }
    let lists = lists_of(&row);
    let second = if cmd.witnessed() {
        second_person(env, actor, &lists, confirmed)?
    } else {
        None
    };
    let today = env.clock.today();
    let bottle = Bottle {
        status: status(&row)?,
        balance: balance(&row)?,
        received: Decimal::from_str(&row.received_amount).map_err(AppError::internal)?,
        controlled: !lists.is_empty(),
        opened_on: row.opened_on.as_deref().and_then(crate::store::parse_date),
    };
    let after = bottle
        .after(&cmd.core(today))
        .map_err(|e| AppError::rule(e.code(), &e))?;
    let mut payload = json!({ "balance": after.balance.to_string(), "used": after.used.to_string(), "status": after.status.as_str() });
    if let StepCmd::Issue {
        to,
        amount,
        purpose,
    } = &cmd
    {
        if *amount > bottle.balance {
            return Err(AppError::invalid("amount", "at most what the bottle holds"));
        }
        let person = crate::store::users::actor(tx, to)?
            .filter(|u| u.org_id == actor.org_id)
            .ok_or_else(|| AppError::invalid("to", "no user of the school has this id"))?;
        let purpose = text("purpose", purpose)?;
        if purpose.is_empty() {
            return Err(AppError::invalid("purpose", "say what the chemical is for"));
        }
        payload["to"] = json!(person.id);
        payload["to_name"] = json!(person.name);
        payload["amount"] = json!(amount.to_string());
        payload["purpose"] = json!(purpose);
    }
    payload["confirmed_by"] = json!(second);
    let change = crate::store::bottles::BottleChange {
        status: Some(after.status.as_str().to_owned()),
        balance: Some(after.balance.to_string()),
        opened_on: matches!(cmd, StepCmd::Open).then(|| today.to_string()),
        container_id: None,
    };
    if crate::store::bottles::change(tx, id, &row.status, &change)? == 0 {
        return Err(AppError::refused(
            "conflict",
            "the bottle changed meanwhile: open it again",
            json!({}),
        ));
    }
    let kind = match &cmd {
        StepCmd::Open => "opened",
        StepCmd::Use { .. } => "used",
        StepCmd::Issue { .. } => "issued",
        StepCmd::Return { .. } => "returned",
        StepCmd::Empty => "emptied",
    };
    event(
        tx,
        format!("bottle:{id}"),
        kind,
        actor,
        &env.clock.stamp(),
        payload,
    )?;
    row.status = after.status.as_str().to_owned();
    row.balance = after.balance.to_string();
    if let Some(d) = change.opened_on {
        row.opened_on = Some(d);
    }
    Ok(row)
}
