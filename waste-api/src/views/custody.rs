//! Pickups, manifests, receipt alerts and the oversight as answered.

use crate::app::manifests::{LateReceipt, Manifest};
use crate::app::oversight::Overview;
use crate::store::manifests::ManifestRow;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ManifestLine {
    pub container_id: String,
    pub code: String,
    pub shipped_weight_kg: String,
    pub received_weight_kg: Option<String>,
    pub accepted: Option<bool>,
    pub reason: Option<String>,
    /// The received weight differs from the shipped weight beyond the tolerance (manifest.toml).
    pub discrepancy: Option<bool>,
    /// The three weighings (school's estimate, station's gross weight, firm's received weight) and whether they
    /// differ beyond the tolerance (manifest.toml `[weighings]`); present on `GET /api/v1/manifests/{id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub weighings: Option<Value>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ManifestView {
    pub id: String,
    /// 14 digits: year, province, city, serial (Transfer Measures Art.15), drawn at submission; null on a draft.
    pub number: Option<String>,
    pub status: String,
    pub acceptance: Option<String>,
    pub shipper_id: String,
    pub carrier_id: String,
    pub receiver_id: String,
    pub created_at: String,
    pub submitted_at: Option<String>,
    pub dispatched_at: Option<String>,
    pub delivered_on: Option<String>,
    /// 5 working days after delivery (Art.18).
    pub receipt_deadline: Option<String>,
    pub received_at: Option<String>,
    pub received_late: Option<bool>,
    pub disposal_method: Option<String>,
    pub disposed_at: Option<String>,
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
pub fn summary(r: &ManifestRow) -> Value {
    json!({ "id": r.id, "number": r.official_number(), "status": r.status, "shipper_id": r.shipper_id, "receiver_id": r.receiver_id, "acceptance": r.acceptance })
}

pub fn late_receipt(l: &LateReceipt) -> Value {
    let m = &l.manifest;
    let reason = if l.still_in_transit {
        "not received within 5 working days of dispatch"
    } else {
        "receipt confirmed after the deadline"
    };
    json!({ "manifest_id": m.id, "number": m.official_number(), "status": m.status, "deadline": l.deadline, "reason": reason, "citation": "Transfer Measures Art.18" })
}

pub fn overview(o: Overview) -> Value {
    let items: Vec<Value> = o
        .schools
        .items
        .iter()
        .map(|s| {
            json!({ "school_id": s.school.id, "name": s.school.name, "region_code": s.school.region_code,
                    "open_containers": s.open_containers, "overdue_containers": s.overdue_containers,
                    "valid_disposal_contract": s.valid_disposal_contract, "last_pickup": s.last_pickup,
                    "manifests_not_closed": s.manifests_not_closed, "weighings_flagged": s.weighings_flagged,
                    "storage_sites": super::sites::summaries(&s.storage_sites) })
        })
        .collect();
    json!({ "items": items, "next_after": o.schools.next_after, "as_of": o.as_of.to_string() })
}
