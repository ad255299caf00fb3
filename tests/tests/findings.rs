//! The security review's smaller findings (issue 14, findings 8, 9 and 12), each with the test that failed
//! before its fix, on both backends: manifest numbers drawn at submission and a bound on open drafts; the
//! 1000th digital id of a day refused; label text that cannot break the SVG; a delivery day that cannot precede
//! dispatch; a deadline for slow request bodies; security headers; rate limits.

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::time::Duration;
use waste_api::config::{Guards, Limits};
use waste_e2e::world::{
    self, World, act, add, contract, cyanide, manifest, pickup, sealed_container,
};
use waste_e2e::{ADMIN_TOKEN, Backend, TestApp, assert_error, both_backends, org, user};

fn exec(app: &TestApp, sql: &str) {
    use diesel::RunQueryDsl;
    let mut c = app.db();
    diesel::sql_query(sql)
        .execute(&mut *c)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// `n` sealed containers of the world's school, picked up by its station.
fn picked_up(app: &TestApp, w: &World, n: usize) -> Vec<String> {
    let ids: Vec<String> = (0..n).map(|_| sealed_container(app, w)).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    assert_eq!(pickup(app, w, &refs).0, 201);
    ids
}

/// Finding 8: a draft has no number and a cancelled draft spends none; the submission draws the region's next.
fn numbers_at_submission(app: &TestApp) {
    let w = world::world(app, 300);
    contract(app, &w.station, &w.firm, &["900-047-49"]);
    let c = picked_up(app, &w, 1);
    for _ in 0..2 {
        let m = manifest(app, &w, &[&c[0]]);
        let v = app.get(&format!("/api/v1/manifests/{m}"), &w.operator).1;
        assert_eq!(v["number"], Value::Null, "{v}");
        assert_eq!(act(app, &w.operator, &m, "cancel", json!({})).0, 200);
    }
    let m = manifest(app, &w, &[&c[0]]);
    let (s, v) = act(app, &w.operator, &m, "submit", json!({}));
    assert_eq!(s, 200, "{v}");
    let number = v["number"].as_str().expect("a number at submission");
    assert_eq!(number.len(), 14, "{number}");
    assert!(
        number.ends_with("000001"),
        "the two cancelled drafts spent no serial: {number}"
    );
    // The submission is in the chain, with the number.
    let events = app
        .get(&format!("/api/v1/manifests/{m}/events"), &w.operator)
        .1;
    assert_eq!(events["items"][1]["payload"]["number"], number, "{events}");
}

/// Finding 8: at most `WASTE_MAX_OPEN_DRAFTS` open drafts per organisation.
fn drafts_bounded(backend: Backend) {
    let app = TestApp::start_with(
        backend,
        Guards {
            max_open_drafts: 2,
            ..Default::default()
        },
    );
    let app = &app;
    let w = world::world(app, 320);
    let c = picked_up(app, &w, 3);
    let first = manifest(app, &w, &[&c[0]]);
    manifest(app, &w, &[&c[1]]);
    let body = json!({"receiver_id": w.firm, "carrier_id": w.carrier, "container_ids": [c[2]]});
    let r = app.post("/api/v1/manifests", &w.operator, body.clone());
    assert_error(&r, 409, "too_many_drafts");
    assert_eq!(r.1["error"]["details"]["limit"], 2);
    assert_eq!(act(app, &w.operator, &first, "cancel", json!({})).0, 200);
    assert_eq!(app.post("/api/v1/manifests", &w.operator, body).0, 201);
}

#[test]
fn sqlite_open_drafts_per_organisation_are_bounded() {
    drafts_bounded(Backend::Sqlite);
}

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "PostgreSQL was not reachable when the tests were built"
)]
fn postgres_open_drafts_per_organisation_are_bounded() {
    drafts_bounded(Backend::Postgres);
}

