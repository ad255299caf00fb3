//! Webhooks: an organisation's subscriptions (its safety officer's or an administrator's), their delivery log, and
//! the scan that announces what no request causes (storage deadlines, late receipts). Sending is the delivery
//! worker's (`crate::webhooks`); events of recorded steps are announced by `store::events::append`.

use super::{Actor, AppError, Env};
use crate::db::AnyConnection;
use crate::store::outbox::{self, Announcement, Logged, SubscriptionRow};
use crate::store::page::{Keyset, Page};
use crate::store::{self, Tx, organizations};
use serde_json::json;
use std::collections::BTreeSet;
use std::net::IpAddr;
use waste_core::access::Action;
use waste_core::storage::StorageStatus;
use waste_core::webhook::EventType;

/// A new subscription, parsed.
#[derive(Debug, Clone)]
pub struct NewSubscription {
    pub url: String,
    pub events: Vec<EventType>,
}

/// Whether a receiver's host is not on the public internet: `localhost` and its subdomains (with or without
/// the root's trailing dot, in any case) and every special-use address (`waste_core::webhook::special_use`:
/// loopback, private, link-local, shared, benchmarking, documentation, multicast, IPv4-mapped and translated
/// forms, …). Such receivers are refused unless the service allows them (`WASTE_WEBHOOK_ALLOW_LOCAL`). A name is
/// resolved when a delivery is sent, and the worker connects only to the addresses it checked (README,
/// "Webhooks").
pub fn local_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    let name = h.strip_suffix('.').unwrap_or(h).to_ascii_lowercase();
    if name.is_empty() || name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    match name.parse::<IpAddr>() {
        Ok(ip) => waste_core::webhook::special_use(ip).is_some(),
        Err(_) => false,
    }
}

/// A receiver's URL as given: http or https, a host, no credentials, at most 2000 characters; a local address
/// only when `allow_local`.
pub fn parse_url(url: &str, allow_local: bool) -> Result<String, AppError> {
    let bad = |m: &str| AppError::invalid("url", m);
    if url.len() > 2000 {
        return Err(bad("at most 2000 characters"));
    }
    let u = url::Url::parse(url.trim()).map_err(|e| bad(&format!("not a URL: {e}")))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(bad("must be an http or https URL"));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(bad(
            "must not carry credentials: the signature authenticates the service",
        ));
    }
    let Some(host) = u.host_str() else {
        return Err(bad("has no host"));
    };
    if !allow_local && local_host(host) {
        return Err(bad(
            "is a loopback, private or link-local address, which this service does not call",
        ));
    }
    Ok(u.to_string())
}

impl NewSubscription {
    pub fn parse(url: &str, events: &[String], allow_local: bool) -> Result<Self, AppError> {
        let url = parse_url(url, allow_local)?;
        if events.is_empty() || events.len() > EventType::ALL.len() {
            return Err(AppError::invalid(
                "events",
                format!("list 1 to {} event names", EventType::ALL.len()),
            ));
        }
        let mut set = BTreeSet::new();
        for (i, e) in events.iter().enumerate() {
            let t = EventType::parse(e).ok_or_else(|| {
                AppError::invalid(
                    format!("events[{i}]"),
                    format!(
                        "unknown event; one of {}",
                        EventType::ALL.map(EventType::as_str).join(", ")
                    ),
                )
            })?;
            set.insert(t);
        }
        Ok(NewSubscription {
            url,
            events: set.into_iter().collect(),
        })
    }
}

/// A fresh signing secret, made before the transaction.
pub fn new_secret() -> Result<String, AppError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    Ok(format!("whsec_{}", hex::encode(b)))
}

/// Whether the actor may manage its organisation's webhooks (asked before the body is read).
pub fn may_manage(actor: &Actor) -> Result<(), AppError> {
    actor.may(Action::ManageWebhooks)
}

