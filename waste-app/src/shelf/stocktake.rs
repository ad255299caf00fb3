//! A stocktake of one site: started, each bottle scanned (and weighed) along the shelf, the differences from the
//! books listed (`reagent::reconcile`), a controlled bottle's difference explained, then closed: the weighings
//! become the books (each an event `counted` of the bottle's chain) and the stocktake's own chain records what
//! was found.

use super::{lists_of, may_keep, text};
use crate::db::AnyConnection;
use crate::store::Tx;
use crate::store::bottles::{self as rows, BottleChange, BottleRow, CountRow, StocktakeRow};
use crate::{Actor, AppError, Env, event};
use rust_decimal::Decimal;
use serde_json::json;
use std::collections::BTreeMap;
use std::str::FromStr;
use waste_core::reagent::{Book, Count, Reconciliation, reconcile};

/// Starts a stocktake of the site `site_id` of the actor's school; refused while one is under way there.
pub fn start(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    site_id: &str,
) -> Result<StocktakeRow, AppError> {
    may_keep(actor, env)?;
    super::own_site(tx, actor, site_id)?;
    if let Some(open) = rows::open_stocktake(tx, site_id)? {
        return Err(AppError::refused(
            "stocktake_under_way",
            "a stocktake of this site is under way: finish it first",
            json!({ "stocktake_id": open.id }),
        ));
    }
    let row = StocktakeRow {
        id: env.clock.new_id(),
        organization_id: actor.org_id.clone(),
        site_id: site_id.to_owned(),
        started_by: actor.id.clone(),
        started_at: env.clock.stamp(),
        closed_by: None,
        closed_at: None,
    };
    rows::insert_stocktake(tx, &row)?;
    event(
        tx,
        format!("stocktake:{}", row.id),
        "started",
        actor,
        &row.started_at,
        json!({ "site_id": site_id }),
    )?;
    Ok(row)
}

