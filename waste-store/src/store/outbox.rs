//! Webhooks' rows: subscriptions, the outbox of announced events (written in the transaction of the change that
//! caused them, so a process that dies after its commit loses none) and one delivery per subscription and event.

use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::{
    manifests, pickup_requests, webhook_deliveries as wd, webhook_events as we,
    webhook_subscriptions as ws,
};
use diesel::prelude::*;
use serde_json::{Value, json};
use std::cell::Cell;
use waste_core::custody::Event;
use waste_core::webhook::EventType;

/// A `webhook_subscriptions` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ws)]
pub struct SubscriptionRow {
    pub id: String,
    pub organization_id: String,
    pub url: String,
    /// A JSON list of event names.
    pub events: String,
    pub secret: String,
    pub created_by: String,
    pub created_at: String,
    pub deleted_at: Option<String>,
}

impl SubscriptionRow {
    /// Whether it asks for `t`; a subscription to either storage alert also gets their withdrawals.
    pub fn wants(&self, t: EventType) -> bool {
        let asked = |t: EventType| {
            super::text_list(&self.events)
                .iter()
                .any(|e| e == t.as_str())
        };
        asked(t)
            || (t == EventType::StorageAlertWithdrawn
                && (asked(EventType::StorageDueSoon) || asked(EventType::StorageOverdue)))
    }
}

/// The storage events (alerts and withdrawals) of a container's aggregate, oldest first: (type, body).
pub fn storage_history(
    conn: &mut AnyConnection,
    aggregate: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(we::table
        .filter(we::aggregate.eq(aggregate))
        .filter(we::event_type.eq_any(STORAGE_EVENTS.map(EventType::as_str)))
        .order(we::position.asc())
        .select((we::event_type, we::body))
        .load(conn)?)
}

/// The events of a container's storage alerts.
pub const STORAGE_EVENTS: [EventType; 3] = [
    EventType::StorageDueSoon,
    EventType::StorageOverdue,
    EventType::StorageAlertWithdrawn,
];

/// The containers (aggregates) about whose storage `org`'s subscriptions were ever sent an event.
pub fn storage_announced_to(
    conn: &mut AnyConnection,
    org: &str,
) -> Result<Vec<String>, StoreError> {
    Ok(wd::table
        .inner_join(we::table)
        .inner_join(ws::table)
        .filter(ws::organization_id.eq(org))
        .filter(we::event_type.eq_any(STORAGE_EVENTS.map(EventType::as_str)))
        .select(we::aggregate)
        .distinct()
        .load(conn)?)
}

/// A `webhook_events` row: one announced event, its body as sent.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = we)]
pub struct OutboxRow {
    pub id: String,
    pub event_type: String,
    pub aggregate: String,
    pub position: i64,
    pub occurred_at: String,
    pub body: String,
    pub dedup_key: Option<String>,
}

/// A `webhook_deliveries` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = wd)]
pub struct DeliveryRow {
    pub id: String,
    pub subscription_id: String,
    pub event_id: String,
    pub aggregate: String,
    pub position: i64,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: String,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<String>,
    pub created_at: String,
}

pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const FAILED: &str = "failed";

thread_local! {
    /// Set when this thread's open transaction wrote an event; `store::write_tx` wakes the worker after its commit.
    static ANNOUNCED: Cell<bool> = const { Cell::new(false) };
}

/// Whether the transaction that just ended on this thread announced anything (and forget it).
pub fn take_announced() -> bool {
    ANNOUNCED.with(|a| a.replace(false))
}

/// The worker's wake-up, rung after a commit that announced something (a poll covers any missed ring).
pub fn wake() -> &'static tokio::sync::Notify {
    static WAKE: std::sync::OnceLock<tokio::sync::Notify> = std::sync::OnceLock::new();
    WAKE.get_or_init(tokio::sync::Notify::new)
}

