//! What the audit still missed (issue 29, item 8), tampering with the table owner's rights and the triggers
//! dropped: a container erased entirely, a chain rolled back to an earlier head whose anchor still verifies
//! (state row reverted), edits to `additions.quantity`, `pickup_lines.gross_weight_kg`, `users.roles` and
//! `contracts.valid_until`; and checkpoints: a signed statement of the log's size and digest, and `verify --since`
//! that shows the log has only grown since. On both backends.

use diesel::RunQueryDsl;
use serde_json::{Value, json};
use waste_api::store::audit::{self, Since, Sizes};
use waste_e2e::world::{self, World, add, container, contract, cyanide, pickup, sealed_container};
use waste_e2e::{ADMIN_TOKEN, Backend, TestApp, allow_event_edits};

/// What the test service anchors heads with (the deployment's `WASTE_AUDIT_KEY`).
const AUDIT_KEY: &str = "audit-key-5d1e9b3c7a2f4068b1d5e9c3a7f2b604";

fn start(backend: Backend) -> TestApp {
    TestApp::start_with(
        backend,
        waste_api::config::Guards {
            audit_key: Some(AUDIT_KEY.into()),
            ..Default::default()
        },
    )
}

fn exec(app: &TestApp, sql: &str) {
    let mut c = app.db();
    diesel::sql_query(sql)
        .execute(&mut *c)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn text(app: &TestApp, sql: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct T {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    let mut c = app.db();
    diesel::sql_query(sql)
        .get_result::<T>(&mut *c)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .t
}

/// The audit over HTTP, checked against a run in pages of 2 events, batches of 1 chain and 3 parts (every
/// finding also across page, batch and part boundaries), and against `since` when given.
fn verify_since(app: &TestApp, since: Option<&Since>) -> Value {
    let (s, v) = app.get("/api/v1/audit/verify", ADMIN_TOKEN);
    assert_eq!(s, 200, "{v}");
    let db = waste_api::db::connect(&app.database_url, 1).expect("database");
    let small = audit::verify_since(
        &db,
        Some(AUDIT_KEY.as_bytes()),
        Sizes {
            page: 2,
            batch: 1,
            parts: 3,
        },
        since,
    )
    .expect("audit in small pages");
    if since.is_none() {
        let finding = |v: &Value| (v["ok"].clone(), v["broken"]["kind"].clone());
        assert_eq!(finding(&small), finding(&v), "small: {small}\nHTTP: {v}");
        return v;
    }
    let large = audit::verify_since(&db, Some(AUDIT_KEY.as_bytes()), Sizes::default(), since)
        .expect("audit");
    assert_eq!(
        (&small["ok"], &small["broken"]["kind"]),
        (&large["ok"], &large["broken"]["kind"]),
        "small: {small}\nlarge: {large}"
    );
    large
}

fn verify(app: &TestApp) -> Value {
    verify_since(app, None)
}

/// The first break, as (aggregate, kind, the whole finding).
fn broken(v: &Value) -> (String, String, Value) {
    assert_eq!(v["ok"], false, "the audit should have found a break: {v}");
    let b = v["broken"].clone();
    (
        b["aggregate"].as_str().unwrap_or_default().to_owned(),
        b["kind"].as_str().unwrap_or_default().to_owned(),
        b,
    )
}

/// Keeps aside every row of `container` (its chain and head, additions and row) in `*_kept_{tag}` tables.
fn keep_container(app: &TestApp, c: &str, tag: &str) {
    for (table, filter) in [
        ("events", format!("aggregate = 'container:{c}'")),
        ("chain_heads", format!("aggregate = 'container:{c}'")),
        ("additions", format!("container_id = '{c}'")),
        ("containers", format!("id = '{c}'")),
    ] {
        exec(app, &format!("DROP TABLE IF EXISTS {table}_kept_{tag}"));
        exec(
            app,
            &format!("CREATE TABLE {table}_kept_{tag} AS SELECT * FROM {table} WHERE {filter}"),
        );
    }
}

/// Erases `container` entirely: its events, head, additions and row.
fn erase_container(app: &TestApp, c: &str) {
    exec(
        app,
        &format!("DELETE FROM events WHERE aggregate = 'container:{c}'"),
    );
    exec(
        app,
        &format!("DELETE FROM chain_heads WHERE aggregate = 'container:{c}'"),
    );
    exec(
        app,
        &format!("DELETE FROM additions WHERE container_id = '{c}'"),
    );
    exec(app, &format!("DELETE FROM containers WHERE id = '{c}'"));
}

/// Puts back what `keep_container` kept (after `erase_container`).
fn restore_container(app: &TestApp, c: &str, tag: &str) {
    erase_container(app, c);
    for table in ["containers", "additions", "chain_heads", "events"] {
        exec(
            app,
            &format!("INSERT INTO {table} SELECT * FROM {table}_kept_{tag}"),
        );
        exec(app, &format!("DROP TABLE {table}_kept_{tag}"));
    }
}

/// An open container with one addition of `litres`.
fn filled(app: &TestApp, w: &World, litres: &str) -> String {
    let c = container(app, &w.staff, "20");
    let r = add(app, &w.staff, &c, cyanide(), litres);
    assert_eq!(r.0, 201, "{}", r.1);
    c
}

fn erased_and_rolled_back(backend: Backend) {
    let app = start(backend);
    let app = &app;
    let w = world::world(app, 300);
    let kept = filled(app, &w, "2");
    let v = verify(app);
    assert_eq!(v["ok"], true, "an untouched log verifies: {v}");
    let events_before = v["log"]["count"].as_u64().expect("the log's count");
    assert!(events_before > 0, "{v}");
    allow_event_edits(app);

    // A container erased entirely: every chain left agrees with its head and rows; the log's head does not.
    let erased = filled(app, &w, "3");
    keep_container(app, &erased, "e");
    erase_container(app, &erased);
    let (agg, kind, b) = broken(&verify(app));
    assert_eq!((agg.as_str(), kind.as_str()), ("log", "log_count"), "{b}");
    assert!(
        b["head_count"].as_i64() > Some(0) && b["head_count"].as_u64() > b["events"].as_u64(),
        "the head counts the erased events: {b}"
    );
    restore_container(app, &erased, "e");
    assert_eq!(verify(app)["ok"], true, "restored");

    // A chain rolled back to an earlier head (whose anchor verifies: the service wrote it) with its row reverted:
    // the container as it was after its first addition, its second addition gone.
    keep_container(app, &kept, "r");
    let r = add(app, &w.staff, &kept, cyanide(), "1");
    assert_eq!(r.0, 201, "{}", r.1);
    assert_eq!(verify(app)["ok"], true, "a second addition");
    restore_container(app, &kept, "r");
    let (agg, kind, b) = broken(&verify(app));
    assert_eq!(
        (agg.as_str(), kind.as_str()),
        ("log", "log_count"),
        "the log's head counts the event rolled back: {b}"
    );
    assert_eq!(
        b["head_count"].as_u64(),
        b["events"].as_u64().map(|n| n + 1),
        "{b}"
    );
}

#[test]
fn sqlite_an_erased_container_and_a_rolled_back_chain_are_found() {
    erased_and_rolled_back(Backend::Sqlite);
}

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "PostgreSQL was not reachable when the tests were built"
)]
fn postgres_an_erased_container_and_a_rolled_back_chain_are_found() {
    erased_and_rolled_back(Backend::Postgres);
}

