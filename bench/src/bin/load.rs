//! `load --url URL[,URL…] --token ADMIN_TOKEN [--scenario additions|lifecycle] [--connections 16] [--seconds 10] [--label NAME]`
//!
//! With several URLs (instances of the service on one database), each request goes to the next one in turn
//! (round-robin), seeding included, and the write-path counters printed are the sum of every instance's.
//!
//! `additions`: seeds one school, a trained lab user and one 2000 L container per connection over HTTP, then
//! adds waste (1 mL of aqueous potassium cyanide) at the given concurrency for the given time. Each connection
//! adds to its own container, so any refusal is an error. Prints additions per second, p50/p99/max latency.
//!
//! `lifecycle`: seeds a school, a transfer station, a carrier and a licensed disposal firm with a contract, then
//! each connection repeats the whole custody chain (container, addition, seal, pickup, manifest, submit,
//! dispatch, receive, confirm disposal: 9 requests). Prints manifests closed per second and the latency of one
//! full chain.

use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use waste_bench::Stats;

/// The instances' base URLs, taken in turn.
#[derive(Clone)]
struct Bases(Arc<Vec<String>>);

static NEXT: AtomicUsize = AtomicUsize::new(0);

impl Bases {
    fn next(&self) -> &str {
        &self.0[NEXT.fetch_add(1, Ordering::Relaxed) % self.0.len()]
    }
}

struct Args {
    /// Every instance, comma-separated on the command line.
    urls: Bases,
    /// The first instance (its `/metrics` is read with the others').
    url: String,
    token: String,
    connections: usize,
    seconds: u64,
    label: String,
    scenario: String,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        urls: Bases(Arc::new(Vec::new())),
        url: String::new(),
        token: String::new(),
        connections: 16,
        seconds: 10,
        label: "run".into(),
        scenario: "additions".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().ok_or(format!("{k} needs a value"));
        match k.as_str() {
            "--url" => a.url = v()?,
            "--token" => a.token = v()?,
            "--connections" => {
                a.connections = v()?.parse().map_err(|_| "--connections: a number")?
            }
            "--seconds" => a.seconds = v()?.parse().map_err(|_| "--seconds: a number")?,
            "--label" => a.label = v()?,
            "--scenario" => a.scenario = v()?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let urls: Vec<String> = a
        .url
        .split(',')
        .map(|u| u.trim().trim_end_matches('/').to_owned())
        .filter(|u| !u.is_empty())
        .collect();
    if urls.is_empty() || a.token.is_empty() {
        return Err("usage: load --url URL[,URL…] --token ADMIN_TOKEN [--connections 16] [--seconds 10] [--label NAME]".into());
    }
    a.url = urls[0].clone();
    a.urls = Bases(Arc::new(urls));
    a.seconds = a.seconds.clamp(1, 600);
    a.connections = a.connections.clamp(1, 256);
    Ok(a)
}

async fn post(
    c: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Value,
) -> Result<(u16, Value), String> {
    let r = c
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let s = r.status().as_u16();
    Ok((s, r.json().await.unwrap_or(Value::Null)))
}

async fn seed(c: &reqwest::Client, a: &Args) -> Result<(String, Vec<String>), String> {
    let n = std::process::id() % 1_000_000 + (Instant::now().elapsed().subsec_nanos() % 1000);
    let credit = waste_core::party::credit_code_with_check(&format!("91220101MA{n:07}"))
        .ok_or("credit code")?;
    let (s, org) = post(c, &format!("{}/api/v1/organizations", a.urls.next()), &a.token, &json!({"kind": "school", "name": format!("load school {n}"), "credit_code": credit, "region_code": "220102"})).await?;
    if s != 201 {
        return Err(format!("seed school: {s} {org}"));
    }
    let org = org["id"].as_str().ok_or("org id")?.to_owned();
    let (s, u) = post(
        c,
        &format!("{}/api/v1/organizations/{org}/users", a.urls.next()),
        &a.token,
        &json!({"name": "load", "roles": ["lab_staff"], "trained_until": "2099-12-31"}),
    )
    .await?;
    if s != 201 {
        return Err(format!("seed user: {s} {u}"));
    }
    let token = u["token"].as_str().ok_or("token")?.to_owned();
    let mut containers = Vec::new();
    for _ in 0..a.connections {
        let (s, v) = post(
            c,
            &format!("{}/api/v1/containers", a.urls.next()),
            &token,
            &json!({"lab": "LOAD", "capacity_liters": "2000", "material": "hdpe"}),
        )
        .await?;
        if s != 201 {
            return Err(format!("seed container: {s} {v}"));
        }
        containers.push(v["id"].as_str().ok_or("container id")?.to_owned());
    }
    Ok((token, containers))
}

/// Runs `step(worker)` in a loop on `workers` concurrent tasks until `seconds` have passed; an `Err` counts as
/// an error (the first one of each worker is printed). The latency of each successful step is recorded.
async fn drive<F, Fut>(workers: usize, seconds: u64, step: F) -> Stats
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
{
    let step = std::sync::Arc::new(step);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let step = step.clone();
            tokio::spawn(async move {
                let (mut lat, mut errors, mut first) = (Vec::new(), 0usize, None);
                while Instant::now() < deadline {
                    let t = Instant::now();
                    match step(w).await {
                        Ok(()) => lat.push(t.elapsed()),
                        Err(e) => {
                            errors += 1;
                            first.get_or_insert(e);
                        }
                    }
                }
                (lat, errors, first)
            })
        })
        .collect();
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        if let Ok((lat, e, first)) = t.await {
            all.extend(lat);
            errors += e;
            if let Some(f) = first {
                eprintln!("load: first error: {f}");
            }
        }
    }
    Stats::of(all, errors, started.elapsed().as_secs_f64())
}

