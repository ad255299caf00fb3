//! The operators' commands on the real binary (issue 28): `verify` never creates or migrates anything and names
//! what it found with an exit code of its own; `backup` and `restore` of the SQLite database.

use diesel::{Connection, RunQueryDsl};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_waste-api"))
        .args(args)
        .envs(env.iter().copied())
        .env_remove("WASTE_AUDIT_KEY")
        .env("WASTE_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .expect("waste-api runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn verify(url: &str) -> (i32, String, String) {
    run(&["verify"], &[("DATABASE_URL", url)])
}

/// A fresh directory of its own.
fn tempdir(tag: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("waste-ops-{tag}-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    v.sort();
    v
}

fn sqlite(path: &Path) -> diesel::SqliteConnection {
    diesel::SqliteConnection::establish(path.to_str().expect("utf-8")).expect("sqlite")
}

#[derive(diesel::QueryableByName)]
struct N {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count<C: Connection<Backend = B>, B>(c: &mut C, sql: &str) -> i64
where
    B: diesel::backend::Backend,
    N: diesel::QueryableByName<B>,
    diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'static, C, N>,
{
    diesel::sql_query(sql).get_result::<N>(c).expect("count").n
}

/// Issue 28 item 2: a missing path, an empty file, a file that is not SQLite, an unmigrated SQLite file, a
/// database of a newer release and one of an earlier release each exit with their own code, and verify leaves
/// the directory as it found it (no file created, nothing migrated).
#[test]
fn sqlite_verify_creates_nothing_and_names_what_it_found() {
    let dir = tempdir("verify");
    let url = |p: &Path| format!("sqlite://{}", p.display());

    // A mistyped path, in a directory that does not exist either.
    let missing = dir.join("nested").join("waste.db");
    let (code, out, err) = verify(&url(&missing));
    assert_eq!(code, 3, "{err}");
    assert!(out.is_empty() && err.contains("does not exist"), "{err}");
    assert!(
        listing(&dir).is_empty(),
        "nothing created: {:?}",
        listing(&dir)
    );

    // An empty file.
    let empty = dir.join("empty.db");
    std::fs::write(&empty, b"").expect("empty file");
    let (code, _, err) = verify(&url(&empty));
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("empty"), "{err}");
    assert_eq!(std::fs::metadata(&empty).map(|m| m.len()).ok(), Some(0));
    assert_eq!(listing(&dir), ["empty.db"]);

    // 4 KB that is not SQLite.
    let junk = dir.join("junk.db");
    std::fs::write(&junk, vec![0u8; 4096]).expect("junk file");
    let (code, _, err) = verify(&url(&junk));
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("not a SQLite database"), "{err}");

    // A SQLite file without this service's tables: refused, and not migrated by the refusal.
    let blank = dir.join("blank.db");
    {
        let mut c = sqlite(&blank);
        diesel::sql_query("CREATE TABLE notes (x TEXT)")
            .execute(&mut c)
            .expect("table");
    }
    let before = std::fs::read(&blank).expect("read");
    let (code, _, err) = verify(&url(&blank));
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("never migrated"), "{err}");
    assert_eq!(
        std::fs::read(&blank).expect("read"),
        before,
        "the file is unchanged"
    );
    assert_eq!(listing(&dir), ["blank.db", "empty.db", "junk.db"]);

    // A current database verifies.
    let current = dir.join("current.db");
    let (code, _, err) = run(&["migrate"], &[("DATABASE_URL", &url(&current))]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = verify(&url(&current));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"ok\":true"), "{out}");

    // One of a newer release: a migration this binary does not know.
    let newer = dir.join("newer.db");
    std::fs::copy(&current, &newer).expect("copy");
    diesel::sql_query("INSERT INTO __diesel_schema_migrations (version) VALUES ('29991231000001')")
        .execute(&mut sqlite(&newer))
        .expect("a newer release's migration");
    let (code, _, err) = verify(&url(&newer));
    assert_eq!(code, 6, "{err}");
    assert!(
        err.contains("newer release") && err.contains("29991231000001"),
        "{err}"
    );

    // One of an earlier release: the last migration not applied. Refused, and still not applied afterwards.
    let older = dir.join("older.db");
    std::fs::copy(&current, &older).expect("copy");
    let sql = "DELETE FROM __diesel_schema_migrations WHERE version = \
               (SELECT MAX(version) FROM __diesel_schema_migrations)";
    diesel::sql_query(sql)
        .execute(&mut sqlite(&older))
        .expect("forget a migration");
    let applied = |p: &Path| {
        count(
            &mut sqlite(p),
            "SELECT COUNT(*) AS n FROM __diesel_schema_migrations",
        )
    };
    let n = applied(&older);
    let (code, _, err) = verify(&url(&older));
    assert_eq!(code, 7, "{err}");
    assert!(
        err.contains("earlier release") && err.contains("waste-api migrate"),
        "{err}"
    );
    assert_eq!(applied(&older), n, "verify migrated nothing");
    let _ = std::fs::remove_dir_all(dir);
}

