//! What the shelf asks of a school on a day: bottles past their expiry or close to it, opened bottles past their
//! use-by, controlled-chemical stocktakes due, and bottles that react with a neighbour in the same cabinet (the
//! reactivity chart the waste rules use, GB 18597-2023 6.1.2's "incompatible substances apart" read for the
//! shelf).

use super::{ControlList, ShelfRules, Status};
use crate::compatibility::{self, Consequence, ReactivityMatrix};
use crate::substance::{SubstanceId, SubstanceTable};
use serde::Serialize;
use std::collections::BTreeMap;
use time::Date;

/// A bottle as the alerts read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShelfBottle {
    pub id: String,
    pub substance: Option<SubstanceId>,
    pub status: Status,
    pub expires_on: Option<Date>,
    pub opened_on: Option<Date>,
    /// Days an opened bottle may be used (set at receipt, e.g. for peroxide-forming ethers).
    pub use_within_days: Option<u32>,
    /// Where it stands: the site and, within it, the cabinet.
    pub place: (String, Option<String>),
    pub lists: Vec<ControlList>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ShelfAlertCode))]
#[serde(rename_all = "snake_case")]
pub enum AlertCode {
    Expired,
    Expiring,
    OpenedPastUseBy,
    StocktakeDue,
    IncompatibleNeighbours,
}

impl AlertCode {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertCode::Expired => "expired",
            AlertCode::Expiring => "expiring",
            AlertCode::OpenedPastUseBy => "opened_past_use_by",
            AlertCode::StocktakeDue => "stocktake_due",
            AlertCode::IncompatibleNeighbours => "incompatible_neighbours",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub code: AlertCode,
    /// The bottles it concerns (two for a pair of neighbours; none for a stocktake).
    pub bottles: Vec<String>,
    /// The list a stocktake is due for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list: Option<ControlList>,
    /// The day it fell or falls due.
    pub due: Option<Date>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consequences: Vec<Consequence>,
    pub citation: String,
}

/// Every alert of `bottles` on `today`; `last_stocktake` gives each list's last stocktake day. Finished
/// bottles (empty, discarded) raise none. Ordered by code, then due day.
pub fn alerts(
    rules: &ShelfRules,
    reactivity: &ReactivityMatrix,
    substances: &SubstanceTable,
    bottles: &[ShelfBottle],
    last_stocktake: &BTreeMap<ControlList, Date>,
    today: Date,
) -> Vec<Alert> {
    let on_hand: Vec<&ShelfBottle> = bottles.iter().filter(|b| b.status.on_hand()).collect();
    let mut out = Vec::new();
    let warn = time::Duration::days(i64::from(rules.expiry_warning_days));
    for b in &on_hand {
        if let Some(exp) = b.expires_on {
            // The expiry date is the last day of use: expired from the day after.
            let code = if today > exp {
                Some(AlertCode::Expired)
            } else if today + warn >= exp {
                Some(AlertCode::Expiring)
            } else {
                None
            };
            if let Some(code) = code {
                out.push(single(code, b, Some(exp), &rules.settings_citation));
            }
        }
        if let (Some(opened), Some(days)) = (b.opened_on, b.use_within_days) {
            let by = opened + time::Duration::days(i64::from(days));
            if today > by {
                out.push(single(
                    AlertCode::OpenedPastUseBy,
                    b,
                    Some(by),
                    "use-by after opening as set at receipt",
                ));
            }
        }
    }
    for list in ControlList::ALL {
        if !on_hand.iter().any(|b| b.lists.contains(&list)) {
            continue;
        }
        let due = rules.stocktake_due(list, last_stocktake.get(&list).copied(), today);
        if due <= today {
            let duty = rules.duty(list);
            out.push(Alert {
                code: AlertCode::StocktakeDue,
                bottles: Vec::new(),
                list: Some(list),
                due: Some(due),
                consequences: Vec::new(),
                citation: format!("{}: {}", duty.name_en, duty.stocktake_citation),
            });
        }
    }
    out.extend(neighbours(reactivity, substances, &on_hand));
    out.sort_by_key(|a| (a.code, a.due));
    out
}

fn single(code: AlertCode, b: &ShelfBottle, due: Option<Date>, citation: &str) -> Alert {
    Alert {
        code,
        bottles: vec![b.id.clone()],
        list: None,
        due,
        consequences: Vec::new(),
        citation: citation.to_owned(),
    }
}

/// Pairs of bottles in one cabinet (or one site without cabinets) whose substances react.
fn neighbours(
    reactivity: &ReactivityMatrix,
    substances: &SubstanceTable,
    on_hand: &[&ShelfBottle],
) -> Vec<Alert> {
    type Place = (String, Option<String>);
    let mut by_place: BTreeMap<&Place, Vec<(&ShelfBottle, SubstanceId)>> = BTreeMap::new();
    for b in on_hand {
        if let Some(s) = b.substance {
            by_place.entry(&b.place).or_default().push((b, s));
        }
    }
    let mut out = Vec::new();
    for group in by_place.values() {
        for (i, (a, sa)) in group.iter().enumerate() {
            for (b, sb) in &group[i + 1..] {
                let found = compatibility::reactions(reactivity, substances, &[*sa], &[*sb]);
                if found.is_empty() {
                    continue;
                }
                out.push(Alert {
                    code: AlertCode::IncompatibleNeighbours,
                    bottles: vec![a.id.clone(), b.id.clone()],
                    list: None,
                    due: None,
                    consequences: compatibility::consequences(&found),
                    citation: format!("GB 18597-2023 6.1.2; {}", reactivity.title),
                });
            }
        }
    }
    out
}