/// The service's write-path counters (writes, seconds queued, seconds held, commits), from its /metrics.
async fn write_path_of(c: &reqwest::Client, url: &str) -> Option<(f64, f64, f64, f64)> {
    let text = c
        .get(format!("{url}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse::<f64>().ok())
    };
    Some((
        value("waste_db_writes_total ")?,
        value("waste_db_write_wait_seconds_total ")?,
        value("waste_db_write_hold_seconds_total ")?,
        // Absent from a service older than group commit: then one commit per write.
        value("waste_db_write_commits_total ").unwrap_or(0.0),
    ))
}

/// The write-path counters summed over every instance.
async fn write_path(c: &reqwest::Client, urls: &Bases) -> Option<(f64, f64, f64, f64)> {
    let mut sum = (0.0, 0.0, 0.0, 0.0);
    for u in urls.0.iter() {
        let (w, q, h, n) = write_path_of(c, u).await?;
        sum = (sum.0 + w, sum.1 + q, sum.2 + h, sum.3 + n);
    }
    Some(sum)
}

/// Runs `drive` and prints, from the service's counters, how busy its write path was: on SQLite one write
/// connection serves every write, so its busy share bounds the write rate.
async fn measured<F, Fut>(c: &reqwest::Client, a: &Args, step: F) -> Stats
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
{
    let before = write_path(c, &a.urls).await;
    let s = drive(a.connections, a.seconds, step).await;
    if let (Some(b), Some(e)) = (before, write_path(c, &a.urls).await) {
        let n = (e.0 - b.0).max(1.0);
        println!(
            "{}: write path: {:.0} writes, connection held {:.0} % of the run, mean hold {:.0} µs, mean queue {:.0} µs, {:.1} writes per commit",
            a.label,
            e.0 - b.0,
            100.0 * (e.2 - b.2) / s.seconds,
            1e6 * (e.2 - b.2) / n,
            1e6 * (e.1 - b.1) / n,
            if e.3 > b.3 { n / (e.3 - b.3) } else { f64::NAN }
        );
    }
    s
}

/// POSTs `body` and succeeds on `want`; any other answer is an error with its status and body.
async fn expect(
    c: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    body: &Value,
    want: u16,
) -> Result<(), String> {
    let mut rb = c.post(url).json(body);
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    let r = rb.send().await.map_err(|e| e.to_string())?;
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    if status == want {
        Ok(())
    } else {
        Err(format!("{status} {text}"))
    }
}

#[tokio::main]
async fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("load: {e}");
            std::process::exit(2);
        }
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(a.connections)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client");
    let result = match a.scenario.as_str() {
        "additions" => additions(&client, &a).await,
        "classify" => classify(&client, &a).await,
        "lifecycle" => lifecycle(&client, &a).await,
        "ceiling" => ceiling(&client, &a).await,
        other => Err(format!(
            "unknown scenario '{other}': additions, classify, lifecycle or ceiling"
        )),
    };
    if let Err(e) = result {
        eprintln!("load: {e}");
        std::process::exit(1);
    }
}