/// What is announced: an event of `event_type` about `aggregate` (`<kind>:<id>`) to the organisations party to it.
#[derive(Debug, Clone)]
pub struct Announcement {
    pub event_type: EventType,
    pub aggregate: String,
    pub occurred_at: String,
    pub organizations: Vec<String>,
    pub data: Value,
    /// Announced once per key (events a scan finds); None for events of a recorded step.
    pub dedup_key: Option<String>,
}

/// Announces a custody step that subscribers follow (`EventType::of_step`): called by `events::append`, in the
/// step's transaction, after the step's row is written.
pub fn announce_step(conn: &mut AnyConnection, e: &Event) -> Result<(), StoreError> {
    let Some(event_type) = EventType::of_step(&e.aggregate, &e.kind) else {
        return Ok(());
    };
    let Some((kind, id)) = e.aggregate.split_once(':') else {
        return Ok(());
    };
    // Most steps have no subscriber: one read says so, instead of reading the step's row and then the
    // subscriptions of its parties.
    if !followed(conn, kind, id)? {
        return Ok(());
    }
    let pick = |keys: &[&str], data: &mut Value| {
        for k in keys {
            if let Some(v) = e.payload.get(*k) {
                data[*k] = v.clone();
            }
        }
    };
    let (organizations, data) = if kind == "manifest" {
        let m: crate::store::manifests::ManifestRow = manifests::table
            .filter(manifests::id.eq(id))
            .select(crate::store::manifests::ManifestRow::as_select())
            .first(conn)?;
        let mut data = json!({ "state": m.status, "number": m.official_number(), "shipper_id": m.shipper_id, "carrier_id": m.carrier_id, "receiver_id": m.receiver_id });
        pick(
            &[
                "from",
                "acceptance",
                "late",
                "delivered_on",
                "method",
                "vehicle_plate",
            ],
            &mut data,
        );
        (vec![m.shipper_id, m.carrier_id, m.receiver_id], data)
    } else {
        let r: crate::store::pickup_requests::RequestRow = pickup_requests::table
            .filter(pickup_requests::id.eq(id))
            .select(crate::store::pickup_requests::RequestRow::as_select())
            .first(conn)?;
        let mut data = json!({ "state": r.state, "school_id": r.school_id, "station_id": r.station_id, "slot_from": r.slot_from, "slot_until": r.slot_until });
        pick(&["from", "pickup_id", "reason"], &mut data);
        let mut orgs = vec![r.school_id];
        orgs.extend(r.station_id);
        (orgs, data)
    };
    enqueue(
        conn,
        Announcement {
            event_type,
            aggregate: e.aggregate.clone(),
            occurred_at: e.at.clone(),
            organizations,
            data,
            dedup_key: None,
        },
    )?;
    Ok(())
}

/// Whether a live subscription belongs to a party of the manifest or pickup request `id` (`kind`).
fn followed(conn: &mut AnyConnection, kind: &str, id: &str) -> Result<bool, StoreError> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[allow(dead_code)]
        id: String,
    }
    // One text for both backends: `$1` is also a parameter in SQLite.
    macro_rules! found {
        ($marker:ident, $sql:literal) => {{
            enum $marker {}
            let q = crate::prepared::prepared::<$marker, _>(
                diesel::sql_query($sql).bind::<diesel::sql_types::Text, _>(id),
            );
            match conn {
                AnyConnection::Postgresql(c) => q.load::<Found>(c)?,
                AnyConnection::Sqlite(c) => q.load::<Found>(c)?,
            }
        }};
    }
    let found = if kind == "manifest" {
        found!(
            ManifestFollowed,
            "SELECT s.id FROM manifests m, webhook_subscriptions s WHERE m.id = $1 AND s.deleted_at IS NULL \
             AND s.organization_id IN (m.shipper_id, m.carrier_id, m.receiver_id) LIMIT 1"
        )
    } else {
        found!(
            RequestFollowed,
            "SELECT s.id FROM pickup_requests r, webhook_subscriptions s WHERE r.id = $1 \
             AND s.deleted_at IS NULL AND s.organization_id IN (r.school_id, r.station_id) LIMIT 1"
        )
    };
    Ok(!found.is_empty())
}

