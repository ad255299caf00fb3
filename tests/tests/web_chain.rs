//! The custody chain's pages on SQLite and PostgreSQL, driven like a browser without JavaScript: the station's
//! stock and draft (licence and contract coverage shown, a refusal inline), the manifest page and its steps
//! (submit, dispatch by scanning every container — a missing one blocks loading, Transfer Measures Art.13 —,
//! receive one accepted and one rejected, confirm disposal), the roadside link (read-only, 30 minutes), the
//! printed manifest (A4, bilingual, QR of the number, parties, licence, signatures), and the bureau's schools,
//! CSV, school view and chain check. Each page's access is checked from the wrong organisation and role.

use serde_json::json;
use waste_e2e::browser::Browser;
use waste_e2e::world::{self, World};
use waste_e2e::{ADMIN_TOKEN, TestApp, both_backends, count, org};

/// The world with a contract for the station, two sealed containers collected by the station, and a browser
/// per party: station operator, driver, disposal operator.
struct Chain {
    w: World,
    ids: Vec<String>,
    digital: Vec<String>,
    station: Browser,
    driver: Browser,
    firm: Browser,
}

fn digital_id(app: &TestApp, token: &str, id: &str) -> String {
    let r = app.get(&format!("/api/v1/containers/{id}"), token);
    assert_eq!(r.0, 200, "{}", r.1);
    r.1["label"]["digital_id"]
        .as_str()
        .expect("digital id")
        .to_owned()
}

fn chain(app: &TestApp, base: u32, contract: bool) -> Chain {
    let w = world::world(app, base);
    if contract {
        world::contract(app, &w.station, &w.firm, &["900-047-49"]);
    }
    let a = world::sealed_container(app, &w);
    let b = world::sealed_container(app, &w);
    let digital = vec![digital_id(app, &w.staff, &a), digital_id(app, &w.staff, &b)];
    let r = world::pickup(app, &w, &[&a, &b]);
    assert_eq!(r.0, 201, "{}", r.1);
    let (station, _) = Browser::user(app, &w.station, &["station_operator"], &format!("op{base}"));
    let (driver, _) = Browser::user(app, &w.carrier, &["driver"], &format!("dr{base}"));
    let (firm, _) = Browser::user(app, &w.firm, &["disposal_operator"], &format!("fm{base}"));
    Chain {
        w,
        ids: vec![a, b],
        digital,
        station,
        driver,
        firm,
    }
}

