//! A clock that jumps (issue 28 item 4), on both backends, through the service's clock (the tests move it, as an
//! operator or NTP moves the system's): a list poll `?after=<last id>` sees a record written after the clock went
//! back (in one process, after a restart, from a second instance); a custody event is never stamped earlier than
//! its chain's previous one and says when the clock read earlier; a pending webhook retry is not held back by
//! the jump; and storage alerts follow the container's state: a false alarm from a clock set forward is withdrawn
//! when the clock comes back, and the real alert is still sent when it is due.

use serde_json::{Value, json};
use std::time::Duration;
use waste_e2e::receiver::{Receiver, Reply};
use waste_e2e::world;
use waste_e2e::{ADMIN_TOKEN, Backend, TestApp};

const WAIT: Duration = Duration::from_secs(30);

/// Local receivers allowed, a fast poll and scan; retries after 2 s, but a wait may grow to an hour (the
/// default), so that a retry held back by a jump of minutes would not be caught by the worker's bound (see
/// `retry_*`).
fn guards() -> waste_api::config::Guards {
    guards_retrying_after(Duration::from_secs(2))
}

/// `guards()` with retries after `base`.
fn guards_retrying_after(base: Duration) -> waste_api::config::Guards {
    waste_api::config::Guards {
        webhooks: waste_api::config::Webhooks {
            timeout: Duration::from_secs(5),
            backoff_base: base,
            backoff_max: Duration::from_secs(3600),
            max_attempts: 5,
            poll: Duration::from_millis(50),
            scan: Duration::from_millis(200),
            allow_local: true,
        },
        ..Default::default()
    }
}