/// Whether an event with this key was announced already.
pub fn announced(conn: &mut AnyConnection, key: &str) -> Result<bool, StoreError> {
    Ok(we::table
        .filter(we::dedup_key.eq(key))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// The live subscriptions of these organisations.
pub fn subscriptions_of(
    conn: &mut AnyConnection,
    organizations: &[String],
) -> Result<Vec<SubscriptionRow>, StoreError> {
    Ok(ws::table
        .filter(ws::organization_id.eq_any(organizations))
        .filter(ws::deleted_at.is_null())
        .select(SubscriptionRow::as_select())
        .order(ws::id.asc())
        .load(conn)?)
}

/// Every live subscription (the scan's organisations).
pub fn all_live_subscriptions(
    conn: &mut AnyConnection,
) -> Result<Vec<SubscriptionRow>, StoreError> {
    Ok(ws::table
        .filter(ws::deleted_at.is_null())
        .select(SubscriptionRow::as_select())
        .order(ws::id.asc())
        .load(conn)?)
}

/// Writes the event and one pending delivery per live subscription of its organisations that asks for its type,
/// in the caller's transaction. Nothing is written when no subscription asks for it, or when its key was
/// announced already. Returns whether it was written.
pub fn enqueue(conn: &mut AnyConnection, a: Announcement) -> Result<bool, StoreError> {
    let mut orgs = a.organizations.clone();
    orgs.sort();
    orgs.dedup();
    let subs: Vec<SubscriptionRow> = subscriptions_of(conn, &orgs)?
        .into_iter()
        .filter(|s| s.wants(a.event_type))
        .collect();
    if subs.is_empty() {
        return Ok(false);
    }
    if let Some(k) = &a.dedup_key
        && announced(conn, k)?
    {
        return Ok(false);
    }
    let last: Option<i64> = we::table
        .filter(we::aggregate.eq(&a.aggregate))
        .select(diesel::dsl::max(we::position))
        .first(conn)?;
    let position = last.unwrap_or(0) + 1;
    let id = crate::ids::new_id_stamped(&a.occurred_at);
    let (kind, agg_id) = a.aggregate.split_once(':').unwrap_or(("", &a.aggregate));
    let body = json!({
        "id": id,
        "type": a.event_type.as_str(),
        "occurred_at": a.occurred_at,
        "aggregate": { "kind": kind, "id": agg_id },
        "data": a.data,
    });
    diesel::insert_into(we::table)
        .values(OutboxRow {
            id: id.clone(),
            event_type: a.event_type.as_str().to_owned(),
            aggregate: a.aggregate.clone(),
            position,
            occurred_at: a.occurred_at.clone(),
            body: body.to_string(),
            dedup_key: a.dedup_key.clone(),
        })
        .execute(conn)?;
    let rows: Vec<DeliveryRow> = subs
        .iter()
        .map(|s| DeliveryRow {
            id: crate::ids::new_id_stamped(&a.occurred_at),
            subscription_id: s.id.clone(),
            event_id: id.clone(),
            aggregate: a.aggregate.clone(),
            position,
            state: PENDING.to_owned(),
            attempts: 0,
            next_attempt_at: a.occurred_at.clone(),
            last_status: None,
            last_error: None,
            delivered_at: None,
            created_at: a.occurred_at.clone(),
        })
        .collect();
    // One statement per row: a batch insert has no portable form through MultiConnection.
    for r in &rows {
        diesel::insert_into(wd::table).values(r).execute(conn)?;
    }
    ANNOUNCED.with(|f| f.set(true));
    Ok(true)
}

pub fn insert_subscription(
    conn: &mut AnyConnection,
    row: &SubscriptionRow,
) -> Result<(), StoreError> {
    diesel::insert_into(ws::table).values(row).execute(conn)?;
    Ok(())
}

/// A live subscription of `org` (any organisation's when `org` is None).
pub fn subscription(
    conn: &mut AnyConnection,
    id: &str,
    org: Option<&str>,
) -> Result<Option<SubscriptionRow>, StoreError> {
    let mut q = ws::table
        .filter(ws::id.eq(id))
        .filter(ws::deleted_at.is_null())
        .select(SubscriptionRow::as_select())
        .into_boxed();
    if let Some(o) = org {
        q = q.filter(ws::organization_id.eq(o.to_owned()));
    }
    Ok(q.first(conn).optional()?)
}

/// The live subscriptions of `org`, by id.
pub fn list_subscriptions(
    conn: &mut AnyConnection,
    org: &str,
    page: &super::page::Keyset,
) -> Result<Vec<SubscriptionRow>, StoreError> {
    let mut q = ws::table
        .filter(ws::organization_id.eq(org.to_owned()))
        .filter(ws::deleted_at.is_null())
        .select(SubscriptionRow::as_select())
        .order(ws::id.asc())
        .limit(page.limit)
        .into_boxed();
    if let Some(a) = &page.after {
        q = q.filter(ws::id.gt(a.clone()));
    }
    Ok(q.load(conn)?)
}

/// Deletes a subscription (it stops receiving; its log stays): its pending deliveries are given up.
pub fn delete_subscription(conn: &mut AnyConnection, id: &str, at: &str) -> Result<(), StoreError> {
    diesel::update(
        ws::table
            .filter(ws::id.eq(id))
            .filter(ws::deleted_at.is_null()),
    )
    .set(ws::deleted_at.eq(at))
    .execute(conn)?;
    diesel::update(
        wd::table
            .filter(wd::subscription_id.eq(id))
            .filter(wd::state.eq(PENDING)),
    )
    .set((
        wd::state.eq(FAILED),
        wd::last_error.eq("subscription deleted"),
    ))
    .execute(conn)?;
    Ok(())
}

/// A delivery in the log, with its event's type.
#[derive(Debug, Clone)]
pub struct Logged {
    pub delivery: DeliveryRow,
    pub event_type: String,
}

/// A subscription's deliveries, oldest first.
pub fn deliveries(
    conn: &mut AnyConnection,
    subscription: &str,
    page: &super::page::Keyset,
) -> Result<Vec<Logged>, StoreError> {
    let mut q = wd::table
        .inner_join(we::table)
        .filter(wd::subscription_id.eq(subscription.to_owned()))
        .select((DeliveryRow::as_select(), we::event_type))
        .order(wd::id.asc())
        .limit(page.limit)
        .into_boxed();
    if let Some(a) = &page.after {
        q = q.filter(wd::id.gt(a.clone()));
    }
    Ok(q.load::<(DeliveryRow, String)>(conn)?
        .into_iter()
        .map(|(delivery, event_type)| Logged {
            delivery,
            event_type,
        })
        .collect())
}

/// Which pending deliveries are due: `next_attempt_at` at or before `now`, one of `ripe` (retries whose time
/// has come on the worker's monotonic clock), or `next_attempt_at` after `beyond` (further ahead than any wait:
/// the wall clock was set back since it was scheduled).
pub struct Due<'a> {
    pub now: &'a str,
    pub ripe: &'a [String],
    pub beyond: &'a str,
}

/// Deliveries that may be attempted now: pending, due, of a live subscription, and the first pending one of
/// their subscription and aggregate (event n+1 of an aggregate waits until n is delivered or given up).
pub fn due(
    conn: &mut AnyConnection,
    due: &Due,
    limit: i64,
) -> Result<Vec<DeliveryRow>, StoreError> {
    let earlier = diesel::alias!(crate::schema::webhook_deliveries as earlier);
    Ok(wd::table
        .inner_join(ws::table)
        .filter(wd::state.eq(PENDING))
        .filter(
            wd::next_attempt_at
                .le(due.now.to_owned())
                .or(wd::id.eq_any(due.ripe.to_vec()))
                .or(wd::next_attempt_at.gt(due.beyond.to_owned())),
        )
        .filter(ws::deleted_at.is_null())
        .filter(diesel::dsl::not(diesel::dsl::exists(
            earlier
                .filter(earlier.field(wd::subscription_id).eq(wd::subscription_id))
                .filter(earlier.field(wd::aggregate).eq(wd::aggregate))
                .filter(earlier.field(wd::state).eq(PENDING))
                .filter(earlier.field(wd::position).lt(wd::position)),
        )))
        .select(DeliveryRow::as_select())
        .order(wd::next_attempt_at.asc())
        .limit(limit)
        .load(conn)?)
}

/// What a claimed delivery sends.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery_id: String,
    pub attempt: i32,
    pub url: String,
    pub secret: String,
    pub event_type: String,
    pub body: String,
}

