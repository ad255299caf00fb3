//! A school's shelf as its education bureau sees it (issue 31, item 6): the controlled-chemical stock by list,
//! the last stocktake, bottles past expiry, and the anomalies worth a visit (`reagent::anomalies`). Read only
//! through a `SchoolView`, which `oversight::school` gives only for a school of the bureau's division.

use super::lists_of;
use crate::db::AnyConnection;
use crate::oversight::SchoolView;
use crate::store::bottles as rows;
use crate::{AppError, Env};
use waste_core::reagent::{Anomaly, ControlList, Held, ShelfFacts, Status, anomalies};

/// The figures of one school's shelf.
#[derive(Debug, Clone)]
pub struct SchoolShelf {
    /// Bottles on hand per list (the lists with none are left out).
    pub controlled: Vec<(ControlList, usize)>,
    pub on_hand: usize,
    pub past_expiry: usize,
    /// When the last stocktake closed (stored time).
    pub last_stocktake: Option<String>,
    pub anomalies: Vec<Anomaly>,
    /// Names of the bottles an anomaly lists, by id.
    pub names: Vec<(String, String)>,
}

pub fn of_school(
    conn: &mut AnyConnection,
    env: &Env,
    view: &SchoolView,
) -> Result<SchoolShelf, AppError> {
    let school = &view.figures.school.id;
    let today = env.clock.today();
    let all = rows::all_of(conn, school)?;
    let on_hand: Vec<&rows::BottleRow> = all
        .iter()
        .filter(|b| Status::parse(&b.status).is_some_and(Status::on_hand))
        .collect();
    let controlled = ControlList::ALL
        .into_iter()
        .map(|l| {
            (
                l,
                on_hand.iter().filter(|b| lists_of(b).contains(&l)).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    let past_expiry = on_hand
        .iter()
        .filter(|b| {
            b.expires_on
                .as_deref()
                .and_then(crate::store::parse_date)
                .is_some_and(|e| today > e)
        })
        .count();
    let since = today - time::Duration::days(i64::from(env.std.reagents.idle_days));
    let corrections = rows::corrections_since(conn, school, &format!("{since}T00:00:00Z"))?;
    let held = all
        .iter()
        .filter_map(|b| {
            Some(Held::new(
                b.id.clone(),
                lists_of(b),
                Status::parse(&b.status)?,
                crate::store::parse_date(&b.received_on)?,
                b.balance == b.received_amount,
            ))
        })
        .collect();
    let last_pickup = view
        .figures
        .last_pickup
        .as_deref()
        .and_then(|at| env.clock.date_of_stamp(at));
    let facts = ShelfFacts::new(held, usize::try_from(corrections).unwrap_or(0), last_pickup);
    let found = anomalies(&env.std.reagents, &facts, today);
    let names = all
        .iter()
        .filter(|b| {
            found.iter().any(|a| match a {
                Anomaly::ControlledIdle { bottles, .. } => bottles.contains(&b.id),
                _ => false,
            })
        })
        .map(|b| (b.id.clone(), format!("{} {}", b.substance_name, b.code)))
        .collect();
    Ok(SchoolShelf {
        controlled,
        on_hand: on_hand.len(),
        past_expiry,
        last_stocktake: rows::last_closed(conn, school)?,
        anomalies: found,
        names,
    })
}