/// Each fact the law or the custody rules read, edited behind the service, is reported where it differs from
/// the chain that recorded it.
fn columns(backend: Backend) {
    let app = start(backend);
    let app = &app;
    let w = world::world(app, 400);
    contract(app, &w.station, &w.firm, &["900-047-49"]);
    let c = sealed_container(app, &w);
    assert_eq!(pickup(app, &w, &[&c]).0, 201);
    let v = verify(app);
    assert_eq!(v["ok"], true, "{v}");
    assert!(v["state_checked"]["users"].as_u64() >= Some(1), "{v}");
    assert!(v["state_checked"]["contracts"].as_u64() >= Some(1), "{v}");
    let user = text(
        app,
        "SELECT substr(aggregate, 6) AS t FROM chain_heads WHERE aggregate LIKE 'user:%' ORDER BY aggregate LIMIT 1",
    );
    let contract_id = text(
        app,
        "SELECT substr(aggregate, 10) AS t FROM chain_heads WHERE aggregate LIKE 'contract:%' LIMIT 1",
    );
    let roles = text(
        app,
        &format!("SELECT roles AS t FROM users WHERE id = '{user}'"),
    );
    let quantity = text(
        app,
        &format!("SELECT quantity AS t FROM additions WHERE container_id = '{c}'"),
    );
    let gross = text(
        app,
        &format!("SELECT gross_weight_kg AS t FROM pickup_lines WHERE container_id = '{c}'"),
    );
    let until = text(
        app,
        &format!("SELECT valid_until AS t FROM contracts WHERE id = '{contract_id}'"),
    );
    let container_chain = format!("container:{c}");
    let user_chain = format!("user:{user}");
    let contract_chain = format!("contract:{contract_id}");
    let edits = [
        (
            format!("UPDATE additions SET quantity = '50' WHERE container_id = '{c}'"),
            format!("UPDATE additions SET quantity = '{quantity}' WHERE container_id = '{c}'"),
            (container_chain.as_str(), "additions", "quantity"),
        ),
        (
            format!("UPDATE pickup_lines SET gross_weight_kg = '0.5' WHERE container_id = '{c}'"),
            format!(
                "UPDATE pickup_lines SET gross_weight_kg = '{gross}' WHERE container_id = '{c}'"
            ),
            (container_chain.as_str(), "pickup_lines", "gross_weight_kg"),
        ),
        (
            format!("UPDATE users SET roles = 'admin' WHERE id = '{user}'"),
            format!("UPDATE users SET roles = '{roles}' WHERE id = '{user}'"),
            (user_chain.as_str(), "users", "roles"),
        ),
        (
            format!("UPDATE contracts SET valid_until = '2199-12-31' WHERE id = '{contract_id}'"),
            format!("UPDATE contracts SET valid_until = '{until}' WHERE id = '{contract_id}'"),
            (contract_chain.as_str(), "contracts", "valid_until"),
        ),
    ];
    for (edit, undo, (agg, table, field)) in edits {
        exec(app, &edit);
        let (got, kind, b) = broken(&verify(app));
        assert_eq!(
            (
                got.as_str(),
                kind.as_str(),
                b["table"].as_str(),
                b["field"].as_str()
            ),
            (agg, "state", Some(table), Some(field)),
            "{edit}: {b}"
        );
        exec(app, &undo);
        assert_eq!(verify(app)["ok"], true, "undone: {undo}");
    }
}

