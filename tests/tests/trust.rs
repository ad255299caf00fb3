//! The security review's findings (issue 14), each with the test that failed before its fix, on both backends.

use serde_json::json;
use std::io::Write as _;
use waste_e2e::{ADMIN_TOKEN, Backend, TestApp, assert_error, both_backends};

/// The resident set of this process (the service runs in it), in KiB, from `/proc/self/status`.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// A gzip body that inflates to `mib` MiB of zeros, built in chunks so the test itself never holds it inflated.
fn gzip_bomb(mib: usize) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let chunk = vec![0u8; 1024 * 1024];
    for _ in 0..mib {
        enc.write_all(&chunk).expect("compress");
    }
    enc.finish().expect("compress")
}

/// Finding 4: a compressed request body is refused (415) before anything inflates it. Before the fix the
/// service inflated a 64 MiB gzip bomb in memory before its 413; now the answer is 415 and the process grows by
/// far less than the bomb's inflated size.
fn compressed_bodies(app: &TestApp) {
    let bomb = gzip_bomb(64);
    assert!(bomb.len() < 1024 * 1024, "the bomb is small on the wire");
    let before = rss_kib();
    let r = app.call_bytes(
        "POST",
        "/api/v1/organizations",
        Some(ADMIN_TOKEN),
        bomb,
        &[("content-encoding", "gzip")],
    );
    let grown_mib = rss_kib().saturating_sub(before) / 1024;
    assert_error(&r, 415, "unsupported_content_encoding");
    assert!(grown_mib < 32, "the service grew by {grown_mib} MiB");
    // Each listed encoding counts; `identity` alone is no encoding and passes to the handler.
    for enc in ["zstd", "br", "deflate", "identity, gzip"] {
        let r = app.call_bytes(
            "POST",
            "/api/v1/classify",
            Some(ADMIN_TOKEN),
            b"{}".to_vec(),
            &[("content-encoding", enc)],
        );
        assert_error(&r, 415, "unsupported_content_encoding");
    }
    let r = app.call_bytes(
        "POST",
        "/api/v1/organizations",
        Some(ADMIN_TOKEN),
        json!({}).to_string().into_bytes(),
        &[("content-encoding", "identity")],
    );
    assert_eq!(r.0, 422, "{}", r.1);
}

/// Starts the service once more on `database_url` with `token` as `WASTE_BOOTSTRAP_TOKEN`, and stops it.
fn start_again(database_url: &str, token: Option<&str>) -> Result<(), String> {
    actix_web::rt::System::new().block_on(async {
        let running = waste_api::build("127.0.0.1:0", database_url, token, 1, 2)?;
        let handle = running.handle.clone();
        actix_web::rt::spawn(running.server);
        handle.stop(false).await;
        Ok(())
    })
}

/// Finding 11: a bootstrap token is at least 32 random characters, and a different one on a restart stops the
/// start loudly instead of being ignored.
fn bootstrap_token(app: &TestApp) {
    let err = start_again(
        &app.database_url,
        Some("another-admin-1b9e5c3a7d2f8064e3b1c9a5d7f2e8c6"),
    )
    .expect_err("a changed bootstrap token is refused");
    assert!(
        err.contains("WASTE_BOOTSTRAP_TOKEN is not the token of any administrator"),
        "{err}"
    );
    start_again(&app.database_url, Some(ADMIN_TOKEN)).expect("the same token starts");
    start_again(&app.database_url, None).expect("no token starts");
    // The administrator's token still works, and the refused one was never stored.
    assert_eq!(app.get("/api/v1/me", ADMIN_TOKEN).0, 200);
    let r = app.get(
        "/api/v1/me",
        "another-admin-1b9e5c3a7d2f8064e3b1c9a5d7f2e8c6",
    );
    assert_error(&r, 401, "unauthenticated");
    // On a fresh database, weak tokens are refused and nothing is bootstrapped.
    let dir = std::env::temp_dir().join(format!("waste-boot-{}", uuid::Uuid::new_v4().simple()));
    let url = format!("sqlite://{}/waste.db", dir.display());
    for weak in [
        "e2e-admin-token",
        &"a".repeat(40),
        "abababababababababababababababababab",
        "0123456789abcdef0123456789abcde f",
    ] {
        let err = start_again(&url, Some(weak)).expect_err(weak);
        assert!(err.contains("at least 32 random"), "{weak}: {err}");
    }
    start_again(&url, Some("fresh-admin-8d2c6e0a4f9b1357d8e2a6c0f4b9d1e3"))
        .expect("a strong token starts");
    let _ = std::fs::remove_dir_all(&dir);
}

const METRICS_TOKEN: &str = "metrics-4c8e2a6d0f1b3957";

/// Finding 5: `/metrics` behind `WASTE_METRICS_TOKEN`, and no client text becomes a label.
fn metrics_guarded(backend: Backend) {
    let guards = waste_api::config::Guards {
        metrics_token: Some(METRICS_TOKEN.into()),
        ..Default::default()
    };
    let app = TestApp::start_with(backend, guards);
    assert_error(
        &app.call("GET", "/metrics", None, None),
        401,
        "unauthenticated",
    );
    assert_error(
        &app.call("GET", "/metrics", Some(ADMIN_TOKEN), None),
        401,
        "unauthenticated",
    );
    for i in 0..50 {
        app.call("FROB", &format!("/nowhere/{i}"), None, None);
    }
    let (s, m) = app.call("GET", "/metrics", Some(METRICS_TOKEN), None);
    assert_eq!(s, 200, "{m}");
    let text = m.as_str().unwrap_or_default();
    assert!(
        text.contains(
            "http_requests_total{route=\"unmatched\",method=\"other\",status=\"404\"} 50"
        ),
        "{text}"
    );
    assert!(
        !text.contains("FROB") && !text.contains("/nowhere"),
        "{text}"
    );
}

#[test]
fn sqlite_metrics_need_their_token_and_labels_are_fixed() {
    metrics_guarded(Backend::Sqlite);
}

#[test]
fn postgres_metrics_need_their_token_and_labels_are_fixed() {
    metrics_guarded(Backend::Postgres);
}

both_backends! {
    bootstrap_tokens_are_long_and_a_changed_one_is_refused => bootstrap_token;
    compressed_request_bodies_are_refused_before_inflating => compressed_bodies;
}
