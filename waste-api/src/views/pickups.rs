//! Pickup requests and pickups as answered.

use crate::app::pickup_requests::PickupRequest;
use crate::app::pickups::PickedUp;
use crate::store::pickup_requests::RequestRow;
use crate::store::pickups::PickupRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A pickup request in a list (without its containers).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PickupRequestSummary {
    pub id: String,
    pub school_id: String,
    /// requested | scheduled | declined | cancelled | collected
    pub state: String,
    pub requested_by: String,
    pub requested_at: String,
    /// The school's preferred window, RFC 3339 UTC.
    pub preferred_from: String,
    pub preferred_until: String,
    pub contact: String,
    pub note: Option<String>,
    /// The station that scheduled, declined or collected the request.
    pub station_id: Option<String>,
    pub slot_from: Option<String>,
    pub slot_until: Option<String>,
    pub scheduled_at: Option<String>,
    pub decline_reason: Option<String>,
    pub declined_at: Option<String>,
    pub cancelled_at: Option<String>,
    /// The pickup that closed the request.
    pub pickup_id: Option<String>,
    pub collected_at: Option<String>,
}

/// A pickup request with the containers it lists.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PickupRequestView {
    #[serde(flatten)]
    pub request: PickupRequestSummary,
    pub container_ids: Vec<String>,
}

pub fn request_summary(r: RequestRow) -> PickupRequestSummary {
    PickupRequestSummary {
        id: r.id,
        school_id: r.school_id,
        state: r.state,
        requested_by: r.requested_by,
        requested_at: r.requested_at,
        preferred_from: r.preferred_from,
        preferred_until: r.preferred_until,
        contact: r.contact,
        note: r.note,
        station_id: r.station_id,
        slot_from: r.slot_from,
        slot_until: r.slot_until,
        scheduled_at: r.scheduled_at,
        decline_reason: r.decline_reason,
        declined_at: r.declined_at,
        cancelled_at: r.cancelled_at,
        pickup_id: r.pickup_id,
        collected_at: r.collected_at,
    }
}

pub fn request(p: PickupRequest) -> PickupRequestView {
    PickupRequestView {
        request: request_summary(p.row),
        container_ids: p.containers,
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PickupLineView {
    pub container_id: String,
    /// Decimal string, kg, as weighed at the hand-over.
    pub gross_weight_kg: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RefusedItemView {
    pub container_id: String,
    pub reason: String,
}

/// A pickup in a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PickupSummary {
    pub id: String,
    pub school_id: String,
    pub station_id: String,
    pub picked_by: String,
    pub picked_at: String,
    pub total_gross_kg: String,
    /// The school's request the pickup closed.
    pub request_id: Option<String>,
    /// The school's safety officer who confirmed the hand-over with their PIN.
    pub confirmed_by: Option<String>,
}

/// A pickup with the containers taken and those refused at the hand-over (which stayed with the school).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PickupView {
    #[serde(flatten)]
    pub pickup: PickupSummary,
    pub containers: Vec<PickupLineView>,
    pub refused_items: Vec<RefusedItemView>,
}

pub fn pickup_summary(r: PickupRow) -> PickupSummary {
    PickupSummary {
        id: r.id,
        school_id: r.school_id,
        station_id: r.station_id,
        picked_by: r.picked_by,
        picked_at: r.picked_at,
        total_gross_kg: r.total_gross_kg,
        request_id: r.request_id,
        confirmed_by: r.confirmed_by,
    }
}

pub fn pickup(p: PickedUp) -> PickupView {
    PickupView {
        pickup: pickup_summary(p.pickup),
        containers: p
            .lines
            .into_iter()
            .map(|l| PickupLineView {
                container_id: l.container_id,
                gross_weight_kg: l.gross_weight_kg,
            })
            .collect(),
        refused_items: p
            .refused
            .into_iter()
            .map(|r| RefusedItemView {
                container_id: r.container_id,
                reason: r.reason,
            })
            .collect(),
    }
}
