//! Storage sites as answered.

use crate::app::sites::{Inspected, Moved, SiteState, SiteSummary};
use crate::store::sites::{FindingRow, SignRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
#[allow(unused_imports)]
use waste_core::site::{
    CheckedItem, ContainmentCheck, InspectionDue, QuantityStatus, SiteWarning, TodoItem,
    ZoneConflict,
};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PlacedView {
    pub id: String,
    pub digital_id: Option<String>,
    pub zone: Option<String>,
    pub status: String,
    pub capacity_liters: String,
    pub filled_liters: String,
    pub holds_liquid: bool,
    /// Mass on hand (litres through the assumed density of containers.toml).
    pub quantity_kg: String,
    pub code: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FindingView {
    pub id: String,
    pub inspection_id: String,
    pub item: String,
    pub description: String,
    pub clause: String,
    pub followed_up_on: Option<String>,
    pub follow_up_by: Option<String>,
    pub follow_up_action: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LastInspectionView {
    pub id: String,
    pub inspected_on: String,
    pub inspector: String,
    #[schema(value_type = Vec<CheckedItem>)]
    pub items: Value,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SignStateView {
    /// zone | facility
    #[serde(rename = "type")]
    pub sign_type: String,
    pub zone: Option<String>,
    pub digest: String,
    /// current | outdated | never_printed
    pub state: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SiteView {
    pub id: String,
    pub organization_id: String,
    /// lab_point | storage_point | storage_facility | station_warehouse
    pub kind: String,
    pub name: String,
    pub location: String,
    pub containment_liters: Option<String>,
    pub responsible: String,
    pub contact: String,
    pub facility_code: String,
    pub zones: Vec<String>,
    pub containers: Vec<PlacedView>,
    /// Quantity on hand against the storage-point ceiling (GB 18597-2023 8.3.5).
    #[schema(value_type = QuantityStatus)]
    pub quantity: Value,
    /// Spill containment with its figures (GB 18597-2023 6.2.2).
    #[schema(value_type = ContainmentCheck)]
    pub containment: Value,
    /// Containers in one zone holding wastes that react (GB 18597-2023 6.1.2).
    #[schema(value_type = Vec<ZoneConflict>)]
    pub zone_conflicts: Value,
    #[schema(value_type = Vec<SiteWarning>)]
    pub warnings: Value,
    pub last_inspection: Option<LastInspectionView>,
    #[schema(value_type = InspectionDue)]
    pub inspection_due: Value,
    pub open_findings: Vec<FindingView>,
    pub signs: Vec<SignStateView>,
    #[schema(value_type = Vec<TodoItem>)]
    pub todo: Value,
    pub created_at: String,
}

fn json<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

pub fn finding(f: FindingRow) -> FindingView {
    FindingView {
        id: f.id,
        inspection_id: f.inspection_id,
        item: f.item,
        description: f.description,
        clause: f.clause,
        followed_up_on: f.followed_up_on,
        follow_up_by: f.follow_up_by,
        follow_up_action: f.follow_up_action,
    }
}

pub fn site(s: SiteState) -> SiteView {
    SiteView {
        id: s.row.id,
        organization_id: s.row.organization_id,
        kind: s.row.kind,
        name: s.row.name,
        location: s.row.location,
        containment_liters: s.row.containment_l,
        responsible: s.row.responsible,
        contact: s.row.contact,
        facility_code: s.row.facility_code,
        zones: s.zones,
        containers: s
            .containers
            .into_iter()
            .map(|p| PlacedView {
                id: p.row.id,
                digital_id: p.row.digital_id,
                zone: p.row.zone,
                status: p.row.status,
                capacity_liters: p.row.capacity_l,
                filled_liters: p.row.filled_l,
                holds_liquid: p.row.holds_liquid,
                quantity_kg: p.mass_kg.normalize().to_string(),
                code: p.row.code,
            })
            .collect(),
        quantity: json(&s.status.quantity),
        containment: json(&s.status.containment),
        zone_conflicts: json(&s.status.zone_conflicts),
        warnings: json(&s.status.warnings),
        last_inspection: s.last_inspection.map(|i| LastInspectionView {
            items: serde_json::from_str(&i.items).unwrap_or(Value::Null),
            id: i.id,
            inspected_on: i.inspected_on,
            inspector: i.inspector,
        }),
        inspection_due: json(&s.inspection_due),
        open_findings: s.open_findings.into_iter().map(finding).collect(),
        signs: s
            .signs
            .into_iter()
            .map(|(r, st)| SignStateView {
                sign_type: r.sign.as_str().to_owned(),
                zone: r.zone,
                digest: r.digest,
                state: json(&st).as_str().unwrap_or_default().to_owned(),
            })
            .collect(),
        todo: json(&s.todo),
        created_at: s.row.created_at,
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct InspectionView {
    pub id: String,
    pub inspected_on: String,
    pub inspector: String,
    #[schema(value_type = Vec<CheckedItem>)]
    pub items: Value,
    pub findings: Vec<FindingView>,
    pub citation: String,
}

pub fn inspection(i: Inspected) -> InspectionView {
    InspectionView {
        findings: i
            .inspection
            .findings
            .iter()
            .zip(&i.finding_ids)
            .map(|(f, id)| FindingView {
                id: id.clone(),
                inspection_id: i.id.clone(),
                item: f.item.clone(),
                description: f.description.clone(),
                clause: f.clause.clone(),
                followed_up_on: None,
                follow_up_by: None,
                follow_up_action: None,
            })
            .collect(),
        id: i.id,
        inspected_on: i.inspection.inspected_on.to_string(),
        inspector: i.inspection.inspector,
        items: json(&i.inspection.items),
        citation: i.inspection.citation,
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MovedView {
    pub container_id: String,
    pub site_id: String,
    pub zone: Option<String>,
    #[schema(value_type = QuantityStatus)]
    pub quantity: Value,
    #[schema(value_type = ContainmentCheck)]
    pub containment: Value,
    #[schema(value_type = Vec<ZoneConflict>)]
    pub zone_conflicts: Value,
    #[schema(value_type = Vec<SiteWarning>)]
    pub warnings: Value,
}

pub fn moved(m: Moved) -> MovedView {
    MovedView {
        container_id: m.container_id,
        site_id: m.site_id,
        zone: m.zone,
        quantity: json(&m.admission.quantity),
        containment: json(&m.admission.containment),
        zone_conflicts: json(&m.admission.zone_conflicts),
        warnings: json(&m.admission.warnings),
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SignPrintView {
    pub id: String,
    #[serde(rename = "type")]
    pub sign_type: String,
    pub zone: Option<String>,
    pub digest: String,
    pub printed_at: String,
}

pub fn sign_print(s: SignRow) -> SignPrintView {
    SignPrintView {
        id: s.id,
        sign_type: s.sign,
        zone: s.zone,
        digest: s.digest,
        printed_at: s.printed_at,
    }
}

/// The storage sites of one school for the bureau's view.
pub fn summaries(s: &[SiteSummary]) -> Value {
    json(&s)
}
