//! The HJ 1259-2022 management ledger (管理台账, 6.2–6.4): one record per container at each stage, derived from
//! a typed description of the container's history that the service fills from what it already records.
//!
//! Stages and whose ledger they belong to (the keeper is whoever holds the container at that step):
//! - generation (HWCS), in the generator's ledger, at the first addition;
//! - into storage (HWRK) at the generator when the container is sealed (closed and set aside for collection);
//! - out of storage (HWCK) at the generator at the pickup, and into storage (HWRK) at the transfer station;
//! - out of storage (HWCK) at the manifest's shipper (移出人, Transfer Measures Art.31) at dispatch;
//! - off-site utilisation or disposal (HWWWLY / HWWWCZ) at the shipper when the receiver confirms it, with the
//!   receiver's type, name and licence number (HJ 1259-2022 6.3);
//! - a container the receiver refuses goes back into the shipper's storage (HWRK).

use super::rules::{MethodKind, RecordRules, Stage};
use crate::calendar::Zone;
use crate::container::Unit;
use crate::custody::format_at;
use crate::party::OrgKind;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use time::{Date, OffsetDateTime};

/// An organisation as the ledger names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = LedgerParty))]
pub struct Party {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    /// Hazardous-waste licence number (经营许可证编号), for receivers.
    pub licence_number: Option<String>,
}

/// What the waste is, as classified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WasteDescription {
    pub name: String,
    /// Category, e.g. `HW49`.
    pub category: Option<String>,
    /// Catalogue code, e.g. `900-047-49`.
    pub code: Option<String>,
    /// Hazard characteristics, e.g. `["T", "C"]`.
    pub hazards: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContainerDescription {
    /// Material, e.g. `hdpe`.
    pub material: String,
    pub capacity_l: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addition {
    pub at: OffsetDateTime,
    pub quantity: Decimal,
    pub unit: Unit,
    pub by: String,
}

/// A dated step and who took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub at: OffsetDateTime,
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pickup {
    pub at: OffsetDateTime,
    pub station: Party,
    /// Weighed at the hand-over, container included.
    pub gross_weight_kg: Decimal,
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub at: OffsetDateTime,
    pub received_weight_kg: Option<Decimal>,
    pub accepted: bool,
    pub by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disposal {
    pub at: OffsetDateTime,
    /// Method code, e.g. `D10` or `R2`.
    pub method: String,
    pub by: String,
}

/// One manifest that carried the container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    pub manifest_number: String,
    pub shipper: Party,
    pub receiver: Party,
    /// `None` while the manifest has not left (a draft or a cancelled manifest makes no record).
    pub dispatched: Option<Step>,
    pub shipped_weight_kg: Decimal,
    pub receipt: Option<Receipt>,
    pub disposal: Option<Disposal>,
    /// When a manifest completed on paper was entered (Transfer Measures Art.20); `None` for one run in the
    /// system. Its records carry the real dates and are marked back-filled.
    pub entered_at: Option<OffsetDateTime>,
}

/// Everything the ledger needs to know about one container, in the order it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerHistory {
    pub container_id: String,
    /// The HJ 1276-2022 digital identification code on its label.
    pub digital_id: Option<String>,
    pub generator: Party,
    pub lab: String,
    pub waste: WasteDescription,
    pub container: ContainerDescription,
    pub additions: Vec<Addition>,
    pub sealed: Option<Step>,
    pub pickup: Option<Pickup>,
    pub shipments: Vec<Shipment>,
}

/// A figure as it was recorded, before conversion to tonnes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OriginalAmount {
    pub quantity: Decimal,
    pub unit: Unit,
}

/// A quantity in tonnes (HJ 1259-2022 reports tonnes) with the recorded figures beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = LedgerAmount))]
pub struct Amount {
    pub tonnes: Decimal,
    pub original: Vec<OriginalAmount>,
    /// Set when a volume was converted at the density setting (not weighed): says which density and why.
    pub conversion: Option<String>,
    /// Whether the figure was weighed (hand-over, manifest) rather than declared at the bench.
    pub weighed: bool,
}

/// One ledger record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerRecord {
    /// Whose ledger this record belongs to.
    pub keeper_id: String,
    pub stage: Stage,
    /// HJ 1259-2022 Appendix B: prefix + YYYYMMDD + serial.
    pub batch_code: String,
    /// When it happened, RFC 3339 UTC.
    pub at: String,
    /// The local date (China Standard Time) the batch code carries.
    pub date: String,
    pub container_id: String,
    pub digital_id: Option<String>,
    pub waste: WasteDescription,
    pub amount: Amount,
    pub container: ContainerDescription,
    pub container_count: u32,
    /// The generating school and lab, for records kept by a collector.
    pub generator: String,
    pub lab: String,
    /// Where the container is kept or comes from at this stage (lab, store, station).
    pub facility: String,
    pub handler: String,
    /// The batch of this keeper that the record follows (into storage → generation; out of storage → into
    /// storage; off site → out of storage), as 6.3 asks.
    pub previous_batch: Option<String>,
    /// Where it went (out of storage, off site) or came from (into a station's storage).
    pub counterparty: Option<Party>,
    pub manifest_number: Option<String>,
    pub method: Option<String>,
    /// Entered afterwards from a paper manifest (Transfer Measures Art.20).
    pub back_filled: bool,
    pub note: Option<String>,
}

