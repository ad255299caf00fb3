//! Upgrades (issue 28 item 5). `tests/fixtures/upgrade/` holds databases written by earlier releases: a SQLite
//! file and a PostgreSQL dump (`pg_dump --no-owner`, plain SQL) each, with a JSON file of what they hold. Every
//! binary from then on must open them, migrate them, pass the audit and serve their records. A release adds its
//! own with `cargo nextest run -p waste-e2e --test upgrade --run-ignored only` (README of the folder).

use diesel::{Connection, RunQueryDsl};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use waste_e2e::world::{act, add, contract, cyanide, manifest, pickup, sealed_container, world};
use waste_e2e::{ADMIN_TOKEN, Backend, TestApp, count};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join("upgrade")
}

/// The fixtures of `ext` (`sqlite`, `postgres.sql`) with their descriptions.
fn each(ext: &str) -> Vec<(PathBuf, Value)> {
    let mut v: Vec<(PathBuf, Value)> = std::fs::read_dir(fixtures())
        .expect("tests/fixtures/upgrade")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(&format!(".{ext}")))
        .map(|p| {
            let described = PathBuf::from(format!("{}.json", p.display()));
            let text = std::fs::read_to_string(&described).expect("the fixture's description");
            (p, serde_json::from_str(&text).expect("JSON"))
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// The tables of the schema, from the database.
fn tables(app: &TestApp) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct T {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let sql = match app.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE '__diesel%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' \
             AND table_name NOT LIKE '__diesel%' ORDER BY table_name"
        }
    };
    let mut c = app.db();
    diesel::sql_query(sql)
        .load::<T>(&mut *c)
        .expect("tables")
        .into_iter()
        .map(|t| t.name)
        .collect()
}

/// What an upgraded database must still do: every recorded row count is still there, the audit passes with
/// the same events, and the records are served.
fn serves_the_old_records(app: &TestApp, expect: &Value) {
    for (table, n) in expect["rows"].as_object().expect("rows") {
        let have = count(app, &format!("SELECT COUNT(*) AS n FROM {table}"));
        assert!(
            have >= n.as_i64().unwrap_or(0),
            "{table}: {have} rows, {n} before the upgrade"
        );
    }
    let (s, audit) = app.get("/api/v1/audit/verify", ADMIN_TOKEN);
    assert_eq!((s, &audit["ok"]), (200, &json!(true)), "{audit}");
    assert_eq!(audit["events_checked"], expect["events_checked"], "{audit}");
    let text = |k: &str| {
        expect[k]
            .as_str()
            .unwrap_or_else(|| panic!("{k} in the description"))
            .to_owned()
    };
    let (s, v) = app.get(
        &format!("/api/v1/containers/{}", text("disposed_container")),
        &text("receiver_token"),
    );
    assert_eq!((s, v["status"].as_str()), (200, Some("disposed")), "{v}");
    let (s, v) = app.get(
        &format!("/api/v1/containers/{}", text("open_container")),
        &text("staff_token"),
    );
    assert_eq!((s, v["additions_count"].as_i64()), (200, Some(2)), "{v}");
    let (s, v) = app.get(
        &format!("/api/v1/manifests/{}", text("manifest")),
        &text("operator_token"),
    );
    assert_eq!((s, v["status"].as_str()), (200, Some("disposed")), "{v}");
    assert_eq!(v["number"], expect["manifest_number"], "{v}");
}

/// Issue 28 item 5 (SQLite): each fixture file opens under this binary, is not from a newer release, migrates
/// at the start, is then current, verifies and serves its records.
#[test]
fn sqlite_databases_of_earlier_releases_migrate_verify_and_serve() {
    let found = each("sqlite");
    assert!(
        !found.is_empty(),
        "no SQLite fixture in {}",
        fixtures().display()
    );
    for (fixture, expect) in found {
        let dir =
            std::env::temp_dir().join(format!("waste-upgrade-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::copy(&fixture, dir.join("waste.db")).expect("copy the fixture");
        let url = format!("sqlite://{}/waste.db", dir.display());
        waste_api::ops::open_existing(&url, waste_api::ops::Pending::Accepted)
            .unwrap_or_else(|e| panic!("{}: {e}", fixture.display()));
        let app = TestApp::start_existing_sqlite(dir, waste_api::config::Guards::default());
        waste_api::ops::open_existing(&url, waste_api::ops::Pending::Refused)
            .unwrap_or_else(|e| panic!("{} after the start: {e}", fixture.display()));
        serves_the_old_records(&app, &expect);
    }
}

/// Issue 28 item 5 (PostgreSQL): each dump, loaded into a new database with psql, migrates, verifies and serves.
#[test]
#[cfg_attr(
    no_postgres,
    ignore = "PostgreSQL was not reachable when the tests were built"
)]
fn postgres_databases_of_earlier_releases_migrate_verify_and_serve() {
    let found = each("postgres.sql");
    assert!(
        !found.is_empty(),
        "no PostgreSQL fixture in {}",
        fixtures().display()
    );
    for (fixture, expect) in found {
        let name = format!("waste_upgrade_{}", uuid::Uuid::new_v4().simple());
        let mut pg = diesel::PgConnection::establish(waste_e2e::PG_ADMIN_URL).expect("postgres");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut pg)
            .expect("create");
        let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
        let out = std::process::Command::new("psql")
            .args(["-q", "-v", "ON_ERROR_STOP=1", "-d", &url, "-f"])
            .arg(&fixture)
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let app = TestApp::start_existing_postgres(&name, waste_api::config::Guards::default());
        waste_api::ops::open_existing(&url, waste_api::ops::Pending::Refused)
            .unwrap_or_else(|e| panic!("{} after the start: {e}", fixture.display()));
        serves_the_old_records(&app, &expect);
    }
}

