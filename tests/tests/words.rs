//! Every page a person reaches speaks their language and their clock (issue 26), on SQLite and PostgreSQL.
//!
//! A world with every role and something in every state (open, sealed, collected, shipped, received and disposed
//! containers, a pickup request, a draft and a closed manifest, a storage site with an inspection finding, a
//! ledger), then each role's browser crawls every page reachable by links from its home, in Chinese and in
//! English. A Chinese page must show no "UTC", no UUID, no stored RFC 3339 time, no raw key (`event.moved`,
//! `fire_spill_equipment:`) and no English sentence outside names, codes, units and standard numbers; an English
//! page no Chinese text of the interface (names people typed are theirs). Download names carry no UUID.

use serde_json::json;
use std::collections::{BTreeSet, VecDeque};
use waste_e2e::browser::{Browser, Page};
use waste_e2e::world::{self, World};
use waste_e2e::{ADMIN_TOKEN, TestApp, both_backends, org};

/// What a person reads on a page: the text between tags (scripts and styles left out) and the words of
/// `title`, `aria-label`, `placeholder`, `alt` and button `value` attributes.
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        out.push(' ');
        let after = &rest[i..];
        let lower = after.get(..8).unwrap_or(after).to_ascii_lowercase();
        for skip in ["<script", "<style"] {
            if lower.starts_with(skip) {
                let close = format!("</{}>", &skip[1..]);
                let end = after.find(&close).map_or(after.len(), |e| e + close.len());
                rest = &after[end..];
                break;
            }
        }
        if lower.starts_with("<script") || lower.starts_with("<style") {
            continue;
        }
        let end = after.find('>').map_or(after.len(), |e| e + 1);
        let tag = &after[..end];
        for attr in ["title=\"", "aria-label=\"", "placeholder=\"", "alt=\""] {
            if let Some(a) = tag.find(attr) {
                let v = &tag[a + attr.len()..];
                out.push(' ');
                out.push_str(v.split('"').next().unwrap_or_default());
                out.push(' ');
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&#38;", "&")
        .replace("&#34;", "\"")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", " ")
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// Runs of at least `n` consecutive English words (two letters or more each).
fn english_runs(text: &str, n: usize) -> Vec<String> {
    let mut runs = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    let flush = |words: &mut Vec<&str>, runs: &mut Vec<String>| {
        if words.len() >= n {
            runs.push(words.join(" "));
        }
        words.clear();
    };
    for token in text.split(|c: char| c.is_whitespace() || ",;:()（）、，。·•/".contains(c))
    {
        let t = token.trim_matches(|c: char| ".!?'\"“”‘’".contains(c));
        if t.len() >= 2
            && t.chars()
                .all(|c| c.is_ascii_alphabetic() || c == '\'' || c == '-')
        {
            words.push(t);
        } else if !t.is_empty() {
            flush(&mut words, &mut runs);
        }
    }
    flush(&mut words, &mut runs);
    runs
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn has_uuid(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len().saturating_sub(35))
        .map(|i| chars[i..i + 36].iter().collect::<String>())
        .find(|w| is_uuid(w))
}

/// A stored time shown as it is stored: `2026-12-07T07:30`.
fn has_stamp(text: &str) -> Option<String> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(15)).find_map(|i| {
        let w = &b[i..i + 16];
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15];
        (digits.iter().all(|&d| w[d].is_ascii_digit())
            && w[4] == b'-'
            && w[7] == b'-'
            && w[10] == b'T'
            && w[13] == b':')
            .then(|| String::from_utf8_lossy(w).into_owned())
    })
}

/// A key of the program shown instead of words: `event.moved`, `rstate.requested`, `fire_spill_equipment:`.
fn raw_keys(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || "，。、（）()·".contains(c))
        .filter(|t| {
            let t = t.trim_end_matches([',', ';']);
            let snake_colon = t.ends_with(':')
                && t.trim_end_matches(':').contains('_')
                && t.trim_end_matches(':')
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_');
            let dotted = t.contains('.')
                && !t.starts_with('.')
                && !t.ends_with('.')
                && t.split('.')
                    .all(|p| p.len() >= 2 && p.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                && t.split('.').next().is_some_and(|p| p.len() >= 3);
            let snake = t.contains('_')
                && t.len() > 4
                && t.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            snake_colon || dotted || snake
        })
        .map(str::to_owned)
        .collect()
}

