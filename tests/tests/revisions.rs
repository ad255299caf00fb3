//! Corrections of a signed manifest (Transfer Measures Art.29; issue 15, item 3) end to end on SQLite and
//! PostgreSQL: a party proposes, each other party that signed approves or refuses, the last approval applies it;
//! the original entries stay in the chain and the audit verifies after each step.

use diesel::RunQueryDsl;
use serde_json::{Value, json};
use waste_e2e::browser::Browser;
use waste_e2e::world::{self, World, act, contract, manifest, pickup, sealed_container};
use waste_e2e::{ADMIN_TOKEN, TestApp, assert_error, both_backends, count, user};

/// A manifest of two containers (a, b) of `w`, received by the firm: a at 6.150 kg, b at 5.100 kg.
fn received(app: &TestApp, base: u32) -> (World, String, String, String) {
    let w = world::world(app, base);
    let a = sealed_container(app, &w);
    let b = sealed_container(app, &w);
    let (s, p) = pickup(app, &w, &[&a, &b]);
    assert_eq!(s, 201, "{p}");
    let m = manifest(app, &w, &[&a, &b]);
    contract(app, &w.station, &w.firm, &["900-047-49", "900-999-49"]);
    let r = act(app, &w.operator, &m, "submit", json!({}));
    assert_eq!(r.0, 200, "{}", r.1);
    let r = act(
        app,
        &w.driver,
        &m,
        "dispatch",
        json!({"container_ids": [a, b]}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    let r = act(
        app,
        &w.receiver,
        &m,
        "receive",
        json!({"lines": [
            {"container_id": a, "received_weight_kg": "6.150", "accepted": true},
            {"container_id": b, "received_weight_kg": "5.100", "accepted": true}
        ]}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    (w, m, a, b)
}

fn propose(app: &TestApp, token: &str, m: &str, body: Value) -> (u16, Value) {
    app.post(&format!("/api/v1/manifests/{m}/revisions"), token, body)
}

fn decide(app: &TestApp, token: &str, r: &str, verdict: &str, body: Value) -> (u16, Value) {
    app.post(&format!("/api/v1/revisions/{r}/{verdict}"), token, body)
}

/// The audit of every chain passes.
fn audit_ok(app: &TestApp) {
    let (s, v) = app.get("/api/v1/audit/verify", ADMIN_TOKEN);
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["ok"], true, "{v}");
}

fn line<'a>(m: &'a Value, cid: &str) -> &'a Value {
    m["lines"]
        .as_array()
        .and_then(|ls| ls.iter().find(|l| l["container_id"] == cid))
        .expect("line")
}

fn kinds(app: &TestApp, token: &str, m: &str) -> Vec<String> {
    let (s, v) = app.get(&format!("/api/v1/manifests/{m}/events"), token);
    assert_eq!(s, 200, "{v}");
    v["events"]
        .as_array()
        .or_else(|| v["items"].as_array())
        .or_else(|| v.as_array())
        .expect("events")
        .iter()
        .filter_map(|e| e["kind"].as_str().map(str::to_owned))
        .collect()
}

fn weight_corrected_after_receipt_with_both_approvals(app: &TestApp) {
    let (w, m, a, _) = received(app, 700);
    let get = |token: &str| {
        let (s, v) = app.get(&format!("/api/v1/manifests/{m}"), token);
        assert_eq!(s, 200, "{v}");
        v
    };
    let before = get(&w.operator);
    assert_eq!(line(&before, &a)["received_weight_kg"], "6.15");
    assert_eq!(line(&before, &a)["weighings"]["flagged"], false, "{before}");
    // The firm mistyped a's received weight: it proposes 4.000 kg.
    let (s, r) = propose(
        app,
        &w.receiver,
        &m,
        json!({"lines": [{"container_id": a, "received_weight_kg": "4.000"}], "reason": "mistyped on the scale sheet"}),
    );
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["status"], "pending");
    assert_eq!(r["needed"], json!(["shipper", "carrier"]));
    assert_eq!(r["proposed_as"], json!(["receiver"]));
    assert_eq!(
        r["changes"],
        json!([{"container_id": a, "field": "received_weight_kg", "old": "6.15", "new": "4"}])
    );
    let rid = r["id"].as_str().expect("id").to_owned();
    // Pending changes nothing yet; the chain verifies.
    assert_eq!(line(&get(&w.driver), &a)["received_weight_kg"], "6.15");
    audit_ok(app);
    // The proposer does not approve its own; one revision at a time.
    assert_error(
        &decide(app, &w.receiver, &rid, "approve", json!({})),
        403,
        "forbidden",
    );
    assert_error(
        &propose(
            app,
            &w.operator,
            &m,
            json!({"lines": [{"container_id": a, "shipped_weight_kg": "6.0"}], "reason": "r"}),
        ),
        409,
        "revision_pending",
    );
    // The shipper approves (an empty body is an approval without a note): still pending.
    let (s, v) = app.call(
        "POST",
        &format!("/api/v1/revisions/{rid}/approve"),
        Some(w.operator.as_str()),
        None,
    );
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "pending");
    assert_eq!(v["decisions"][0]["party"], "shipper");
    assert_eq!(line(&get(&w.operator), &a)["received_weight_kg"], "6.15");
    assert_error(
        &decide(app, &w.operator, &rid, "approve", json!({})),
        409,
        "revision_already_approved",
    );
    audit_ok(app);
    // The carrier approves last: applied.
    let (s, v) = decide(app, &w.driver, &rid, "approve", json!({"note": "agreed"}));
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "applied");
    assert!(v["closed_at"].is_string(), "{v}");
    let after = get(&w.receiver);
    assert_eq!(line(&after, &a)["received_weight_kg"], "4");
    // The corrected weight is reconciled again: 4 kg against 6.2 kg shipped is a discrepancy, and the three
    // weighings read the corrected weight.
    assert_eq!(line(&after, &a)["discrepancy"], true, "{after}");
    assert_eq!(line(&after, &a)["weighings"]["flagged"], true, "{after}");
    // The original stays in the chain: the receipt event, then the proposal, two approvals and the application.
    let k = kinds(app, &w.operator, &m);
    let tail: Vec<&str> = k.iter().rev().take(4).rev().map(String::as_str).collect();
    assert_eq!(
        tail,
        [
            "revision_proposed",
            "revision_approved",
            "revision_approved",
            "revision_applied"
        ]
    );
    assert!(k.iter().any(|x| x == "receive"), "{k:?}");
    audit_ok(app);
    // The history, with names and roles.
    let (s, list) = app.get(&format!("/api/v1/manifests/{m}/revisions"), &w.driver);
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    let d = &list["items"][0]["decisions"];
    assert_eq!(d.as_array().map(Vec::len), Some(2), "{list}");
    assert_eq!(d[1]["party"], "carrier");
    assert_eq!(d[1]["by"]["roles"], json!(["driver"]));
    assert_eq!(d[1]["note"], "agreed");
    // The printed manifest shows the revision history.
    let (s, html) = app.call(
        "GET",
        &format!("/api/v1/manifests/{m}/print"),
        Some(w.operator.as_str()),
        None,
    );
    assert_eq!(s, 200);
    let html = html.as_str().expect("html");
    assert!(html.contains("更正记录 Revisions"), "{html}");
    assert!(html.contains("6.15 → 4"), "{html}");
    assert!(html.contains("mistyped on the scale sheet"), "{html}");
    // Closed: no more decisions.
    assert_error(
        &decide(app, &w.operator, &rid, "refuse", json!({"reason": "late"})),
        409,
        "revision_closed",
    );
    // Tampering with a corrected line behind the service is still found by the audit.
    let mut c = app.db();
    diesel::sql_query(format!(
        "UPDATE manifest_lines SET received_weight_kg = '6.15' WHERE container_id = '{a}'"
    ))
    .execute(&mut *c)
    .expect("update");
    let (_, v) = app.get("/api/v1/audit/verify", ADMIN_TOKEN);
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["broken"]["field"], "received_weight_kg", "{v}");
}