/// Issue 28 item 2 on PostgreSQL: a database that does not exist (exit 3, and it still does not) and one that
/// exists without the service's tables (exit 5, and no table was created in it).
#[test]
#[cfg_attr(no_postgres, ignore = "PostgreSQL was not reachable at build time")]
fn postgres_verify_creates_nothing() {
    let mut admin = diesel::PgConnection::establish(PG_ADMIN).expect("postgres");
    let name = format!("waste_ops_{}", uuid::Uuid::new_v4().simple());
    let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
    let exists = |c: &mut diesel::PgConnection| {
        count(
            c,
            &format!("SELECT COUNT(*) AS n FROM pg_database WHERE datname = '{name}'"),
        )
    };

    let (code, _, err) = verify(&url);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert_eq!(exists(&mut admin), 0, "no database was created");

    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .expect("create");
    let (code, _, err) = verify(&url);
    assert_eq!(code, 5, "{err}");
    let tables = {
        let mut c = diesel::PgConnection::establish(&url).expect("the empty database");
        count(
            &mut c,
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
        )
    };
    assert_eq!(tables, 0, "verify created no table");
    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin);
}

/// A migrated SQLite file at `path` with one pickup chain of three events (no state row is compared with a
/// pickup's chain).
fn database_with_events(path: &Path) -> String {
    let url = format!("sqlite://{}", path.display());
    let db = waste_api::db::connect(&url, 1).expect("database");
    let mut c = db.pool.get().expect("connection");
    for kind in ["created", "addition", "sealed"] {
        waste_api::store::events::append(
            &mut c,
            waste_api::store::events::Record {
                aggregate: "pickup:P1".into(),
                kind,
                actor: "user:U".into(),
                at: "2026-11-30T08:00:00.000000Z".into(),
                payload: serde_json::json!({"k": kind}),
            },
        )
        .expect("append");
    }
    url
}

fn json_line(out: &str) -> serde_json::Value {
    serde_json::from_str(out.trim()).expect("one JSON line")
}

