//! The annual report of an organisation: per waste code the tonnes generated, in storage at the year's end,
//! shipped, utilised and disposed of; per receiver with its licence number; the manifests. A summary of the
//! organisation's own HJ 1259-2022 ledger, so both always agree.

use super::ledger::{ContainerHistory, LedgerRecord, Party, Period, ledger};
use super::rules::{RecordRules, Stage};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeTotals {
    pub code: String,
    pub category: Option<String>,
    pub generated_t: Decimal,
    /// Still in this organisation's storage on 31 December (its last record that year put it there).
    pub in_storage_at_year_end_t: Decimal,
    pub shipped_t: Decimal,
    pub utilised_t: Decimal,
    pub disposed_t: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceiverTotals {
    pub receiver: Party,
    pub containers: u32,
    pub tonnes: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AnnualManifest))]
pub struct ManifestSummary {
    pub number: String,
    pub receiver: String,
    pub receiver_licence_number: Option<String>,
    /// Local date it left storage.
    pub dispatched_on: String,
    pub containers: u32,
    pub tonnes: Decimal,
    pub back_filled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnnualReport {
    pub organization_id: String,
    pub year: i32,
    pub by_code: Vec<CodeTotals>,
    /// Where this organisation's containers went out of storage to (a transfer station, a disposal firm).
    pub receivers: Vec<ReceiverTotals>,
    pub manifests: Vec<ManifestSummary>,
    pub citation: String,
}

/// The code a record is filed under; a waste without one is filed as unclassified.
fn code_of(r: &LedgerRecord) -> String {
    r.waste
        .code
        .clone()
        .unwrap_or_else(|| "unclassified".into())
}

pub fn annual_report(
    rules: &RecordRules,
    zone: &crate::calendar::Zone,
    keeper_id: &str,
    histories: &[ContainerHistory],
    year: i32,
) -> AnnualReport {
    let all = ledger(rules, zone, keeper_id, histories, Period::ALL);
    let in_year = |r: &LedgerRecord| r.date.starts_with(&format!("{year:04}-"));
    let year_end = format!("{year:04}-12-31");
    let mut by_code: BTreeMap<String, CodeTotals> = BTreeMap::new();
    let mut receivers: BTreeMap<String, ReceiverTotals> = BTreeMap::new();
    let mut manifests: BTreeMap<String, ManifestSummary> = BTreeMap::new();
    // The last record of each container up to the year's end: is it in this organisation's storage then?
    let mut last_by_container: BTreeMap<&str, &LedgerRecord> = BTreeMap::new();
    for r in &all {
        if r.date <= year_end {
            last_by_container.insert(&r.container_id, r);
        }
        if !in_year(r) {
            continue;
        }
        let t = by_code.entry(code_of(r)).or_insert_with(|| CodeTotals {
            code: code_of(r),
            category: r.waste.category.clone(),
            ..CodeTotals::default()
        });
        let tonnes = r.amount.tonnes;
        match r.stage {
            Stage::Generation => t.generated_t += tonnes,
            Stage::StorageOut => {
                t.shipped_t += tonnes;
                if let Some(p) = &r.counterparty {
                    let e = receivers
                        .entry(p.id.clone())
                        .or_insert_with(|| ReceiverTotals {
                            receiver: p.clone(),
                            containers: 0,
                            tonnes: Decimal::ZERO,
                        });
                    e.containers += 1;
                    e.tonnes += tonnes;
                }
                if let Some(n) = &r.manifest_number {
                    let m = manifests
                        .entry(n.clone())
                        .or_insert_with(|| ManifestSummary {
                            number: n.clone(),
                            receiver: r
                                .counterparty
                                .as_ref()
                                .map(|p| p.name.clone())
                                .unwrap_or_default(),
                            receiver_licence_number: r
                                .counterparty
                                .as_ref()
                                .and_then(|p| p.licence_number.clone()),
                            dispatched_on: r.date.clone(),
                            containers: 0,
                            tonnes: Decimal::ZERO,
                            back_filled: r.back_filled,
                        });
                    m.containers += 1;
                    m.tonnes += tonnes;
                }
            }
            Stage::OffsiteUtilisation | Stage::OwnUtilisation => t.utilised_t += tonnes,
            Stage::OffsiteDisposal | Stage::OwnDisposal => t.disposed_t += tonnes,
            Stage::StorageIn => {}
        }
    }
    for r in last_by_container.values() {
        let held = match r.stage {
            Stage::Generation | Stage::StorageIn => true,
            Stage::StorageOut
            | Stage::OwnUtilisation
            | Stage::OwnDisposal
            | Stage::OffsiteUtilisation
            | Stage::OffsiteDisposal => false,
        };
        if held {
            let t = by_code.entry(code_of(r)).or_insert_with(|| CodeTotals {
                code: code_of(r),
                category: r.waste.category.clone(),
                ..CodeTotals::default()
            });
            t.in_storage_at_year_end_t += r.amount.tonnes;
        }
    }
    let norm = |d: &mut Decimal| *d = d.normalize();
    let mut by_code: Vec<CodeTotals> = by_code.into_values().collect();
    for t in &mut by_code {
        for d in [
            &mut t.generated_t,
            &mut t.in_storage_at_year_end_t,
            &mut t.shipped_t,
            &mut t.utilised_t,
            &mut t.disposed_t,
        ] {
            norm(d);
        }
    }
    let mut receivers: Vec<ReceiverTotals> = receivers.into_values().collect();
    receivers.iter_mut().for_each(|r| norm(&mut r.tonnes));
    let mut manifests: Vec<ManifestSummary> = manifests.into_values().collect();
    manifests.iter_mut().for_each(|m| norm(&mut m.tonnes));
    manifests.sort_by(|a, b| (&a.dispatched_on, &a.number).cmp(&(&b.dispatched_on, &b.number)));
    AnnualReport {
        organization_id: keeper_id.to_owned(),
        year,
        by_code,
        receivers,
        manifests,
        citation: format!(
            "{} (ledger); {} (annual declaration)",
            rules
                .ledger_retention_years
                .source
                .replace(" 6.4", " 6.2–6.4"),
            rules.declaration.source
        ),
    }
}
