//! `reads --url URL --admin TOKEN [--requests 200]`: p50/p95 of the read endpoints on a seeded store (see
//! `seed_scale`), one request at a time, and the time of `/audit/verify`.

use std::time::{Duration, Instant};
use waste_bench::Stats;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let (Some(url), Some(admin)) = (get("--url"), get("--admin")) else {
        eprintln!("usage: reads --url URL --admin TOKEN [--requests 200]");
        std::process::exit(2);
    };
    let n: usize = get("--requests")
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let c = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .expect("client");
    let call = |path: &str, token: &str| -> (Duration, u16, serde_json::Value) {
        let t = Instant::now();
        let r = c
            .get(format!("{url}{path}"))
            .bearer_auth(token)
            .send()
            .expect("request");
        let s = r.status().as_u16();
        let v = r.json().unwrap_or(serde_json::Value::Null);
        (t.elapsed(), s, v)
    };
    // A deep page: the cursor after several pages of school 0's containers.
    let mut after = String::new();
    for _ in 0..5 {
        let (_, _, v) = call(
            &format!("/api/v1/containers?limit=100{after}"),
            "scale-staff",
        );
        if let Some(a) = v["next_after"].as_str() {
            after = format!("&after={a}");
        }
    }
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "containers, first page (50)",
            "/api/v1/containers?limit=50".into(),
            "scale-staff",
        ),
        (
            "containers, deep page (50)",
            format!("/api/v1/containers?limit=50{after}"),
            "scale-staff",
        ),
        (
            "containers, open only (50)",
            "/api/v1/containers?limit=50&status=open".into(),
            "scale-staff",
        ),
        (
            "storage alerts (one school)",
            "/api/v1/alerts/storage".into(),
            "scale-staff",
        ),
        (
            "oversight, 100 schools",
            "/api/v1/oversight/schools".into(),
            "scale-bureau",
        ),
        (
            "manifests, first page (50)",
            "/api/v1/manifests?limit=50".into(),
            "scale-operator",
        ),
        (
            "receipt alerts (station)",
            "/api/v1/alerts/receipts".into(),
            "scale-operator",
        ),
    ];
    for (name, path, token) in cases {
        let mut lat = Vec::with_capacity(n);
        let mut errors = 0;
        for _ in 0..n {
            let (d, s, _) = call(&path, token);
            if s == 200 { lat.push(d) } else { errors += 1 }
        }
        lat.sort();
        let p95 = lat
            .get(((lat.len() as f64 - 1.0) * 0.95).round() as usize)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0);
        let s = Stats::of(lat, errors, 1.0);
        println!(
            "{name}: p50 {:.2} ms, p95 {p95:.2} ms, p99 {:.2} ms, {} errors",
            s.p50_ms, s.p99_ms, s.errors
        );
    }
    let (d, s, v) = call("/api/v1/audit/verify", &admin);
    println!(
        "audit/verify: {} in {:.1} s (status {s}): {}",
        v["events_checked"],
        d.as_secs_f64(),
        v
    );
}
