//! The write path under concurrency, on both backends (on SQLite, requests that queue for the write connection
//! share one transaction, a savepoint each: group commit). Accepted and refused additions interleaved on shared
//! containers; one Idempotency-Key sent by many requests at once.

use diesel::connection::SimpleConnection;
use serde_json::{Value, json};
use waste_e2e::world::{add, container, cyanide, school};
use waste_e2e::{TestApp, assert_error, both_backends, count};

both_backends! {
    refusals_among_concurrent_additions_leave_nothing_and_the_rest_commit => refusals_among_concurrent_additions;
    one_idempotency_key_sent_at_once_creates_once => one_key_at_once;
}

const THREADS: usize = 8;
const EACH: usize = 12;

/// Eight writers on two containers; every third request of each is another stream (refused, 409
/// `stream_mismatch`). Every accepted addition is stored with its event, no refused one left a row.
fn refusals_among_concurrent_additions(app: &TestApp) {
    let s = school(app, 9200);
    let ids = [
        container(app, &s.staff, "2000"),
        container(app, &s.staff, "2000"),
    ];
    for id in &ids {
        assert_eq!(add(app, &s.staff, id, cyanide(), "0.01").0, 201);
    }
    let barrier = std::sync::Barrier::new(THREADS);
    let accepted: Vec<(usize, usize)> = std::thread::scope(|scope| {
        let hs: Vec<_> = (0..THREADS)
            .map(|t| {
                let (barrier, s, id) = (&barrier, &s, &ids[t % 2]);
                scope.spawn(move || {
                    barrier.wait();
                    let mut ok = 0;
                    for i in 0..EACH {
                        if i % 3 == 2 {
                            let r = add(app, &s.staff, id, json!([{"name": "ethanol"}]), "1");
                            assert_error(&r, 409, "stream_mismatch");
                        } else {
                            let r = add(app, &s.staff, id, cyanide(), "0.01");
                            assert_eq!(r.0, 201, "{}", r.1);
                            ok += 1;
                        }
                    }
                    (t % 2, ok)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().expect("writer")).collect()
    });
    for (i, id) in ids.iter().enumerate() {
        let want = 1 + accepted
            .iter()
            .filter(|(c, _)| *c == i)
            .map(|(_, n)| n)
            .sum::<usize>() as i64;
        let (_, v) = app.get(&format!("/api/v1/containers/{id}"), &s.staff);
        assert_eq!(v["additions_count"].as_i64(), Some(want), "{v}");
        assert_eq!(
            count(
                app,
                &format!("SELECT COUNT(*) AS n FROM additions WHERE container_id = '{id}'")
            ),
            want
        );
        assert_eq!(
            count(
                app,
                &format!("SELECT COUNT(*) AS n FROM events WHERE aggregate = 'container:{id}'")
            ),
            want + 1,
            "created, then one event per accepted addition"
        );
        // Only cyanide went in: no refused request left its stream behind.
        assert_eq!(v["stream"], "cyanide_inorganic", "{v}");
    }
    let (_, audit) = app.get("/api/v1/audit/verify", waste_e2e::ADMIN_TOKEN);
    assert_eq!(audit["ok"], true, "{audit}");
    // What an addition stores besides its numbers: the request and the decision (for bench/RESULTS.md).
    eprintln!(
        "stored per addition: request {} bytes, decision {} bytes",
        count(
            app,
            "SELECT CAST(AVG(LENGTH(waste)) AS BIGINT) AS n FROM additions"
        ),
        count(
            app,
            "SELECT CAST(AVG(LENGTH(classification)) AS BIGINT) AS n FROM additions"
        )
    );
}

/// Many requests with one Idempotency-Key at once: one container is created, and every request answered 2xx
/// carries its id (the others are refused with a conflict, nothing created).
fn one_key_at_once(app: &TestApp) {
    let s = school(app, 9210);
    let before = count(app, "SELECT COUNT(*) AS n FROM containers");
    let barrier = std::sync::Barrier::new(THREADS);
    let answers: Vec<(u16, Value)> = std::thread::scope(|scope| {
        let hs: Vec<_> = (0..THREADS)
            .map(|_| {
                let (barrier, s) = (&barrier, &s);
                scope.spawn(move || {
                    barrier.wait();
                    app.call_raw(
                        "POST",
                        "/api/v1/containers",
                        Some(&s.staff),
                        Some(
                            json!({"lab": "K", "capacity_liters": "20", "material": "hdpe"})
                                .to_string(),
                        ),
                        &[("Idempotency-Key", "writepath-same-key")],
                    )
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().expect("request")).collect()
    });
    let ids: std::collections::BTreeSet<String> = answers
        .iter()
        .filter(|(st, _)| (200..300).contains(st))
        .map(|(_, v)| v["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), 1, "{answers:?}");
    for (st, v) in &answers {
        if !(200..300).contains(st) {
            assert_eq!(*st, 409, "{v}");
        }
    }
    assert_eq!(
        count(app, "SELECT COUNT(*) AS n FROM containers"),
        before + 1
    );
}

/// SQLite: how many WAL frames (pages written at COMMIT) an addition costs alone and inside groups, and how many
/// writes each COMMIT carried. Printed for bench/RESULTS.md; asserted only that grouping never writes more.
#[test]
fn sqlite_group_commit_writes_fewer_wal_frames_per_addition() {
    let app = TestApp::start(waste_e2e::Backend::Sqlite);
    let s = school(&app, 9220);
    let ids: Vec<String> = (0..16).map(|_| container(&app, &s.staff, "2000")).collect();
    for id in &ids {
        assert_eq!(add(&app, &s.staff, id, cyanide(), "0.01").0, 201);
    }
    let path = app
        .database_url
        .strip_prefix("sqlite://")
        .expect("sqlite url")
        .to_owned();
    let wal = format!("{path}-wal");
    let truncate = || {
        let mut c = app.db();
        c.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")
            .expect("checkpoint");
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0)
    };
    let frames = || {
        let len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        // A 32-byte WAL header, then 24 bytes of frame header per 4096-byte page.
        len.saturating_sub(32) / (24 + 4096)
    };
    let metric = |name: &str| -> f64 {
        let (_, v) = app.call("GET", "/metrics", None, None);
        v.as_str()
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or(0.0)
    };
    const N: usize = 64;
    assert_eq!(truncate(), 0, "the WAL is empty before the measurement");
    for i in 0..N {
        assert_eq!(
            add(&app, &s.staff, &ids[i % ids.len()], cyanide(), "0.01").0,
            201
        );
    }
    let alone = frames() as f64 / N as f64;
    truncate();
    let (w0, c0) = (
        metric("waste_db_writes_total "),
        metric("waste_db_write_commits_total "),
    );
    let each = N / ids.len();
    std::thread::scope(|scope| {
        for id in &ids {
            let (app, s) = (&app, &s);
            scope.spawn(move || {
                for _ in 0..each {
                    assert_eq!(add(app, &s.staff, id, cyanide(), "0.01").0, 201);
                }
            });
        }
    });
    let grouped = frames() as f64 / N as f64;
    let (w1, c1) = (
        metric("waste_db_writes_total "),
        metric("waste_db_write_commits_total "),
    );
    eprintln!(
        "WAL frames per addition: {alone:.1} one at a time, {grouped:.1} from 16 writers at once; {:.1} writes per COMMIT",
        (w1 - w0) / (c1 - c0).max(1.0)
    );
    assert!(grouped <= alone, "{grouped} > {alone}");
}