/// Subscribes the actor's organisation: the answer carries the secret, the only time it is shown.
pub fn subscribe(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    cmd: NewSubscription,
    secret: String,
) -> Result<SubscriptionRow, AppError> {
    may_manage(actor)?;
    let names: Vec<String> = cmd.events.iter().map(|e| e.as_str().to_owned()).collect();
    let row = SubscriptionRow {
        id: env.clock.new_id(),
        organization_id: actor.org_id.clone(),
        url: cmd.url,
        events: store::to_text_list(&names),
        secret,
        created_by: actor.id.clone(),
        created_at: env.clock.stamp(),
        deleted_at: None,
    };
    outbox::insert_subscription(tx, &row)?;
    Ok(row)
}

/// The live subscriptions of the actor's organisation.
pub fn list(
    conn: &mut AnyConnection,
    actor: &Actor,
    page: &Keyset,
) -> Result<Page<SubscriptionRow>, AppError> {
    may_manage(actor)?;
    let rows = outbox::list_subscriptions(conn, &actor.org_id, page)?;
    Ok(page.page(rows, |r| r.id.clone()))
}

/// Whether the subscription `id` still lives (an `Idempotency-Key` replay of its creation after its deletion is
/// answered as a read of it: 404).
pub fn live(conn: &mut AnyConnection, id: &str) -> Result<(), AppError> {
    outbox::subscription(conn, id, None)?
        .map(|_| ())
        .ok_or(AppError::NotFound("webhook"))
}

/// A live subscription of the actor's organisation (an administrator: any).
fn own(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<SubscriptionRow, AppError> {
    may_manage(actor)?;
    let org = (!actor.is_admin()).then_some(actor.org_id.as_str());
    outbox::subscription(conn, id, org)?.ok_or(AppError::NotFound("webhook"))
}

/// Deletes a subscription: nothing more is sent to it, its pending deliveries are given up, its log stays.
pub fn delete(tx: &mut Tx, env: &Env, actor: &Actor, id: &str) -> Result<(), AppError> {
    own(tx, actor, id)?;
    Ok(outbox::delete_subscription(tx, id, &env.clock.stamp())?)
}

/// A subscription's deliveries, oldest first.
pub fn deliveries(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
    page: &Keyset,
) -> Result<Page<Logged>, AppError> {
    own(conn, actor, id)?;
    let rows = outbox::deliveries(conn, id, page)?;
    Ok(page.page(rows, |r| r.delivery.id.clone()))
}

/// What a scan found to announce: storage alerts of the containers each subscribed organisation holds (the
/// same query and rule as `GET /api/v1/alerts/storage`), as their state changes (`storage_change`), and late
/// receipts of its manifests (as `GET /api/v1/alerts/receipts`, Transfer Measures Art.18), each not announced
/// before. Reads only; the caller writes each in a transaction of its own (`announce`).
pub fn scan(conn: &mut AnyConnection, env: &Env) -> Result<Vec<Announcement>, AppError> {
    let wanted = [
        EventType::StorageDueSoon,
        EventType::StorageOverdue,
        EventType::StorageAlertWithdrawn,
        EventType::ManifestReceiptLate,
    ];
    let subs = outbox::all_live_subscriptions(conn)?;
    let orgs: BTreeSet<String> = subs
        .iter()
        .filter(|s| wanted.iter().any(|t| s.wants(*t)))
        .map(|s| s.organization_id.clone())
        .collect();
    let at = env.clock.stamp();
    let mut out = Vec::new();
    for org in orgs {
        let kind = organizations::summary(conn, &org)?.kind;
        let mut alerting = BTreeSet::new();
        let mut page = Keyset::new(Some(200), None, 200, 200);
        loop {
            let found = super::containers::storage_alerts_of(conn, env, &org, kind, &page)?;
            for s in found.alerts.items {
                alerting.insert(format!("container:{}", s.row.id));
                out.extend(storage_change(conn, &org, &s, &at)?);
            }
            match found.alerts.next_after {
                Some(a) => page.after = Some(a),
                None => break,
            }
        }
        // An alert sent before whose container, still held in storage here, is no longer due: withdrawn.
        for aggregate in outbox::storage_announced_to(conn, &org)? {
            let Some(id) = aggregate.strip_prefix("container:") else {
                continue;
            };
            if alerting.contains(&aggregate) {
                continue;
            }
            let Some(row) = store::containers::by_id(conn, id)? else {
                continue;
            };
            if row.custodian_id.as_deref() != Some(org.as_str()) {
                continue;
            }
            let s = super::container_state::state_of(conn, env.std, row, env.clock.today())?;
            out.extend(storage_change(conn, &org, &s, &at)?);
        }
        let mut page = Keyset::new(Some(200), None, 200, 200);
        loop {
            let found = super::manifests::receipt_alerts_of(conn, env, &org, &page)?;
            for late in found.items {
                let m = late.manifest;
                let key = format!("{}:{}", EventType::ManifestReceiptLate.as_str(), m.id);
                if outbox::announced(conn, &key)? {
                    continue;
                }
                out.push(Announcement {
                    event_type: EventType::ManifestReceiptLate,
                    aggregate: format!("manifest:{}", m.id),
                    occurred_at: at.clone(),
                    organizations: vec![
                        m.shipper_id.clone(),
                        m.carrier_id.clone(),
                        m.receiver_id.clone(),
                    ],
                    data: json!({ "state": m.status, "number": m.official_number(), "deadline": late.deadline, "still_in_transit": late.still_in_transit }),
                    dedup_key: Some(key),
                });
            }
            match found.next_after {
                Some(a) => page.after = Some(a),
                None => break,
            }
        }
    }
    Ok(out)
}

/// How far a storage alert goes: 0 fine, 1 due soon, 2 overdue.
fn level(s: StorageStatus) -> u8 {
    match s {
        StorageStatus::Ok => 0,
        StorageStatus::DueSoon => 1,
        StorageStatus::Overdue => 2,
    }
}

fn status_name(s: StorageStatus) -> &'static str {
    match s {
        StorageStatus::Ok => "ok",
        StorageStatus::DueSoon => "due_soon",
        StorageStatus::Overdue => "overdue",
    }
}

