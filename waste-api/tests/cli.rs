//! `waste-api classify [FILE]`: the same decision as the API, with no server and no database.

use std::io::Write;
use std::process::{Command, Stdio};
fn waste_api_bin() -> &'static str {
    env!("CARGO_BIN_EXE_waste-api")
}

const DCM: &str = r#"{"description":"spent dichloromethane","form":"liquid","origin":"experiment_residue",
 "components":[{"name":"dichloromethane","cas":"75-09-2","fraction":"0.85"},{"name":"methanol","cas":"67-56-1","fraction":"0.15"}]}"#;

fn run(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(waste_api_bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("waste-api runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("waste-api finishes");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn classify_from_stdin_prints_the_result_json() {
    let (code, out, err) = run(&["classify", "--on", "2026-11-28"], DCM);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("stdout is JSON");
    assert_eq!(v["solid_waste"]["outcome"], "solid_waste");
    assert_eq!(v["solid_waste"]["clause"], "4.2 c)");
    assert_eq!(v["solid_waste"]["standard"], "GB 34330-2017");
    assert_eq!(v["hazardous"]["code"], "900-047-49");
    assert_eq!(v["hazardous"]["category"], "HW49");
    assert_eq!(v["stream"], "halogenated_organic");
    assert!(v["trace"].as_array().is_some_and(|t| t.len() >= 4));
}

#[test]
fn classify_from_a_file_matches_stdin() {
    let dir = std::env::temp_dir().join(format!("waste-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("req.json");
    std::fs::write(&file, DCM).expect("write request");
    let (code, from_file, err) = run(
        &[
            "classify",
            file.to_str().expect("utf-8 path"),
            "--on",
            "2026-11-28",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let (_, from_stdin, _) = run(&["classify", "--on", "2026-11-28"], DCM);
    assert_eq!(from_file, from_stdin);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_input_exits_non_zero_with_one_line_naming_the_field() {
    let bad = DCM.replace("75-09-2", "75-09-3");
    let (code, out, err) = run(&["classify"], &bad);
    assert_ne!(code, 0);
    assert!(out.is_empty(), "nothing on stdout: {out}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("components[0].cas") && err.contains("check digit"),
        "{err}"
    );

    let (code, _, err) = run(&["classify"], "{not json");
    assert_ne!(code, 0);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");

    let (code, _, err) = run(&["classify", "/nonexistent/request.json"], "");
    assert_ne!(code, 0);
    assert!(err.contains("cannot read"), "{err}");

    let (code, _, err) = run(&["classify", "--on", "yesterday"], DCM);
    assert_ne!(code, 0);
    assert!(err.contains("--on"), "{err}");
}

fn run_env(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(waste_api_bin())
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("waste-api runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn migrate_creates_and_migrates_a_sqlite_file_and_is_idempotent() {
    let dir = std::env::temp_dir().join(format!("waste-migrate-{}", std::process::id()));
    let db = dir.join("nested").join("w.db");
    let url = format!("sqlite://{}", db.display());
    let (code, _, err) = run_env(&["migrate"], &[("DATABASE_URL", &url)]);
    assert_eq!(code, 0, "{err}");
    assert!(db.exists(), "the file and its directory are created");
    let (code, _, err) = run_env(&["migrate"], &[("DATABASE_URL", &url)]);
    assert_eq!(code, 0, "a second run is a no-op: {err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_bad_database_url_is_refused_with_the_real_error() {
    let (code, _, err) = run_env(&["migrate"], &[("DATABASE_URL", "postgresql:oops")]);
    assert_ne!(code, 0);
    assert!(
        err.contains("neither postgres") && !std::path::Path::new("postgresql:oops").exists(),
        "{err}"
    );
    let (code, _, err) = run_env(
        &["serve"],
        &[
            ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nope"),
            ("WASTE_BIND", "127.0.0.1:0"),
        ],
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("127.0.0.1") && (err.contains("refused") || err.contains("connect")),
        "the driver's own error: {err}"
    );
}

#[test]
fn verify_checks_every_chain_without_a_server() {
    use diesel::RunQueryDsl;
    let dir = std::env::temp_dir().join(format!("waste-verify-{}", std::process::id()));
    let url = format!("sqlite://{}/v.db", dir.display());
    let pool = waste_api::db::connect(&url, 1).expect("database").pool;
    let mut c = pool.get().expect("connection");
    for kind in ["created", "addition", "sealed"] {
        waste_api::store::events::append(
            &mut c,
            waste_api::store::events::Record {
                // A pickup's chain: no state row is compared with it (a container's chain would need its row).
                aggregate: "pickup:P1".into(),
                kind,
                actor: "user:U".into(),
                at: "2026-11-30T08:00:00.000000Z".into(),
                payload: serde_json::json!({"k": kind}),
            },
        )
        .expect("append");
    }
    let (code, out, err) = run_env(&["verify"], &[("DATABASE_URL", &url)]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(
        (v["ok"].as_bool(), v["events_checked"].as_i64()),
        (Some(true), Some(3))
    );
    // The log is insert-only (a trigger): whoever tampers drops the trigger first.
    diesel::sql_query("DROP TRIGGER events_no_update")
        .execute(&mut *c)
        .expect("drop the trigger");
    diesel::sql_query("UPDATE events SET actor = 'user:someone-else' WHERE seq = 2")
        .execute(&mut *c)
        .expect("tamper");
    let (code, out, _) = run_env(&["verify"], &[("DATABASE_URL", &url)]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(
        (v["broken"]["seq"].as_i64(), v["broken"]["kind"].as_str()),
        (Some(2), Some("hash"))
    );
    drop(c);
    let _ = std::fs::remove_dir_all(dir);
}

/// Issue 17 item 5: trailing content after the object is refused (exit non-zero), not silently ignored.
#[test]
fn classify_refuses_trailing_content() {
    let (code, out, err) = run(&["classify"], &format!("{DCM}\n{DCM}"));
    assert_ne!(code, 0);
    assert!(out.is_empty(), "nothing classified: {out}");
    assert!(err.contains("after the JSON object"), "{err}");
}

/// Issue 17 item 5: a file written by Windows Notepad (UTF-8 with a byte-order mark) is accepted.
#[test]
fn classify_accepts_a_utf8_byte_order_mark() {
    let dir = std::env::temp_dir().join(format!("waste-cli-bom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("notepad.json");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(DCM.as_bytes());
    std::fs::write(&file, bytes).expect("write request");
    let (code, out, err) = run(
        &[
            "classify",
            file.to_str().expect("utf-8 path"),
            "--on",
            "2026-11-28",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("stdout is JSON");
    assert_eq!(v["hazardous"]["code"], "900-047-49");
    let _ = std::fs::remove_dir_all(dir);
}

/// Issue 17 item 5: the input is capped; a larger one is refused with the limit, without reading it whole.
#[test]
fn classify_refuses_input_above_the_cap() {
    let big = " ".repeat(waste_core::request::MAX_REQUEST_BYTES + 10) + DCM;
    let (code, out, err) = run(&["classify"], &big);
    assert_ne!(code, 0);
    assert!(out.is_empty());
    assert!(
        err.contains(&waste_core::request::MAX_REQUEST_BYTES.to_string()),
        "{err}"
    );
}

/// Issue 13 item 1: the decision date chooses the catalogue edition the result cites.
#[test]
fn classify_cites_the_catalogue_edition_of_the_decision_date() {
    for (on, edition) in [("2024-06-01", "2021"), ("2026-11-30", "2025")] {
        let (code, out, err) = run(&["classify", "--on", on], DCM);
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).expect("stdout is JSON");
        assert_eq!(v["hazardous"]["edition"], edition, "{on}");
        assert_eq!(
            v["hazardous"]["standard"],
            format!("National Catalogue of Hazardous Wastes ({edition})"),
            "{on}"
        );
    }
}

/// Issue 29, item 8: `checkpoint` prints a signed statement of the log's size and digest (its key created beside
/// the database); `verify --since FILE` passes while the log only grows, fails (exit 1, naming what differs) once a
/// chain the checkpoint saw is erased, even with the log's head sealed anew over what is left; a statement that
/// was changed is refused (exit 9); usage errors exit 2.
#[test]
fn checkpoint_then_verify_since_shows_the_log_only_grew() {
    use diesel::RunQueryDsl;
    let dir = std::env::temp_dir().join(format!("waste-checkpoint-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("sqlite://{}/v.db", dir.display());
    let append = |aggregate: &str, kind: &str| {
        let pool = waste_api::db::connect(&url, 1).expect("database").pool;
        let mut c = pool.get().expect("connection");
        waste_api::store::events::append(
            &mut c,
            waste_api::store::events::Record {
                aggregate: aggregate.into(),
                kind,
                actor: "user:U".into(),
                at: "2026-12-07T08:00:00.000000Z".into(),
                payload: serde_json::json!({"k": kind}),
            },
        )
        .expect("append");
    };
    append("pickup:P1", "created");
    append("pickup:P1", "sealed");
    append("pickup:P2", "created");
    let env = [("DATABASE_URL", url.as_str())];
    let (code, out, err) = run_env(&["checkpoint"], &env);
    assert_eq!(code, 0, "{err}");
    let statement: serde_json::Value = serde_json::from_str(out.trim()).expect("one JSON line");
    assert_eq!(statement["statement"]["count"], 3, "{statement}");
    assert!(
        dir.join("v.db.checkpoint-key").exists(),
        "the key is created beside the database"
    );
    let file = dir.join("checkpoint.json");
    std::fs::write(&file, &out).expect("kept");
    let since = ["verify", "--since", file.to_str().expect("path")];

    // The log grows: still the log the checkpoint saw.
    append("pickup:P1", "picked_up");
    append("pickup:P3", "created");
    let (code, out, err) = run_env(&since, &env);
    assert_eq!(code, 0, "{out} {err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(v["since"]["grown_by"], 2, "{v}");

    // A statement changed by hand does not verify.
    let changed = dir.join("changed.json");
    std::fs::write(&changed, out_changed(&file)).expect("changed");
    let (code, _, err) = run_env(
        &["verify", "--since", changed.to_str().expect("path")],
        &env,
    );
    assert_eq!(code, 9, "{err}");
    assert!(err.contains("signature"), "{err}");
    let (code, _, _) = run_env(&["verify", "--since"], &env);
    assert_eq!(code, 2, "usage");

    // P2, which the checkpoint saw, erased with its head, and the log's head sealed anew over the rest: the audit
    // alone finds every chain and the log's head in agreement; the checkpoint does not.
    {
        let pool = waste_api::db::connect(&url, 1).expect("database").pool;
        let mut c = pool.get().expect("connection");
        for sql in [
            "DROP TRIGGER events_no_delete",
            "DELETE FROM events WHERE aggregate = 'pickup:P2'",
            "DELETE FROM chain_heads WHERE aggregate = 'pickup:P2'",
            "UPDATE log_head SET count = -1",
        ] {
            diesel::sql_query(sql).execute(&mut *c).expect(sql);
        }
    }
    drop(waste_api::db::connect(&url, 1).expect("reopened: the log's head sealed anew"));
    let (code, out, err) = run_env(&["verify"], &env);
    assert_eq!(code, 0, "the audit alone cannot tell: {out} {err}");
    let (code, out, err) = run_env(&since, &env);
    assert_eq!(code, 1, "{out} {err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(v["broken"]["aggregate"], "log", "{v}");
    assert_eq!(v["broken"]["kind"], "since_count", "{v}");
    assert_eq!(v["broken"]["checkpoint_count"], 3, "{v}");
    assert_eq!(v["broken"]["found"], 2, "{v}");
    assert!(err.contains("since_count"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The statement in `file` with its count changed (its signature kept).
fn out_changed(file: &std::path::Path) -> String {
    let mut v: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(file).expect("file").trim()).expect("json");
    let n = v["statement"]["count"].as_i64().expect("count");
    v["statement"]["count"] = serde_json::json!(n + 1);
    v.to_string()
}
