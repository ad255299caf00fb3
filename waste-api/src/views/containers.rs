//! Containers as answered.

use crate::app::containers::{ContainerState, Storage, StorageAlerts};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waste_core::Classification;
use waste_core::label::LabelSize;
use waste_core::storage::{OnHand, OnHandStatus, SiteKind, StorageStatus};
#[allow(unused_imports)]
use waste_core::{
    container::{Material as ContainerMaterial, Status as ContainerStatus},
    hazard::Hazard,
    stream::Stream as WasteStream,
};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StorageView {
    /// Whose clock the container runs on.
    #[schema(value_type = ClockSite)]
    pub site: String,
    #[schema(format = Date)]
    pub started_on: String,
    #[schema(format = Date)]
    pub deadline: String,
    pub days_left: i64,
    #[schema(value_type = ClockStatus)]
    pub status: String,
    pub source: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LabelView {
    pub waste_name: String,
    pub code: Option<String>,
    pub category: Option<String>,
    pub main_components: Vec<String>,
    pub hazards: Vec<String>,
    pub generation_date: Option<String>,
    pub generator: String,
    pub contact: String,
    pub digital_id: Option<String>,
    /// Required fields still empty (HJ 1276-2022); the label prints only when this is empty.
    pub missing: Vec<String>,
    pub size_mm: u32,
    pub text_height_mm: u32,
    pub labels_required: u8,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ContainerView {
    pub id: String,
    pub organization_id: String,
    pub lab: String,
    /// Decimal string, litres.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub capacity_liters: String,
    #[schema(value_type = ContainerMaterial)]
    pub material: String,
    #[schema(value_type = ContainerStatus)]
    pub status: String,
    #[schema(value_type = Option<WasteStream>)]
    pub stream: Option<String>,
    /// Decimal string, litres.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub filled_liters: String,
    /// Decimal string, litres.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub fill_limit_liters: String,
    /// The National Catalogue code, e.g. "900-047-49".
    pub code: Option<String>,
    pub category: Option<String>,
    #[schema(value_type = Vec<Hazard>)]
    pub hazards: Vec<String>,
    pub additions_count: i32,
    pub storage: Option<StorageView>,
    pub label: LabelView,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub sealed_at: Option<String>,
    /// The organisation holding the container now.
    pub custodian_id: Option<String>,
    /// The decision for the addition just made (on POST …/additions only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classification: Option<Classification>,
}

fn site(s: SiteKind) -> &'static str {
    match s {
        SiteKind::Lab => "lab",
        SiteKind::StoragePoint => "storage_point",
        SiteKind::TransferStation => "transfer_station",
    }
}

pub fn storage(s: &Storage) -> StorageView {
    StorageView {
        site: site(s.site).into(),
        started_on: s.clock.started_on.to_string(),
        deadline: s.clock.deadline.to_string(),
        days_left: s.clock.days_left,
        status: match s.clock.status {
            StorageStatus::Ok => "ok",
            StorageStatus::DueSoon => "due_soon",
            StorageStatus::Overdue => "overdue",
        }
        .into(),
        source: s.clock.source.clone(),
    }
}

/// The container view; `size` is the label size the rules give for its volume.
pub fn container(s: ContainerState, size: LabelSize) -> ContainerView {
    let label = &s.label;
    let row = s.row;
    ContainerView {
        fill_limit_liters: s.fill_limit_l.to_string(),
        category: label.category.clone(),
        hazards: label
            .hazards
            .iter()
            .map(|h| h.as_str().to_owned())
            .collect(),
        label: LabelView {
            waste_name: label.waste_name.clone(),
            code: label.code.clone(),
            category: label.category.clone(),
            main_components: label.main_components.clone(),
            hazards: label
                .hazards
                .iter()
                .map(|h| format!("{} {}", h.as_str(), h.name_zh()))
                .collect(),
            generation_date: label.generation_date.map(|d| d.to_string()),
            generator: label.generator.clone(),
            contact: label.contact.clone(),
            digital_id: label.digital_id.as_ref().map(|d| d.as_str().to_owned()),
            missing: label
                .missing()
                .iter()
                .map(|f| {
                    serde_json::to_value(f)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                })
                .collect(),
            size_mm: size.side_mm,
            text_height_mm: size.text_mm,
            labels_required: size.count,
        },
        storage: s.storage.as_ref().map(storage),
        id: row.id,
        organization_id: row.organization_id,
        lab: row.lab,
        capacity_liters: row.capacity_l,
        material: row.material,
        status: row.status,
        stream: row.stream,
        filled_liters: row.filled_l,
        code: row.code,
        additions_count: row.additions_count,
        created_at: row.created_at,
        sealed_at: row.sealed_at,
        custodian_id: row.custodian_id,
        classification: None,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StorageAlert {
    pub container_id: String,
    pub lab: String,
    #[schema(value_type = ContainerStatus)]
    pub status: String,
    pub code: Option<String>,
    pub storage: StorageView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OnHandView {
    /// Decimal string, kg.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub total_kg: String,
    /// Decimal string, kg.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub max_kg: String,
    /// Decimal string, kg.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub warn_from_kg: String,
    #[schema(value_type = OnHandLevel)]
    pub status: String,
    pub citation: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StorageAlertsView {
    pub items: Vec<StorageAlert>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<String>,
    #[schema(format = Date)]
    pub as_of: String,
    /// A school's hazardous waste on hand against the storage-point ceiling (GB 18597-2023 8.3.5).
    pub on_hand: Option<OnHandView>,
}

pub fn on_hand(o: &OnHand) -> OnHandView {
    OnHandView {
        total_kg: o.total_kg.to_string(),
        max_kg: o.max_kg.to_string(),
        warn_from_kg: o.warn_from_kg.to_string(),
        status: match o.status {
            OnHandStatus::Ok => "ok",
            OnHandStatus::Warning => "warning",
            OnHandStatus::Over => "over",
        }
        .into(),
        citation: o.citation.clone(),
    }
}

pub fn storage_alerts(a: StorageAlerts) -> StorageAlertsView {
    StorageAlertsView {
        items: a
            .alerts
            .items
            .into_iter()
            .filter_map(|s| {
                let storage = s.storage.as_ref().map(storage)?;
                Some(StorageAlert {
                    container_id: s.row.id,
                    lab: s.row.lab,
                    status: s.row.status,
                    code: s.row.code,
                    storage,
                })
            })
            .collect(),
        next_after: a.alerts.next_after,
        as_of: a.as_of.to_string(),
        on_hand: a.on_hand.as_ref().map(on_hand),
    }
}

/// Whose storage clock a container runs on.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum ClockSite {
    Lab,
    StoragePoint,
    TransferStation,
}

/// How close the storage deadline is.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum ClockStatus {
    Ok,
    DueSoon,
    Overdue,
}

/// Quantity on hand against the storage-point ceiling.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum OnHandLevel {
    Ok,
    Warning,
    Over,
}