fn a_refused_revision_changes_nothing(app: &TestApp) {
    let (w, m, a, b) = received(app, 710);
    let get = || app.get(&format!("/api/v1/manifests/{m}"), &w.operator).1;
    let before = get();
    let (s, r) = propose(
        app,
        &w.operator,
        &m,
        json!({"lines": [
            {"container_id": a, "shipped_weight_kg": "6.0"},
            {"container_id": b, "code": "900-999-49"}
        ], "reason": "wrong code on the label"}),
    );
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["needed"], json!(["carrier", "receiver"]));
    let rid = r["id"].as_str().expect("id").to_owned();
    // The firm approves, the carrier refuses (a refusal gives its reason).
    assert_eq!(decide(app, &w.receiver, &rid, "approve", json!({})).0, 200);
    assert_error(
        &decide(app, &w.driver, &rid, "refuse", json!({"reason": " "})),
        422,
        "invalid_input",
    );
    let (s, v) = decide(
        app,
        &w.driver,
        &rid,
        "refuse",
        json!({"reason": "the label was right"}),
    );
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "refused");
    assert_eq!(get()["lines"], before["lines"], "nothing changed");
    assert_eq!(get()["status"], "received");
    assert_eq!(
        count(
            app,
            &format!(
                "SELECT COUNT(*) AS n FROM manifest_lines WHERE manifest_id = '{m}' AND code = '900-999-49'"
            )
        ),
        0
    );
    assert_error(
        &decide(app, &w.receiver, &rid, "approve", json!({})),
        409,
        "revision_closed",
    );
    let k = kinds(app, &w.operator, &m);
    assert_eq!(
        k.last().map(String::as_str),
        Some("revision_refused"),
        "{k:?}"
    );
    assert!(!k.iter().any(|x| x == "revision_applied"), "{k:?}");
    audit_ok(app);
    // Closed, it no longer blocks the next proposal.
    let (s, v) = propose(
        app,
        &w.operator,
        &m,
        json!({"lines": [{"container_id": a, "shipped_weight_kg": "6.0"}], "reason": "scale recalibrated"}),
    );
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["seq"], 2);
    audit_ok(app);
}

