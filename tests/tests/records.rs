//! Records the law asks for, end to end on SQLite and PostgreSQL: the HJ 1259-2022 ledger after a whole chain
//! (exact records and batch codes), its CSV and XLSX downloads read back, a formula-looking lab name
//! neutralised, the annual report, the management class changing at 10 t and 100 t (HJ 1259-2022 4.2.1).

use serde_json::{Value, json};
use waste_e2e::world::{self, World};
use waste_e2e::{ADMIN_TOKEN, TestApp, assert_error, both_backends, org};

/// Every party of a shipment (the shared world), with the station's contract with the firm.
fn world(app: &TestApp, base: u32) -> World {
    let w = world::world(app, base);
    world::contract(app, &w.station, &w.firm, &["900-047-49"]);
    w
}

/// A sealed container of cyanide waste liquid in lab `lab`: 5 L declared at the bench.
fn sealed_container(app: &TestApp, w: &World, lab: &str) -> String {
    let r = app.post(
        "/api/v1/containers",
        &w.staff,
        json!({"lab": lab, "capacity_liters": "20", "material": "hdpe", "contact": "王老师 138"}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let id = r.1["id"].as_str().expect("id").to_owned();
    let r = world::add(app, &w.staff, &id, world::cyanide(), "5");
    assert_eq!(r.0, 201, "{}", r.1);
    let r = app.post(
        &format!("/api/v1/containers/{id}/seal"),
        &w.staff,
        json!({}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    id
}

/// Pickup (6.2 kg gross), manifest, submit, dispatch, receipt (6.1 kg), disposal by D10.
fn whole_chain(app: &TestApp, w: &World, id: &str) -> String {
    let r = world::pickup(app, w, &[id]);
    assert_eq!(r.0, 201, "{}", r.1);
    let m = world::manifest(app, w, &[id]);
    let steps = [
        (&w.operator, "submit", json!({})),
        (&w.driver, "dispatch", json!({"container_ids": [id]})),
        (
            &w.receiver,
            "receive",
            json!({"lines": [{"container_id": id, "received_weight_kg": "6.1", "accepted": true}]}),
        ),
        (&w.receiver, "confirm-disposal", json!({"method": "D10"})),
    ];
    for (token, action, body) in steps {
        let r = world::act(app, token, &m, action, body);
        assert_eq!(r.0, 200, "{action}: {}", r.1);
    }
    // Numbered at submission.
    app.get(&format!("/api/v1/manifests/{m}"), &w.operator).1["number"]
        .as_str()
        .expect("number")
        .to_owned()
}

/// Today's local date in China (UTC+8) as the batch codes carry it.
fn local_day() -> String {
    let d = (time::OffsetDateTime::now_utc() + time::Duration::hours(8)).date();
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A download: status, content type and the raw bytes.
fn download(app: &TestApp, path: &str, token: &str) -> (u16, String, Vec<u8>) {
    let resp = reqwest::blocking::Client::new()
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .expect("request sent");
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, ct, resp.bytes().expect("body").to_vec())
}

fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("UTF-8 BOM");
    let mut r = csv::Reader::from_reader(body);
    let headers = r
        .headers()
        .expect("headers")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = r
        .records()
        .map(|x| x.expect("csv row").iter().map(str::to_owned).collect())
        .collect();
    (headers, rows)
}

/// The first sheet of an XLSX, every cell as text (numbers as the shortest decimal).
fn xlsx_rows(bytes: Vec<u8>) -> (Vec<String>, Vec<Vec<String>>) {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("XLSX opens");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("sheet");
    let text = |c: &Data| match c {
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => format!("{other}"),
    };
    let mut rows = range.rows().map(|r| r.iter().map(text).collect::<Vec<_>>());
    let headers = rows.next().expect("header row");
    (headers, rows.collect())
}

fn column(headers: &[String], en: &str) -> usize {
    headers
        .iter()
        .position(|h| h.ends_with(&format!("({en})")))
        .unwrap_or_else(|| panic!("no column {en} in {headers:?}"))
}

fn ledger_json(app: &TestApp, token: &str, org: &str) -> Vec<Value> {
    let (s, v) = app.get(&format!("/api/v1/ledger?organization_id={org}"), token);
    assert_eq!(s, 200, "{v}");
    v["records"].as_array().expect("records").clone()
}

fn ledger_after_a_whole_chain(app: &TestApp) {
    let w = world(app, 300);
    let day = local_day();
    let c = sealed_container(app, &w, "B-304");
    let number = whole_chain(app, &w, &c);
    if day != local_day() {
        eprintln!("the local date changed during the test: batch-code dates not compared");
        return;
    }

    // The school's ledger: generation, into storage at the seal, out of storage at the pickup (HJ 1259-2022
    // 6.2–6.3, Appendix B), and nothing else.
    let school = ledger_json(app, &w.officer, &w.school);
    let got: Vec<(&str, &str)> = school
        .iter()
        .map(|r| {
            (
                r["stage"].as_str().unwrap_or(""),
                r["batch_code"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("generation", format!("HWCS{day}001").as_str()),
            ("storage_in", format!("HWRK{day}001").as_str()),
            ("storage_out", format!("HWCK{day}001").as_str()),
        ]
    );
    assert!(school.iter().all(|r| r["container_id"] == c.as_str()));
    // Tonnes with the recorded figure beside them: 5 L at the density setting, then the weighed 6.2 kg.
    assert_eq!(school[0]["amount"]["tonnes"], "0.005");
    assert_eq!(
        school[0]["amount"]["original"],
        json!([{"quantity": "5", "unit": "L"}])
    );
    assert!(
        school[0]["amount"]["conversion"]
            .as_str()
            .unwrap_or("")
            .contains("UNCONFIRMED")
    );
    assert_eq!(school[2]["amount"]["tonnes"], "0.0062");
    assert_eq!(school[1]["previous_batch"], format!("HWCS{day}001"));
    assert_eq!(school[2]["counterparty"]["id"], w.station.as_str());

    // The station's: into its storage at the pickup, out at dispatch, disposed of off site with the receiver's
    // type, name and licence number.
    let station = ledger_json(app, &w.operator, &w.station);
    let got: Vec<(&str, &str)> = station
        .iter()
        .map(|r| {
            (
                r["stage"].as_str().unwrap_or(""),
                r["batch_code"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("storage_in", format!("HWRK{day}001").as_str()),
            ("storage_out", format!("HWCK{day}001").as_str()),
            ("offsite_disposal", format!("HWWWCZ{day}001").as_str()),
        ]
    );
    let offsite = &station[2];
    assert_eq!(offsite["counterparty"]["kind"], "disposal_firm");
    assert_eq!(offsite["counterparty"]["licence_number"], "JL-HW-001");
    assert_eq!(offsite["manifest_number"], number.as_str());
    assert_eq!(offsite["method"], "D10");
    assert_eq!(offsite["amount"]["tonnes"], "0.0061");
    assert_eq!(offsite["previous_batch"], format!("HWCK{day}001"));
    assert_eq!(offsite["back_filled"], false);

    // CSV: parses, bilingual headings, the same records.
    let (s, ct, bytes) = download(
        app,
        &format!("/api/v1/ledger?organization_id={}&format=csv", w.station),
        &w.operator,
    );
    assert_eq!(s, 200);
    assert!(ct.starts_with("text/csv"), "{ct}");
    let (headers, rows) = csv_rows(&bytes);
    assert_eq!(headers[1], "批次编码 (batch code)");
    let codes: Vec<&str> = rows
        .iter()
        .map(|r| r[column(&headers, "batch code")].as_str())
        .collect();
    let expected: Vec<&str> = station
        .iter()
        .map(|r| r["batch_code"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(codes, expected);
    assert_eq!(rows[2][column(&headers, "licence number")], "JL-HW-001");
    assert_eq!(rows[2][column(&headers, "quantity (t)")], "0.0061");

    // XLSX: opens, with the same headings and rows as the CSV.
    let (s, ct, bytes) = download(
        app,
        &format!("/api/v1/ledger?organization_id={}&format=xlsx", w.station),
        &w.operator,
    );
    assert_eq!(s, 200);
    assert!(ct.contains("spreadsheetml"), "{ct}");
    let (xh, xrows) = xlsx_rows(bytes);
    assert_eq!(xh, headers);
    assert_eq!(xrows, rows);

    // A period: the day itself holds all three, the next day none.
    let today = format!("{}-{}-{}", &day[..4], &day[4..6], &day[6..]);
    let (_, v) = app.get(
        &format!(
            "/api/v1/ledger?organization_id={}&from={today}&to={today}",
            w.station
        ),
        &w.operator,
    );
    assert_eq!(v["records"].as_array().map(Vec::len), Some(3));
    let (_, v) = app.get(
        &format!(
            "/api/v1/ledger?organization_id={}&from=2099-01-01",
            w.station
        ),
        &w.operator,
    );
    assert_eq!(v["records"].as_array().map(Vec::len), Some(0));

    // The annual report sums the ledger: the station disposed of 0.0061 t with the firm's licence on record.
    let year = &day[..4];
    let (s, r) = app.get(
        &format!(
            "/api/v1/reports/annual?organization_id={}&year={year}",
            w.station
        ),
        &w.operator,
    );
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["by_code"][0]["code"], "900-047-49");
    assert_eq!(r["by_code"][0]["disposed_t"], "0.0061");
    assert_eq!(r["by_code"][0]["shipped_t"], "0.0062");
    assert_eq!(r["receivers"][0]["receiver"]["licence_number"], "JL-HW-001");
    assert_eq!(r["manifests"][0]["number"], number.as_str());
    let (s, r) = app.get(
        &format!(
            "/api/v1/reports/annual?organization_id={}&year={year}",
            w.school
        ),
        &w.officer,
    );
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["by_code"][0]["generated_t"], "0.005");
    assert_eq!(r["by_code"][0]["in_storage_at_year_end_t"], "0");
    let (s, ct, bytes) = download(
        app,
        &format!(
            "/api/v1/reports/annual?organization_id={}&year={year}&format=csv&table=manifests",
            w.station
        ),
        &w.operator,
    );
    assert_eq!((s, ct.starts_with("text/csv")), (200, true));
    let (h, rows) = csv_rows(&bytes);
    assert_eq!(rows[0][column(&h, "manifest number")], number);
    let (s, _, bytes) = download(
        app,
        &format!(
            "/api/v1/reports/annual?organization_id={}&year={year}&format=xlsx",
            w.station
        ),
        &w.operator,
    );
    assert_eq!(s, 200);
    let book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("XLSX opens");
    assert_eq!(calamine::Reader::sheet_names(&book).len(), 3);
}

fn access_and_bad_queries(app: &TestApp) {
    let w = world(app, 320);
    // Lab staff have no records role; another organisation's officer is told nothing exists.
    assert_error(
        &app.get(
            &format!("/api/v1/ledger?organization_id={}", w.school),
            &w.staff,
        ),
        403,
        "forbidden",
    );
    assert_error(
        &app.get(
            &format!("/api/v1/ledger?organization_id={}", w.school),
            &w.operator,
        ),
        404,
        "not_found",
    );
    assert_error(
        &app.get(
            &format!("/api/v1/organizations/{}/management-class", w.school),
            &w.driver,
        ),
        404,
        "not_found",
    );
    assert_error(
        &app.get(
            &format!(
                "/api/v1/reports/annual?organization_id={}&year=2026",
                w.firm
            ),
            &w.officer,
        ),
        404,
        "not_found",
    );
    assert_error(
        &app.call("GET", "/api/v1/ledger", None, None),
        401,
        "unauthenticated",
    );
    // The caller's own organisation by default; the administrator may read any.
    assert_eq!(app.get("/api/v1/ledger", &w.officer).0, 200);
    assert_eq!(
        app.get(
            &format!("/api/v1/ledger?organization_id={}", w.station),
            ADMIN_TOKEN
        )
        .0,
        200
    );
    assert_error(
        &app.get("/api/v1/ledger?organization_id=nope", ADMIN_TOKEN),
        404,
        "not_found",
    );
    // Bad input is a 422 naming the field.
    let bad = app.get("/api/v1/ledger?format=pdf", &w.officer);
    assert_error(&bad, 422, "invalid_input");
    assert_eq!(bad.1["error"]["details"]["field"], "format");
    assert_error(
        &app.get("/api/v1/ledger?from=2026-13-01", &w.officer),
        422,
        "invalid_input",
    );
    assert_error(
        &app.get("/api/v1/ledger?from=2026-05-02&to=2026-05-01", &w.officer),
        422,
        "invalid_input",
    );
    assert_error(
        &app.get("/api/v1/ledger?colour=red", &w.officer),
        422,
        "invalid_input",
    );
    assert_error(
        &app.get("/api/v1/reports/annual?year=1066", &w.officer),
        422,
        "invalid_input",
    );
    assert_error(
        &app.get(
            "/api/v1/reports/annual?year=2026&format=csv&table=x",
            &w.officer,
        ),
        422,
        "invalid_input",
    );
    assert_error(
        &app.get("/api/v1/reports/annual", &w.officer),
        422,
        "invalid_input",
    );
}

fn formula_looking_lab_name_is_neutralised(app: &TestApp) {
    let w = world(app, 340);
    let lab = "=HYPERLINK(\"http://x.invalid\",\"open\")";
    sealed_container(app, &w, lab);
    // JSON keeps the text as entered.
    let records = ledger_json(app, &w.officer, &w.school);
    assert_eq!(records[0]["lab"], lab);
    // CSV and XLSX start it with an apostrophe, so no spreadsheet runs it.
    let (_, _, bytes) = download(
        app,
        &format!("/api/v1/ledger?organization_id={}&format=csv", w.school),
        &w.officer,
    );
    let (h, rows) = csv_rows(&bytes);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][column(&h, "lab")], format!("'{lab}"));
    let (_, _, bytes) = download(
        app,
        &format!("/api/v1/ledger?organization_id={}&format=xlsx", w.school),
        &w.officer,
    );
    let (xh, xrows) = xlsx_rows(bytes);
    assert_eq!(xrows[0][column(&xh, "lab")], format!("'{lab}"));
    assert_eq!(xrows, rows);
}

/// Generates `kg` of contaminated solid consumables in containers of 2000 L (at most 1800 kg each: the 0.9 solid
/// fill limit at 1 kg/L); each is sealed and collected by the station at once, so the school never holds more
/// than the 3 t a storage point may (GB 18597-2023 8.3.5).
fn generate(app: &TestApp, w: &World, mut kg: u32) {
    while kg > 0 {
        let now = kg.min(1800);
        let r = app.post(
            "/api/v1/containers",
            &w.staff,
            json!({"lab": "B-1", "capacity_liters": "2000", "material": "hdpe"}),
        );
        assert_eq!(r.0, 201, "{}", r.1);
        let id = r.1["id"].as_str().expect("id").to_owned();
        let r = app.post(&format!("/api/v1/containers/{id}/additions"), &w.staff, json!({"waste": {"form": "solid", "origin": "contaminated_consumables", "components": [{"name": "potassium cyanide", "fraction": "0.001"}]}, "quantity": now.to_string(), "unit": "kg"}));
        assert_eq!(r.0, 201, "{}", r.1);
        let r = app.post(
            &format!("/api/v1/containers/{id}/seal"),
            &w.staff,
            json!({}),
        );
        assert_eq!(r.0, 200, "{}", r.1);
        let r = world::collect(
            app,
            &w.staff,
            &w.operator,
            json!({"school_id": w.school, "containers": [{"container_id": id, "gross_weight_kg": format!("{}", now + 20)}]}),
        );
        assert_eq!(r.0, 201, "{}", r.1);
        kg -= now;
    }
}

fn class_of(app: &TestApp, w: &World) -> Value {
    let (s, v) = app.get(
        &format!("/api/v1/organizations/{}/management-class", w.school),
        &w.officer,
    );
    assert_eq!(s, 200, "{v}");
    v
}

fn management_class_changes_at_10_t_and_100_t(app: &TestApp) {
    // HJ 1259-2022 4.2.1: 登记管理 under 10 t a year, 简化管理 from 10 t, 重点监管 from 100 t; a site under a
    // year old with no permit figure is judged on what its ledger holds (4.2.3).
    let w = world(app, 360);
    generate(app, &w, 9_999);
    let v = class_of(app, &w);
    assert_eq!(v["decision"]["class"], "registration", "{v}");
    assert_eq!(v["decision"]["annual_amount_t"], "9.999");
    assert_eq!(v["decision"]["basis"]["rule"], "recorded_so_far");
    assert_eq!(v["decision"]["citation"], "HJ 1259-2022 4.2.1");
    let calendar = v["calendar"].as_array().expect("calendar");
    assert!(
        calendar
            .iter()
            .all(|d| d["filing"] == "annual_plan" || d["filing"] == "annual_declaration"),
        "{v}"
    );
    assert!(
        calendar
            .iter()
            .all(|d| d["due"].as_str().is_some_and(|s| s.ends_with("-03-31"))),
        "{v}"
    );
    generate(app, &w, 1);
    let v = class_of(app, &w);
    assert_eq!(
        (
            v["decision"]["class"].as_str(),
            v["decision"]["annual_amount_t"].as_str()
        ),
        (Some("simplified"), Some("10")),
        "{v}"
    );
    assert!(
        v["calendar"]
            .as_array()
            .expect("calendar")
            .iter()
            .any(|d| d["filing"] == "quarterly_declaration")
    );
    generate(app, &w, 89_999);
    assert_eq!(class_of(app, &w)["decision"]["class"], "simplified");
    generate(app, &w, 1);
    let v = class_of(app, &w);
    assert_eq!(
        (
            v["decision"]["class"].as_str(),
            v["decision"]["class_zh"].as_str()
        ),
        (Some("key"), Some("重点监管")),
        "{v}"
    );
    assert_eq!(
        v["calendar"]
            .as_array()
            .expect("calendar")
            .iter()
            .filter(|d| d["filing"] == "monthly_declaration")
            .count(),
        24,
        "two years of monthly declarations"
    );
    // A licensed station is key whatever its tonnage.
    let licensed = org(
        app,
        "transfer_station",
        370,
        "220104",
        json!({"license": {"number": "JL-HW-9", "waste_codes": ["900-047-49"], "valid_until": "2099-12-31"}}),
    );
    let (_, v) = app.get(
        &format!("/api/v1/organizations/{licensed}/management-class"),
        ADMIN_TOKEN,
    );
    assert_eq!(v["decision"]["class"], "key", "{v}");
}

fn nothing_of_the_records_can_be_deleted(app: &TestApp) {
    // HJ 1259-2022 6.4 (ledger kept 5 years) and Transfer Measures Art.20 (manifest data kept 10 years): no
    // endpoint removes or rewrites what the ledger is derived from.
    let (s, doc) = app.call("GET", "/openapi.json", None, None);
    assert_eq!(s, 200);
    let paths = doc["paths"].as_object().expect("paths");
    let guarded = [
        "/api/v1/containers",
        "/api/v1/manifests",
        "/api/v1/pickups",
        "/api/v1/ledger",
        "/api/v1/reports",
        "/api/v1/audit",
    ];
    for (path, ops) in paths {
        if guarded.iter().any(|g| path.starts_with(g)) {
            for method in ["delete", "put", "patch"] {
                assert!(
                    ops.get(method).is_none(),
                    "{method} {path} would alter the records"
                );
            }
        }
    }
    assert!(
        paths.contains_key("/api/v1/ledger"),
        "the ledger is documented"
    );
    let w = world(app, 380);
    let c = sealed_container(app, &w, "B-304");
    whole_chain(app, &w, &c);
    let before = ledger_json(app, &w.operator, &w.station);
    let (_, list) = app.get("/api/v1/manifests", &w.operator);
    let m = list["items"][0]["id"]
        .as_str()
        .expect("manifest id")
        .to_owned();
    let tables = [
        "containers",
        "additions",
        "events",
        "pickups",
        "pickup_lines",
        "manifests",
        "manifest_lines",
    ];
    let counts = |app: &TestApp| -> Vec<i64> {
        tables
            .iter()
            .map(|t| waste_e2e::count(app, &format!("SELECT COUNT(*) AS n FROM {t}")))
            .collect()
    };
    let rows = counts(app);
    for path in [
        format!("/api/v1/manifests/{m}"),
        format!("/api/v1/manifests/{m}/events"),
        format!("/api/v1/containers/{c}"),
        format!("/api/v1/containers/{c}/events"),
        "/api/v1/ledger".to_owned(),
    ] {
        for method in ["DELETE", "PUT", "PATCH"] {
            let (s, _) = app.call(method, &path, Some(ADMIN_TOKEN), Some(&json!({})));
            assert!(s == 404 || s == 405, "{method} {path} answered {s}");
        }
    }
    assert_eq!(counts(app), rows);
    assert_eq!(ledger_json(app, &w.operator, &w.station), before);
}

fn paper(
    app: &TestApp,
    w: &World,
    number: &str,
    id: &str,
    on: &str,
    disposed: bool,
) -> (u16, Value) {
    let mut body = json!({"number": number, "receiver_id": w.firm, "carrier_id": w.carrier, "dispatched_on": on, "received_on": on,
        "lines": [{"container_id": id, "shipped_weight_kg": "6.2", "received_weight_kg": "6.1", "accepted": true}]});
    if disposed {
        body["disposed_on"] = json!(on);
        body["method"] = json!("D10");
    }
    app.post("/api/v1/paper-manifests", &w.operator, body)
}

fn paper_manifest_is_back_filled_with_an_alert_when_late(app: &TestApp) {
    // Transfer Measures Art.20: a manifest run on paper is entered afterwards with its real dates, back-filled,
    // within 10 working days of its completion.
    let w = world(app, 400);
    let a = sealed_container(app, &w, "B-304");
    let b = sealed_container(app, &w, "B-304");
    let r = world::pickup(app, &w, &[&a, &b]);
    assert_eq!(r.0, 201, "{}", r.1);
    let collected = ledger_json(app, &w.operator, &w.station);
    let day = collected[0]["date"].as_str().expect("date").to_owned();
    let compact = day.replace('-', "");
    let manifests = |app: &TestApp| waste_e2e::count(app, "SELECT COUNT(*) AS n FROM manifests");

    // Refusals first: each names its field and leaves nothing behind.
    let before = manifests(app);
    let mut bad = json!({"number": "20262201990001", "receiver_id": w.firm, "carrier_id": w.carrier, "dispatched_on": "2020-01-01", "received_on": "2020-01-01",
        "lines": [{"container_id": a, "shipped_weight_kg": "6.2", "received_weight_kg": "6.1", "accepted": true}]});
    let r = app.post("/api/v1/paper-manifests", &w.operator, bad.clone());
    assert_error(&r, 422, "invalid_input");
    assert_eq!(
        r.1["error"]["details"]["field"], "dispatched_on",
        "before the pickup: {}",
        r.1
    );
    bad["dispatched_on"] = json!(day);
    bad["received_on"] = json!("2020-01-01");
    let r = app.post("/api/v1/paper-manifests", &w.operator, bad.clone());
    assert_eq!(r.1["error"]["details"]["field"], "received_on", "{}", r.1);
    bad["received_on"] = json!(day);
    bad["disposed_on"] = json!(day);
    let r = app.post("/api/v1/paper-manifests", &w.operator, bad.clone());
    assert_eq!(r.1["error"]["details"]["field"], "method", "{}", r.1);
    bad["method"] = json!("D10");
    bad["lines"][0]["accepted"] = json!(false);
    let r = app.post("/api/v1/paper-manifests", &w.operator, bad.clone());
    assert_error(&r, 422, "invalid_input");
    bad["number"] = json!("12345");
    assert_eq!(
        app.post("/api/v1/paper-manifests", &w.operator, bad.clone())
            .1["error"]["details"]["field"],
        "number"
    );
    assert_error(
        &app.post("/api/v1/paper-manifests", &w.staff, bad),
        403,
        "forbidden",
    );
    assert_eq!(manifests(app), before);

    // Entered the day it happened: disposed of, not late.
    let r = paper(app, &w, "20262201990001", &b, &day, true);
    assert_eq!(r.0, 201, "{}", r.1);
    assert_eq!(
        (r.1["status"].as_str(), r.1["back_filled"].as_bool()),
        (Some("disposed"), Some(true)),
        "{}",
        r.1
    );
    assert_eq!(r.1["paper_entry"]["late"], false);
    assert!(r.1["alert"].is_null());
    assert_error(
        &paper(app, &w, "20262201990001", &a, &day, false),
        409,
        "manifest_number_taken",
    );
    assert_error(
        &paper(app, &w, "20262201990002", &b, &day, false),
        404,
        "not_found",
    );

    // Entered 30 days later: recorded, and flagged.
    app.advance_days(30);
    let r = paper(app, &w, "20262201990002", &a, &day, false);
    assert_eq!(r.0, 201, "{}", r.1);
    assert_eq!(r.1["status"], "received");
    assert_eq!(r.1["paper_entry"]["late"], true, "{}", r.1);
    assert!(
        r.1["alert"]
            .as_str()
            .is_some_and(|s| s.contains("Transfer Measures Art.20")),
        "{}",
        r.1
    );
    let held = format!(
        "SELECT COUNT(*) AS n FROM containers WHERE id = '{a}' AND status = 'received' AND custodian_id = '{}'",
        w.firm
    );
    assert_eq!(
        waste_e2e::count(app, &held),
        1,
        "custody passed to the firm"
    );

    // The ledger carries the real dates, marked back-filled; the serials follow the order of entry.
    let l = ledger_json(app, &w.operator, &w.station);
    let back: Vec<(&str, &str, &str, bool)> = l
        .iter()
        .filter(|r| r["back_filled"] == true)
        .map(|r| {
            (
                r["container_id"].as_str().unwrap_or(""),
                r["stage"].as_str().unwrap_or(""),
                r["batch_code"].as_str().unwrap_or(""),
                r["date"] == day.as_str(),
            )
        })
        .collect();
    let (hwck1, hwck2, cz) = (
        format!("HWCK{compact}001"),
        format!("HWCK{compact}002"),
        format!("HWWWCZ{compact}001"),
    );
    let mut expected = vec![
        (b.as_str(), "storage_out", hwck1.as_str(), true),
        (b.as_str(), "offsite_disposal", cz.as_str(), true),
        (a.as_str(), "storage_out", hwck2.as_str(), true),
    ];
    let mut back = back;
    back.sort();
    expected.sort();
    assert_eq!(back, expected);
    assert_eq!(
        waste_e2e::count(app, "SELECT COUNT(*) AS n FROM paper_entries WHERE late"),
        1
    );
    let (s, v) = app.get("/api/v1/audit/verify", ADMIN_TOKEN);
    assert_eq!((s, &v["ok"]), (200, &json!(true)), "{v}");
}

both_backends! {
    paper_manifest_is_back_filled_with_an_alert_when_late => paper_manifest_is_back_filled_with_an_alert_when_late;
    nothing_of_the_records_can_be_deleted => nothing_of_the_records_can_be_deleted;
    ledger_after_a_whole_chain => ledger_after_a_whole_chain;
    records_access_and_bad_queries => access_and_bad_queries;
    formula_looking_lab_name_is_neutralised => formula_looking_lab_name_is_neutralised;
    management_class_changes_at_10_t_and_100_t => management_class_changes_at_10_t_and_100_t;
}