/// The station drafts through the form; returns the draft's key (its id: the number is drawn at submission).
fn draft(c: &mut Chain) -> String {
    let csrf = c.station.csrf();
    let r = c.station.post(
        "/manifests/new",
        &[
            ("csrf", csrf.as_str()),
            ("receiver_id", c.w.firm.as_str()),
            ("carrier_id", c.w.carrier.as_str()),
            ("c", c.ids[0].as_str()),
            ("c", c.ids[1].as_str()),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
        .strip_prefix("/m/")
        .expect("to the manifest page")
        .to_owned()
}

/// A column of the manifest a page addresses by its number or, while a draft, its id.
fn column_of(app: &TestApp, key: &str, column: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct S {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    use diesel::RunQueryDsl;
    let mut conn = app.db();
    diesel::sql_query(format!(
        "SELECT {column} AS value FROM manifests WHERE number = '{key}' OR id = '{key}'"
    ))
    .load::<S>(&mut *conn)
    .expect("query")
    .pop()
    .map(|s| s.value)
    .unwrap_or_default()
}

fn status_of(app: &TestApp, key: &str) -> String {
    column_of(app, key, "status")
}

fn station_stock_draft_and_submit(app: &TestApp) {
    let mut c = chain(app, 10, true);
    // Stock: both containers, with the station's clock.
    let stock = c.station.get("/stock");
    assert_eq!(stock.status, 200);
    assert!(stock.body.contains(&c.digital[0]) && stock.body.contains(&c.digital[1]));
    assert!(stock.body.contains("Held since"), "days held shown");
    // The draft form groups them by waste code and shows the firm's licence and the coverage once chosen.
    let form = c
        .station
        .get(&format!("/manifests/new?receiver_id={}", c.w.firm));
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("900-047-49"));
    assert!(form.body.contains("JL-HW-001"), "the firm's licence number");
    assert!(
        form.body.contains("A valid contract and the firm"),
        "coverage"
    );
    // Without the CSRF token nothing is drafted.
    let before = count(app, "SELECT COUNT(*) AS n FROM manifests");
    let r = c.station.post(
        "/manifests/new",
        &[
            ("receiver_id", c.w.firm.as_str()),
            ("carrier_id", c.w.carrier.as_str()),
            ("c", c.ids[0].as_str()),
        ],
    );
    assert_eq!(r.status, 403);
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM manifests"), before);
    // A carrier that is not a carrier: the form again with the use case's words, nothing drafted.
    let csrf = c.station.csrf();
    let r = c.station.post(
        "/manifests/new",
        &[
            ("csrf", csrf.as_str()),
            ("receiver_id", c.w.firm.as_str()),
            ("carrier_id", c.w.firm.as_str()),
            ("c", c.ids[0].as_str()),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("class=\"card refusal\"") && r.body.contains("must be a carrier"));
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM manifests"), before);
    // Drafted and submitted from the pages.
    let number = draft(&mut c);
    let page = c.station.get(&format!("/m/{number}"));
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("id=\"submit-manifest\""),
        "the shipper may submit"
    );
    assert!(
        page.body.contains(&format!("data-payload=\"{number}\"")),
        "the QR code of the number"
    );
    let csrf = c.station.csrf();
    let r = c.station.post(
        &format!("/m/{number}/step/submit"),
        &[("csrf", csrf.as_str())],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status_of(app, &number), "submitted");
    // Submission drew the number: the pages address the manifest by it from now on.
    let number = column_of(app, &number, "number");
    assert_eq!(number.len(), 14, "{number}");
    assert_eq!(r.location(), format!("/m/{number}?done=submit"));
    // The scan box opens the manifest by its number; the tabs count it under Following for the station.
    let scan = c.station.get(&format!("/scan?code={number}"));
    assert_eq!(scan.location(), format!("/m/{number}"));
    let tabs = c.station.get("/manifests?tab=following");
    assert!(tabs.body.contains(&number));
    // Another organisation's user does not see it; a lab teacher may not draft.
    let (mut teacher, _) = Browser::user(app, &c.w.school, &["lab_staff"], "teacher10");
    assert_eq!(teacher.get(&format!("/m/{number}")).status, 404);
    assert_eq!(teacher.get("/manifests/new").status, 403);
}

fn submit_without_a_contract_is_refused_inline(app: &TestApp) {
    let mut c = chain(app, 20, false);
    let form = c
        .station
        .get(&format!("/manifests/new?receiver_id={}", c.w.firm));
    assert!(
        form.body.contains("Not covered"),
        "coverage shown before submitting"
    );
    let number = draft(&mut c);
    let csrf = c.station.csrf();
    let r = c.station.post(
        &format!("/m/{number}/step/submit"),
        &[("csrf", csrf.as_str())],
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("class=\"card refusal\""));
    assert_eq!(status_of(app, &number), "draft", "nothing changed");
}

fn submitted(app: &TestApp, base: u32) -> (Chain, String) {
    let mut c = chain(app, base, true);
    let number = draft(&mut c);
    let csrf = c.station.csrf();
    let r = c.station.post(
        &format!("/m/{number}/step/submit"),
        &[("csrf", csrf.as_str())],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let number = column_of(app, &number, "number");
    (c, number)
}

fn dispatch_scans_every_container_and_the_roadside_link(app: &TestApp) {
    let (mut c, number) = submitted(app, 30);
    let list = c.driver.get("/manifests?tab=act");
    assert!(list.body.contains(&number), "to collect");
    let page = c.driver.get(&format!("/m/{number}"));
    assert!(page.body.contains("id=\"dispatch-form\""));
    // One container scanned: a missing container blocks loading (Art.13), nothing changes.
    let csrf = c.driver.csrf();
    let r = c.driver.post(
        &format!("/m/{number}/step/dispatch"),
        &[("csrf", csrf.as_str()), ("codes", c.digital[0].as_str())],
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("class=\"card refusal\""));
    assert_eq!(status_of(app, &number), "submitted");
    // Every container scanned (one per line, as a scanner gun types them).
    let codes = format!("{}\n{}", c.digital[0], c.digital[1]);
    let r = c.driver.post(
        &format!("/m/{number}/step/dispatch"),
        &[("csrf", csrf.as_str()), ("codes", codes.as_str())],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status_of(app, &number), "in_transit");
    // The roadside link: shown once with its QR code, read-only without a session, for 30 minutes.
    let r = c.driver.post(
        &format!("/m/{number}/road-link"),
        &[("csrf", csrf.as_str())],
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.header("cache-control"), "no-store");
    let start = r.body.find("/r/wrl_").expect("the link");
    let path: String = r.body[start..]
        .chars()
        .take_while(|ch| ch.is_ascii_alphanumeric() || "/_".contains(*ch))
        .collect();
    let mut inspector = Browser::new(app);
    let seen = inspector.get(&path);
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert!(seen.body.contains(&number) && seen.body.contains(&c.digital[1]));
    // What a roadside inspector needs: the vehicle (Transfer Measures Art.11), the hazards in words, whom to call;
    // not the app's own buttons (no session).
    assert!(seen.body.contains("id=\"vehicle\"") && seen.body.contains(": toxicity"));
    assert!(seen.body.contains("id=\"emergency\""), "{}", seen.body);
    assert!(
        !seen.body.contains("id=\"scan-button\""),
        "no Scan button for a signed-out inspector"
    );
    assert!(
        !seen.body.contains("method=\"post\" action=\"/m/"),
        "read-only"
    );
    assert_eq!(inspector.get("/r/wrl_0000").status, 404);
    // The API issues links for the carrier; a disposal operator may not.
    let id = manifest_id(app, &number);
    let api = app.post(
        &format!("/api/v1/manifests/{id}/road-link"),
        &c.w.driver,
        json!({}),
    );
    assert_eq!(api.0, 201, "{}", api.1);
    assert!(
        api.1["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("/r/wrl_"))
    );
    let api = app.post(
        &format!("/api/v1/manifests/{id}/road-link"),
        &c.w.receiver,
        json!({}),
    );
    assert_eq!(api.0, 403, "{}", api.1);
    // 30 minutes later the link shows nothing.
    app.advance_minutes(31);
    assert_eq!(inspector.get(&path).status, 404);
}

fn manifest_id(app: &TestApp, number: &str) -> String {
    let r = app.get("/api/v1/manifests?limit=200", ADMIN_TOKEN);
    r.1["items"]
        .as_array()
        .and_then(|a| a.iter().find(|m| m["number"] == number))
        .and_then(|m| m["id"].as_str())
        .expect("manifest id")
        .to_owned()
}

fn dispatched(app: &TestApp, base: u32) -> (Chain, String) {
    let (mut c, number) = submitted(app, base);
    let csrf = c.driver.csrf();
    let codes = format!("{}\n{}", c.digital[0], c.digital[1]);
    let r = c.driver.post(
        &format!("/m/{number}/step/dispatch"),
        &[("csrf", csrf.as_str()), ("codes", codes.as_str())],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let number = column_of(app, &number, "number");
    (c, number)
}

fn firm_receives_one_accepted_one_rejected_and_disposes(app: &TestApp) {
    let (mut c, number) = dispatched(app, 40);
    let page = c.firm.get(&format!("/m/{number}"));
    assert!(page.body.contains("id=\"receive-form\""), "{}", page.body);
    let cid0 = page.input("cid_0");
    let cid1 = page.input("cid_1");
    let csrf = c.firm.csrf();
    // A rejection without a reason is refused (Art.18), nothing recorded.
    let r = c.firm.post(
        &format!("/m/{number}/step/receive"),
        &[
            ("csrf", csrf.as_str()),
            ("cid_0", cid0.as_str()),
            ("weight_0", "6.2"),
            ("verdict_0", "accept"),
            ("cid_1", cid1.as_str()),
            ("weight_1", "6.2"),
            ("verdict_1", "reject"),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(status_of(app, &number), "in_transit");
    // One accepted with a weight far from the shipped one (flagged), one rejected with its reason.
    let r = c.firm.post(
        &format!("/m/{number}/step/receive"),
        &[
            ("csrf", csrf.as_str()),
            ("cid_0", cid0.as_str()),
            ("weight_0", "9.9"),
            ("verdict_0", "accept"),
            ("cid_1", cid1.as_str()),
            ("weight_1", "6.2"),
            ("verdict_1", "reject"),
            ("reason_1", "包装破损 leaking"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status_of(app, &number), "received");
    let page = c.firm.get(&format!("/m/{number}"));
    assert!(
        page.body.contains("Weight differs"),
        "the difference is flagged"
    );
    assert!(page.body.contains("包装破损 leaking"));
    // The rejected container is back with the shipper (the station).
    let back = app.get(&format!("/api/v1/containers/{cid1}"), &c.w.operator);
    assert_eq!(back.0, 200);
    assert_eq!(back.1["status"], "returned");
    let tabs = c.station.get("/manifests?tab=returns");
    assert!(tabs.body.contains(&number), "the station's Returns tab");
    // Disposal: the operation is chosen from Basel Convention Annex IV, each code named.
    let page = c.firm.get(&format!("/m/{number}"));
    let offered = page.body.matches("<option value=\"D").count()
        + page.body.matches("<option value=\"R").count();
    assert_eq!(offered, 28, "D1–D15 and R1–R13");
    assert!(
        page.body.contains(">D10 Incineration on land<")
            && page.body.contains(">R2 Solvent reclamation/regeneration<")
    );
    // A malformed method code is refused, then D10 closes the manifest.
    let r = c.firm.post(
        &format!("/m/{number}/step/confirm-disposal"),
        &[("csrf", csrf.as_str()), ("method", "burn it")],
    );
    assert_eq!(r.status, 422);
    assert_eq!(status_of(app, &number), "received");
    let r = c.firm.post(
        &format!("/m/{number}/step/confirm-disposal"),
        &[("csrf", csrf.as_str()), ("method", "D10")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status_of(app, &number), "disposed");
    assert!(
        c.firm
            .get(&format!("/m/{number}"))
            .body
            .contains("D10 Incineration on land"),
        "the method with its name"
    );
    // The driver may not receive (not the receiver): the step is refused, not offered.
    let page = c.driver.get(&format!("/m/{number}"));
    assert!(!page.body.contains("id=\"receive-form\""));
}

fn printed_manifest(app: &TestApp) {
    let (mut c, number) = dispatched(app, 50);
    let doc = c.station.get(&format!("/m/{number}/print"));
    assert_eq!(doc.status, 200, "{}", doc.body);
    assert!(doc.body.contains("@page { size: A4"));
    assert!(doc.body.contains("危险废物转移联单") && doc.body.contains("transfer manifest"));
    assert!(
        doc.body.contains(&format!("data-payload=\"{number}\"")),
        "QR of the number"
    );
    assert!(doc.body.contains("JL-HW-001"), "licence");
    assert!(
        doc.body.contains(&waste_e2e::credit_code(51)),
        "the station's credit code"
    );
    assert!(
        doc.body.contains(&waste_e2e::credit_code(53)),
        "the firm's credit code"
    );
    assert!(
        doc.body.contains("运输 Dispatched") && doc.body.contains("用户 dr50"),
        "the driver's signature"
    );
    assert!(!doc.header("content-security-policy").contains("script-src"));
    assert_eq!(doc.body.matches("class=\"sheet\"").count(), 1);
    // The API's print, for a party; not for another school.
    let id = manifest_id(app, &number);
    let (s, body) = app.get(&format!("/api/v1/manifests/{id}/print"), &c.w.operator);
    assert_eq!(s, 200);
    assert!(body.as_str().is_some_and(|b| b.contains(&number)));
    let other = world::school(app, 59);
    let (s, body) = app.get(&format!("/api/v1/manifests/{id}/print"), &other.officer);
    assert_eq!(s, 404, "{body}");
    // Bulk: two manifests, one A4 sheet each.
    let (_, second) = submitted(app, 60);
    let both = c
        .station
        .get(&format!("/print/manifests?m={number}&m={second}"));
    // The second manifest is another station's: not visible to this one.
    assert_eq!(both.status, 404);
    let both = c
        .station
        .get(&format!("/print/manifests?m={number}&m={number}"));
    assert_eq!(both.body.matches("class=\"sheet\"").count(), 2);
    assert_eq!(c.station.get("/print/manifests").status, 422);
}

fn bureau_schools_csv_school_view_and_chain_check(app: &TestApp) {
    let (c, _) = dispatched(app, 70);
    let bureau = org(app, "authority", 75, "220100", json!({}));
    let (mut b, _) = Browser::user(app, &bureau, &["auditor"], "bureau70");
    let page = b.get("/bureau?sort=last_pickup");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(&format!("/bureau/s/{}", c.w.school)));
    assert!(
        page.body.contains(&app.today().to_string()),
        "the last pickup"
    );
    let csv = b.get("/bureau/schools.csv");
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.body.starts_with("school_id,name,"));
    assert!(csv.body.contains(&c.w.school));
    let school = b.get(&format!("/bureau/s/{}", c.w.school));
    assert_eq!(school.status, 200);
    assert!(school.body.contains("id=\"last-pickup\""));
    // The bureau reads the last audit an administrator ran (a run is administrators only).
    assert!(b.get("/bureau/audit").body.contains("id=\"chain-not-run\""));
    assert_eq!(app.get("/api/v1/audit/verify", ADMIN_TOKEN).0, 200);
    let audit = b.get("/bureau/audit");
    assert!(audit.body.contains("id=\"chain-intact\""), "{}", audit.body);
    // A school of another division is not shown; a lab teacher has no bureau pages.
    let far = org(app, "school", 76, "110101", json!({}));
    assert_eq!(b.get(&format!("/bureau/s/{far}")).status, 404);
    let (mut teacher, _) = Browser::user(app, &c.w.school, &["lab_staff"], "teacher70");
    assert_eq!(teacher.get("/bureau").status, 403);
    assert_eq!(teacher.get("/bureau/schools.csv").status, 403);
}

fn container_status(app: &TestApp, token: &str, id: &str) -> String {
    let r = app.get(&format!("/api/v1/containers/{id}"), token);
    r.1["status"].as_str().unwrap_or_default().to_owned()
}

fn request_schedule_and_collect_with_the_pin(app: &TestApp) {
    let w = world::world(app, 80);
    let a = world::sealed_container(app, &w);
    let b = world::sealed_container(app, &w);
    let (da, db) = (digital_id(app, &w.staff, &a), digital_id(app, &w.staff, &b));
    // The teacher asks, choosing the sealed containers, a window and a contact.
    let (mut teacher, _) = Browser::user(app, &w.school, &["lab_staff"], "teacher80");
    let form = teacher.get("/pickups/new");
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains(&da) && form.body.contains(&db));
    let (from, until) = (
        format!("{}T09:00", app.today() + time::Duration::days(1)),
        format!("{}T17:00", app.today() + time::Duration::days(7)),
    );
    let csrf = teacher.csrf();
    // A window that ends before it starts: the form again, nothing requested.
    let r = teacher.post(
        "/pickups/new",
        &[
            ("csrf", csrf.as_str()),
            ("c", da.as_str()),
            ("preferred_from", until.as_str()),
            ("preferred_until", from.as_str()),
            ("contact", "张老师"),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM pickup_requests"), 0);
    let r = teacher.post(
        "/pickups/new",
        &[
            ("csrf", csrf.as_str()),
            ("c", da.as_str()),
            ("c", db.as_str()),
            ("preferred_from", from.as_str()),
            ("preferred_until", until.as_str()),
            ("contact", "张老师 138-0000-0000"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    // The station sees it and schedules a slot.
    let (mut station, _) = Browser::user(app, &w.station, &["station_operator"], "op80");
    let list = station.get("/pickups");
    let start = list.body.find("id=\"r-").expect("the request") + 6;
    let rid: String = list.body[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let csrf_s = station.csrf();
    let r = station.post(
        &format!("/pickups/{rid}/schedule"),
        &[
            ("csrf", csrf_s.as_str()),
            ("slot_from", from.as_str()),
            ("slot_until", until.as_str()),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        teacher.get("/pickups").body.contains("Scheduled"),
        "the school follows its request"
    );
    // The officer sets a PIN; at the collection a wrong PIN is refused and nothing is collected.
    let (mut officer, _) = Browser::user(app, &w.school, &["safety_officer"], "officer80");
    let csrf_o = officer.csrf();
    let r = officer.post(
        "/pickups/pin",
        &[("csrf", csrf_o.as_str()), ("pin", "480215")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = station.get(&format!("/pickups/{rid}/collect"));
    assert_eq!(page.status, 200, "{}", page.body);
    let cid0 = page.input("cid_0");
    let cid1 = page.input("cid_1");
    let start = page
        .body
        .find("用户 officer80")
        .expect("the officer is offered");
    let before = &page.body[..start];
    let officer_id = before[before.rfind("value=\"").expect("option") + 7..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned();
    let lines = |pin: &'static str| {
        vec![
            ("csrf", csrf_s.clone()),
            ("cid_0", cid0.clone()),
            ("gross_0", "6.2".to_owned()),
            ("cid_1", cid1.clone()),
            ("refuse_1", "1".to_owned()),
            ("reason_1", "标签脱落 label missing".to_owned()),
            ("officer_id", officer_id.clone()),
            ("pin", pin.to_owned()),
        ]
    };
    let wrong = lines("999888");
    let r = station.post(
        &format!("/pickups/{rid}/collect"),
        &wrong
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(container_status(app, &w.staff, &a), "sealed");
    let right = lines("480215");
    let r = station.post(
        &format!("/pickups/{rid}/collect"),
        &right
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    // The first is the station's now; the refused one stays with the school.
    let taken = if cid0 == a { &a } else { &b };
    let kept = if cid0 == a { &b } else { &a };
    assert_eq!(container_status(app, &w.operator, taken), "picked_up");
    assert_eq!(container_status(app, &w.staff, kept), "sealed");
    assert!(
        station
            .get("/stock")
            .body
            .contains(if cid0 == a { &da } else { &db })
    );
}

/// Issue 12 item 4: "check coverage" posts the draft form (with its CSRF token in the body) and shows the draft
/// again with the coverage; no link or GET form of the page carries the token.
fn the_coverage_check_is_a_post_and_the_token_stays_out_of_urls(app: &TestApp) {
    let mut c = chain(app, 100, true);
    let form = c.station.get("/manifests/new");
    assert_eq!(form.status, 200, "{}", form.body);
    no_token_in_urls(&form.body);
    let csrf = c.station.csrf();
    let before = count(app, "SELECT COUNT(*) AS n FROM manifests");
    let r = c.station.post(
        "/manifests/new",
        &[
            ("csrf", csrf.as_str()),
            ("receiver_id", c.w.firm.as_str()),
            ("carrier_id", ""),
            ("c", c.ids[0].as_str()),
            ("check", "1"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("id=\"coverage\"") && r.body.contains("JL-HW-001"));
    assert!(r.body.contains("A valid contract and the firm"), "covered");
    no_token_in_urls(&r.body);
    assert_eq!(
        count(app, "SELECT COUNT(*) AS n FROM manifests"),
        before,
        "a check drafts nothing"
    );
    // Without the token the check is refused like any form.
    let r = c.station.post(
        "/manifests/new",
        &[("receiver_id", c.w.firm.as_str()), ("check", "1")],
    );
    assert_eq!(r.status, 403);
}

/// Every `href`, `action` and `formaction` of `body`, and every GET form, without the CSRF token.
fn no_token_in_urls(body: &str) {
    assert!(!body.contains("formmethod=\"get\""), "a GET submit button");
    for attr in ["href=\"", "action=\"", "formaction=\""] {
        for part in body.split(attr).skip(1) {
            let url = part.split('"').next().unwrap_or_default();
            assert!(!url.contains("csrf"), "{attr}{url}");
        }
    }
    for form in body.split("<form").skip(1) {
        let tag = form.split('>').next().unwrap_or_default();
        if !tag.contains("method=\"post\"") {
            let inner = form.split("</form>").next().unwrap_or_default();
            assert!(
                !inner.contains("name=\"csrf\""),
                "a GET form with the token: <form{tag}>"
            );
        }
    }
}

/// Issue 12 item 1: the firm rejects a container; the station hands it back from its stock page; the school's
/// to-do and the bureau's school view show it back with the school, with the firm's reason.
fn a_rejected_container_is_handed_back_from_the_stock_page(app: &TestApp) {
    let (mut c, number) = dispatched(app, 90);
    let page = c.firm.get(&format!("/m/{number}"));
    let (cid0, cid1) = (page.input("cid_0"), page.input("cid_1"));
    let csrf = c.firm.csrf();
    let r = c.firm.post(
        &format!("/m/{number}/step/receive"),
        &[
            ("csrf", csrf.as_str()),
            ("cid_0", cid0.as_str()),
            ("weight_0", "6.2"),
            ("verdict_0", "accept"),
            ("cid_1", cid1.as_str()),
            ("weight_1", "6.2"),
            ("verdict_1", "reject"),
            ("reason_1", "包装破损 <leaking>"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let key = digital_id(app, &c.w.operator, &cid1);
    // The school's to-do already says where it is: rejected, still with the station.
    let (mut officer, _) = Browser::user(app, &c.w.school, &["safety_officer"], "officer90");
    let todo = officer.get("/school");
    assert!(
        todo.body.contains("Still with the shipper"),
        "{}",
        todo.body
    );
    // The station's stock offers the button for the rejected container only.
    let stock = c.station.get("/stock");
    assert_eq!(stock.status, 200);
    assert!(
        stock
            .body
            .contains(&format!("action=\"/c/{key}/hand-back\""))
    );
    assert_eq!(stock.body.matches("/hand-back\"").count(), 1);
    assert!(stock.body.contains("Hand back to the school"));
    // Without the token nothing changes; the firm cannot hand it back.
    let r = c.station.post(&format!("/c/{key}/hand-back"), &[]);
    assert_eq!(r.status, 403);
    assert_eq!(container_status(app, &c.w.operator, &cid1), "returned");
    let csrf_f = c.firm.csrf();
    let r = c
        .firm
        .post(&format!("/c/{key}/hand-back"), &[("csrf", csrf_f.as_str())]);
    assert_eq!(r.status, 403, "{}", r.body);
    let csrf_s = c.station.csrf();
    let r = c
        .station
        .post(&format!("/c/{key}/hand-back"), &[("csrf", csrf_s.as_str())]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        r.location().starts_with("/stock?done=handed_back"),
        "{}",
        r.location()
    );
    let stock = c.station.get(&r.location());
    assert!(stock.body.contains("id=\"done\"") && !stock.body.contains(&key));
    assert_eq!(container_status(app, &c.w.staff, &cid1), "sealed");
    // The school's to-do: returned by the firm, with its reason (escaped), back with the school.
    let todo = officer.get("/school");
    assert!(todo.body.contains("id=\"returned\""), "{}", todo.body);
    assert!(
        todo.body.contains("Returned by disposal_firm 93"),
        "{}",
        todo.body
    );
    assert!(
        todo.body.contains("包装破损 &lt;leaking&gt;")
            || todo.body.contains("包装破损 &#60;leaking&#62;")
    );
    assert!(todo.body.contains("Back with the school since"));
    // The bureau's school view shows it back with the school.
    let bureau = org(app, "authority", 95, "220100", json!({}));
    let (mut b, _) = Browser::user(app, &bureau, &["auditor"], "bureau90");
    let view = b.get(&format!("/bureau/s/{}", c.w.school));
    assert_eq!(view.status, 200);
    assert!(
        view.body.contains("id=\"returned\"") && view.body.contains("Back with the school since")
    );
    assert!(view.body.contains(&key));
}

both_backends! {
    station_stock_draft_submit => station_stock_draft_and_submit;
    submit_refused_inline => submit_without_a_contract_is_refused_inline;
    dispatch_and_roadside_link => dispatch_scans_every_container_and_the_roadside_link;
    receive_and_dispose => firm_receives_one_accepted_one_rejected_and_disposes;
    print => printed_manifest;
    bureau => bureau_schools_csv_school_view_and_chain_check;
    request_and_collect_with_pin => request_schedule_and_collect_with_the_pin;
    coverage_check_is_a_post => the_coverage_check_is_a_post_and_the_token_stays_out_of_urls;
    hand_back_from_the_stock_page => a_rejected_container_is_handed_back_from_the_stock_page;
}
