//! The reagent shelf's use cases (issue 31): receive a bottle, take its steps (open, use, issue and take back,
//! empty), discard it into a waste container, and count the shelf at a stocktake. The core decides
//! (`waste_core::reagent`); a controlled bottle's receipt, issue and return carry a second person's confirmation
//! (`pin::Confirmed`, checked by the front door before the write). Each step is an event of the bottle's chain
//! (`bottle:<id>`) in the custody log, so the bottle's history and its waste's custody are one record.

mod discard;
pub mod oversight;
mod steps;
mod stocktake;

pub use discard::{Discard, Discarded, discard};
pub use steps::{StepCmd, take_step};
pub use stocktake::{
    CountCmd, StocktakeView, close, count, explain, start, view as stocktake_view,
};

use super::pin::Confirmed;
use super::{Actor, AppError, Env, event};
use crate::db::AnyConnection;
use crate::store::Tx;
use crate::store::bottles::{self as rows, BottleRow};
use crate::store::page::{Keyset, Page};
use rust_decimal::Decimal;
use serde_json::json;
use std::str::FromStr;
use time::Date;
use waste_core::access::Action;
use waste_core::reagent::{AmountUnit, ControlList, Listing, Status};
use waste_core::substance::Substance;

/// A bottle as received (a form's or a body's fields, parsed).
#[derive(Debug, Clone)]
pub struct Receive {
    /// The substance by name, alias or CAS number.
    pub substance: String,
    pub amount: Decimal,
    pub unit: AmountUnit,
    pub supplier: String,
    pub lot: String,
    pub received_on: Date,
    pub expires_on: Option<Date>,
    pub use_within_days: Option<u32>,
    pub site_id: String,
    pub cabinet: Option<String>,
    /// The person responsible (the receiving user when None).
    pub responsible_id: Option<String>,
}

/// The longest free text a bottle keeps (supplier, lot, cabinet).
const MAX_TEXT: usize = 200;

/// A decimal amount as typed: positive, at most 100 000 in the bottle's unit.
pub fn parse_amount(field: &str, s: &str) -> Result<Decimal, AppError> {
    Decimal::from_str(s.trim())
        .ok()
        .filter(|d| *d > Decimal::ZERO && *d <= Decimal::from(100_000))
        .map(|d| d.normalize())
        .ok_or_else(|| AppError::invalid(field, "a positive decimal number up to 100000, e.g. 500"))
}

/// A free-text field: trimmed, at most `MAX_TEXT` characters, no control characters.
pub fn text(field: &str, s: &str) -> Result<String, AppError> {
    let t = s.trim();
    if t.chars().count() > MAX_TEXT || t.chars().any(char::is_control) {
        return Err(AppError::invalid(
            field,
            format!("at most {MAX_TEXT} characters, no control characters"),
        ));
    }
    Ok(t.to_owned())
}

/// The substance a receipt names: by CAS number (any of a row's numbers) or by name or alias.
pub fn substance<'s>(env: &'s Env, named: &str) -> Result<&'s Substance, AppError> {
    let table = &env.std.substances;
    let named = named.trim();
    let found = match named.parse::<waste_core::CasNumber>() {
        Ok(cas) => table.by_cas(&cas),
        Err(_) => table.by_name(named),
    };
    found.ok_or_else(|| {
        AppError::invalid(
            "substance",
            "no substance of the table has this name, alias or CAS number (a CAS number is checked: its last digit is a check digit)",
        )
    })
}

/// The lists a substance is on.
pub fn listings(env: &Env, s: &Substance) -> Vec<Listing> {
    env.std.reagents.lists.of(s)
}

fn lists_text(listings: &[Listing]) -> String {
    let mut lists: Vec<&str> = listings.iter().map(|l| l.list.as_str()).collect();
    lists.dedup();
    lists.join(",")
}

/// The lists a stored bottle is on.
pub fn lists_of(row: &BottleRow) -> Vec<ControlList> {
    row.controlled
        .split(',')
        .filter_map(ControlList::parse)
        .collect()
}

/// The second person's confirmation a step on a bottle on `lists` needs: refused when the shelf's rule asks for
/// one and none (or the actor's own) was given.
fn second_person(
    env: &Env,
    actor: &Actor,
    lists: &[ControlList],
    confirmed: Option<&Confirmed>,
) -> Result<Option<String>, AppError> {
    let Some(duty) = env.std.reagents.second_person(lists) else {
        return Ok(confirmed.map(|c| c.officer_id().to_owned()));
    };
    match confirmed {
        Some(c) if c.officer_id() != actor.id && c.school_id() == actor.org_id => {
            Ok(Some(c.officer_id().to_owned()))
        }
        Some(_) => Err(AppError::refused(
            "second_person_is_the_actor",
            "the second person must be another safety officer of the school than the one taking the step",
            json!({ "list": duty.list }),
        )),
        None => Err(AppError::refused(
            "second_person_required",
            format!(
                "a {} needs a second person's confirmation: {}",
                duty.name_en, duty.two_person_citation
            ),
            json!({ "list": duty.list, "citation": duty.two_person_citation }),
        )),
    }
}