/// Claims a due delivery for one attempt: counts the attempt and holds it until `lease_until` (so no other
/// worker sends it meanwhile; a worker that dies mid-attempt leaves it to be retried after the lease). None when
/// another worker claimed it first.
pub fn claim(
    conn: &mut AnyConnection,
    d: &DeliveryRow,
    lease_until: &str,
) -> Result<Option<Claimed>, StoreError> {
    let n = diesel::update(
        wd::table
            .filter(wd::id.eq(&d.id))
            .filter(wd::state.eq(PENDING))
            .filter(wd::attempts.eq(d.attempts))
            .filter(wd::next_attempt_at.eq(&d.next_attempt_at)),
    )
    .set((
        wd::attempts.eq(d.attempts + 1),
        wd::next_attempt_at.eq(lease_until),
    ))
    .execute(conn)?;
    if n != 1 {
        return Ok(None);
    }
    let (url, secret): (String, String) = ws::table
        .filter(ws::id.eq(&d.subscription_id))
        .select((ws::url, ws::secret))
        .first(conn)?;
    let (event_type, body): (String, String) = we::table
        .filter(we::id.eq(&d.event_id))
        .select((we::event_type, we::body))
        .first(conn)?;
    Ok(Some(Claimed {
        delivery_id: d.id.clone(),
        attempt: d.attempts + 1,
        url,
        secret,
        event_type,
        body,
    }))
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Delivered {
        status: i32,
    },
    Retry {
        status: Option<i32>,
        error: String,
        next_attempt_at: String,
    },
    GiveUp {
        status: Option<i32>,
        error: String,
    },
}