/// Fills a database through the API: a disposed shipment (pickup, manifest signed to disposal), an open
/// container with two additions, a storage site and a webhook subscription. Returns its description.
fn seed(app: &TestApp) -> Value {
    let w = world(app, 700);
    let a = sealed_container(app, &w);
    let b = sealed_container(app, &w);
    let (s, p) = pickup(app, &w, &[&a, &b]);
    assert_eq!(s, 201, "{p}");
    contract(app, &w.station, &w.firm, &["900-047-49"]);
    let m = manifest(app, &w, &[&a, &b]);
    let (s, v) = act(app, &w.operator, &m, "submit", json!({}));
    assert_eq!(s, 200, "{v}");
    let number = v["number"].clone();
    assert_eq!(
        act(
            app,
            &w.driver,
            &m,
            "dispatch",
            json!({"container_ids": [a, b]})
        )
        .0,
        200
    );
    let hook = app.post(
        "/api/v1/webhooks",
        &w.officer,
        json!({"url": "http://127.0.0.1:9/hook", "events": ["manifest.received"]}),
    );
    assert_eq!(hook.0, 201, "{}", hook.1);
    let lines = json!({"lines": [
        {"container_id": a, "received_weight_kg": "6.150", "accepted": true},
        {"container_id": b, "received_weight_kg": "6.200", "accepted": true}
    ]});
    assert_eq!(act(app, &w.receiver, &m, "receive", lines).0, 200);
    // A weight corrected after receipt, approved by the shipper and the carrier.
    let r = app.post(
        &format!("/api/v1/manifests/{m}/revisions"),
        &w.receiver,
        json!({"lines": [{"container_id": a, "received_weight_kg": "6.100"}], "reason": "mistyped"}),
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let rid = r.1["id"].as_str().expect("revision id").to_owned();
    for token in [&w.operator, &w.driver] {
        let d = app.post(
            &format!("/api/v1/revisions/{rid}/approve"),
            token,
            json!({}),
        );
        assert_eq!(d.0, 200, "{}", d.1);
    }
    assert_eq!(
        act(
            app,
            &w.receiver,
            &m,
            "confirm-disposal",
            json!({"method": "D10"})
        )
        .0,
        200
    );
    // Created with an Idempotency-Key (kept in idempotency_keys).
    let body = json!({"lab": "B-304", "capacity_liters": "20", "material": "hdpe", "contact": "张老师 138-0000-0000"});
    let r = app.call_raw(
        "POST",
        "/api/v1/containers",
        Some(&w.staff),
        Some(body.to_string()),
        &[("Idempotency-Key", "upgrade-fixture-0001")],
    );
    assert_eq!(r.0, 201, "{}", r.1);
    let open = r.1["id"].as_str().expect("id").to_owned();
    for q in ["1", "2"] {
        assert_eq!(add(app, &w.staff, &open, cyanide(), q).0, 201);
    }
    let site = app.post(
        "/api/v1/storage-sites",
        &w.officer,
        json!({"kind": "lab_point", "name": "B-104", "location": "实验楼 B-104", "responsible": "王老师",
               "contact": "138-0000-0000", "zones": []}),
    );
    let mut rows = serde_json::Map::new();
    for t in tables(app) {
        let n = count(app, &format!("SELECT COUNT(*) AS n FROM {t}"));
        if n > 0 {
            rows.insert(t, json!(n));
        }
    }
    let (_, audit) = app.get("/api/v1/audit/verify", ADMIN_TOKEN);
    assert_eq!(audit["ok"], true, "{audit}");
    json!({
        "made_by": env!("CARGO_PKG_VERSION"),
        "events_checked": audit["events_checked"],
        "disposed_container": a, "open_container": open, "manifest": m, "manifest_number": number,
        // Tokens of this throwaway database's users, to read the records as their parties.
        "staff_token": w.staff, "operator_token": w.operator, "receiver_token": w.receiver,
        "storage_site": site.1["id"], "webhook": hook.1["id"], "revision": rid,
        "rows": rows,
    })
}

/// Writes this release's fixtures (`TAG` from `WASTE_FIXTURE_TAG`, e.g. the commit): run once per release.
#[test]
#[ignore = "writes tests/fixtures/upgrade; run once per release"]
fn make_upgrade_fixtures() {
    let tag = std::env::var("WASTE_FIXTURE_TAG").expect("WASTE_FIXTURE_TAG=<release>");
    std::fs::create_dir_all(fixtures()).expect("fixtures dir");
    let guards = || {
        let mut g = waste_api::config::Guards::default();
        g.webhooks.allow_local = true;
        g
    };
    let app = TestApp::start_with(Backend::Sqlite, guards());
    let described = seed(&app);
    let file = fixtures().join(format!("{tag}.sqlite"));
    waste_api::ops::backup::backup(&app.database_url, &file, None).expect("the SQLite fixture");
    std::fs::write(
        format!("{}.json", file.display()),
        serde_json::to_string_pretty(&described).expect("json"),
    )
    .expect("description");
    let app = TestApp::start_with(Backend::Postgres, guards());
    let described = seed(&app);
    let file = fixtures().join(format!("{tag}.postgres.sql"));
    let out = std::process::Command::new("pg_dump")
        .args(["--no-owner", "--no-privileges", "-f"])
        .arg(&file)
        .arg(&app.database_url)
        .output()
        .expect("pg_dump");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(
        format!("{}.json", file.display()),
        serde_json::to_string_pretty(&described).expect("json"),
    )
    .expect("description");
}
