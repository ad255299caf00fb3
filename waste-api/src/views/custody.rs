//! Pickups, manifests, receipt alerts and the oversight as answered.

use crate::app::manifests::{LateReceipt, Manifest};
use crate::app::oversight::Overview;
use crate::app::sites::SiteSummary;
use crate::store::manifests::ManifestRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waste_core::custody::Event;
use waste_core::manifest::ManifestState;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ManifestLine {
    pub container_id: String,
    /// The National Catalogue code, e.g. "900-047-49".
    #[schema(pattern = r"^\d{3}-\d{3}-\d{2}$")]
    pub code: String,
    /// Decimal string, kg.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub shipped_weight_kg: String,
    /// Decimal string, kg.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub received_weight_kg: Option<String>,
    pub accepted: Option<bool>,
    pub reason: Option<String>,
    /// The received weight differs from the shipped weight beyond the tolerance (manifest.toml).
    pub discrepancy: Option<bool>,
    /// The three weighings (school's estimate, station's gross weight, firm's received weight) and whether they
    /// differ beyond the tolerance (manifest.toml `[weighings]`); present on `GET /api/v1/manifests/{id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub weighings: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ManifestView {
    pub id: String,
    /// 14 digits: year, province, city, serial (Transfer Measures Art.15), drawn at submission; null on a draft.
    #[schema(pattern = r"^\d{14}$")]
    pub number: Option<String>,
    #[schema(value_type = ManifestState)]
    pub status: String,
    /// full | partial | rejected, once received.
    pub acceptance: Option<String>,
    pub shipper_id: String,
    pub carrier_id: String,
    pub receiver_id: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub submitted_at: Option<String>,
    #[schema(format = DateTime)]
    pub dispatched_at: Option<String>,
    #[schema(format = Date)]
    pub delivered_on: Option<String>,
    /// 5 working days after delivery (Art.18).
    #[schema(format = Date)]
    pub receipt_deadline: Option<String>,
    #[schema(format = DateTime)]
    pub received_at: Option<String>,
    pub received_late: Option<bool>,
    pub disposal_method: Option<String>,
    #[schema(format = DateTime)]
    pub disposed_at: Option<String>,
    #[schema(format = DateTime)]
    pub cancelled_at: Option<String>,
    /// The carrier's vehicle plate, recorded at dispatch (Transfer Measures Art.11).
    pub vehicle_plate: Option<String>,
    /// The carrier's road transport permit number, recorded at dispatch (Art.11).
    pub transport_permit_no: Option<String>,
    pub lines: Vec<ManifestLine>,
}

pub fn manifest(m: Manifest) -> ManifestView {
    let r = m.row;
    let number = r.official_number().map(str::to_owned);
    ManifestView {
        id: r.id,
        number,
        status: r.status,
        acceptance: r.acceptance,
        shipper_id: r.shipper_id,
        carrier_id: r.carrier_id,
        receiver_id: r.receiver_id,
        created_at: r.created_at,
        submitted_at: r.submitted_at,
        dispatched_at: r.dispatched_at,
        delivered_on: r.delivered_on,
        receipt_deadline: r.receipt_deadline,
        received_at: r.received_at,
        received_late: r.received_late,
        disposal_method: r.disposal_method,
        disposed_at: r.disposed_at,
        cancelled_at: r.cancelled_at,
        vehicle_plate: r.vehicle_plate,
        transport_permit_no: r.transport_permit_no,
        lines: m
            .lines
            .into_iter()
            .map(|l| ManifestLine {
                container_id: l.container_id,
                code: l.code,
                shipped_weight_kg: l.shipped_weight_kg,
                received_weight_kg: l.received_weight_kg,
                accepted: l.accepted,
                reason: l.reason,
                discrepancy: l.discrepancy,
                weighings: None,
            })
            .collect(),
    }
}

/// A manifest with the three weighings of each line.
pub fn manifest_weighed(
    m: Manifest,
    weighings: &std::collections::BTreeMap<String, waste_core::pickup::Weighings>,
) -> ManifestView {
    let mut v = manifest(m);
    for l in &mut v.lines {
        l.weighings = weighings
            .get(&l.container_id)
            .and_then(|w| serde_json::to_value(w).ok());
    }
    v
}

/// A manifest in a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ManifestSummary {
    pub id: String,
    /// 14 digits (Transfer Measures Art.15), drawn at submission; null on a draft.
    #[schema(pattern = r"^\d{14}$")]
    pub number: Option<String>,
    #[schema(value_type = ManifestState)]
    pub status: String,
    pub shipper_id: String,
    pub receiver_id: String,
    /// full | partial | rejected, once received.
    pub acceptance: Option<String>,
}

pub fn summary(r: &ManifestRow) -> ManifestSummary {
    ManifestSummary {
        id: r.id.clone(),
        number: r.official_number().map(str::to_owned),
        status: r.status.clone(),
        shipper_id: r.shipper_id.clone(),
        receiver_id: r.receiver_id.clone(),
        acceptance: r.acceptance.clone(),
    }
}