/// Issue 28 item 1: `backup DEST` writes a checked copy and prints its size and event count; it refuses an
/// existing DEST (left unchanged), a database that is not there (nothing created) and a PostgreSQL URL.
#[test]
fn sqlite_backup_writes_a_checked_copy_and_never_replaces_a_file() {
    let dir = tempdir("backup");
    let url = database_with_events(&dir.join("waste.db"));
    let dest = dir.join("copy.db");
    let dest_s = dest.to_str().expect("utf-8");
    let (code, out, err) = run(&["backup", dest_s], &[("DATABASE_URL", &url)]);
    assert_eq!(code, 0, "{err}");
    let v = json_line(&out);
    assert_eq!(
        (v["ok"].as_bool(), v["events_checked"].as_u64()),
        (Some(true), Some(3)),
        "{v}"
    );
    assert_eq!(
        v["bytes"].as_u64(),
        std::fs::metadata(&dest).ok().map(|m| m.len())
    );
    assert!(v["seconds"].is_number(), "{v}");
    // The copy is a database of its own that verifies.
    let (code, out, err) = verify(&format!("sqlite://{dest_s}"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(json_line(&out)["events_checked"], 3);
    assert!(
        !listing(&dir).iter().any(|n| n.contains("partial")),
        "{:?}",
        listing(&dir)
    );

    let before = std::fs::read(&dest).expect("read");
    let (code, out, err) = run(&["backup", dest_s], &[("DATABASE_URL", &url)]);
    assert_eq!(code, 9, "{err}");
    assert!(out.is_empty() && err.contains("exists"), "{err}");
    assert_eq!(
        std::fs::read(&dest).expect("read"),
        before,
        "DEST unchanged"
    );

    let gone = dir.join("nowhere").join("waste.db");
    let other = dir.join("other.db");
    let (code, _, err) = run(
        &["backup", other.to_str().expect("utf-8")],
        &[("DATABASE_URL", &format!("sqlite://{}", gone.display()))],
    );
    assert_eq!(code, 3, "{err}");
    assert!(
        !other.exists() && !dir.join("nowhere").exists(),
        "nothing created"
    );

    let (code, _, err) = run(
        &["backup", other.to_str().expect("utf-8")],
        &[(
            "DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/postgres",
        )],
    );
    assert_eq!(code, 9, "{err}");
    assert!(err.contains("pg_dump"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Issue 28 item 1: `restore SRC` checks SRC and makes the database a copy of it; it refuses an existing
/// database without `--force` (then keeps the replaced one beside it), a database a running service holds, and a
/// SRC that is not a backup.
#[test]
fn sqlite_restore_checks_and_refuses_to_replace_what_is_in_use() {
    let dir = tempdir("restore");
    let url = database_with_events(&dir.join("waste.db"));
    let backup = dir.join("backup.db");
    let (code, _, err) = run(
        &["backup", backup.to_str().expect("utf-8")],
        &[("DATABASE_URL", &url)],
    );
    assert_eq!(code, 0, "{err}");
    let src = backup.to_str().expect("utf-8");

    let target = dir.join("new").join("waste.db");
    let target_url = format!("sqlite://{}", target.display());
    let (code, out, err) = run(&["restore", src], &[("DATABASE_URL", &target_url)]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json_line(&out)["events_checked"], 3);
    let (code, out, err) = verify(&target_url);
    assert_eq!(code, 0, "{err}");
    assert_eq!(json_line(&out)["events_checked"], 3);

    // Exists: refused without --force; with it, the replaced file is kept beside.
    let (code, _, err) = run(&["restore", src], &[("DATABASE_URL", &target_url)]);
    assert_eq!(code, 9, "{err}");
    assert!(err.contains("--force"), "{err}");
    let (code, _, err) = run(
        &["restore", src, "--force"],
        &[("DATABASE_URL", &target_url)],
    );
    assert_eq!(code, 0, "{err}");
    let names = listing(&dir.join("new"));
    assert!(
        names.iter().any(|n| n.starts_with("waste.db.replaced-")),
        "{names:?}"
    );

    // Not a backup: an empty file.
    let empty = dir.join("empty.db");
    std::fs::write(&empty, b"").expect("empty");
    let (code, _, err) = run(
        &["restore", empty.to_str().expect("utf-8"), "--force"],
        &[("DATABASE_URL", &target_url)],
    );
    assert_eq!(code, 4, "{err}");

    // Held by a running service: refused even with --force.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port");
    let mut service = Command::new(env!("CARGO_BIN_EXE_waste-api"))
        .arg("serve")
        .env("DATABASE_URL", &target_url)
        .env("WASTE_BIND", format!("127.0.0.1:{port}"))
        .env(
            "WASTE_BOOTSTRAP_TOKEN",
            "ops-admin-5d81c2e9a4f07b36d1e8c4a92f60b7d3",
        )
        .env("WASTE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("service starts");
    let client = reqwest::blocking::Client::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut up = false;
    while !up && std::time::Instant::now() < deadline {
        up = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .is_ok_and(|r| r.status().is_success());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (code, _, err) = run(
        &["restore", src, "--force"],
        &[("DATABASE_URL", &target_url)],
    );
    let _ = service.kill();
    let _ = service.wait();
    assert!(up, "the service started");
    assert_eq!(code, 11, "{err}");
    assert!(err.contains("stop the service"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}