fn a_revision_by_a_non_party_is_refused(app: &TestApp) {
    let (w, m, a, _) = received(app, 720);
    let other = world::world(app, 730);
    let body = json!({"lines": [{"container_id": a, "received_weight_kg": "5"}], "reason": "r"});
    // Another station, another firm, and the school (not a party: the station shipped) see no such manifest.
    for token in [&other.operator, &other.receiver, &w.staff, &w.officer] {
        assert_error(&propose(app, token, &m, body.clone()), 404, "not_found");
    }
    // A user of a party whose role does not sign for it.
    let station_staff = user(app, &w.station, &["lab_staff"], world::TRAINED);
    assert_error(
        &propose(app, &station_staff, &m, body.clone()),
        403,
        "forbidden",
    );
    assert_eq!(
        count(app, "SELECT COUNT(*) AS n FROM manifest_revisions"),
        0
    );
    // Bad proposals of a party: each refused, nothing written.
    let cases = [
        (
            json!({"lines": [{"container_id": a, "received_weight_kg": "6.150"}], "reason": "r"}),
            409,
            "revision_without_change",
        ),
        (
            json!({"lines": [{"container_id": a, "received_weight_kg": "5"}], "reason": "  "}),
            422,
            "invalid_input",
        ),
        (
            json!({"lines": [{"container_id": a, "code": "900-000-49"}], "reason": "r"}),
            422,
            "invalid_input",
        ),
        (
            json!({"lines": [{"container_id": a, "code": "9000-49"}], "reason": "r"}),
            422,
            "invalid_input",
        ),
        (
            json!({"lines": [{"container_id": "nope", "received_weight_kg": "5"}], "reason": "r"}),
            422,
            "invalid_input",
        ),
        (
            json!({"lines": [{"container_id": a, "received_weight_kg": "-1"}], "reason": "r"}),
            422,
            "invalid_input",
        ),
        (
            json!({"disposal_method": "D10", "reason": "r"}),
            409,
            "revision_not_allowed",
        ),
        (
            json!({"disposal_method": "X9", "reason": "r"}),
            422,
            "invalid_input",
        ),
    ];
    for (body, status, code) in cases {
        let got = propose(app, &w.receiver, &m, body.clone());
        assert_error(&got, status, code);
        if status == 422 {
            assert!(
                got.1["error"]["details"]["field"].is_string(),
                "{body}: {}",
                got.1
            );
        }
    }
    assert_eq!(
        count(app, "SELECT COUNT(*) AS n FROM manifest_revisions"),
        0
    );
    // A non-party cannot decide a party's revision either, nor read the history.
    let (s, r) = propose(app, &w.receiver, &m, body);
    assert_eq!(s, 201, "{r}");
    let rid = r["id"].as_str().expect("id").to_owned();
    assert_error(
        &decide(app, &other.driver, &rid, "approve", json!({})),
        404,
        "not_found",
    );
    assert_error(
        &app.get(&format!("/api/v1/manifests/{m}/revisions"), &other.operator),
        404,
        "not_found",
    );
    assert_eq!(
        count(app, "SELECT COUNT(*) AS n FROM revision_decisions"),
        0
    );
    audit_ok(app);
}