/// The links of a page to other pages of the service (GET), without the language toggle and sign-out.
fn links(page: &str) -> Vec<String> {
    // Pages by `href`, and the images a page shows (a label, a sign) by `src`.
    page.split("href=\"")
        .skip(1)
        .chain(
            page.split("src=\"")
                .skip(1)
                .filter(|s| s.split('"').next().is_some_and(|u| u.contains(".svg"))),
        )
        .filter_map(|s| s.split('"').next())
        .map(|h| h.replace("&amp;", "&").replace("&#38;", "&"))
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .filter(|h| !h.starts_with("/assets/") && !h.contains("lang=") && !h.starts_with("/logout"))
        .filter(|h| !h.starts_with("/docs") && !h.starts_with("/api/"))
        .map(|h| h.split('#').next().unwrap_or_default().to_owned())
        .collect()
}

struct Finding {
    path: String,
    what: String,
}

/// Crawls from `/` up to `limit` pages; returns every problem found on every page.
fn crawl(b: &mut Browser, zh: bool, names: &[String], extra: &[String]) -> (usize, Vec<Finding>) {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<String> = VecDeque::new();
    queue.push_back("/".into());
    queue.extend(extra.iter().cloned());
    let mut found = Vec::new();
    let mut pages = 0;
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) || seen.len() > 250 {
            continue;
        }
        let page = b.get(&path);
        if page.status == 303 || page.status == 302 {
            queue.push_back(page.location());
            continue;
        }
        check_download_name(&path, &page, &mut found);
        let ct = page.header("content-type");
        if !ct.starts_with("text/html") && !ct.starts_with("image/svg") {
            continue;
        }
        pages += 1;
        let mut text = visible(&page.body);
        if ct.starts_with("image/svg") {
            text = visible(&page.body.replace("<text", "< text"));
        }
        for n in names {
            text = text.replace(n.as_str(), " ");
        }
        let mut bad = |what: String| {
            found.push(Finding {
                path: path.clone(),
                what,
            })
        };
        // The printed manifest, the label and the signs are bilingual documents (Chinese and English side by
        // side, as printed): only their times, ids and keys are checked.
        let bilingual =
            (path.ends_with("/print") && path.starts_with("/m/")) || ct.starts_with("image/svg");
        if text.contains("UTC") {
            bad("UTC".into());
        }
        if bilingual {
        } else if zh {
            for r in english_runs(
                &text
                    .replace("XLSX", "")
                    .replace("CSV", "")
                    .replace("JSON", ""),
                3,
            ) {
                bad(format!("English: {r}"));
            }
        } else {
            let han: String = text
                .split_whitespace()
                .filter(|w| w.chars().any(is_han) && *w != "中文")
                .collect::<Vec<_>>()
                .join(" ");
            if !han.is_empty() {
                bad(format!("Chinese: {han}"));
            }
        }
        if let Some(u) = has_uuid(&text) {
            bad(format!("UUID {u}"));
        }
        if let Some(s) = has_stamp(&text) {
            bad(format!("stored time {s}"));
        }
        for k in raw_keys(&text) {
            bad(format!("raw key {k}"));
        }
        for l in links(&page.body) {
            if !seen.contains(&l) {
                queue.push_back(l);
            }
        }
    }
    (pages, found)
}

fn check_download_name(path: &str, page: &Page, found: &mut Vec<Finding>) {
    let cd = page.header("content-disposition");
    if cd.is_empty() {
        return;
    }
    // No id in the name, and a name in the reader's words (RFC 8187) beside the ASCII one.
    if has_uuid(&cd).is_some() || !cd.contains("filename*=UTF-8''%") {
        found.push(Finding {
            path: path.into(),
            what: format!("download name {cd}"),
        });
    }
}

/// A world with something in every state, and the names people typed (theirs, in whatever language).
struct Scene {
    w: World,
    bureau: String,
    extra: Vec<String>,
}