/// The storage alert standing for a container's clock started on `started_on`, from its storage events
/// (oldest first): the level the last of them left (an alert's, or the status a withdrawal left) and the alert
/// type it stands on; (0, None) when none of them is of this clock.
fn standing(history: &[(String, String)], started_on: &str) -> (u8, Option<EventType>) {
    let Some((t, body)) = history.iter().rev().find(|(_, b)| {
        serde_json::from_str::<serde_json::Value>(b)
            .is_ok_and(|v| v["data"]["started_on"] == started_on)
    }) else {
        return (0, None);
    };
    let data = serde_json::from_str::<serde_json::Value>(body).unwrap_or_default()["data"].clone();
    let lvl = |name: &str| match name {
        "due_soon" => 1,
        "overdue" => 2,
        _ => 0,
    };
    match EventType::parse(t) {
        Some(EventType::StorageDueSoon) => (1, Some(EventType::StorageDueSoon)),
        Some(EventType::StorageOverdue) => (2, Some(EventType::StorageOverdue)),
        _ => {
            let now = lvl(data["storage_status"].as_str().unwrap_or_default());
            (now, (now == 1).then_some(EventType::StorageDueSoon))
        }
    }
}

/// What a container's storage alert announces now (issue 28 item 4): the alert follows the state of its storage
/// clock, not a once-only key. A clock that becomes due soon or overdue is announced; one that is back to an
/// earlier state (the service's clock was set forward, then corrected) withdraws the alert that no longer
/// stands (`container.storage_alert_withdrawn`); and when the alert is really due again it is announced again.
/// The de-duplication key counts the container's storage events, so one change is announced once by whichever
/// scan (or instance) writes it first.
fn storage_change(
    conn: &mut AnyConnection,
    org: &str,
    s: &super::container_state::ContainerState,
    at: &str,
) -> Result<Option<Announcement>, AppError> {
    let Some(storage) = &s.storage else {
        return Ok(None);
    };
    let clock = &storage.clock;
    let aggregate = format!("container:{}", s.row.id);
    let history = outbox::storage_history(conn, &aggregate)?;
    let started_on = clock.started_on.to_string();
    let (was, stood) = standing(&history, &started_on);
    let now = level(clock.status);
    let mut data = json!({ "status": s.row.status, "holder_id": org, "started_on": started_on, "deadline": clock.deadline.to_string(), "days_left": clock.days_left, "source": clock.source });
    let t = if now > was {
        match clock.status {
            StorageStatus::Overdue => EventType::StorageOverdue,
            _ => EventType::StorageDueSoon,
        }
    } else if now < was {
        data["withdrawn"] = json!(stood.map(EventType::as_str));
        data["storage_status"] = json!(status_name(clock.status));
        EventType::StorageAlertWithdrawn
    } else {
        return Ok(None);
    };
    let key = format!(
        "{}:{}:{}:{}",
        t.as_str(),
        s.row.id,
        started_on,
        history.len()
    );
    if outbox::announced(conn, &key)? {
        return Ok(None);
    }
    Ok(Some(Announcement {
        event_type: t,
        aggregate,
        occurred_at: at.to_owned(),
        organizations: vec![org.to_owned()],
        data,
        dedup_key: Some(key),
    }))
}