/// After disposal the firm corrects the disposal method; the manifest reads the corrected one.
fn disposal_method_corrected_after_disposal(app: &TestApp) {
    let (w, m, _, _) = received(app, 740);
    let r = act(
        app,
        &w.receiver,
        &m,
        "confirm-disposal",
        json!({"method": "D10"}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    let (s, v) = propose(
        app,
        &w.receiver,
        &m,
        json!({"disposal_method": "R2", "reason": "solvent was recovered"}),
    );
    assert_eq!(s, 201, "{v}");
    let rid = v["id"].as_str().expect("id").to_owned();
    for token in [&w.operator, &w.driver] {
        let (s, v) = decide(app, token, &rid, "approve", json!({}));
        assert_eq!(s, 200, "{v}");
    }
    let (_, v) = app.get(&format!("/api/v1/manifests/{m}"), &w.operator);
    assert_eq!(v["disposal_method"], "R2", "{v}");
    assert_eq!(v["status"], "disposed");
    audit_ok(app);
}

/// The manifest page: a party proposes through the form as shown (only what was changed counts), a party whose
/// approval is awaited approves, another refuses with a reason; the proposer is offered neither; the printed
/// manifest shows the history.
fn revisions_on_the_manifest_page(app: &TestApp) {
    let (w, m, a, _) = received(app, 750);
    let number = app.get(&format!("/api/v1/manifests/{m}"), &w.operator).1["number"]
        .as_str()
        .expect("number")
        .to_owned();
    let page_of = format!("/m/{number}");
    let (mut firm, _) = Browser::user(app, &w.firm, &["disposal_operator"], "fm750");
    let page = firm.get(&page_of);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("propose-revision"), "{}", page.body);
    let csrf = page.input("csrf");
    let mut form: Vec<(String, String)> = vec![("csrf".into(), csrf)];
    for i in 0..2 {
        let cid = page.input(&format!("cid_{i}"));
        let received = if cid == a {
            "6.0".to_owned()
        } else {
            page.input(&format!("received_{i}"))
        };
        form.push((format!("cid_{i}"), cid));
        form.push((format!("shipped_{i}"), page.input(&format!("shipped_{i}"))));
        form.push((format!("received_{i}"), received));
        form.push((format!("code_{i}"), page.input(&format!("code_{i}"))));
    }
    form.push(("reason".into(), "称重单抄错 <b>x</b>".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = firm.post(&format!("{page_of}/revisions"), &pairs);
    assert_eq!(r.status, 303, "{}", r.body);
    let (_, list) = app.get(&format!("/api/v1/manifests/{m}/revisions"), &w.operator);
    let rev = &list["items"][0];
    assert_eq!(rev["status"], "pending", "{list}");
    assert_eq!(
        rev["changes"],
        json!([{"container_id": a, "field": "received_weight_kg", "old": "6.15", "new": "6"}])
    );
    // The proposer is offered no decision; the reason is escaped.
    let page = firm.get(&page_of);
    assert!(!page.body.contains("approve-revision"), "{}", page.body);
    assert!(
        page.body.contains("称重单抄错 &#60;b&#62;x"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<b>x</b>"), "{}", page.body);
    assert!(
        !page.body.contains("propose-revision\""),
        "one pending at a time"
    );
    // The station approves through its form.
    let (mut station, _) = Browser::user(app, &w.station, &["station_operator"], "op750");
    let page = station.get(&page_of);
    assert!(page.body.contains("approve-revision"), "{}", page.body);
    let rid = rev["id"].as_str().expect("id");
    let csrf = page.input("csrf");
    let r = station.post(
        &format!("{page_of}/revisions/{rid}/approve"),
        &[("csrf", &csrf)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    // The carrier refuses: without a reason the page says why (422), with one the revision closes.
    let (mut driver, _) = Browser::user(app, &w.carrier, &["driver"], "dr750");
    let csrf = driver.get(&page_of).input("csrf");
    let r = driver.post(
        &format!("{page_of}/revisions/{rid}/refuse"),
        &[("csrf", &csrf), ("reason", "")],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    let r = driver.post(
        &format!("{page_of}/revisions/{rid}/refuse"),
        &[("csrf", &csrf), ("reason", "重量无误")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let (_, v) = app.get(&format!("/api/v1/manifests/{m}"), &w.operator);
    assert_eq!(
        line(&v, &a)["received_weight_kg"],
        "6.15",
        "refused: unchanged"
    );
    // A form without its CSRF token writes nothing.
    let r = firm.post(&format!("{page_of}/revisions"), &pairs[1..]);
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(
        count(app, "SELECT COUNT(*) AS n FROM manifest_revisions"),
        1
    );
    let print = station.get(&format!("{page_of}/print"));
    assert!(print.body.contains("更正记录 Revisions"), "{}", print.body);
    assert!(print.body.contains("拒绝 Refused"), "{}", print.body);
    audit_ok(app);
}

both_backends! {
    revisions_on_the_manifest_page => revisions_on_the_manifest_page;
    weight_corrected_after_receipt => weight_corrected_after_receipt_with_both_approvals;
    refused_revision_changes_nothing => a_refused_revision_changes_nothing;
    non_party_revision_refused => a_revision_by_a_non_party_is_refused;
    disposal_method_corrected => disposal_method_corrected_after_disposal;
}