/// The ids of the organisation's containers after `after` (the list's keyset cursor), in the list's order.
fn containers_after(app: &TestApp, token: &str, after: &str) -> Vec<String> {
    let r = app.get(
        &format!("/api/v1/containers?limit=200&after={after}"),
        token,
    );
    assert_eq!(r.0, 200, "{}", r.1);
    r.1["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect()
}

/// A container's custody events, oldest first.
fn events(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    let r = app.get(&format!("/api/v1/containers/{id}/events"), token);
    assert_eq!(r.0, 200, "{}", r.1);
    r.1["items"].as_array().expect("items").clone()
}

fn instant(s: &Value) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(
        s.as_str().expect("a time"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("RFC 3339")
}

fn a_poll_after_the_last_id_sees_a_record_written_after_the_clock_went_back(app: &TestApp) {
    let s = world::school(app, 700);
    let first = world::container(app, &s.staff, "20");
    assert_eq!(
        containers_after(app, &s.staff, &first),
        Vec::<String>::new()
    );
    app.move_clock(-time::Duration::days(1));
    let later = world::container(app, &s.staff, "20");
    assert_eq!(
        containers_after(app, &s.staff, &first),
        vec![later.clone()],
        "the record written after the clock went back a day sorts after the last one polled"
    );
    // And the one after that, with the clock still behind.
    let third = world::container(app, &s.staff, "20");
    assert_eq!(containers_after(app, &s.staff, &later), vec![third]);
}

fn a_poll_sees_records_written_after_a_restart_with_the_clock_set_back(app: TestApp) {
    let s = world::school(&app, 710);
    // The clock ran a day ahead; the service is stopped, the clock corrected, the service started again.
    app.move_clock(time::Duration::days(1));
    let first = world::container(&app, &s.staff, "20");
    let app = app.restart(guards());
    let later = world::container(&app, &s.staff, "20");
    assert_eq!(
        containers_after(&app, &s.staff, &first),
        vec![later],
        "a new process whose clock is a day behind the last id still writes after it"
    );
}

fn a_second_instance_whose_clock_is_behind_writes_after_the_first(app: TestApp) {
    let s = world::school(&app, 720);
    // Instance one's clock is an hour ahead of instance two's.
    app.move_clock(time::Duration::hours(1));
    let first = world::container(&app, &s.staff, "20");
    let two = app.another_instance(guards());
    let later = world::container(&two, &s.staff, "20");
    assert_eq!(
        containers_after(&app, &s.staff, &first),
        vec![later.clone()]
    );
    // And back on instance one: above what instance two wrote.
    let third = world::container(&app, &s.staff, "20");
    assert_eq!(containers_after(&two, &s.staff, &later), vec![third]);
}

fn an_event_after_a_backward_jump_is_not_stamped_before_its_predecessor(app: &TestApp) {
    let s = world::school(app, 730);
    let c = world::container(app, &s.staff, "20");
    assert_eq!(world::add(app, &s.staff, &c, world::cyanide(), "1").0, 201);
    let before = events(app, &s.staff, &c);
    let last_at = instant(&before.last().expect("events")["at"]);
    app.move_clock(-time::Duration::hours(2));
    // An addition (its own write path) and a seal (the common append), both with the clock two hours behind.
    assert_eq!(world::add(app, &s.staff, &c, world::cyanide(), "1").0, 201);
    let r = app.post(&format!("/api/v1/containers/{c}/seal"), &s.staff, json!({}));
    assert_eq!(r.0, 200, "{}", r.1);
    let after = events(app, &s.staff, &c);
    assert_eq!(after.len(), before.len() + 2, "{after:?}");
    for e in &before {
        assert!(e["payload"].get("clock_behind").is_none(), "{e}");
    }
    for w in after.windows(2) {
        assert!(instant(&w[1]["at"]) >= instant(&w[0]["at"]), "{w:?}");
    }
    for e in &after[before.len()..] {
        assert_eq!(
            instant(&e["at"]),
            last_at,
            "stamped with the previous event's time: {e}"
        );
        let read = instant(&e["payload"]["clock_behind"]);
        assert!(
            read < last_at - time::Duration::minutes(110),
            "the clock's own reading is kept, two hours behind: {e}"
        );
    }
    // The chain still verifies: the note is part of the hashed event.
    let (_, audit) = app.get("/api/v1/audit/verify", ADMIN_TOKEN);
    assert_eq!(audit["ok"], true, "{audit}");
}

/// The school's officer subscribes to its pickup requests' events, with a receiver that answers `policy`; the
/// school asks for a pickup. Returns (subscription id, officer token, receiver).
fn requested(app: &TestApp, base: u32, fail_first: usize) -> (String, String, Receiver) {
    let w = world::world(app, base);
    let rx = Receiver::start(move |n, _| Reply::status(if n < fail_first { 500 } else { 200 }));
    let r = app.post(
        "/api/v1/webhooks",
        &w.officer,
        json!({"url": rx.url, "events": ["pickup_request.requested"]}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let sub = r.1["id"].as_str().expect("id").to_owned();
    let c = world::sealed_container(app, &w);
    let (today, soon) = (app.today(), app.today() + time::Duration::days(30));
    let r = app.post(
        "/api/v1/pickup-requests",
        &w.staff,
        json!({"container_ids": [c], "preferred_from": format!("{today}T08:00:00+08:00"), "preferred_until": format!("{soon}T17:00:00+08:00"), "contact": "张老师 138-0000-0000"}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    (sub, w.officer, rx)
}

/// Waits until the delivery log shows the first attempt failed and a retry pending (recorded by the worker).
fn first_attempt_failed(app: &TestApp, token: &str, sub: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let r = app.get(&format!("/api/v1/webhooks/{sub}/deliveries"), token);
        assert_eq!(r.0, 200, "{}", r.1);
        let d = &r.1["items"][0];
        if d["attempts"] == 1 && d["last_status"] == 500 && d["state"] == "pending" {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no failed attempt: {}",
            r.1
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn a_retry_is_due_after_its_delay_when_the_clock_went_back_meanwhile(app: &TestApp) {
    let (sub, officer, rx) = requested(app, 740, 1);
    first_attempt_failed(app, &officer, &sub);
    // The retry is due 2 s after the failure; the clock goes back ten minutes (less than the longest wait, an
    // hour, so only the worker's monotonic timer makes it due).
    app.move_clock(-time::Duration::minutes(10));
    let hits = rx.wait_for(WAIT, |h| h.len() >= 2);
    assert_eq!(
        hits.len(),
        2,
        "the retry was sent within 30 s, not ten minutes"
    );
    assert_eq!(hits[1].status, 200);
    assert_eq!(
        hits[1].header("x-waste-delivery"),
        hits[0].header("x-waste-delivery")
    );
}

fn a_retry_scheduled_before_a_restart_with_the_clock_set_back_is_not_held_back(app: TestApp) {
    // The clock ran two hours ahead (more than the longest wait, an hour) when the attempt failed; its retry is
    // due twenty seconds later on that clock (longer than the restart takes, so the old process cannot send it).
    app.move_clock(time::Duration::hours(2));
    let (sub, officer, rx) = requested(&app, 750, 1);
    first_attempt_failed(&app, &officer, &sub);
    let failed = std::time::Instant::now();
    let app = app.restart(guards());
    let hits = rx.wait_for(WAIT, |h| h.len() >= 2);
    assert!(
        hits.len() >= 2,
        "the retry was sent within 30 s, not two hours"
    );
    assert_eq!(hits[1].status, 200);
    assert_eq!(
        hits[1].header("x-waste-delivery"),
        hits[0].header("x-waste-delivery")
    );
    // Sent by the new process at once, not by the old one at its twenty seconds.
    assert!(
        failed.elapsed() < Duration::from_secs(20),
        "{:?}",
        failed.elapsed()
    );
    drop(app);
}

fn storage_alerts_follow_the_clock_a_false_alarm_is_withdrawn_and_the_real_one_sent(app: &TestApp) {
    let s = world::school(app, 760);
    let rx = Receiver::start(|_, _| Reply::status(200));
    let r = app.post(
        "/api/v1/webhooks",
        &s.officer,
        json!({"url": rx.url, "events": ["container.storage_due_soon", "container.storage_overdue"]}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let c = world::container(app, &s.staff, "20");
    assert_eq!(world::add(app, &s.staff, &c, world::cyanide(), "1").0, 201);
    let types = |n: usize| -> Vec<String> {
        rx.wait_for(WAIT, |h| h.len() >= n)
            .iter()
            .map(|h| h.header("x-waste-event").to_owned())
            .collect()
    };
    // A clock set a year and five days forward: the container looks overdue (the lab's 12 months).
    app.move_clock(time::Duration::days(370));
    assert_eq!(types(1), ["container.storage_overdue"]);
    // The clock is corrected: the false alarm is withdrawn, and says what it withdraws.
    app.move_clock(-time::Duration::days(370));
    assert_eq!(
        types(2),
        [
            "container.storage_overdue",
            "container.storage_alert_withdrawn"
        ]
    );
    let withdrawal = rx.hits()[1].json();
    assert_eq!(
        withdrawal["aggregate"],
        json!({"kind": "container", "id": c})
    );
    assert_eq!(withdrawal["data"]["withdrawn"], "container.storage_overdue");
    assert_eq!(withdrawal["data"]["storage_status"], "ok");
    assert!(
        withdrawal["data"]["days_left"]
            .as_i64()
            .is_some_and(|d| d > 300),
        "{withdrawal}"
    );
    // Real time passes: the alerts are sent again when they are really due.
    app.move_clock(time::Duration::days(340));
    assert_eq!(types(3)[2], "container.storage_due_soon");
    app.move_clock(time::Duration::days(30));
    assert_eq!(types(4)[3], "container.storage_overdue");
    // And no more: later scans find the same state.
    app.webhook_worker_settled();
    assert_eq!(rx.hits().len(), 4, "{:?}", types(4));
    // The OpenAPI document lists the new event among those a subscription may ask for.
    let (status, doc) = app.call("GET", "/openapi.json", None, None);
    assert_eq!(status, 200);
    let names = &doc["components"]["schemas"]["EventType"]["enum"];
    assert!(
        names
            .as_array()
            .is_some_and(|n| n.contains(&json!("container.storage_alert_withdrawn"))),
        "{names}"
    );
}

waste_e2e::both_backends! {
    a_poll_after_the_last_id_sees_a_record_written_after_the_clock_went_back => a_poll_after_the_last_id_sees_a_record_written_after_the_clock_went_back;
    an_event_after_a_backward_jump_is_not_stamped_before_its_predecessor => an_event_after_a_backward_jump_is_not_stamped_before_its_predecessor;
}

/// Scenarios on a service with `guards()` that they may restart (they own it).
macro_rules! owned {
    ($($name:ident => $body:ident;)*) => {
        mod owned_sqlite {
            $(#[test] fn $name() { let app = waste_e2e::TestApp::start_with(super::Backend::Sqlite, super::guards()); super::$body(app) })*
        }
        mod owned_postgres {
            $(#[test] #[cfg_attr(no_postgres, ignore = "PostgreSQL was not reachable when the tests were built")] fn $name() { let app = waste_e2e::TestApp::start_with(super::Backend::Postgres, super::guards()); super::$body(app) })*
        }
    };
}

/// The restarted retry's scenario, on a service whose retries wait 20 s.
mod retry_after_restart {
    #[test]
    fn sqlite() {
        let app = waste_e2e::TestApp::start_with(
            super::Backend::Sqlite,
            super::guards_retrying_after(std::time::Duration::from_secs(20)),
        );
        super::a_retry_scheduled_before_a_restart_with_the_clock_set_back_is_not_held_back(app);
    }
    #[test]
    #[cfg_attr(
        no_postgres,
        ignore = "PostgreSQL was not reachable when the tests were built"
    )]
    fn postgres() {
        let app = waste_e2e::TestApp::start_with(
            super::Backend::Postgres,
            super::guards_retrying_after(std::time::Duration::from_secs(20)),
        );
        super::a_retry_scheduled_before_a_restart_with_the_clock_set_back_is_not_held_back(app);
    }
}

owned! {
    restart => a_poll_sees_records_written_after_a_restart_with_the_clock_set_back;
    second_instance => a_second_instance_whose_clock_is_behind_writes_after_the_first;
    retry => retry_in_process;
    storage_alerts => storage_alerts;
}

fn retry_in_process(app: TestApp) {
    a_retry_is_due_after_its_delay_when_the_clock_went_back_meanwhile(&app);
}

fn storage_alerts(app: TestApp) {
    storage_alerts_follow_the_clock_a_false_alarm_is_withdrawn_and_the_real_one_sent(&app);
}