fn scene(app: &TestApp) -> Scene {
    let w = world::world(app, 20);
    world::contract(app, &w.station, &w.firm, &["900-047-49", "900-999-49"]);
    let bureau = org(app, "authority", 25, "220100", json!({}));
    // A storage point with a finding, and an open container with a mixed solvent (the preview's warnings).
    let site = app.post("/api/v1/storage-sites", &w.officer, json!({"kind": "storage_point", "name": "化学贮存点", "location": "实验楼 B-104", "responsible": "王老师", "contact": "138-0000-0000", "zones": ["A"]}));
    assert_eq!(site.0, 201, "{}", site.1);
    let site = site.1["id"].as_str().expect("site").to_owned();
    let mut answers: Vec<serde_json::Value> = [
        "sign_posted_current",
        "containment_intact",
        "no_leaking_container",
        "all_labelled",
        "incompatibles_apart",
        "ventilation",
    ]
    .iter()
    .map(|i| json!({"item": i, "ok": true}))
    .collect();
    answers.push(json!({"item": "fire_spill_equipment", "ok": false, "note": "灭火器过期"}));
    let r = app.post(
        &format!("/api/v1/storage-sites/{site}/inspections"),
        &w.officer,
        json!({"inspected_on": app.today().to_string(), "answers": answers}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let open = world::container(app, &w.staff, "20");
    let solvents = json!([{"name": "dichloromethane", "fraction": "0.5"}, {"name": "acetone", "fraction": "0.5"}]);
    let r = world::add(app, &w.staff, &open, solvents, "2");
    assert_eq!(r.0, 201, "{}", r.1);
    // Moved to the storage point: its custody log names the move.
    let r = app.post(
        &format!("/api/v1/containers/{open}/move"),
        &w.officer,
        json!({"site_id": site, "zone": "A"}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    let _empty = world::container(app, &w.staff, "10");
    // Three sealed containers collected: one shipped, received and disposed of, one refused by the firm and
    // handed back to the school, one in a draft; a fourth waits sealed.
    let a = world::sealed_container(app, &w);
    let b = world::sealed_container(app, &w);
    let refused = world::sealed_container(app, &w);
    let _waiting = world::sealed_container(app, &w);
    let r = world::pickup(app, &w, &[&a, &b, &refused]);
    assert_eq!(r.0, 201, "{}", r.1);
    let m = world::manifest(app, &w, &[&a, &refused]);
    for (token, step, body) in [
        (&w.operator, "submit", json!({})),
        (
            &w.driver,
            "dispatch",
            json!({"container_ids": [a, refused], "vehicle_plate": "吉A12345", "transport_permit_no": "220100000001"}),
        ),
    ] {
        let r = world::act(app, token, &m, step, body);
        assert_eq!(r.0, 200, "{step}: {}", r.1);
    }
    let lines = json!([
        {"container_id": a, "received_weight_kg": "6.200", "accepted": true},
        {"container_id": refused, "received_weight_kg": "6.200", "accepted": false, "reason": "标签不清"}
    ]);
    let r = world::act(app, &w.receiver, &m, "receive", json!({"lines": lines}));
    assert_eq!(r.0, 200, "{}", r.1);
    let r = world::act(
        app,
        &w.receiver,
        &m,
        "confirm-disposal",
        json!({"method": "D10"}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    let r = app.post(
        &format!("/api/v1/containers/{refused}/hand-back"),
        &w.operator,
        json!({}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    // A disposed container runs no storage clock any more (no "还剩 365 天" on it); one handed back does.
    let (_, disposed) = app.get(&format!("/api/v1/containers/{a}"), &w.officer);
    assert_eq!(disposed["status"], "disposed", "{disposed}");
    assert!(disposed["storage"].is_null(), "{disposed}");
    let (_, back) = app.get(&format!("/api/v1/containers/{refused}"), &w.officer);
    assert!(back["storage"]["deadline"].is_string(), "{back}");
    // The administrator ran the audit: the bureau's chain page shows when, in local time.
    let (st, v) = app.get("/api/v1/audit/verify", ADMIN_TOKEN);
    assert_eq!(st, 200, "{v}");
    // A draft of the other one.
    let _draft = world::manifest(app, &w, &[&b]);
    // The add page's live preview (what htmx asks for): a solvent mixture, and nitric acid into it (refused).
    let preview = format!(
        "/c/{open}/preview?cas=75-09-2&cas=67-64-1&qty=1&unit=L&form=liquid&origin=experiment_residue"
    );
    let refused = format!(
        "/c/{open}/preview?cas=7697-37-2&qty=1&unit=L&form=liquid&origin=experiment_residue"
    );
    Scene {
        w,
        bureau,
        extra: vec![preview, refused, "/pickups/new".into(), "/ledger".into()],
    }
}

/// The names of the world's organisations and people (what they typed), read back from the API.
fn names(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    let (s, v) = app.get("/api/v1/organizations?limit=200", ADMIN_TOKEN);
    assert_eq!(s, 200, "{v}");
    for o in v["items"].as_array().cloned().unwrap_or_default() {
        out.extend(o["name"].as_str().map(str::to_owned));
        let id = o["id"].as_str().unwrap_or_default();
        let (_, users) = app.get(&format!("/api/v1/organizations/{id}/users"), ADMIN_TOKEN);
        for u in users["items"].as_array().cloned().unwrap_or_default() {
            out.extend(u["name"].as_str().map(str::to_owned));
        }
    }
    out.extend(
        [
            "化学贮存点",
            "实验楼 B-104",
            "王老师",
            "张老师",
            "灭火器过期",
            "吉A12345",
            "标签不清",
        ]
        .map(str::to_owned),
    );
    // Longest first, so a name inside another is not cut out of it first.
    out.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    out
}

fn every_page_speaks_the_readers_language(app: &TestApp) {
    let s = scene(app);
    let roles: Vec<(&str, &str, Vec<&str>)> = vec![
        ("teacher", s.w.school.as_str(), vec!["lab_staff"]),
        (
            "officer",
            s.w.school.as_str(),
            vec!["lab_staff", "safety_officer"],
        ),
        ("station", s.w.station.as_str(), vec!["station_operator"]),
        ("driver", s.w.carrier.as_str(), vec!["driver"]),
        ("firm", s.w.firm.as_str(), vec!["disposal_operator"]),
        ("bureau", s.bureau.as_str(), vec!["auditor"]),
    ];
    let browsers: Vec<(&str, Browser)> = roles
        .into_iter()
        .map(|(who, org_id, r)| (who, Browser::user(app, org_id, &r, &format!("w{who}")).0))
        .collect();
    // Every name people typed, the browsers' users' too.
    let people = names(app);
    let mut report = Vec::new();
    let mut total = 0;
    for (who, b) in browsers {
        for (zh, lang) in [(true, "zh-CN"), (false, "en")] {
            let mut b = b.clone().language(lang);
            let (n, found) = crawl(&mut b, zh, &people, &s.extra);
            assert!(n >= 3, "{who} reached only {n} pages");
            total += n;
            report.extend(
                found
                    .into_iter()
                    .map(|f| format!("{who} {lang} {}: {}", f.path, f.what)),
            );
        }
    }
    // The administrator, signed in with the token.
    for (zh, lang) in [(true, "zh-CN"), (false, "en")] {
        let mut b = Browser::admin(app).language(lang);
        let (n, found) = crawl(&mut b, zh, &people, &[]);
        assert!(n >= 2, "admin reached only {n} pages");
        total += n;
        report.extend(
            found
                .into_iter()
                .map(|f| format!("admin {lang} {}: {}", f.path, f.what)),
        );
    }
    // Browsers ask for /favicon.ico whatever the page says: the icon, not a 404.
    let icon = Browser::new(app).get("/favicon.ico");
    assert_eq!(icon.status, 200);
    assert!(icon.header("content-type").starts_with("image/svg+xml"));
    assert!(icon.body.contains("<svg"));
    report.sort();
    report.dedup();
    assert!(total > 60, "the crawl read {total} pages");
    assert!(
        report.is_empty(),
        "{} problems over {total} pages:\n{}",
        report.len(),
        report.join("\n")
    );
}

/// A refused form or step speaks the reader's language too: the catalogue's sentence for the refusal's code on
/// a Chinese page, the service's own message on an English one.
fn refusals_speak_the_readers_language(app: &TestApp) {
    let s = world::school(app, 50);
    let (b, _) = Browser::user(app, &s.id, &["lab_staff"], "refuse50");
    let mut zh = b.clone().language("zh-CN");
    let mut en = b.language("en");
    // A capacity that is not a number: the form again, in Chinese.
    let bad = [
        ("lab", "B-304"),
        ("capacity", "abc"),
        ("material", "hdpe"),
        ("contact", "王老师"),
    ];
    let page = zh.submit("/containers/new", &bad);
    assert_eq!(page.status, 422, "{}", page.body);
    let text = visible(&page.body);
    assert!(text.contains("输入有误"), "{text}");
    assert!(
        english_runs(&text, 3).is_empty(),
        "{:?}",
        english_runs(&text, 3)
    );
    let page = en.submit("/containers/new", &bad);
    assert_eq!(page.status, 422);
    assert!(
        visible(&page.body).contains("capacity"),
        "the English page names the field"
    );
    // Sealing an empty container: refused, with the code's sentence.
    let id = world::container(app, &s.staff, "10");
    let page = zh.submit(&format!("/c/{id}/seal"), &[]);
    assert!(page.status >= 400, "{}", page.status);
    let text = visible(&page.body);
    assert!(text.contains("容器是空的"), "{text}");
    assert!(
        english_runs(&text, 3).is_empty(),
        "{:?}",
        english_runs(&text, 3)
    );
}

/// Each home lists what waits for its reader (issue 27): the station its schools' new pickup requests, a
/// teacher the sealed containers, one tap from the pickup request form.
fn homes_list_what_waits(app: &TestApp) {
    let w = world::world(app, 60);
    let sealed = world::sealed_container(app, &w);
    let (teacher, _) = Browser::user(app, &w.school, &["lab_staff"], "home60");
    let home = teacher.language("zh-CN").get("/");
    assert!(
        home.body.contains(
            "href=\"/pickups/new\"><span class=\"n\">1</span> <span class=\"what\">已封口待收运"
        ),
        "{}",
        home.body
    );
    let (soon, later) = (
        app.today() + time::Duration::days(1),
        app.today() + time::Duration::days(9),
    );
    let r = app.post("/api/v1/pickup-requests", &w.staff, json!({"container_ids": [sealed], "contact": "张老师 138-0000-0000",
        "preferred_from": format!("{soon}T08:00:00+08:00"), "preferred_until": format!("{later}T17:00:00+08:00")}));
    assert_eq!(r.0, 201, "{}", r.1);
    let (station, _) = Browser::user(app, &w.station, &["station_operator"], "home61");
    let home = station.language("zh-CN").get("/");
    assert!(
        home.body
            .contains("<span class=\"n\">1</span> <span class=\"what\">待安排的收运申请"),
        "{}",
        home.body
    );
}

#[test]
fn the_checks_themselves_notice_what_they_look_for() {
    assert_eq!(
        english_runs("中文 GB 34330-2017 第 4.1 条 HDPE 20 L", 3),
        Vec::<String>::new()
    );
    assert_eq!(
        english_runs("结果 is in force since 2025", 3),
        vec!["is in force since".to_owned()]
    );
    assert_eq!(
        raw_keys("见 event.moved 与 fire_spill_equipment: 项"),
        vec!["event.moved", "fire_spill_equipment:"]
    );
    assert!(raw_keys("GB 18597-2023 6.2.2 与 HJ 1276-2022").is_empty());
    assert!(has_uuid("x 0193a8f2-7c1e-7d3a-9b2c-1f2e3d4c5b6a y").is_some());
    assert!(has_stamp("at 2026-12-07T07:30:00Z").is_some());
    assert!(has_stamp("2026-12-07 07:30").is_none());
    let shown = visible("<p title=\"提示\">好<script>var utc = 1;</script></p>");
    assert_eq!(shown.split_whitespace().collect::<Vec<_>>(), ["提示", "好"]);
}

both_backends! {
    every_page_speaks_the_readers_language => every_page_speaks_the_readers_language;
    refusals_speak_the_readers_language => refusals_speak_the_readers_language;
    homes_list_what_waits => homes_list_what_waits;
}