fn open_of(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<StocktakeRow, AppError> {
    let row = rows::stocktake(conn, id)?
        .filter(|s| s.organization_id == actor.org_id)
        .ok_or(AppError::NotFound("stocktake"))?;
    if row.closed_at.is_some() {
        return Err(AppError::refused(
            "stocktake_closed",
            "the stocktake is closed",
            json!({ "closed_at": row.closed_at }),
        ));
    }
    Ok(row)
}

/// A bottle scanned: by its label code; with the weighing in the bottle's unit, or seen only.
#[derive(Debug, Clone)]
pub struct CountCmd {
    pub code: String,
    pub counted: Option<Decimal>,
}

/// Records a bottle scanned at the stocktake `id` (again: the new weighing replaces the old).
pub fn count(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    id: &str,
    cmd: CountCmd,
) -> Result<BottleRow, AppError> {
    may_keep(actor, env)?;
    let take = open_of(tx, actor, id)?;
    let bottle = rows::by_code(tx, cmd.code.trim())?
        .filter(|b| b.organization_id == actor.org_id)
        .ok_or_else(|| AppError::invalid("code", "no bottle of the school carries this code"))?;
    if cmd.counted.is_some_and(|c| c < Decimal::ZERO) {
        return Err(AppError::invalid("counted", "zero or more"));
    }
    rows::put_count(
        tx,
        &CountRow {
            stocktake_id: take.id,
            bottle_id: bottle.id.clone(),
            counted: cmd.counted.map(|c| c.normalize().to_string()),
            explanation: None,
        },
    )?;
    Ok(bottle)
}

/// Records why a bottle's count differs from the books.
pub fn explain(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    id: &str,
    bottle_id: &str,
    words: &str,
) -> Result<(), AppError> {
    may_keep(actor, env)?;
    let take = open_of(tx, actor, id)?;
    let words = text("explanation", words)?;
    if words.is_empty() {
        return Err(AppError::invalid("explanation", "say what happened"));
    }
    if rows::explain(tx, &take.id, bottle_id, &words)? == 0 {
        // A missing bottle has no count row yet: its explanation makes one (not weighed).
        let on_books = rows::by_id(tx, bottle_id)?
            .filter(|b| b.organization_id == actor.org_id && b.site_id == take.site_id);
        if on_books.is_none() {
            return Err(AppError::invalid(
                "bottle_id",
                "no bottle of this stocktake has this id",
            ));
        }
        rows::put_count(
            tx,
            &CountRow {
                stocktake_id: take.id.clone(),
                bottle_id: bottle_id.to_owned(),
                counted: None,
                explanation: None,
            },
        )?;
        rows::explain(tx, &take.id, bottle_id, &words)?;
        // Marked as explained-missing: a count row without a weighing would read as "seen": keep it apart.
        mark_missing(tx, &take.id, bottle_id)?;
    }
    Ok(())
}

/// A bottle explained as missing is recorded with the count "missing" (not seen, not weighed).
fn mark_missing(tx: &mut Tx, stocktake: &str, bottle: &str) -> Result<(), AppError> {
    rows::put_count(
        tx,
        &CountRow {
            stocktake_id: stocktake.to_owned(),
            bottle_id: bottle.to_owned(),
            counted: Some(MISSING.into()),
            explanation: None,
        },
    )?;
    Ok(())
}

/// The stored count of a bottle explained as not found.
const MISSING: &str = "missing";

/// A stocktake as its page and its report show it.
#[derive(Debug, Clone)]
pub struct StocktakeView {
    pub stocktake: StocktakeRow,
    /// The site's bottles on the books, by id.
    pub bottles: BTreeMap<String, BottleRow>,
    pub reconciliation: Reconciliation,
    pub explanations: BTreeMap<String, String>,
    /// Controlled bottles whose difference is not yet explained (the stocktake cannot close).
    pub unexplained: Vec<String>,
}

/// The stocktake `id` with the differences found so far.
pub fn view(
    conn: &mut AnyConnection,
    env: &Env,
    actor: &Actor,
    id: &str,
) -> Result<StocktakeView, AppError> {
    let take = rows::stocktake(conn, id)?
        .filter(|s| s.organization_id == actor.org_id)
        .ok_or(AppError::NotFound("stocktake"))?;
    let on_books = rows::on_hand(conn, &actor.org_id, Some(&take.site_id))?;
    let counted = rows::counts(conn, &take.id)?;
    let mut bottles: BTreeMap<String, BottleRow> =
        on_books.iter().map(|b| (b.id.clone(), b.clone())).collect();
    let books: Vec<Book> = on_books
        .iter()
        .map(|b| Book {
            bottle: b.id.clone(),
            balance: Decimal::from_str(&b.balance).unwrap_or_default(),
            controlled: !lists_of(b).is_empty(),
        })
        .collect();
    let mut counts = Vec::new();
    let mut explanations = BTreeMap::new();
    for c in &counted {
        if let Some(w) = &c.explanation {
            explanations.insert(c.bottle_id.clone(), w.clone());
        }
        if c.counted.as_deref() == Some(MISSING) {
            continue;
        }
        if !bottles.contains_key(&c.bottle_id)
            && let Some(b) = rows::by_id(conn, &c.bottle_id)?
        {
            bottles.insert(b.id.clone(), b);
        }
        counts.push(Count {
            bottle: c.bottle_id.clone(),
            counted: c.counted.as_deref().and_then(|s| Decimal::from_str(s).ok()),
            controlled: bottles
                .get(&c.bottle_id)
                .is_some_and(|b| !lists_of(b).is_empty()),
        });
    }
    let reconciliation = reconcile(&env.std.reagents, &books, &counts);
    let unexplained = reconciliation
        .unexplained(&explanations)
        .into_iter()
        .map(str::to_owned)
        .collect();
    Ok(StocktakeView {
        stocktake: take,
        bottles,
        reconciliation,
        explanations,
        unexplained,
    })
}

/// Closes the stocktake: refused while a controlled bottle's difference is unexplained; the weighings become
/// the books.
pub fn close(tx: &mut Tx, env: &Env, actor: &Actor, id: &str) -> Result<StocktakeView, AppError> {
    may_keep(actor, env)?;
    open_of(tx, actor, id)?;
    let view = view(tx, env, actor, id)?;
    if !view.unexplained.is_empty() {
        return Err(AppError::refused(
            "stocktake_unexplained",
            "a controlled chemical's difference is not explained: explain each before closing",
            json!({ "bottles": view.unexplained }),
        ));
    }
    let at = env.clock.stamp();
    for line in &view.reconciliation.lines {
        if let waste_core::reagent::Difference::Differs { counted, .. } = line.difference
            && let Some(b) = view.bottles.get(&line.bottle)
        {
            let change = BottleChange {
                balance: Some(counted.to_string()),
                ..BottleChange::default()
            };
            rows::change(tx, &b.id, &b.status, &change)?;
            event(
                tx,
                format!("bottle:{}", b.id),
                "counted",
                actor,
                &at,
                json!({ "stocktake_id": id, "book": b.balance, "counted": counted.to_string(),
                        "explanation": view.explanations.get(&b.id) }),
            )?;
        }
    }
    if rows::close_stocktake(tx, id, &actor.id, &at)? == 0 {
        return Err(AppError::refused(
            "conflict",
            "the stocktake was closed meanwhile",
            json!({}),
        ));
    }
    event(
        tx,
        format!("stocktake:{id}"),
        "closed",
        actor,
        &at,
        json!({ "lines": view.reconciliation.lines, "explanations": view.explanations }),
    )?;
    let mut view = view;
    view.stocktake.closed_at = Some(at);
    view.stocktake.closed_by = Some(actor.id.clone());
    Ok(view)
}