/// Finding 9: the 1000th first addition of a code on one day is refused (HJ 1276-2022's 3-digit sequence),
/// with nothing written, instead of leaving a container without a digital id that can never ship.
fn digital_ids_exhausted(app: &TestApp) {
    let w = world::world(app, 340);
    let c = world::container(app, &w.staff, "20");
    exec(
        app,
        &format!(
            "INSERT INTO id_sequences (organization_id, code, day, last) VALUES ('{}', '900-047-49', '{}', 999)",
            w.school,
            app.today()
        ),
    );
    let r = add(app, &w.staff, &c, cyanide(), "1");
    assert_error(&r, 409, "digital_ids_exhausted");
    assert!(
        r.1["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("HJ 1276-2022")),
        "{}",
        r.1
    );
    let v = app.get(&format!("/api/v1/containers/{c}"), &w.staff).1;
    assert_eq!(v["additions_count"], 0, "{v}");
}

/// Finding 9: a lab name with U+FFFE still gives a label that is XML (the character is replaced).
fn label_text_is_xml(app: &TestApp) {
    let w = world::world(app, 360);
    let r = app.post(
        "/api/v1/containers",
        &w.staff,
        json!({"lab": "实验室\u{FFFE}B-304", "capacity_liters": "20", "material": "hdpe", "contact": "张老师 138-0000-0000"}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let c = r.1["id"].as_str().expect("id").to_owned();
    assert_eq!(add(app, &w.staff, &c, cyanide(), "1").0, 201);
    let resp = reqwest::blocking::Client::new()
        .get(format!("{}/api/v1/containers/{c}/label.svg", app.base))
        .bearer_auth(&w.staff)
        .send()
        .expect("label");
    assert_eq!(resp.status().as_u16(), 200);
    let csp = resp
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(csp.contains("default-src 'none'"), "CSP on the SVG: {csp}");
    let svg = resp.text().expect("svg");
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(!svg.contains('\u{FFFE}'), "no character XML forbids");
    assert!(svg.contains("B-304"), "the rest of the name is kept");
}

/// Finding 9: the delivery day cannot precede dispatch, and a receipt's lateness counts from dispatch
/// (Transfer Measures Art.18), so a receiver cannot state a late delivery day to escape the alert.
fn delivery_after_dispatch(app: &TestApp) {
    let w = world::world(app, 380);
    contract(app, &w.station, &w.firm, &["900-047-49"]);
    let c = picked_up(app, &w, 1);
    let m = manifest(app, &w, &[&c[0]]);
    assert_eq!(act(app, &w.operator, &m, "submit", json!({})).0, 200);
    assert_eq!(
        act(
            app,
            &w.driver,
            &m,
            "dispatch",
            json!({"container_ids": [c[0]]})
        )
        .0,
        200
    );
    let line = json!([{"container_id": c[0], "received_weight_kg": "6.1", "accepted": true}]);
    let before = app.today() - time::Duration::days(1);
    let r = act(
        app,
        &w.receiver,
        &m,
        "receive",
        json!({"delivered_on": before.to_string(), "lines": line}),
    );
    assert_error(&r, 422, "invalid_input");
    assert_eq!(r.1["error"]["details"]["field"], "delivered_on", "{}", r.1);
    // Twelve days in transit, then "delivered today": late all the same.
    app.advance_days(12);
    let r = act(
        app,
        &w.receiver,
        &m,
        "receive",
        json!({"delivered_on": app.today().to_string(), "lines": line}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    assert_eq!(r.1["received_late"], true, "{}", r.1);
}

/// Finding 9: `nosniff` on every answer, `no-store` on the answer that carries a new token.
fn security_headers(app: &TestApp) {
    let school = org(app, "school", 400, "220102", json!({}));
    let http = reqwest::blocking::Client::new();
    let r = http
        .get(format!("{}/healthz", app.base))
        .send()
        .expect("healthz");
    assert_eq!(
        r.headers()
            .get("x-content-type-options")
            .map(|v| v.as_bytes()),
        Some(b"nosniff".as_slice())
    );
    let r = http
        .post(format!("{}/api/v1/organizations/{school}/users", app.base))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"name": "n", "roles": ["lab_staff"], "trained_until": "2099-12-31"}))
        .send()
        .expect("user");
    assert_eq!(r.status().as_u16(), 201);
    assert_eq!(
        r.headers().get("cache-control").map(|v| v.as_bytes()),
        Some(b"no-store".as_slice())
    );
    assert_eq!(
        r.headers()
            .get("x-content-type-options")
            .map(|v| v.as_bytes()),
        Some(b"nosniff".as_slice())
    );
}

both_backends! {
    manifest_numbers_are_drawn_at_submission_not_at_draft => numbers_at_submission;
    the_1000th_digital_id_of_a_day_is_refused_with_nothing_written => digital_ids_exhausted;
    a_lab_name_with_u_fffe_gives_a_label_that_is_xml => label_text_is_xml;
    delivery_cannot_precede_dispatch_and_lateness_counts_from_dispatch => delivery_after_dispatch;
    answers_carry_security_headers => security_headers;
}

/// Finding 9: a request body that does not arrive within the body timeout gets 408 instead of holding the
/// connection open.
fn slow_body(backend: Backend) {
    let app = TestApp::start_with(
        backend,
        Guards {
            body_timeout: Duration::from_secs(1),
            ..Default::default()
        },
    );
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut s = std::net::TcpStream::connect(&addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        s,
        "POST /api/v1/organizations HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"kind\""
    )
    .expect("send the start");
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("request_timeout"), "{text}");
}

#[test]
fn sqlite_a_slow_request_body_gets_408() {
    slow_body(Backend::Sqlite);
}

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "PostgreSQL was not reachable when the tests were built"
)]
fn postgres_a_slow_request_body_gets_408() {
    slow_body(Backend::Postgres);
}

