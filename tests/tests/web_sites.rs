//! The storage-site and ledger pages on SQLite and PostgreSQL (issues 18 and 13): who may open them (a teacher of
//! another school gets 404, a lab teacher without the officer's role 403), hostile form input re-shows the form
//! with the field marked and writes nothing, a site's sign goes outdated when the site is edited, the
//! self-inspection checklist records a finding that shows until followed up, a container is moved from its page,
//! and the ledger downloads parse.

use serde_json::{Value, json};
use waste_e2e::browser::Browser;
use waste_e2e::{TestApp, both_backends, count};

/// A user of `org` with `roles`, signed in through the one-time link, reading the pages in Chinese; and the
/// user's API token.
fn person(app: &TestApp, org: &str, roles: &[&str], login: &str) -> (Browser, String) {
    let (b, token) = Browser::user(app, org, roles, login);
    (b.language("zh-CN"), token)
}

fn school(app: &TestApp, n: u32) -> String {
    waste_e2e::org(app, "school", n, "220102", json!({}))
}

fn officer(app: &TestApp, n: u32) -> (String, Browser, String) {
    let s = school(app, n);
    let (b, token) = person(
        app,
        &s,
        &["lab_staff", "safety_officer"],
        &format!("officer{n}"),
    );
    (s, b, token)
}

fn new_site<'a>(name: &'a str, containment: &'a str, zones: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("kind", "storage_point"),
        ("name", name),
        ("location", "实验楼 B-104"),
        ("responsible", "王老师"),
        ("contact", "138-0000-0000"),
        ("containment_liters", containment),
        ("zones", zones),
    ]
}

fn sites_in(app: &TestApp, org: &str) -> i64 {
    count(
        app,
        &format!("SELECT COUNT(*) AS n FROM storage_sites WHERE organization_id = '{org}'"),
    )
}

/// Registers a site through the form; returns its id.
fn create_site(b: &mut Browser, zones: &str) -> String {
    let r = b.submit("/sites", &new_site("化学贮存点", "100", zones));
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
        .strip_prefix("/sites/")
        .expect("site location")
        .to_owned()
}

fn container(app: &TestApp, token: &str) -> String {
    let r = app.post(
        "/api/v1/containers",
        token,
        json!({"lab": "B-304", "capacity_liters": "20", "material": "hdpe", "contact": "张老师 138-0000-0000"}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let id = r.1["id"].as_str().expect("id").to_owned();
    let add = app.post(
        &format!("/api/v1/containers/{id}/additions"),
        token,
        json!({"waste": {"form": "liquid", "origin": "experiment_residue", "components": [{"name": "hydrochloric acid", "fraction": "0.1"}, {"name": "water", "fraction": "0.9"}]}, "quantity": "2", "unit": "L"}),
    );
    assert_eq!(add.0, 201, "{}", add.1);
    id
}

fn who_may_open_the_site_pages(app: &TestApp) {
    let (_, mut a, _) = officer(app, 701);
    let id = create_site(&mut a, "");
    let page = a.get(&format!("/sites/{id}"));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("化学贮存点"));
    // GB 18597-2023 8.3.5 shown with its figures, the sign never printed and no inspection on the site's to-do.
    assert!(page.body.contains("3000 kg"), "{}", page.body);
    assert!(page.body.contains("标志尚未打印张贴"));
    assert!(page.body.contains("从未自查"));
    let list = a.get("/sites");
    assert_eq!(list.status, 200);
    assert!(list.body.contains(&format!("/sites/{id}")));
    // The school's to-do names the site that is not signed or inspected.
    let todo = a.get("/school");
    assert_eq!(todo.status, 200);
    assert!(todo.body.contains(&format!("/sites/{id}")), "{}", todo.body);
    // An officer of another school: not found, for the page, its edit form, its sign and its forms.
    let (_, mut b, _) = officer(app, 702);
    for path in [
        format!("/sites/{id}"),
        format!("/sites/{id}/edit"),
        format!("/sites/{id}/sign?type=facility"),
        format!("/sites/{id}/sign.svg?type=facility"),
    ] {
        assert_eq!(b.get(&path).status, 404, "{path}");
    }
    let r = b.submit(&format!("/sites/{id}/edit"), &new_site("被改了", "1", ""));
    assert_eq!(r.status, 404);
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) AS n FROM storage_sites WHERE name = '被改了'"
        ),
        0
    );
    assert!(!b.get("/sites").body.contains(&id));
    // A lab teacher without the officer's role: refused.
    let s = school(app, 703);
    let (mut t, _) = person(app, &s, &["lab_staff"], "teacher703");
    assert_eq!(t.get("/sites").status, 403);
    assert_eq!(t.get(&format!("/sites/{id}")).status, 403);
    assert_eq!(t.get("/ledger").status, 403);
}