#[test]
fn sqlite_edits_to_quantities_weights_roles_and_contract_ends_are_found() {
    columns(Backend::Sqlite);
}

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "PostgreSQL was not reachable when the tests were built"
)]
fn postgres_edits_to_quantities_weights_roles_and_contract_ends_are_found() {
    columns(Backend::Postgres);
}

/// A checkpoint, then more writes: the log has only grown. A container the checkpoint saw erased, and the log's
/// head resealed over what is left by someone who holds the audit key: the audit alone cannot tell, the
/// checkpoint kept elsewhere does.
fn checkpoints(backend: Backend) {
    let app = start(backend);
    let app = &app;
    let w = world::world(app, 500);
    let before = filled(app, &w, "2");
    let dir = std::env::temp_dir().join(format!("checkpoint-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("dir");
    let key = dir.join("checkpoint-key");
    let statement =
        waste_api::ops::checkpoint::take(&app.database_url, Some(AUDIT_KEY.as_bytes()), &key)
            .expect("checkpoint")
            .expect("the audit found nothing");
    let file = dir.join("checkpoint.json");
    std::fs::write(&file, statement.to_string()).expect("statement");
    let since = waste_api::ops::checkpoint::read(&file, &key).expect("the statement verifies");
    assert_eq!(
        json!(since.count),
        statement["statement"]["count"],
        "{statement}"
    );
    assert!(since.count > 0, "{statement}");

    // More writes: the log has only grown.
    let after = filled(app, &w, "1");
    let r = add(app, &w.staff, &before, cyanide(), "1");
    assert_eq!(r.0, 201, "{}", r.1);
    let v = verify_since(app, Some(&since));
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["since"]["checkpoint"], json!(since.epoch), "{v}");
    assert!(v["since"]["grown_by"].as_u64() >= Some(3), "{v}");
    // A second checkpoint, then the first one still holds.
    waste_api::ops::checkpoint::take(&app.database_url, Some(AUDIT_KEY.as_bytes()), &key)
        .expect("checkpoint")
        .expect("the audit found nothing");
    assert_eq!(verify_since(app, Some(&since))["ok"], true);

    // A container the checkpoint saw erased, and the log's head sealed anew over the rest (as the service does
    // at start for a log without a head, with its key): every chain and the log's head agree.
    allow_event_edits(app);
    erase_container(app, &before);
    exec(app, "UPDATE log_head SET count = -1");
    drop(waste_api::db::connect(&app.database_url, 1).expect("reopened: sealed"));
    assert_eq!(
        verify(app)["ok"],
        true,
        "the audit alone cannot tell a log resealed with the key"
    );
    let (agg, kind, b) = broken(&verify_since(app, Some(&since)));
    assert_eq!(agg, "log", "{b}");
    assert!(
        kind == "since_count" || kind == "since_digest",
        "the checkpoint tells: {b}"
    );
    let _ = after;
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sqlite_a_checkpoint_shows_the_log_only_grew() {
    checkpoints(Backend::Sqlite);
}

#[test]
#[cfg_attr(
    no_postgres,
    ignore = "PostgreSQL was not reachable when the tests were built"
)]
fn postgres_a_checkpoint_shows_the_log_only_grew() {
    checkpoints(Backend::Postgres);
}
