//! Webhooks end to end, on both backends, with a real receiver (an HTTP server of the test on port 0): the
//! subscription API, signatures, scope (only the parties' subscriptions), order per aggregate, retries with
//! backoff after failures, giving up after the limit (visible in the delivery log), and the deadline scan.

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use waste_e2e::receiver::{Hit, Receiver, Reply};
use waste_e2e::world::{self, TRAINED, World};
use waste_e2e::{ADMIN_TOKEN, Backend, TestApp, assert_error, user};

const WAIT: Duration = Duration::from_secs(30);

/// Fast retries and local receivers allowed; at most 5 attempts.
fn guards() -> waste_api::config::Guards {
    waste_api::config::Guards {
        webhooks: waste_api::config::Webhooks {
            timeout: Duration::from_secs(5),
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(400),
            max_attempts: 5,
            poll: Duration::from_millis(50),
            scan: Duration::from_millis(200),
            allow_local: true,
        },
        ..Default::default()
    }
}

/// The HMAC-SHA-256 (RFC 2104) of the body under the secret, as the header carries it.
fn verifies(secret: &str, hit: &Hit) -> bool {
    let mac = waste_core::custody::hmac_sha256(secret.as_bytes(), &hit.body);
    let expected: String = mac.iter().map(|b| format!("{b:02x}")).collect();
    hit.header("x-waste-signature") == format!("sha256={expected}")
}

