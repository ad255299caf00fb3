//! The reagent shelf as answered: bottles with their lists, a stocktake with its differences, the shelf's alerts
//! and one bottle's whole life.

use crate::app::shelf::{Discarded, StocktakeView};
use crate::store::bottles::BottleRow;
use serde::Serialize;
use utoipa::ToSchema;
use waste_core::Standards;
use waste_core::custody::Event;
use waste_core::reagent::{Alert, AlertCode, ControlList, Difference, Listing};

#[derive(Debug, Serialize, ToSchema)]
pub struct BottleView {
    pub id: String,
    /// The code its QR e-label carries.
    pub code: String,
    pub organization_id: String,
    pub substance_cas: String,
    pub substance_name: String,
    #[schema(value_type = waste_core::reagent::AmountUnit)]
    pub unit: String,
    /// Decimal strings in `unit`.
    pub received_amount: String,
    pub balance: String,
    pub supplier: String,
    pub lot: String,
    #[schema(format = Date)]
    pub received_on: String,
    #[schema(format = Date)]
    pub expires_on: Option<String>,
    #[schema(format = Date)]
    pub opened_on: Option<String>,
    pub use_within_days: Option<i32>,
    pub site_id: String,
    pub cabinet: Option<String>,
    pub responsible_id: String,
    #[schema(value_type = waste_core::reagent::Status)]
    pub status: String,
    /// The controlled-chemical list entries naming its substance (none: not controlled).
    pub listings: Vec<Listing>,
    /// The waste container it became when discarded.
    pub container_id: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

pub fn bottle(std: &Standards, r: BottleRow) -> BottleView {
    let listings = r
        .substance_cas
        .parse()
        .ok()
        .and_then(|cas| std.substances.by_cas(&cas))
        .map(|s| std.reagents.lists.of(s))
        .unwrap_or_default();
    BottleView {
        id: r.id,
        code: r.code,
        organization_id: r.organization_id,
        substance_cas: r.substance_cas,
        substance_name: r.substance_name,
        unit: r.unit,
        received_amount: r.received_amount,
        balance: r.balance,
        supplier: r.supplier,
        lot: r.lot,
        received_on: r.received_on,
        expires_on: r.expires_on,
        opened_on: r.opened_on,
        use_within_days: r.use_within_days,
        site_id: r.site_id,
        cabinet: r.cabinet,
        responsible_id: r.responsible_id,
        status: r.status,
        listings,
        container_id: r.container_id,
        created_at: r.created_at,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DiscardedView {
    pub bottle: BottleView,
    /// The container its waste went into (none: an emptied bottle cleaned per the lab's rules).
    pub container_id: Option<String>,
    /// The waste code the classification gave.
    pub code: Option<String>,
}

pub fn discarded(std: &Standards, d: Discarded) -> DiscardedView {
    DiscardedView {
        bottle: bottle(std, d.bottle),
        container_id: d.container_id,
        code: d.code,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StocktakeLineView {
    pub bottle_id: String,
    pub code: Option<String>,
    pub substance_name: Option<String>,
    #[schema(value_type = Option<waste_core::reagent::AmountUnit>)]
    pub unit: Option<String>,
    pub controlled: bool,
    #[schema(value_type = waste_core::reagent::Difference)]
    pub difference: Difference,
    pub explanation: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StocktakeReport {
    pub id: String,
    pub site_id: String,
    #[schema(format = DateTime)]
    pub started_at: String,
    pub started_by: String,
    #[schema(format = DateTime)]
    pub closed_at: Option<String>,
    pub closed_by: Option<String>,
    /// One line per bottle on the books or found; the differences first.
    pub lines: Vec<StocktakeLineView>,
    /// Controlled bottles whose difference awaits an explanation (the stocktake cannot close).
    pub unexplained: Vec<String>,
}

pub fn stocktake(v: StocktakeView) -> StocktakeReport {
    let mut lines: Vec<StocktakeLineView> = v
        .reconciliation
        .lines
        .iter()
        .map(|l| {
            let b = v.bottles.get(&l.bottle);
            StocktakeLineView {
                bottle_id: l.bottle.clone(),
                code: b.map(|b| b.code.clone()),
                substance_name: b.map(|b| b.substance_name.clone()),
                unit: b.map(|b| b.unit.clone()),
                controlled: l.controlled,
                difference: l.difference.clone(),
                explanation: v.explanations.get(&l.bottle).cloned(),
            }
        })
        .collect();
    lines.sort_by_key(|l| l.difference == Difference::Matches);
    StocktakeReport {
        id: v.stocktake.id,
        site_id: v.stocktake.site_id,
        started_at: v.stocktake.started_at,
        started_by: v.stocktake.started_by,
        closed_at: v.stocktake.closed_at,
        closed_by: v.stocktake.closed_by,
        lines,
        unexplained: v.unexplained,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertView {
    #[schema(value_type = waste_core::reagent::AlertCode)]
    pub code: AlertCode,
    pub bottles: Vec<String>,
    #[schema(value_type = Option<waste_core::reagent::ControlList>)]
    pub list: Option<ControlList>,
    #[schema(format = Date)]
    pub due: Option<String>,
    pub citation: String,
}

pub fn alert(a: Alert) -> AlertView {
    AlertView {
        code: a.code,
        bottles: a.bottles,
        list: a.list,
        due: a.due.map(|d| d.to_string()),
        citation: a.citation,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertsPage {
    pub items: Vec<AlertView>,
}

/// A bottle's whole life: its own chain from receipt, and, once discarded, its waste container's chain to the
/// disposal firm's confirmation.
#[derive(Debug, Serialize, ToSchema)]
pub struct BottleLife {
    pub bottle: BottleView,
    pub bottle_events: Vec<Event>,
    pub container_events: Vec<Event>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ControlledCount {
    #[schema(value_type = waste_core::reagent::ControlList)]
    pub list: ControlList,
    pub bottles: usize,
}

/// A school's shelf as its education bureau reads it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SchoolShelfView {
    pub school_id: String,
    pub bottles_on_hand: usize,
    /// Bottles on hand per controlled-chemical list.
    pub controlled: Vec<ControlledCount>,
    pub past_expiry: usize,
    #[schema(format = DateTime)]
    pub last_stocktake: Option<String>,
    /// What is worth a visit.
    pub anomalies: Vec<waste_core::reagent::Anomaly>,
}

pub fn school_shelf(
    school_id: String,
    s: crate::app::shelf::oversight::SchoolShelf,
) -> SchoolShelfView {
    SchoolShelfView {
        school_id,
        bottles_on_hand: s.on_hand,
        controlled: s
            .controlled
            .into_iter()
            .map(|(list, bottles)| ControlledCount { list, bottles })
            .collect(),
        past_expiry: s.past_expiry,
        last_stocktake: s.last_stocktake,
        anomalies: s.anomalies,
    }
}