fn hostile_site_forms_are_reshown_and_write_nothing(app: &TestApp) {
    let (org, mut a, _) = officer(app, 711);
    for (fields, bad) in [
        (new_site("", "100", ""), "name"),
        (new_site("点", "-5", ""), "containment_liters"),
        (new_site("点", "1e999", ""), "containment_liters"),
        (new_site("点", "100", "A, A"), "zones"),
        (
            vec![
                ("kind", "volcano"),
                ("name", "点"),
                ("location", "x"),
                ("responsible", "x"),
                ("contact", "x"),
            ],
            "kind",
        ),
    ] {
        let r = a.submit("/sites", &fields);
        assert_eq!(r.status, 422, "{fields:?}: {}", r.body);
        assert!(r.marked(bad), "{bad} is marked: {}", r.body);
        assert_eq!(sites_in(app, &org), 0, "{fields:?}");
    }
    // User text is escaped when the form is re-shown.
    let r = a.submit("/sites", &new_site("<script>alert(1)</script>", "-1", ""));
    assert_eq!(r.status, 422);
    assert!(!r.body.contains("<script>alert(1)"));
    assert!(
        r.body.contains("&#60;script&#62;alert(1)") || r.body.contains("&lt;script&gt;alert(1)"),
        "{}",
        r.body
    );
    // Without the CSRF token: refused, nothing written.
    let r = a.post("/sites", &new_site("点", "100", ""));
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(sites_in(app, &org), 0);
    // Editing: a hostile value re-shows the edit form and changes nothing.
    let id = create_site(&mut a, "");
    let r = a.submit(&format!("/sites/{id}/edit"), &new_site("新名字", "abc", ""));
    assert_eq!(r.status, 422);
    assert!(r.marked("containment_liters"), "{}", r.body);
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) AS n FROM storage_sites WHERE name = '新名字'"
        ),
        0
    );
}