/// Writes one announcement a scan found, after taking its aggregate's row lock (so its position follows the
/// aggregate's other events). False when it was announced meanwhile.
pub fn announce(tx: &mut Tx, a: Announcement) -> Result<bool, AppError> {
    if let Some(id) = a.aggregate.strip_prefix("manifest:") {
        store::manifests::lock(tx, id)?;
    } else if let Some(id) = a.aggregate.strip_prefix("container:") {
        store::containers::lock(tx, id)?;
    }
    Ok(outbox::enqueue(tx, a)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_receivers_are_refused_unless_allowed() {
        for local in [
            "http://127.0.0.1:9/x",
            "http://localhost/x",
            "http://api.localhost/x",
            "http://10.1.2.3/x",
            "http://192.168.0.1/x",
            "http://172.16.0.1/x",
            "http://169.254.169.254/latest/meta-data",
            "http://0.0.0.0/x",
            "http://100.64.0.1/x",
            "http://[::1]/x",
            "http://[fd00::1]/x",
            "http://[fe80::1]/x",
            "http://[::ffff:127.0.0.1]/x",
            // Issue 29, item 4: the forms the third review got through.
            "http://localhost./x",
            "http://LOCALHOST./x",
            "http://a.localhost./x",
            "http://[::127.0.0.1]/x",
            "http://[64:ff9b::7f00:1]/x",
            "http://[2002:7f00:1::]/x",
            "http://198.18.0.1/x",
            "http://224.0.0.1/x",
            "http://0x7f000001/x",
            "http://2130706433/x",
        ] {
            assert!(parse_url(local, false).is_err(), "{local}");
            assert!(parse_url(local, true).is_ok(), "{local}");
        }
        assert!(parse_url("https://hooks.example.com/waste", false).is_ok());
        assert!(parse_url("http://8.8.8.8/x", false).is_ok());
        for bad in [
            "ftp://example.com/x",
            "file:///etc/passwd",
            "https://user:pw@example.com/x",
            "not a url",
            "",
        ] {
            assert!(
                matches!(parse_url(bad, true), Err(AppError::Invalid { ref field, .. }) if field == "url"),
                "{bad}"
            );
        }
    }

    #[test]
    fn event_lists_name_the_bad_entry_and_drop_repeats() {
        let ok = NewSubscription::parse(
            "https://h.example/x",
            &["manifest.received".into(), "manifest.received".into()],
            false,
        );
        assert_eq!(ok.map(|s| s.events), Ok(vec![EventType::ManifestReceived]));
        let bad = NewSubscription::parse(
            "https://h.example/x",
            &["manifest.received".into(), "manifest.recieved".into()],
            false,
        );
        assert!(matches!(bad, Err(AppError::Invalid { ref field, .. }) if field == "events[1]"));
        assert!(NewSubscription::parse("https://h.example/x", &[], false).is_err());
    }
}