/// Each connection adds 1 mL of aqueous potassium cyanide to its own 2000 L container.
async fn additions(client: &reqwest::Client, a: &Args) -> Result<(), String> {
    let (token, containers) = seed(client, a).await?;
    let body = json!({"waste": {"form": "liquid", "origin": "experiment_residue", "components": [{"name": "potassium cyanide", "fraction": "0.01"}, {"name": "water", "fraction": "0.99"}]}, "quantity": "0.001", "unit": "L"});
    let (c, bases) = (client.clone(), a.urls.clone());
    let s = measured(client, a, move |w| {
        let url = format!(
            "{}/api/v1/containers/{}/additions",
            bases.next(),
            containers[w]
        );
        let (c, token, body) = (c.clone(), token.clone(), body.clone());
        async move { expect(&c, &url, Some(&token), &body, 201).await }
    })
    .await;
    println!(
        "{}: additions at {} connections for {:.1} s: {} ok, {} errors, {:.0} additions/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        a.label,
        a.connections,
        s.seconds,
        s.ok,
        s.errors,
        s.per_second(),
        s.p50_ms,
        s.p99_ms,
        s.max_ms
    );
    Ok(())
}

struct Parties {
    school: String,
    staff: String,
    operator: String,
    carrier: String,
    driver: String,
    firm: String,
    receiver: String,
}