/// HJ 1276-2022: the facility sign printed and posted is current until the site is edited; the edit makes it
/// outdated (its content digest changed).
fn editing_a_site_outdates_its_printed_sign_hj1276_2022(app: &TestApp) {
    let (_, mut a, token) = officer(app, 721);
    let id = create_site(&mut a, "");
    let sign = a.get(&format!("/sites/{id}/sign?type=facility"));
    assert_eq!(sign.status, 200, "{}", sign.body);
    let digest = sign.input("digest");
    let svg = a.get(&format!("/sites/{id}/sign.svg?type=facility"));
    assert_eq!(svg.status, 200);
    assert!(svg.body.contains("mm\""), "true size in millimetres");
    assert!(svg.body.contains(&digest));
    let r = a.submit(
        &format!("/sites/{id}/signs"),
        &[("type", "facility"), ("zone", ""), ("digest", &digest)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = a.get(&format!("/sites/{id}"));
    assert!(page.body.contains("已张贴，为最新"), "{}", page.body);
    // Edit through the form: the responsible person changes.
    let mut fields = new_site("化学贮存点", "100", "");
    fields[3] = ("responsible", "李老师");
    let r = a.submit(&format!("/sites/{id}/edit"), &fields);
    assert_eq!(r.status, 303, "{}", r.body);
    let page = a.get(&format!("/sites/{id}"));
    assert!(page.body.contains("李老师"));
    assert!(page.body.contains("已过期，需重新打印"), "{}", page.body);
    assert_eq!(
        count(
            app,
            &format!(
                "SELECT COUNT(*) AS n FROM events WHERE aggregate = 'site:{id}' AND kind = 'edited'"
            )
        ),
        1
    );
    // The API: PATCH changes a field; a zone that holds a container cannot be removed.
    let (st, v) = call(
        app,
        "PATCH",
        &format!("/api/v1/storage-sites/{id}"),
        &token,
        json!({"zones": ["A", "B"]}),
    );
    assert_eq!(st, 200, "{v}");
    let c = container(app, &token);
    let m = app.post(
        &format!("/api/v1/containers/{c}/move"),
        &token,
        json!({"site_id": id, "zone": "B"}),
    );
    assert_eq!(m.0, 200, "{}", m.1);
    let (st, v) = call(
        app,
        "PATCH",
        &format!("/api/v1/storage-sites/{id}"),
        &token,
        json!({"zones": ["A"]}),
    );
    assert_eq!(st, 409, "{v}");
    assert_eq!(v["error"]["code"], "zone_in_use");
    let (st, v) = call(
        app,
        "PATCH",
        &format!("/api/v1/storage-sites/{id}"),
        &token,
        json!({"containment_liters": "x"}),
    );
    assert_eq!(st, 422, "{v}");
    let (st, v) = call(
        app,
        "PATCH",
        &format!("/api/v1/storage-sites/{id}"),
        &token,
        json!({"colour": "red"}),
    );
    assert!(st == 400 || st == 422, "{st} {v}");
    let (_, site) = app.get(&format!("/api/v1/storage-sites/{id}"), &token);
    assert_eq!(site["zones"], json!(["A", "B"]));
    assert_eq!(site["containment_liters"], "100");
}

fn call(app: &TestApp, method: &str, path: &str, token: &str, body: Value) -> (u16, Value) {
    app.call(method, path, Some(token), Some(&body))
}

/// GB 18597-2023 8.2.2: the checklist needs every answer; a "no" with its note is a finding that shows until its
/// follow-up is recorded.
fn the_inspection_form_records_a_finding_until_followed_up_gb18597_8_2_2(app: &TestApp) {
    let (_, mut a, _) = officer(app, 731);
    let id = create_site(&mut a, "");
    let page = a.get(&format!("/sites/{id}"));
    let items: Vec<String> = page
        .body
        .split("name=\"ok.")
        .skip(1)
        .filter_map(|s| s.split('"').next().map(str::to_owned))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(items.len() >= 3, "{items:?}");
    let today = page.input("inspected_on");
    let inspections = || {
        count(
            app,
            &format!("SELECT COUNT(*) AS n FROM site_inspections WHERE site_id = '{id}'"),
        )
    };
    // One question unanswered: re-shown with that question marked, nothing recorded.
    let keys: Vec<String> = items.iter().map(|k| format!("ok.{k}")).collect();
    let mut fields: Vec<(&str, &str)> = vec![("inspected_on", &today), ("inspector", "王老师")];
    for k in keys.iter().skip(1) {
        fields.push((k, "yes"));
    }
    let r = a.submit(&format!("/sites/{id}/inspections"), &fields);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("fieldset class=\"question bad\""),
        "{}",
        r.body
    );
    assert_eq!(inspections(), 0);
    // A date in the future is refused by the rule, nothing recorded.
    let mut all: Vec<(&str, &str)> = vec![("inspected_on", "2999-01-01")];
    for k in &keys {
        all.push((k, "yes"));
    }
    assert_eq!(
        a.submit(&format!("/sites/{id}/inspections"), &all).status,
        422
    );
    assert_eq!(inspections(), 0);
    // The first item fails with a note: recorded with a finding.
    let note_key = format!("note.{}", items[0]);
    let mut ok: Vec<(&str, &str)> = vec![
        ("inspected_on", &today),
        (&keys[0], "no"),
        (&note_key, "托盘破损"),
    ];
    for k in keys.iter().skip(1) {
        ok.push((k, "yes"));
    }
    let r = a.submit(&format!("/sites/{id}/inspections"), &ok);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(inspections(), 1);
    let page = a.get(&format!("/sites/{id}"));
    assert!(page.body.contains("托盘破损"), "{}", page.body);
    let finding = page
        .body
        .split("/findings/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .expect("a follow-up form")
        .to_owned();
    let path = format!("/sites/{id}/findings/{finding}/follow-up");
    let r = a.submit(&path, &[("done_on", &today), ("action", "")]);
    assert_eq!(r.status, 422);
    assert!(r.marked("action"), "{}", r.body);
    let r = a.submit(&path, &[("done_on", &today), ("action", "更换托盘")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!a.get(&format!("/sites/{id}")).body.contains("托盘破损"));
}

fn a_container_is_moved_from_its_page(app: &TestApp) {
    let (_, mut a, token) = officer(app, 741);
    let id = create_site(&mut a, "A 酸, B 碱");
    let c = container(app, &token);
    let page = a.get(&format!("/c/{c}"));
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!("value=\"{id}|A 酸\"")),
        "{}",
        page.body
    );
    let target = format!("{id}|A 酸");
    let r = a.submit(&format!("/c/{c}/move"), &[("target", &target)]);
    assert_eq!(r.status, 303, "{}", r.body);
    let (_, site) = app.get(&format!("/api/v1/storage-sites/{id}"), &token);
    assert_eq!(site["containers"][0]["id"], c.as_str(), "{site}");
    assert_eq!(site["containers"][0]["zone"], "A 酸");
    // A zone the site does not have: refused, the container stays where it is.
    let bad = format!("{id}|Z");
    let r = a.submit(&format!("/c/{c}/move"), &[("target", &bad)]);
    assert_eq!(r.status, 422, "{}", r.body);
    let (_, site) = app.get(&format!("/api/v1/storage-sites/{id}"), &token);
    assert_eq!(site["containers"][0]["zone"], "A 酸");
    // Another school's officer cannot move it.
    let (_, mut b, _) = officer(app, 742);
    assert_eq!(
        b.submit(&format!("/c/{c}/move"), &[("target", &target)])
            .status,
        404
    );
}

/// HJ 1259-2022: the ledger page shows the records of the period, and its CSV, XLSX and JSON downloads parse.
fn the_ledger_page_downloads_parse_hj1259_2022(app: &TestApp) {
    let (_, mut a, token) = officer(app, 751);
    container(app, &token);
    let page = a.get("/ledger");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("HWCS"),
        "the generation record: {}",
        page.body
    );
    assert!(page.body.contains("登记管理"), "the management class");
    // A hostile period: re-shown with the field marked.
    let bad = a.get("/ledger?from=2026-13-45");
    assert_eq!(bad.status, 422);
    assert!(bad.marked("from"), "{}", bad.body);
    let bad = a.get("/ledger?from=2026-12-01&to=2026-01-01");
    assert_eq!(bad.status, 422);
    assert!(bad.marked("to"));
    assert_eq!(a.get("/ledger/download?format=exe").status, 422);
    assert_eq!(a.get("/ledger/download?format=csv&from=x").status, 422);
    // JSON, CSV and XLSX hold the same records (at least the generation record).
    let json = a.get("/ledger/download?format=json");
    assert_eq!(json.status, 200);
    let v: Value = serde_json::from_slice(&json.bytes).expect("json");
    let n = v["records"].as_array().map(Vec::len).unwrap_or(0);
    assert!(n >= 1, "{v}");
    let csv = a.get("/ledger/download?format=csv");
    assert_eq!(csv.status, 200);
    assert!(
        csv.headers["content-disposition"]
            .to_str()
            .is_ok_and(|d| d.contains(".csv"))
    );
    let text = csv.body.trim_start_matches('\u{feff}');
    let mut rows = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let records: Vec<csv::StringRecord> = rows.records().map(|r| r.expect("csv row")).collect();
    assert_eq!(records.len(), n, "{text}");
    assert!(
        records
            .iter()
            .any(|r| r.iter().any(|f| f.starts_with("HWCS"))),
        "{text}"
    );
    let xlsx = a.get("/ledger/download?format=xlsx");
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.bytes.starts_with(b"PK"), "a zip file");
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes)).expect("workbook");
    use calamine::Reader;
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("range");
    assert_eq!(
        sheet.rows().count(),
        n + 1,
        "the heading and the same records"
    );
    // The annual report downloads as XLSX.
    let year = app.today().year();
    let annual = a.get(&format!("/ledger/annual?year={year}&format=xlsx"));
    assert_eq!(annual.status, 200);
    assert!(annual.bytes.starts_with(b"PK"));
    assert_eq!(a.get("/ledger/annual?year=19&format=csv").status, 422);
    // Another school's ledger shows none of these records.
    let (_, mut b, _) = officer(app, 752);
    let other = b.get("/ledger/download?format=json");
    let v: Value = serde_json::from_slice(&other.bytes).expect("json");
    assert_eq!(v["records"].as_array().map(Vec::len), Some(0), "{v}");
}

both_backends! {
    who_may_open_the_site_pages => who_may_open_the_site_pages;
    hostile_site_forms_are_reshown_and_write_nothing => hostile_site_forms_are_reshown_and_write_nothing;
    editing_a_site_outdates_its_printed_sign_hj1276_2022 => editing_a_site_outdates_its_printed_sign_hj1276_2022;
    the_inspection_form_records_a_finding_until_followed_up_gb18597_8_2_2 => the_inspection_form_records_a_finding_until_followed_up_gb18597_8_2_2;
    a_container_is_moved_from_its_page => a_container_is_moved_from_its_page;
    the_ledger_page_downloads_parse_hj1259_2022 => the_ledger_page_downloads_parse_hj1259_2022;
}