/// Records the end of attempt `attempt` of a delivery (only if no later attempt was claimed meanwhile).
pub fn record(
    conn: &mut AnyConnection,
    delivery_id: &str,
    attempt: i32,
    at: &str,
    outcome: &Outcome,
) -> Result<(), StoreError> {
    let target = wd::table
        .filter(wd::id.eq(delivery_id))
        .filter(wd::state.eq(PENDING))
        .filter(wd::attempts.eq(attempt));
    match outcome {
        Outcome::Delivered { status } => diesel::update(target)
            .set((
                wd::state.eq(DELIVERED),
                wd::delivered_at.eq(at),
                wd::last_status.eq(Some(*status)),
                wd::last_error.eq(None::<String>),
            ))
            .execute(conn)?,
        Outcome::Retry {
            status,
            error,
            next_attempt_at,
        } => diesel::update(target)
            .set((
                wd::next_attempt_at.eq(next_attempt_at),
                wd::last_status.eq(*status),
                wd::last_error.eq(Some(error.clone())),
            ))
            .execute(conn)?,
        Outcome::GiveUp { status, error } => diesel::update(target)
            .set((
                wd::state.eq(FAILED),
                wd::last_status.eq(*status),
                wd::last_error.eq(Some(error.clone())),
            ))
            .execute(conn)?,
    };
    Ok(())
}