/// A manifest whose receipt is late (Transfer Measures Art.18).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LateReceiptView {
    pub manifest_id: String,
    pub number: Option<String>,
    #[schema(value_type = ManifestState)]
    pub status: String,
    /// The receipt deadline, YYYY-MM-DD.
    #[schema(format = Date)]
    pub deadline: Option<String>,
    pub reason: String,
    pub citation: String,
}

/// A page of late receipts as of a day.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LateReceiptsPage {
    pub items: Vec<LateReceiptView>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<String>,
    #[schema(format = Date)]
    pub as_of: String,
}

pub fn late_receipt(l: &LateReceipt) -> LateReceiptView {
    let m = &l.manifest;
    let reason = if l.still_in_transit {
        "not received within 5 working days of dispatch"
    } else {
        "receipt confirmed after the deadline"
    };
    LateReceiptView {
        manifest_id: m.id.clone(),
        number: m.official_number().map(str::to_owned),
        status: m.status.clone(),
        deadline: l.deadline.clone(),
        reason: reason.into(),
        citation: "Transfer Measures Art.18".into(),
    }
}

/// One school of an education bureau's region.
#[derive(Debug, Serialize, ToSchema)]
pub struct SchoolOverview {
    pub school_id: String,
    pub name: String,
    pub region_code: String,
    pub open_containers: i64,
    pub overdue_containers: i64,
    /// Its own contract with a disposal firm counts today, or that of a transfer station it ships through.
    pub valid_disposal_contract: bool,
    /// The transfer station whose contract covers the school, when the school has no contract of its own.
    pub disposal_contract_via: Option<String>,
    /// RFC 3339 UTC.
    #[schema(format = DateTime)]
    pub last_pickup: Option<String>,
    pub manifests_not_closed: i64,
    /// Containers whose three weighings differ beyond the tolerance (manifest.toml `[weighings]`).
    pub weighings_flagged: i64,
    pub storage_sites: Vec<SiteSummary>,
}

/// A page of schools as of a day.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverviewPage {
    pub items: Vec<SchoolOverview>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<String>,
    #[schema(format = Date)]
    pub as_of: String,
}

pub fn overview(o: Overview) -> OverviewPage {
    OverviewPage {
        items: o
            .schools
            .items
            .into_iter()
            .map(|s| SchoolOverview {
                school_id: s.school.id,
                name: s.school.name,
                region_code: s.school.region_code,
                open_containers: s.open_containers,
                overdue_containers: s.overdue_containers,
                valid_disposal_contract: s.valid_disposal_contract,
                disposal_contract_via: s.disposal_contract_via.map(|(id, _)| id),
                last_pickup: s.last_pickup,
                manifests_not_closed: s.manifests_not_closed,
                weighings_flagged: s.weighings_flagged,
                storage_sites: s.storage_sites,
            })
            .collect(),
        next_after: o.schools.next_after,
        as_of: o.as_of.to_string(),
    }
}

/// A custody chain, oldest event first.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventsPage {
    pub items: Vec<Event>,
}

/// One run of the audit of the whole custody log: `ok` with the counts, or the first break found.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRun {
    /// Every chain holds, each matches its head (and anchor), and the state tables match the chains.
    pub ok: bool,
    pub events_checked: u64,
    /// Chains verified, when all hold.
    pub chains: Option<u64>,
    /// Whether the heads' keyed anchors were checked (`WASTE_AUDIT_KEY` set).
    pub anchored: Option<bool>,
    /// How many state rows were compared with their chains, when all hold.
    pub state_checked: Option<StateChecked>,
    /// The log's own head, when all holds.
    pub log: Option<LogFigures>,
    /// The first break, when one is found.
    pub broken: Option<AuditBreak>,
    /// When the run finished (RFC 3339 UTC).
    #[schema(format = DateTime)]
    pub checked_at: Option<String>,
    /// How long the run took.
    pub seconds: Option<f64>,
}

/// The state rows the audit compared with the chains.
#[derive(Debug, Serialize, ToSchema)]
pub struct StateChecked {
    pub containers: u64,
    pub manifests: u64,
    /// Users whose roles were compared with their chain.
    pub users: u64,
    /// Contracts whose end date was compared with their chain.
    pub contracts: u64,
}

/// The log's own head as the audit found it, when all holds: events in the whole log and the digest over every
/// chain's head (docs/operations.md, "Audit and checkpoints").
#[derive(Debug, Serialize, ToSchema)]
pub struct LogFigures {
    pub count: u64,
    pub digest: String,
}

/// Where the audit found the log broken.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditBreak {
    /// `container:{id}`, `manifest:{id}`, …, or `log` for the log's own head.
    pub aggregate: String,
    /// What broke: `link`, `count`, `chain_missing`, `anchor`, `state`, `log_count`, `log_digest`, `log_anchor`,
    /// …
    pub kind: String,
    pub seq: Option<i64>,
    /// For a `state` break: the table and field that differ from the chain.
    pub table: Option<String>,
    pub field: Option<String>,
}

/// Whether an audit runs now, and the last result.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditLast {
    pub running: bool,
    pub last: Option<AuditRun>,
}

/// A roadside link: shown once; opens the manifest read-only without signing in until it expires.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoadLinkView {
    pub manifest_id: String,
    /// The path of the read-only page (`/r/{token}`).
    pub url: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
}
