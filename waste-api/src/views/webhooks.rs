//! Webhook subscriptions and their deliveries as answered.

use crate::store::outbox::{Logged, SubscriptionRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use waste_core::webhook::EventType;

/// A subscription (its secret is shown only when it is created).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookView {
    pub id: String,
    pub organization_id: String,
    /// Where deliveries are POSTed.
    pub url: String,
    pub events: Vec<EventType>,
    pub created_by: String,
    /// RFC 3339 UTC.
    pub created_at: String,
}

/// A new subscription, with the secret that signs its deliveries: shown this once, keep it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NewWebhookView {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// The HMAC-SHA-256 key of `X-Waste-Signature`.
    pub secret: String,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not yet delivered: waiting for its turn, in flight or between attempts.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Given up after the attempts limit, or its subscription was deleted.
    Failed,
}

/// One delivery of one event to the subscription: its id is the `X-Waste-Delivery` header of every attempt.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryView {
    pub id: String,
    /// The event's id (the body's `id`).
    pub event_id: String,
    pub event_type: EventType,
    /// The aggregate the event is about, `<kind>:<id>` (e.g. `manifest:<id>`).
    pub aggregate: String,
    pub state: DeliveryState,
    /// Attempts made so far.
    pub attempts: i32,
    /// When the next attempt is due (pending deliveries), RFC 3339 UTC.
    pub next_attempt_at: Option<String>,
    /// The receiver's status at the last attempt, if it answered.
    pub last_status: Option<i32>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    pub delivered_at: Option<String>,
    pub created_at: String,
}

pub fn webhook(r: SubscriptionRow) -> WebhookView {
    WebhookView {
        events: crate::store::text_list(&r.events)
            .iter()
            .filter_map(|e| EventType::parse(e))
            .collect(),
        id: r.id,
        organization_id: r.organization_id,
        url: r.url,
        created_by: r.created_by,
        created_at: r.created_at,
    }
}

pub fn created(r: SubscriptionRow) -> NewWebhookView {
    let secret = r.secret.clone();
    NewWebhookView {
        webhook: webhook(r),
        secret,
    }
}

pub fn delivery(l: Logged) -> Option<DeliveryView> {
    let d = l.delivery;
    let state = match d.state.as_str() {
        crate::store::outbox::PENDING => DeliveryState::Pending,
        crate::store::outbox::DELIVERED => DeliveryState::Delivered,
        _ => DeliveryState::Failed,
    };
    Some(DeliveryView {
        event_type: EventType::parse(&l.event_type)?,
        id: d.id,
        event_id: d.event_id,
        aggregate: d.aggregate,
        state,
        attempts: d.attempts,
        next_attempt_at: (state == DeliveryState::Pending).then_some(d.next_attempt_at),
        last_status: d.last_status,
        last_error: d.last_error,
        delivered_at: d.delivered_at,
        created_at: d.created_at,
    })
}