/// A record before its batch code is known.
struct Draft {
    record: LedgerRecord,
    at: OffsetDateTime,
    /// When the system learnt of it: serials follow this, so a back-filled record never renumbers earlier ones.
    recorded_at: OffsetDateTime,
}

fn kg_amount(kg: Decimal) -> Amount {
    Amount {
        tonnes: (kg / Decimal::from(1000)).normalize(),
        original: vec![OriginalAmount {
            quantity: kg.normalize(),
            unit: Unit::Kg,
        }],
        conversion: None,
        weighed: true,
    }
}

/// The bench figures of the additions, summed per unit; litres become tonnes at the density setting.
fn declared_amount(rules: &RecordRules, additions: &[Addition]) -> Amount {
    let (mut kg, mut l) = (Decimal::ZERO, Decimal::ZERO);
    let (mut any_kg, mut any_l) = (false, false);
    for a in additions {
        match a.unit {
            Unit::Kg => {
                kg += a.quantity;
                any_kg = true;
            }
            Unit::L => {
                l += a.quantity;
                any_l = true;
            }
        }
    }
    let density = rules.litre_density.value;
    let mut original = Vec::new();
    if any_l {
        original.push(OriginalAmount {
            quantity: l.normalize(),
            unit: Unit::L,
        });
    }
    if any_kg {
        original.push(OriginalAmount {
            quantity: kg.normalize(),
            unit: Unit::Kg,
        });
    }
    Amount {
        tonnes: ((kg + l * density) / Decimal::from(1000)).normalize(),
        original,
        conversion: any_l.then(|| {
            format!(
                "litres at {density} kg/L ({}, {})",
                rules.litre_density.source,
                super::confidence_tag(rules.litre_density.confidence)
            )
        }),
        weighed: false,
    }
}

struct Builder<'a> {
    zone: &'a Zone,
    h: &'a ContainerHistory,
    /// Only this keeper's records are built.
    keeper_id: &'a str,
    drafts: Vec<Draft>,
}

impl Builder<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        keeper: &Party,
        stage: Stage,
        at: OffsetDateTime,
        recorded_at: OffsetDateTime,
        amount: Amount,
        facility: String,
        handler: &str,
        extra: Extra,
    ) {
        if keeper.id != self.keeper_id {
            return;
        }
        let local = self.zone.date_of(at);
        self.drafts.push(Draft {
            record: LedgerRecord {
                keeper_id: keeper.id.clone(),
                stage,
                batch_code: String::new(),
                at: format_at(at),
                date: local.to_string(),
                container_id: self.h.container_id.clone(),
                digital_id: self.h.digital_id.clone(),
                waste: self.h.waste.clone(),
                amount,
                container: self.h.container.clone(),
                container_count: 1,
                generator: self.h.generator.name.clone(),
                lab: self.h.lab.clone(),
                facility,
                handler: handler.to_owned(),
                previous_batch: None,
                counterparty: extra.counterparty,
                manifest_number: extra.manifest_number,
                method: extra.method,
                back_filled: extra.back_filled,
                note: extra.note,
            },
            at,
            recorded_at,
        });
    }
}

#[derive(Default)]
struct Extra {
    counterparty: Option<Party>,
    manifest_number: Option<String>,
    method: Option<String>,
    back_filled: bool,
    note: Option<String>,
}