/// Subscribes with `token`; returns (id, secret).
fn subscribe(app: &TestApp, token: &str, url: &str, events: &[&str]) -> (String, String) {
    let r = app.post(
        "/api/v1/webhooks",
        token,
        json!({"url": url, "events": events}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let secret = r.1["secret"]
        .as_str()
        .expect("secret shown once")
        .to_owned();
    assert!(secret.len() >= 32, "{secret}");
    (r.1["id"].as_str().expect("id").to_owned(), secret)
}

const MANIFEST_EVENTS: [&str; 5] = [
    "manifest.drafted",
    "manifest.submitted",
    "manifest.dispatched",
    "manifest.received",
    "manifest.disposed",
];

/// A container from the world's school through the station to disposal; returns (pickup request id, manifest id).
fn whole_chain(app: &TestApp, w: &World) -> (String, String) {
    let c = world::sealed_container(app, w);
    let r = world::pickup(app, w, &[&c]);
    assert_eq!(r.0, 201, "{}", r.1);
    let request = r.1["request_id"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| {
            app.get("/api/v1/pickup-requests?state=collected", &w.operator)
                .1["items"][0]["id"]
                .as_str()
                .expect("request id")
                .to_owned()
        });
    let m = world::manifest(app, w, &[&c]);
    for (token, action, body) in [
        (&w.operator, "submit", json!({})),
        (&w.driver, "dispatch", json!({"container_ids": [c]})),
        (
            &w.receiver,
            "receive",
            json!({"lines": [{"container_id": c, "received_weight_kg": "6.2", "accepted": true}]}),
        ),
        (&w.receiver, "confirm-disposal", json!({"method": "D10"})),
    ] {
        let r = world::act(app, token, &m, action, body);
        assert_eq!(r.0, 200, "{action}: {}", r.1);
    }
    (request, m)
}

fn station_officer(app: &TestApp, w: &World) -> String {
    user(app, &w.station, &["safety_officer"], TRAINED)
}

/// The delivery log, once no delivery is pending (the receiver may count an answer before the worker records it).
fn deliveries(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let r = app.get(
            &format!("/api/v1/webhooks/{id}/deliveries?limit=200"),
            token,
        );
        assert_eq!(r.0, 200, "{}", r.1);
        let items = r.1["items"].as_array().cloned().unwrap_or_default();
        if items.iter().all(|d| d["state"] != "pending") || std::time::Instant::now() > deadline {
            return items;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn signed_events_reach_the_parties_in_order(app: &TestApp) {
    let w = world::world(app, 100);
    world::contract(app, &w.station, &w.firm, &["900-047-49"]);
    let officer = station_officer(app, &w);
    let station_rx = Receiver::start(|_, _| Reply::status(200));
    let other_rx = Receiver::start(|_, _| Reply::status(200));
    let mut events: Vec<&str> = MANIFEST_EVENTS.to_vec();
    events.extend(["pickup_request.scheduled", "pickup_request.collected"]);
    let (sub, secret) = subscribe(app, &officer, &station_rx.url, &events);
    // Another school's officer subscribes to everything: it is party to none of it.
    let other = world::school(app, 110);
    let (_, _) = subscribe(
        app,
        &other.officer,
        &other_rx.url,
        &[
            "manifest.received",
            "pickup_request.scheduled",
            "pickup_request.collected",
        ],
    );
    // The secret is shown once: the list does not carry it.
    let list = app.get("/api/v1/webhooks", &officer);
    assert_eq!(list.0, 200, "{}", list.1);
    assert_eq!(list.1["items"].as_array().map(Vec::len), Some(1));
    assert!(list.1["items"][0].get("secret").is_none(), "{}", list.1);
    assert!(!list.1.to_string().contains(&secret));

    let (request, m) = whole_chain(app, &w);
    let hits = station_rx.wait_for(WAIT, |h| h.len() >= 7);
    assert_eq!(
        hits.len(),
        7,
        "nothing sent twice to a receiver that answers 200"
    );
    let mut ids = BTreeSet::new();
    for h in &hits {
        assert!(verifies(&secret, h), "signature of {:?}", h.headers);
        assert!(!verifies("another secret", h));
        let body = h.json();
        assert_eq!(h.header("x-waste-event"), body["type"], "{body}");
        assert!(
            ids.insert(h.header("x-waste-delivery").to_owned()),
            "one delivery id per event"
        );
        assert!(
            body["id"].is_string() && body["occurred_at"].is_string(),
            "{body}"
        );
    }
    let of = |kind: &str, id: &str| -> Vec<String> {
        hits.iter()
            .map(Hit::json)
            .filter(|b| b["aggregate"]["kind"] == kind && b["aggregate"]["id"] == id)
            .map(|b| b["type"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        of("manifest", &m),
        MANIFEST_EVENTS,
        "in order per aggregate"
    );
    assert_eq!(
        of("pickup_request", &request),
        ["pickup_request.scheduled", "pickup_request.collected"]
    );
    let received = hits
        .iter()
        .map(Hit::json)
        .find(|b| b["type"] == "manifest.received")
        .expect("received");
    assert_eq!(received["data"]["state"], "received", "{received}");
    assert_eq!(received["data"]["acceptance"], "accepted", "{received}");
    assert_eq!(received["data"]["shipper_id"], w.station.as_str());
    // The delivery log: every one delivered at the first attempt.
    let log = deliveries(app, &officer, &sub);
    assert_eq!(log.len(), 7);
    for d in &log {
        assert_eq!(d["state"], "delivered", "{d}");
        assert_eq!(d["attempts"], 1, "{d}");
        assert_eq!(d["last_status"], 200, "{d}");
        assert!(ids.contains(d["id"].as_str().unwrap_or_default()), "{d}");
    }
    assert!(
        other_rx.hits().is_empty(),
        "another school's subscription got nothing"
    );

    // Who may manage which subscription; bad input is refused and leaves nothing.
    assert_error(
        &app.post(
            "/api/v1/webhooks",
            &w.staff,
            json!({"url": station_rx.url, "events": ["manifest.received"]}),
        ),
        403,
        "forbidden",
    );
    let r = app.post(
        "/api/v1/webhooks",
        &officer,
        json!({"url": "ftp://example.com/x", "events": ["manifest.received"]}),
    );
    assert_error(&r, 422, "invalid_input");
    assert_eq!(r.1["error"]["details"]["field"], "url");
    let r = app.post(
        "/api/v1/webhooks",
        &officer,
        json!({"url": "https://example.com/x", "events": ["manifest.receive"]}),
    );
    assert_error(&r, 422, "invalid_input");
    assert_eq!(r.1["error"]["details"]["field"], "events[0]");
    let r = app.post(
        "/api/v1/webhooks",
        &officer,
        json!({"url": "https://u:p@example.com/x", "events": ["manifest.received"]}),
    );
    assert_error(&r, 422, "invalid_input");
    assert_error(
        &app.post(
            "/api/v1/webhooks",
            &officer,
            json!({"url": "https://example.com/x", "events": []}),
        ),
        422,
        "invalid_input",
    );
    assert_eq!(
        app.get("/api/v1/webhooks", &officer).1["items"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "refusals created nothing"
    );
    let r = app.call(
        "DELETE",
        &format!("/api/v1/webhooks/{sub}"),
        Some(other.officer.as_str()),
        None,
    );
    assert_error(&r, 404, "not_found");
    assert_error(
        &app.get(
            &format!("/api/v1/webhooks/{sub}/deliveries"),
            &other.officer,
        ),
        404,
        "not_found",
    );
    let r = app.call(
        "DELETE",
        &format!("/api/v1/webhooks/{sub}"),
        Some(officer.as_str()),
        None,
    );
    assert_eq!(r.0, 204, "{}", r.1);
    assert_eq!(app.get("/api/v1/webhooks", &officer).1["items"], json!([]));
    assert_error(
        &app.get(&format!("/api/v1/webhooks/{sub}/deliveries"), &officer),
        404,
        "not_found",
    );
    // Nothing more is sent to a deleted subscription.
    let c = world::sealed_container(app, &w);
    let r = world::pickup(app, &w, &[&c]);
    assert_eq!(r.0, 201, "{}", r.1);
    app.webhook_worker_settled();
    assert_eq!(station_rx.hits().len(), 7);
}

fn a_receiver_that_fails_three_times_then_recovers_gets_every_event_in_order(app: &TestApp) {
    let w = world::world(app, 200);
    world::contract(app, &w.station, &w.firm, &["900-047-49"]);
    let officer = station_officer(app, &w);
    let rx = Receiver::start(|n, _| Reply::status(if n < 3 { 500 } else { 200 }));
    let (sub, secret) = subscribe(app, &officer, &rx.url, &MANIFEST_EVENTS);
    let (_, m) = whole_chain(app, &w);
    let hits = rx.wait_for(WAIT, |h| h.iter().filter(|h| h.status == 200).count() >= 5);
    assert_eq!(
        hits.len(),
        8,
        "three failures, then each of the five events once"
    );
    assert!(hits.iter().all(|h| verifies(&secret, h)));
    let delivered: Vec<String> = hits
        .iter()
        .filter(|h| h.status == 200)
        .map(|h| h.json()["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(delivered, MANIFEST_EVENTS, "in order after the recovery");
    // The three failures were the first event, retried with its own delivery id; nothing of event n+1 went out
    // before event n was delivered.
    let first = hits[3].header("x-waste-delivery").to_owned();
    for h in &hits[..3] {
        assert_eq!(h.status, 500);
        assert_eq!(
            h.header("x-waste-delivery"),
            first,
            "same delivery id on every retry"
        );
        assert_eq!(h.json()["type"], "manifest.drafted");
        assert_eq!(h.json()["aggregate"]["id"], m.as_str());
    }
    let log = deliveries(app, &officer, &sub);
    let attempts: Vec<i64> = log
        .iter()
        .map(|d| d["attempts"].as_i64().unwrap_or(-1))
        .collect();
    assert_eq!(attempts, [4, 1, 1, 1, 1], "{log:?}");
    assert!(log.iter().all(|d| d["state"] == "delivered"), "{log:?}");
}

fn a_delivery_is_given_up_after_the_limit_and_the_next_event_follows(app: &TestApp) {
    let w = world::world(app, 300);
    world::contract(app, &w.station, &w.firm, &["900-047-49"]);
    let officer = station_officer(app, &w);
    // The drafted event is refused every time; the others are taken.
    let rx = Receiver::start(|_, hit| {
        Reply::status(if hit.header("x-waste-event") == "manifest.drafted" {
            503
        } else {
            200
        })
    });
    let (sub, _) = subscribe(app, &officer, &rx.url, &MANIFEST_EVENTS[..2]);
    let c = world::sealed_container(app, &w);
    assert_eq!(world::pickup(app, &w, &[&c]).0, 201);
    let m = world::manifest(app, &w, &[&c]);
    assert_eq!(world::act(app, &w.operator, &m, "submit", json!({})).0, 200);
    let hits = rx.wait_for(WAIT, |h| h.iter().any(|h| h.status == 200));
    let types: Vec<String> = hits
        .iter()
        .map(|h| h.header("x-waste-event").to_owned())
        .collect();
    assert_eq!(
        types,
        ["manifest.drafted"; 5]
            .iter()
            .copied()
            .chain(["manifest.submitted"])
            .collect::<Vec<_>>(),
        "five attempts, then the next event of the manifest"
    );
    let log = deliveries(app, &officer, &sub);
    assert_eq!(log.len(), 2, "{log:?}");
    assert_eq!(log[0]["state"], "failed", "{log:?}");
    assert_eq!(log[0]["attempts"], 5);
    assert_eq!(log[0]["last_status"], 503);
    assert!(
        log[0]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("503")),
        "{log:?}"
    );
    assert_eq!(log[0]["next_attempt_at"], Value::Null);
    assert_eq!(log[1]["state"], "delivered", "{log:?}");
    assert_eq!(log[1]["event_type"], "manifest.submitted");
}

fn storage_deadlines_are_announced_once(app: &TestApp) {
    let s = world::school(app, 400);
    let rx = Receiver::start(|_, _| Reply::status(200));
    let (_, secret) = subscribe(
        app,
        &s.officer,
        &rx.url,
        &["container.storage_due_soon", "container.storage_overdue"],
    );
    let c = world::container(app, &s.staff, "20");
    assert_eq!(world::add(app, &s.staff, &c, world::cyanide(), "1").0, 201);
    app.webhook_worker_settled();
    assert!(rx.hits().is_empty(), "nothing is due yet");
    app.advance_days(340);
    let hits = rx.wait_for(WAIT, |h| !h.is_empty());
    assert_eq!(
        hits[0].header("x-waste-event"),
        "container.storage_due_soon"
    );
    app.advance_days(30);
    let hits = rx.wait_for(WAIT, |h| h.len() >= 2);
    assert_eq!(hits[1].header("x-waste-event"), "container.storage_overdue");
    let body = hits[1].json();
    assert_eq!(body["aggregate"], json!({"kind": "container", "id": c}));
    assert!(
        body["data"]["days_left"].as_i64().is_some_and(|d| d < 0),
        "{body}"
    );
    assert!(hits.iter().all(|h| verifies(&secret, h)));
    // Later scans find the same deadlines and announce nothing again.
    app.webhook_worker_settled();
    let by_type: BTreeMap<String, usize> = rx.hits().iter().fold(BTreeMap::new(), |mut m, h| {
        *m.entry(h.header("x-waste-event").to_owned()).or_default() += 1;
        m
    });
    assert_eq!(
        by_type,
        BTreeMap::from([
            ("container.storage_due_soon".to_owned(), 1),
            ("container.storage_overdue".to_owned(), 1)
        ])
    );
    // An administrator manages its own organisation's subscriptions too.
    let (admin_sub, _) = subscribe(app, ADMIN_TOKEN, &rx.url, &["manifest.received"]);
    assert_eq!(
        deliveries(app, ADMIN_TOKEN, &admin_sub),
        Vec::<Value>::new()
    );
}

macro_rules! webhook_tests {
    ($($name:ident => $body:ident;)*) => {
        mod sqlite {
            $(#[test] fn $name() { let app = waste_e2e::TestApp::start_with(super::Backend::Sqlite, super::guards()); super::$body(&app) })*
        }
        mod postgres {
            $(#[test] #[cfg_attr(no_postgres, ignore = "PostgreSQL was not reachable when the tests were built")] fn $name() { let app = waste_e2e::TestApp::start_with(super::Backend::Postgres, super::guards()); super::$body(&app) })*
        }
    };
}

webhook_tests! {
    signed_events_reach_the_parties_in_order => signed_events_reach_the_parties_in_order;
    a_receiver_that_fails_three_times_then_recovers_gets_every_event_in_order => a_receiver_that_fails_three_times_then_recovers_gets_every_event_in_order;
    a_delivery_is_given_up_after_the_limit_and_the_next_event_follows => a_delivery_is_given_up_after_the_limit_and_the_next_event_follows;
    storage_deadlines_are_announced_once => storage_deadlines_are_announced_once;
}
