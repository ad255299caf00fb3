//! `shelf --url URL --admin TOKEN [--bottles 5000] [--requests 100]`: a school with `--bottles` bottles on its
//! shelf (2 % of them controlled, received with a second person's PIN), received through the API; then p50/p95,
//! one request at a time, of what a stocktake and the bureau read over the whole shelf: a stocktake's
//! reconciliation after 200 bottles were counted (the stocktake page reads the same), the shelf's alerts, and the
//! bureau's view of the school.

use serde_json::{Value, json};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let (Some(url), Some(admin)) = (get("--url"), get("--admin")) else {
        eprintln!("usage: shelf --url URL --admin TOKEN [--bottles 5000] [--requests 100]");
        std::process::exit(2);
    };
    let bottles: usize = get("--bottles")
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let n: usize = get("--requests")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let c = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .expect("client");
    let call =
        |method: &str, path: &str, token: &str, body: Option<Value>| -> (Duration, u16, Value) {
            let t = Instant::now();
            let mut r = c
                .request(method.parse().expect("method"), format!("{url}{path}"))
                .bearer_auth(token);
            if let Some(b) = body {
                r = r.json(&b);
            }
            let r = r.send().expect("request");
            let s = r.status().as_u16();
            let v = r.json().unwrap_or(Value::Null);
            (t.elapsed(), s, v)
        };
    let ok = |(_, s, v): (Duration, u16, Value), what: &str| -> Value {
        assert!(s < 300, "{what}: {s} {v}");
        v
    };
    let id = |v: &Value| v["id"].as_str().expect("id").to_owned();
    let school = id(&ok(
        call(
            "POST",
            "/api/v1/organizations",
            &admin,
            Some(
                json!({"kind": "school", "name": "bench school", "credit_code": "91350100M000100Y43", "region_code": "220102"}),
            ),
        ),
        "school",
    ));
    let bureau = id(&ok(
        call(
            "POST",
            "/api/v1/organizations",
            &admin,
            Some(
                json!({"kind": "authority", "name": "bench bureau", "credit_code": "11220100MB0000001Y", "region_code": "220100"}),
            ),
        ),
        "bureau",
    ));
    let person = |org: &str, roles: Value| {
        let v = ok(
            call(
                "POST",
                &format!("/api/v1/organizations/{org}/users"),
                &admin,
                Some(json!({"name": "p", "roles": roles, "trained_until": "2099-12-31"})),
            ),
            "user",
        );
        (id(&v), v["token"].as_str().expect("token").to_owned())
    };
    let (_, staff) = person(&school, json!(["lab_staff"]));
    let (second_id, second) = person(&school, json!(["safety_officer"]));
    let (_, auditor) = person(&bureau, json!(["auditor"]));
    ok(
        call(
            "PUT",
            "/api/v1/users/me/pin",
            &second,
            Some(json!({"pin": "482913"})),
        ),
        "pin",
    );
    let site = id(&ok(
        call(
            "POST",
            "/api/v1/storage-sites",
            &admin,
            Some(
                json!({"organization_id": school, "kind": "storage_point", "name": "shelf", "location": "1", "responsible": "r", "contact": "c"}),
            ),
        ),
        "site",
    ));
    // Everyday reagents, and one controlled bottle in fifty.
    let everyday = [
        "ethanol",
        "acetone-free",
        "sodium chloride",
        "glucose",
        "methanol",
        "ethyl acetate",
    ];
    let everyday: Vec<&str> = everyday
        .into_iter()
        .filter(|s| !s.contains("free"))
        .collect();
    let t = Instant::now();
    let mut codes = Vec::with_capacity(bottles);
    for i in 0..bottles {
        let controlled = i % 50 == 0;
        let mut body = json!({"substance": if controlled { "potassium cyanide" } else { everyday[i % everyday.len()] },
            "amount": "500", "unit": "g", "site_id": site, "cabinet": format!("{}", i % 40), "expires_on": "2099-12-31"});
        if controlled {
            body["second_person"] = json!({"officer_id": second_id, "pin": "482913"});
        }
        let v = ok(
            call("POST", "/api/v1/bottles", &staff, Some(body)),
            "receive",
        );
        codes.push(v["code"].as_str().expect("code").to_owned());
    }
    println!(
        "received {bottles} bottles in {:.1} s ({:.0}/s, one at a time)",
        t.elapsed().as_secs_f64(),
        bottles as f64 / t.elapsed().as_secs_f64()
    );
    let take = id(&ok(
        call(
            "POST",
            "/api/v1/stocktakes",
            &staff,
            Some(json!({"site_id": site})),
        ),
        "stocktake",
    ));
    for code in codes.iter().take(200) {
        ok(
            call(
                "POST",
                &format!("/api/v1/stocktakes/{take}/counts"),
                &staff,
                Some(json!({"code": code, "counted": "499"})),
            ),
            "count",
        );
    }
    let cases = [
        (
            format!("stocktake reconciliation ({bottles} books, 200 counted)"),
            format!("/api/v1/stocktakes/{take}"),
            staff.clone(),
        ),
        (
            "shelf alerts".to_owned(),
            "/api/v1/shelf/alerts".to_owned(),
            staff.clone(),
        ),
        (
            "bureau's view of the school".to_owned(),
            format!("/api/v1/oversight/schools/{school}/shelf"),
            auditor.clone(),
        ),
    ];
    for (name, path, token) in cases {
        let mut lat = Vec::with_capacity(n);
        for _ in 0..n {
            let (d, s, v) = call("GET", &path, &token, None);
            assert_eq!(s, 200, "{name}: {v}");
            lat.push(d);
        }
        let st = waste_bench::Stats::of(lat.clone(), 0, 0.0);
        lat.sort();
        let p95 = lat
            .get(((lat.len() as f64 - 1.0) * 0.95).round() as usize)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
        println!(
            "{name}: p50 {:.1} ms, p95 {p95:.1} ms, max {:.1} ms ({n} requests)",
            st.p50_ms, st.max_ms
        );
    }
}