/// The records of one container in `keeper_id`'s ledger, without batch codes.
fn drafts(rules: &RecordRules, zone: &Zone, h: &ContainerHistory, keeper_id: &str) -> Vec<Draft> {
    let mut b = Builder {
        zone,
        h,
        keeper_id,
        drafts: Vec::new(),
    };
    let Some(first) = h.additions.iter().min_by_key(|a| a.at) else {
        return b.drafts; // an empty container has generated nothing
    };
    let declared = declared_amount(rules, &h.additions);
    let lab = format!("{} {}", h.generator.name, h.lab);
    b.push(
        &h.generator,
        Stage::Generation,
        first.at,
        first.at,
        declared.clone(),
        lab.clone(),
        &first.by,
        Extra::default(),
    );
    if let Some(s) = &h.sealed {
        b.push(
            &h.generator,
            Stage::StorageIn,
            s.at,
            s.at,
            declared.clone(),
            lab.clone(),
            &s.by,
            Extra {
                note: Some("sealed and set aside for collection".into()),
                ..Extra::default()
            },
        );
    }
    if let Some(p) = &h.pickup {
        let weighed = kg_amount(p.gross_weight_kg);
        b.push(
            &h.generator,
            Stage::StorageOut,
            p.at,
            p.at,
            weighed.clone(),
            lab.clone(),
            &p.by,
            Extra {
                counterparty: Some(p.station.clone()),
                note: Some("collected by the transfer station (gross weight)".into()),
                ..Extra::default()
            },
        );
        b.push(
            &p.station,
            Stage::StorageIn,
            p.at,
            p.at,
            weighed,
            p.station.name.clone(),
            &p.by,
            Extra {
                counterparty: Some(h.generator.clone()),
                note: Some("collected from the generator (gross weight)".into()),
                ..Extra::default()
            },
        );
    }
    for s in &h.shipments {
        let Some(dispatched) = &s.dispatched else {
            continue;
        };
        let back_filled = s.entered_at.is_some();
        let recorded = |at: OffsetDateTime| s.entered_at.map_or(at, |e| e.max(at));
        let manifest = Some(s.manifest_number.clone());
        b.push(
            &s.shipper,
            Stage::StorageOut,
            dispatched.at,
            recorded(dispatched.at),
            kg_amount(s.shipped_weight_kg),
            s.shipper.name.clone(),
            &dispatched.by,
            Extra {
                counterparty: Some(s.receiver.clone()),
                manifest_number: manifest.clone(),
                back_filled,
                ..Extra::default()
            },
        );
        let Some(receipt) = &s.receipt else { continue };
        let received = kg_amount(receipt.received_weight_kg.unwrap_or(s.shipped_weight_kg));
        if !receipt.accepted {
            b.push(
                &s.shipper,
                Stage::StorageIn,
                receipt.at,
                recorded(receipt.at),
                kg_amount(s.shipped_weight_kg),
                s.shipper.name.clone(),
                &receipt.by,
                Extra {
                    counterparty: Some(s.receiver.clone()),
                    manifest_number: manifest.clone(),
                    back_filled,
                    note: Some(
                        "refused by the receiver and returned (Transfer Measures Art.18)".into(),
                    ),
                    ..Extra::default()
                },
            );
            continue;
        }
        let Some(d) = &s.disposal else { continue };
        let (kind, known) = rules.method_kind(&d.method);
        let stage = match kind {
            MethodKind::Utilisation => Stage::OffsiteUtilisation,
            MethodKind::Disposal => Stage::OffsiteDisposal,
        };
        b.push(
            &s.shipper,
            stage,
            d.at,
            recorded(d.at),
            received,
            s.receiver.name.clone(),
            &d.by,
            Extra {
                counterparty: Some(s.receiver.clone()),
                manifest_number: manifest,
                method: Some(d.method.clone()),
                back_filled,
                note: (!known).then(|| {
                    format!(
                        "method {} has no known letter: recorded as disposal ({})",
                        d.method, rules.method_default.source
                    )
                }),
            },
        );
    }
    b.drafts
}

/// A ledger period: local dates, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl Period {
    pub const ALL: Period = Period {
        from: None,
        to: None,
    };

    fn contains(&self, d: Date) -> bool {
        self.from.is_none_or(|f| d >= f) && self.to.is_none_or(|t| d <= t)
    }
}

/// The ledger of `keeper_id` over `period`, in time order.
///
/// Dates are local dates in the deployment's `zone`. Batch codes number each keeper's records per prefix and local day in the order the system learnt of them,
/// so `histories` must hold every container with a record of that keeper on the days of the period (the
/// service passes every container the keeper generated or held).
pub fn ledger(
    rules: &RecordRules,
    zone: &Zone,
    keeper_id: &str,
    histories: &[ContainerHistory],
    period: Period,
) -> Vec<LedgerRecord> {
    let mut mine: Vec<Draft> = histories
        .iter()
        .flat_map(|h| drafts(rules, zone, h, keeper_id))
        .collect();
    // Serials: per (prefix, local day), ordered by when the system learnt of the record.
    mine.sort_by(|a, b| {
        (a.recorded_at, &a.record.container_id, a.record.stage).cmp(&(
            b.recorded_at,
            &b.record.container_id,
            b.record.stage,
        ))
    });
    let width = rules.serial_digits.value;
    let mut serials: BTreeMap<(Stage, String), u32> = BTreeMap::new();
    for d in &mut mine {
        let r = &mut d.record;
        let n = serials.entry((r.stage, r.date.clone())).or_insert(0);
        *n += 1;
        r.batch_code = format!(
            "{}{}{:0width$}",
            rules.prefix(r.stage),
            r.date.replace('-', ""),
            n
        );
    }
    // The record each one follows: the same container's previous record in this keeper's ledger.
    mine.sort_by(|a, b| {
        (a.at, &a.record.container_id, a.record.stage).cmp(&(
            b.at,
            &b.record.container_id,
            b.record.stage,
        ))
    });
    let mut last: BTreeMap<String, String> = BTreeMap::new();
    for d in &mut mine {
        let r = &mut d.record;
        if r.stage != Stage::Generation {
            r.previous_batch = last.get(&r.container_id).cloned();
        }
        last.insert(r.container_id.clone(), r.batch_code.clone());
    }
    mine.into_iter()
        .filter(|d| period.contains(zone.date_of(d.at)))
        .map(|d| d.record)
        .collect()
}