/// The rate-limit headers of an answer: (limit, remaining, reset, retry-after).
fn limits_of(r: &reqwest::blocking::Response) -> [Option<u64>; 4] {
    [
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
        "retry-after",
    ]
    .map(|h| {
        r.headers()
            .get(h)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
    })
}

/// Finding 12: a token spends its allowance and then gets 429 `rate_limited` with `Retry-After` while another
/// token goes on; failed authentications past their limit block the address, a valid token included; every
/// answer carries `RateLimit-*`.
fn rate_limits(backend: Backend) {
    let app = TestApp::start_with(
        backend,
        Guards {
            limits: Limits {
                per_token: 5,
                per_address: 200,
                auth_failures: 3,
            },
            ..Default::default()
        },
    );
    let school = org(&app, "school", 420, "220102", json!({}));
    let a = user(&app, &school, &["lab_staff"], "2099-12-31");
    let b = user(&app, &school, &["lab_staff"], "2099-12-31");
    let http = reqwest::blocking::Client::new();
    let me = |token: &str| {
        http.get(format!("{}/api/v1/me", app.base))
            .bearer_auth(token)
            .send()
            .expect("me")
    };
    for left in (0..5).rev() {
        let r = me(&a);
        assert_eq!(r.status().as_u16(), 200);
        let [limit, remaining, reset, retry] = limits_of(&r);
        assert_eq!((limit, remaining, retry), (Some(5), Some(left), None));
        assert!(reset.is_some_and(|s| s <= 60), "{reset:?}");
    }
    let r = me(&a);
    let [limit, remaining, _, retry] = limits_of(&r);
    assert_eq!((limit, remaining), (Some(5), Some(0)));
    assert!(retry.is_some_and(|s| (1..=60).contains(&s)), "{retry:?}");
    let body: Value = r.json().expect("envelope");
    assert_error(&(429, body), 429, "rate_limited");
    assert_eq!(me(&b).status().as_u16(), 200, "another token goes on");
    // An answer without a token reports the address's standing.
    let r = http
        .get(format!("{}/healthz", app.base))
        .send()
        .expect("healthz");
    assert_eq!(limits_of(&r)[0], Some(200));

    // Guessing tokens: three failures are answered 401, the fourth blocks the address.
    for i in 0..4 {
        assert_eq!(
            me(&format!("guess-{i}-0c6e2a8d4f1b3957")).status().as_u16(),
            401
        );
    }
    let r = me(&b);
    assert_eq!(
        r.status().as_u16(),
        429,
        "the address is blocked, valid token or not"
    );
    assert!(limits_of(&r)[3].is_some(), "Retry-After");
}

#[test]
fn sqlite_rate_limits_per_token_and_per_address_with_failed_authentications() {
    rate_limits(Backend::Sqlite);
}

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "PostgreSQL was not reachable when the tests were built"
)]
fn postgres_rate_limits_per_token_and_per_address_with_failed_authentications() {
    rate_limits(Backend::Postgres);
}