async fn org(
    c: &reqwest::Client,
    a: &Args,
    kind: &str,
    n: u32,
    extra: Value,
) -> Result<String, String> {
    let credit = waste_core::party::credit_code_with_check(&format!("91220101MA{n:07}"))
        .ok_or("credit code")?;
    let mut body = json!({"kind": kind, "name": format!("load {kind} {n}"), "credit_code": credit, "region_code": "220102"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let (s, v) = post(
        c,
        &format!("{}/api/v1/organizations", a.urls.next()),
        &a.token,
        &body,
    )
    .await?;
    if s != 201 {
        return Err(format!("seed {kind}: {s} {v}"));
    }
    Ok(v["id"].as_str().ok_or("id")?.to_owned())
}

async fn person(c: &reqwest::Client, a: &Args, org: &str, role: &str) -> Result<String, String> {
    let (s, v) = post(
        c,
        &format!("{}/api/v1/organizations/{org}/users", a.urls.next()),
        &a.token,
        &json!({"name": role, "roles": [role], "trained_until": "2099-12-31"}),
    )
    .await?;
    if s != 201 {
        return Err(format!("seed {role}: {s} {v}"));
    }
    Ok(v["token"].as_str().ok_or("token")?.to_owned())
}

async fn seed_parties(c: &reqwest::Client, a: &Args) -> Result<Parties, String> {
    let base = (std::process::id() % 100_000) * 10;
    let school = org(c, a, "school", base, json!({})).await?;
    let station = org(c, a, "transfer_station", base + 1, json!({})).await?;
    let operator = person(c, a, &station, "station_operator").await?;
    let carrier = org(c, a, "carrier", base + 2, json!({})).await?;
    let firm = org(c, a, "disposal_firm", base + 3, json!({"license": {"number": "LOAD", "waste_codes": ["900-047-49"], "valid_until": "2099-12-31"}})).await?;
    let (s, v) = post(c, &format!("{}/api/v1/contracts", a.urls.next()), &a.token, &json!({"shipper_id": station, "disposal_firm_id": firm, "valid_from": "2020-01-01", "valid_until": "2099-12-31", "waste_codes": ["900-047-49"]})).await?;
    if s != 201 {
        return Err(format!("seed contract: {s} {v}"));
    }
    Ok(Parties {
        staff: person(c, a, &school, "lab_staff").await?,
        operator,
        driver: person(c, a, &carrier, "driver").await?,
        receiver: person(c, a, &firm, "disposal_operator").await?,
        school,
        carrier,
        firm,
    })
}

/// One container from the bench to disposal; returns an error text on the first refusal.
async fn chain(c: &reqwest::Client, url: &Bases, p: &Parties) -> Result<(), String> {
    let step = |s: u16, want: u16, what: &str, v: &Value| {
        if s == want {
            Ok(())
        } else {
            Err(format!("{what}: {s} {v}"))
        }
    };
    let (s, v) = post(
        c,
        &format!("{}/api/v1/containers", url.next()),
        &p.staff,
        &json!({"lab": "LOAD", "capacity_liters": "20", "material": "hdpe"}),
    )
    .await?;
    step(s, 201, "container", &v)?;
    let id = v["id"].as_str().unwrap_or_default().to_owned();
    let add = json!({"waste": {"form": "liquid", "origin": "experiment_residue", "components": [{"name": "potassium cyanide", "fraction": "0.01"}, {"name": "water", "fraction": "0.99"}]}, "quantity": "5", "unit": "L"});
    let (s, v) = post(
        c,
        &format!("{}/api/v1/containers/{id}/additions", url.next()),
        &p.staff,
        &add,
    )
    .await?;
    step(s, 201, "addition", &v)?;
    let (s, v) = post(
        c,
        &format!("{}/api/v1/containers/{id}/seal", url.next()),
        &p.staff,
        &json!({}),
    )
    .await?;
    step(s, 200, "seal", &v)?;
    // A station takes a school's containers on the school's request it scheduled (issue 12).
    let today = time::OffsetDateTime::now_utc().date();
    let (from, until) = (
        format!("{today}T08:00:00+08:00"),
        format!("{}T17:00:00+08:00", today + time::Duration::days(30)),
    );
    let (s, v) = post(c, &format!("{}/api/v1/pickup-requests", url.next()), &p.staff, &json!({"container_ids": [id], "preferred_from": from, "preferred_until": until, "contact": "load"})).await?;
    step(s, 201, "pickup request", &v)?;
    let r = v["id"].as_str().unwrap_or_default().to_owned();
    let day = (time::OffsetDateTime::now_utc() + time::Duration::days(1)).date();
    let slot = json!({"slot_from": format!("{day}T09:00:00+08:00"), "slot_until": format!("{day}T11:00:00+08:00")});
    let (s, v) = post(
        c,
        &format!("{}/api/v1/pickup-requests/{r}/schedule", url.next()),
        &p.operator,
        &slot,
    )
    .await?;
    step(s, 200, "schedule", &v)?;
    let (s, v) = post(c, &format!("{}/api/v1/pickups", url.next()), &p.operator, &json!({"school_id": p.school, "request_id": r, "containers": [{"container_id": id, "gross_weight_kg": "6.2"}]})).await?;
    step(s, 201, "pickup", &v)?;
    let (s, v) = post(
        c,
        &format!("{}/api/v1/manifests", url.next()),
        &p.operator,
        &json!({"receiver_id": p.firm, "carrier_id": p.carrier, "container_ids": [id]}),
    )
    .await?;
    step(s, 201, "manifest", &v)?;
    let m = v["id"].as_str().unwrap_or_default().to_owned();
    let (s, v) = post(
        c,
        &format!("{}/api/v1/manifests/{m}/submit", url.next()),
        &p.operator,
        &json!({}),
    )
    .await?;
    step(s, 200, "submit", &v)?;
    let (s, v) = post(
        c,
        &format!("{}/api/v1/manifests/{m}/dispatch", url.next()),
        &p.driver,
        &json!({"container_ids": [id]}),
    )
    .await?;
    step(s, 200, "dispatch", &v)?;
    let (s, v) = post(
        c,
        &format!("{}/api/v1/manifests/{m}/receive", url.next()),
        &p.receiver,
        &json!({"lines": [{"container_id": id, "received_weight_kg": "6.2", "accepted": true}]}),
    )
    .await?;
    step(s, 200, "receive", &v)?;
    let (s, v) = post(
        c,
        &format!("{}/api/v1/manifests/{m}/confirm-disposal", url.next()),
        &p.receiver,
        &json!({"method": "D10"}),
    )
    .await?;
    step(s, 200, "confirm-disposal", &v)
}

async fn lifecycle(client: &reqwest::Client, a: &Args) -> Result<(), String> {
    let shared = seed_parties(client, a).await?;
    // One school per connection: the digital identification code numbers at most 999 containers per school,
    // waste code and day (labels.toml), which a single school would exhaust within seconds here.
    let mut per_worker = Vec::new();
    for i in 0..a.connections {
        let school = org(
            client,
            a,
            "school",
            (std::process::id() % 100_000) * 10 + 100_000 + i as u32,
            json!({}),
        )
        .await?;
        let staff = person(client, a, &school, "lab_staff").await?;
        per_worker.push(std::sync::Arc::new(Parties {
            school,
            staff,
            operator: shared.operator.clone(),
            carrier: shared.carrier.clone(),
            driver: shared.driver.clone(),
            firm: shared.firm.clone(),
            receiver: shared.receiver.clone(),
        }));
    }
    let (c, url) = (client.clone(), a.urls.clone());
    let s = measured(client, a, move |w| {
        let (c, url, p) = (c.clone(), url.clone(), per_worker[w].clone());
        async move { chain(&c, &url, &p).await }
    })
    .await;
    println!(
        "{}: full custody chains at {} connections for {:.1} s: {} manifests closed, {} errors, {:.1} manifests/s ({:.0} requests/s), chain p50 {:.1} ms, p99 {:.1} ms",
        a.label,
        a.connections,
        s.seconds,
        s.ok,
        s.errors,
        s.per_second(),
        s.per_second() * 11.0,
        s.p50_ms,
        s.p99_ms
    );
    Ok(())
}

/// `POST /api/v1/classify` of a 5-component waste at the given concurrency.
async fn classify(client: &reqwest::Client, a: &Args) -> Result<(), String> {
    let (token, _) = seed(
        client,
        &Args {
            connections: 0,
            urls: a.urls.clone(),
            url: a.url.clone(),
            token: a.token.clone(),
            seconds: a.seconds,
            label: a.label.clone(),
            scenario: a.scenario.clone(),
        },
    )
    .await?;
    let body = json!({"form": "liquid", "origin": "experiment_residue", "components": [
        {"name": "dichloromethane", "fraction": "0.40"}, {"name": "methanol", "fraction": "0.25"}, {"name": "acetonitrile", "fraction": "0.20"},
        {"name": "trifluoroacetic acid", "fraction": "0.05"}, {"name": "water", "fraction": "0.10"}]});
    let (c, bases) = (client.clone(), a.urls.clone());
    let s = drive(a.connections, a.seconds, move |_| {
        let url = format!("{}/api/v1/classify", bases.next());
        let (c, token, body) = (c.clone(), token.clone(), body.clone());
        async move { expect(&c, &url, Some(&token), &body, 200).await }
    })
    .await;
    println!(
        "{}: classify at {} connections for {:.1} s: {} ok, {} errors, {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms",
        a.label,
        a.connections,
        s.seconds,
        s.ok,
        s.errors,
        s.per_second(),
        s.p50_ms,
        s.p99_ms
    );
    Ok(())
}

/// `POST /insert` of `ceiling_http` at the given concurrency: the HTTP ceiling of a single-row write.
async fn ceiling(client: &reqwest::Client, a: &Args) -> Result<(), String> {
    let (c, url) = (client.clone(), format!("{}/insert", a.url));
    let body = json!({"quantity": "0.001", "unit": "L"});
    let s = measured(client, a, move |_| {
        let (c, url, body) = (c.clone(), url.clone(), body.clone());
        async move { expect(&c, &url, None, &body, 201).await }
    })
    .await;
    println!(
        "{}: HTTP ceiling (bare single-row insert endpoint) at {} connections for {:.1} s: {} ok, {} errors, {:.0} inserts/s, p50 {:.2} ms, p99 {:.2} ms",
        a.label,
        a.connections,
        s.seconds,
        s.ok,
        s.errors,
        s.per_second(),
        s.p50_ms,
        s.p99_ms
    );
    Ok(())
}