/// A storage site of the actor's school (its zones do not matter: a bottle stands in a cabinet).
pub(crate) fn own_site(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<(), AppError> {
    crate::store::sites::get(conn, id)?
        .filter(|s| s.organization_id == actor.org_id)
        .map(|_| ())
        .ok_or_else(|| AppError::invalid("site_id", "no storage site of the school has this id"))
}

/// Whether the actor may keep the shelf today (trained).
pub fn may_keep(actor: &Actor, env: &Env) -> Result<(), AppError> {
    actor.may_on(Action::KeepReagents, env.clock.today())
}

/// Receives a bottle onto the shelf of the actor's school; returns its id and label code.
pub fn receive(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    cmd: Receive,
    confirmed: Option<&Confirmed>,
) -> Result<BottleRow, AppError> {
    may_keep(actor, env)?;
    let sub = substance(env, &cmd.substance)?;
    let listed = listings(env, sub);
    let lists: Vec<ControlList> = listed.iter().map(|l| l.list).collect();
    let second = second_person(env, actor, &lists, confirmed)?;
    let today = env.clock.today();
    if cmd.received_on > today {
        return Err(AppError::invalid(
            "received_on",
            "a receipt date is not in the future",
        ));
    }
    if cmd.expires_on.is_some_and(|e| e < cmd.received_on) {
        return Err(AppError::invalid(
            "expires_on",
            "the expiry date is not before the receipt date",
        ));
    }
    if cmd.use_within_days.is_some_and(|d| d == 0 || d > 3650) {
        return Err(AppError::invalid("use_within_days", "1 to 3650 days"));
    }
    own_site(tx, actor, &cmd.site_id)?;
    let responsible = match cmd.responsible_id {
        Some(id) => {
            let user = crate::store::users::actor(tx, &id)?
                .filter(|u| u.org_id == actor.org_id)
                .ok_or_else(|| {
                    AppError::invalid("responsible_id", "no user of the school has this id")
                })?;
            user.id
        }
        None => actor.id.clone(),
    };
    let id = env.clock.new_id();
    let at = env.clock.stamp();
    let code = format!(
        "RB{}",
        id.replace('-', "")
            .chars()
            .rev()
            .take(12)
            .collect::<String>()
            .to_uppercase()
    );
    let row = BottleRow {
        id: id.clone(),
        organization_id: actor.org_id.clone(),
        code,
        substance_cas: sub.cas.to_string(),
        substance_name: sub.name_zh.clone(),
        unit: cmd.unit.as_str().to_owned(),
        received_amount: cmd.amount.to_string(),
        balance: cmd.amount.to_string(),
        supplier: text("supplier", &cmd.supplier)?,
        lot: text("lot", &cmd.lot)?,
        received_on: cmd.received_on.to_string(),
        expires_on: cmd.expires_on.map(|d| d.to_string()),
        opened_on: None,
        use_within_days: cmd.use_within_days.map(|d| d as i32),
        site_id: cmd.site_id.clone(),
        cabinet: cmd
            .cabinet
            .as_deref()
            .map(|c| text("cabinet", c))
            .transpose()?
            .filter(|c| !c.is_empty()),
        responsible_id: responsible,
        status: Status::Sealed.as_str().to_owned(),
        controlled: lists_text(&listed),
        container_id: None,
        created_at: at.clone(),
    };
    rows::insert(tx, &row)?;
    event(
        tx,
        format!("bottle:{id}"),
        "received",
        actor,
        &at,
        json!({
            "organization_id": row.organization_id, "code": row.code, "substance_cas": row.substance_cas,
            "substance_name": row.substance_name, "amount": row.received_amount, "unit": row.unit,
            "supplier": row.supplier, "lot": row.lot, "received_on": row.received_on,
            "expires_on": row.expires_on, "site_id": row.site_id, "cabinet": row.cabinet,
            "responsible_id": row.responsible_id, "controlled": listed, "confirmed_by": second,
        }),
    )?;
    Ok(row)
}

/// A bottle of the actor's school (an authority's auditor of its division and an administrator: any).
pub fn get(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<BottleRow, AppError> {
    let row = rows::by_id(conn, id)?.ok_or(AppError::NotFound("bottle"))?;
    if row.organization_id != actor.org_id && actor.may(Action::SeeAll).is_err() {
        return Err(AppError::NotFound("bottle"));
    }
    Ok(row)
}

/// The bottle whose e-label carries `code`, of the actor's school.
pub fn by_code(conn: &mut AnyConnection, actor: &Actor, code: &str) -> Result<BottleRow, AppError> {
    let row = rows::by_code(conn, code.trim())?.ok_or(AppError::NotFound("bottle"))?;
    get(conn, actor, &row.id)
}

/// The actor's school's bottles, a page at a time.
pub fn list(
    conn: &mut AnyConnection,
    actor: &Actor,
    site: Option<&str>,
    page: &Keyset,
) -> Result<Page<BottleRow>, AppError> {
    Ok(rows::list(conn, &actor.org_id, site, page)?)
}

/// A bottle's history: the events of its chain, oldest first.
pub fn history(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
) -> Result<Vec<waste_core::custody::Event>, AppError> {
    get(conn, actor, id)?;
    Ok(crate::store::events::chain(conn, &format!("bottle:{id}"))?)
}

/// The balance of a stored row, as the core reads it.
fn balance(row: &BottleRow) -> Result<Decimal, AppError> {
    Decimal::from_str(&row.balance).map_err(AppError::internal)
}

fn status(row: &BottleRow) -> Result<Status, AppError> {
    Status::parse(&row.status)
        .ok_or_else(|| AppError::internal(format!("bottle status {}", row.status)))
}

/// The shelf's alerts for the actor's school today (`reagent::alerts`): expiry, use-by after opening,
/// controlled-chemical stocktakes due (from the school's last closed stocktake), reacting neighbours.
pub fn alerts(
    conn: &mut AnyConnection,
    env: &Env,
    actor: &Actor,
) -> Result<Vec<waste_core::reagent::Alert>, AppError> {
    let std = env.std;
    let bottles: Vec<waste_core::reagent::ShelfBottle> = rows::on_hand(conn, &actor.org_id, None)?
        .iter()
        .map(|r| waste_core::reagent::ShelfBottle {
            id: r.id.clone(),
            substance: r
                .substance_cas
                .parse()
                .ok()
                .and_then(|c| std.substances.by_cas(&c))
                .map(|s| s.id),
            status: Status::parse(&r.status).unwrap_or(Status::Open),
            expires_on: r.expires_on.as_deref().and_then(crate::store::parse_date),
            opened_on: r.opened_on.as_deref().and_then(crate::store::parse_date),
            use_within_days: r.use_within_days.and_then(|d| u32::try_from(d).ok()),
            place: (r.site_id.clone(), r.cabinet.clone()),
            lists: lists_of(r),
        })
        .collect();
    let last = rows::last_closed(conn, &actor.org_id)?.and_then(|at| env.clock.date_of_stamp(&at));
    let last: std::collections::BTreeMap<ControlList, Date> = last
        .map(|d| ControlList::ALL.into_iter().map(|l| (l, d)).collect())
        .unwrap_or_default();
    Ok(waste_core::reagent::alerts(
        &std.reagents,
        &std.reactivity,
        &std.substances,
        &bottles,
        &last,
        env.clock.today(),
    ))
}

/// A bottle's whole life: its chain, and its waste container's chain once discarded.
pub fn life(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
) -> Result<
    (
        BottleRow,
        Vec<waste_core::custody::Event>,
        Vec<waste_core::custody::Event>,
    ),
    AppError,
> {
    let row = get(conn, actor, id)?;
    let own = crate::store::events::chain(conn, &format!("bottle:{id}"))?;
    let waste = match &row.container_id {
        Some(c) => crate::store::events::chain(conn, &format!("container:{c}"))?,
        None => Vec::new(),
    };
    Ok((row, own, waste))
}

/// The people of the actor's school (whom a bottle is issued to), and which of them are safety officers (who
/// may be the second person).
pub fn people(
    conn: &mut AnyConnection,
    actor: &Actor,
) -> Result<Vec<crate::store::chain::Signer>, AppError> {
    Ok(crate::store::chain::of_org(conn, &actor.org_id)?)
}

/// The safety card of a bottle's substance (`reagent::safety_card`).
pub fn card(
    conn: &mut AnyConnection,
    env: &Env,
    actor: &Actor,
    id: &str,
) -> Result<waste_core::reagent::SafetyCard, AppError> {
    let row = get(conn, actor, id)?;
    let sub = substance(env, &row.substance_cas)?;
    Ok(waste_core::reagent::safety_card(
        sub,
        &env.std.reagents.lists,
        &env.std.reactivity,
    ))
}
