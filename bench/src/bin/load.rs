//! `load --url URL --token ADMIN_TOKEN [--connections 16] [--seconds 10] [--label NAME]`
//!
//! Seeds one school, a trained lab user and one 2000 L container per connection over HTTP, then adds waste
//! (1 mL of aqueous potassium cyanide) at the given concurrency for the given time. Each connection adds to its
//! own containers, so refusals are errors. Prints additions per second, p50/p99/max latency and errors.

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use waste_bench::Stats;

struct Args {
    url: String,
    token: String,
    connections: usize,
    seconds: u64,
    label: String,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        url: String::new(),
        token: String::new(),
        connections: 16,
        seconds: 10,
        label: "run".into(),
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
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if a.url.is_empty() || a.token.is_empty() {
        return Err("usage: load --url URL --token ADMIN_TOKEN [--connections 16] [--seconds 10] [--label NAME]".into());
    }
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
    let (s, org) = post(c, &format!("{}/api/v1/organizations", a.url), &a.token, &json!({"kind": "school", "name": format!("load school {n}"), "credit_code": credit, "region_code": "220102"})).await?;
    if s != 201 {
        return Err(format!("seed school: {s} {org}"));
    }
    let org = org["id"].as_str().ok_or("org id")?.to_owned();
    let (s, u) = post(
        c,
        &format!("{}/api/v1/organizations/{org}/users", a.url),
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
            &format!("{}/api/v1/containers", a.url),
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
    let (token, containers) = match seed(&client, &a).await {
        Ok(x) => x,
        Err(e) => {
            eprintln!("load: {e}");
            std::process::exit(1);
        }
    };
    let body = json!({"waste": {"form": "liquid", "origin": "experiment_residue", "components": [{"name": "potassium cyanide", "fraction": "0.01"}, {"name": "water", "fraction": "0.99"}]}, "quantity": "0.001", "unit": "L"});
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for id in containers {
        let (c, url, token, body) = (
            client.clone(),
            format!("{}/api/v1/containers/{id}/additions", a.url),
            token.clone(),
            body.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0usize;
            let mut first_error = None;
            while Instant::now() < deadline {
                let t = Instant::now();
                match c.post(&url).bearer_auth(&token).json(&body).send().await {
                    Ok(r) if r.status().as_u16() == 201 => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed());
                    }
                    Ok(r) => {
                        errors += 1;
                        if first_error.is_none() {
                            first_error = Some(format!(
                                "{} {}",
                                r.status(),
                                r.text().await.unwrap_or_default()
                            ));
                        }
                    }
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e.to_string());
                    }
                }
            }
            (lat, errors, first_error)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((lat, e, first)) = t.await {
            all.extend(lat);
            errors += e;
            if let Some(f) = first {
                eprintln!("load: first error: {f}");
            }
        }
    }
    let s = Stats::of(all, errors, started.elapsed().as_secs_f64());
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
}
