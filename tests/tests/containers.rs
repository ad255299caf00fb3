//! Containers under concurrency and the storage policies, on SQLite and PostgreSQL: writers on one container take
//! turns (no lost race reaches a user), a transfer station's clock, a school's quantity on hand against 3 t.

use serde_json::json;
use waste_e2e::world::{add, container, cyanide, pickup, school, world};
use waste_e2e::{TestApp, assert_error, both_backends, count};

/// 100 rounds of two additions to one container at the same moment: both fit, so both go in, and the fill is
/// their sum (on PostgreSQL the second used to get 409 "a concurrent addition won").
fn two_concurrent_additions_both_succeed(app: &TestApp) {
    let s = school(app, 10);
    let id = container(app, &s.staff, "1000");
    for round in 0..100 {
        let barrier = std::sync::Barrier::new(2);
        let statuses: Vec<(u16, serde_json::Value)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..2)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        add(app, &s.staff, &id, cyanide(), "1")
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        for (st, body) in &statuses {
            assert_eq!(*st, 201, "round {round}: {body}");
        }
    }
    let (_, v) = app.get(&format!("/api/v1/containers/{id}"), &s.staff);
    assert_eq!(v["filled_liters"], "200", "{v}");
    assert_eq!(v["additions_count"], 200);
    assert_eq!(
        count(
            app,
            &format!("SELECT COUNT(*) AS n FROM events WHERE aggregate = 'container:{id}'")
        ),
        201
    );
}

/// A seal and an addition at the same moment: either the addition goes in before the seal (and the seal
/// records it), or the seal wins and the addition is refused as `container_sealed` — never a lost race.
fn seal_against_addition(app: &TestApp) {
    let s = school(app, 11);
    for round in 0..20 {
        let id = container(app, &s.staff, "20");
        assert_eq!(add(app, &s.staff, &id, cyanide(), "1").0, 201);
        let barrier = std::sync::Barrier::new(2);
        let (added, sealed) = std::thread::scope(|scope| {
            let a = scope.spawn(|| {
                barrier.wait();
                add(app, &s.staff, &id, cyanide(), "1")
            });
            let b = scope.spawn(|| {
                barrier.wait();
                app.post(
                    &format!("/api/v1/containers/{id}/seal"),
                    &s.staff,
                    json!({}),
                )
            });
            (a.join().expect("add"), b.join().expect("seal"))
        });
        assert_eq!(sealed.0, 200, "round {round}: {}", sealed.1);
        let filled = sealed.1["filled_liters"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        match added.0 {
            201 => assert_eq!(filled, "2", "round {round}: the seal records the addition"),
            _ => {
                assert_error(&added, 409, "container_sealed");
                assert_eq!(filled, "1", "round {round}");
            }
        }
    }
}

/// Solid Waste Law Art.81: once a transfer station holds a container it runs on the station's clock (12 months
/// from the pickup), not on the lab's, which started at the first addition.
fn a_transfer_station_runs_its_own_clock(app: &TestApp) {
    let w = world(app, 20);
    let id = container(app, &w.staff, "20");
    assert_eq!(add(app, &w.staff, &id, cyanide(), "5").0, 201);
    app.advance_days(300);
    let (_, at_school) = app.get(&format!("/api/v1/containers/{id}"), &w.staff);
    assert_eq!(at_school["storage"]["site"], "lab");
    let sealed = app.post(
        &format!("/api/v1/containers/{id}/seal"),
        &w.staff,
        json!({}),
    );
    assert_eq!(sealed.0, 200, "{}", sealed.1);
    let r = pickup(app, &w, &[&id]);
    assert_eq!(r.0, 201, "{}", r.1);
    let picked_on = app.today();
    let (_, v) = app.get(&format!("/api/v1/containers/{id}"), &w.operator);
    assert_eq!(v["storage"]["site"], "transfer_station", "{v}");
    assert_eq!(v["storage"]["started_on"], picked_on.to_string());
    assert_eq!(v["storage"]["source"], "Solid Waste Law (2020) Art.81");
    // 70 days later the lab's clock would be overdue (370 days); the station's is not.
    app.advance_days(70);
    let (_, alerts) = app.get("/api/v1/alerts/storage", &w.operator);
    assert_eq!(alerts["items"], json!([]), "{alerts}");
    // 340 days after the pickup the station's deadline is due soon.
    app.advance_days(270);
    let (_, alerts) = app.get("/api/v1/alerts/storage", &w.operator);
    assert_eq!(alerts["items"][0]["container_id"], id, "{alerts}");
    assert_eq!(alerts["items"][0]["storage"]["status"], "due_soon");
    assert_eq!(alerts["items"][0]["storage"]["site"], "transfer_station");
}

/// GB 18597-2023 8.3.5: a school's quantity on hand is shown, warned from 80 % of 3 t, and an addition that
/// would take it over 3 t is refused with the clause; the refusal writes nothing.
fn a_school_stays_within_three_tonnes(app: &TestApp) {
    let s = school(app, 30);
    let ids: Vec<String> = (0..3).map(|_| container(app, &s.staff, "2000")).collect();
    assert_eq!(add(app, &s.staff, &ids[0], cyanide(), "1400").0, 201);
    let (_, a) = app.get("/api/v1/alerts/storage", &s.staff);
    assert_eq!(
        (
            a["on_hand"]["total_kg"].as_str(),
            a["on_hand"]["status"].as_str()
        ),
        (Some("1400"), Some("ok")),
        "{a}"
    );
    assert_eq!(a["on_hand"]["max_kg"], "3000");
    assert_eq!(add(app, &s.staff, &ids[1], cyanide(), "1000").0, 201);
    let (_, a) = app.get("/api/v1/alerts/storage", &s.staff);
    assert_eq!(a["on_hand"]["status"], "warning", "{a}");
    let events_before = count(app, "SELECT COUNT(*) AS n FROM events");
    let r = add(app, &s.staff, &ids[2], cyanide(), "700");
    assert_error(&r, 409, "storage_point_full");
    assert_eq!(r.1["error"]["details"]["citation"], "GB 18597-2023 8.3.5");
    // One refusal shape with a site's (GB 18597-2023 8.3.5 decided once): what is there, what is added, the sum.
    assert_eq!(
        (
            r.1["error"]["details"]["on_hand_kg"].as_str(),
            r.1["error"]["details"]["adding_kg"].as_str(),
            r.1["error"]["details"]["after_kg"].as_str()
        ),
        (Some("2400"), Some("700"), Some("3100")),
        "{}",
        r.1
    );
    assert_eq!(
        count(app, "SELECT COUNT(*) AS n FROM events"),
        events_before
    );
    // Up to the ceiling itself is allowed.
    assert_eq!(add(app, &s.staff, &ids[2], cyanide(), "600").0, 201);
    // The container added to counts with what it already holds (on PostgreSQL its own row is read under the
    // lock, the others with it).
    let r = add(app, &s.staff, &ids[2], cyanide(), "1");
    assert_error(&r, 409, "storage_point_full");
    assert_eq!(r.1["error"]["details"]["after_kg"], "3001");
}

both_backends! {
    two_concurrent_additions_to_one_container_both_succeed_100_rounds => two_concurrent_additions_both_succeed;
    a_seal_and_an_addition_at_once_never_lose_a_race => seal_against_addition;
    a_transfer_station_runs_its_own_clock_art_81 => a_transfer_station_runs_its_own_clock;
    a_school_stays_within_three_tonnes_gb_18597_8_3_5 => a_school_stays_within_three_tonnes;
}
