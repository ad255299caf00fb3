//! What the education bureau's view calls worth a visit on a school's shelf: a controlled chemical received and
//! never issued, used or discarded since (its balance never moved) for `idle_days`; books corrected at
//! stocktakes (balances that did not reconcile); a school that receives chemicals but has shipped no waste for
//! `quiet_days`. The periods are settings (`reagents.toml [bureau]`).

use super::{ControlList, ShelfRules, Status};
use serde::Serialize;
use time::Date;

/// A bottle as the bureau's view reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub id: String,
    pub lists: Vec<ControlList>,
    pub status: Status,
    pub received_on: Date,
    /// The balance is still what was received.
    pub untouched: bool,
}

/// What the view reads of one school.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShelfFacts {
    pub bottles: Vec<Held>,
    /// Differences explained at closed stocktakes within `idle_days`.
    pub corrections: usize,
    /// The school's last pickup (waste shipped), if any.
    pub last_pickup: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ShelfAnomaly))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Anomaly {
    /// Controlled bottles received at least `days` ago whose balance never moved.
    ControlledIdle { bottles: Vec<String>, days: u32 },
    /// Books corrected at stocktakes: balances that did not reconcile.
    BooksCorrected { corrections: usize },
    /// Bottles received within `days`, and no waste shipped in as many, by a school whose shelf is at least that
    /// old (a bottle received before: a school that has just begun keeping its shelf here is not flagged).
    ReceivesButShipsNothing { received: usize, days: u32 },
}

impl ShelfFacts {
    pub fn new(bottles: Vec<Held>, corrections: usize, last_pickup: Option<Date>) -> Self {
        Self {
            bottles,
            corrections,
            last_pickup,
        }
    }
}

impl Held {
    pub fn new(
        id: String,
        lists: Vec<ControlList>,
        status: Status,
        received_on: Date,
        untouched: bool,
    ) -> Self {
        Self {
            id,
            lists,
            status,
            received_on,
            untouched,
        }
    }
}

/// The anomalies of a school's shelf on `today`.
pub fn anomalies(rules: &ShelfRules, facts: &ShelfFacts, today: Date) -> Vec<Anomaly> {
    let mut out = Vec::new();
    let idle_since = today - time::Duration::days(i64::from(rules.idle_days));
    let idle: Vec<String> = facts
        .bottles
        .iter()
        .filter(|b| {
            !b.lists.is_empty() && b.status.on_hand() && b.untouched && b.received_on <= idle_since
        })
        .map(|b| b.id.clone())
        .collect();
    if !idle.is_empty() {
        out.push(Anomaly::ControlledIdle {
            bottles: idle,
            days: rules.idle_days,
        });
    }
    if facts.corrections > 0 {
        out.push(Anomaly::BooksCorrected {
            corrections: facts.corrections,
        });
    }
    let quiet_since = today - time::Duration::days(i64::from(rules.quiet_days));
    let received = facts
        .bottles
        .iter()
        .filter(|b| b.received_on > quiet_since)
        .count();
    let shipped_lately = facts.last_pickup.is_some_and(|d| d > quiet_since);
    if received > 0 && !shipped_lately && facts.bottles.iter().any(|b| b.received_on <= quiet_since)
    {
        out.push(Anomaly::ReceivesButShipsNothing {
            received,
            days: rules.quiet_days,
        });
    }
    out
}
