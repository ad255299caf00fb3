//! `ceiling DATABASE_URL [--connections 16] [--seconds 10]`
//!
//! The ceiling of the write path: single-row INSERTs through the service's own pool (same pragmas, same
//! write-transaction helper), from 16 threads, with no HTTP and no rules. Additions over HTTP are reported as a
//! ratio to it. Uses a scratch table it creates and drops.

use diesel::RunQueryDsl;
use std::time::{Duration, Instant};
use waste_api::db::{self, write_tx};
use waste_bench::Stats;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(url) = args.next() else {
        eprintln!("usage: ceiling DATABASE_URL [--connections 16] [--seconds 10]");
        std::process::exit(2);
    };
    let (mut conns, mut secs) = (16usize, 10u64);
    while let Some(k) = args.next() {
        let v = args.next().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        match k.as_str() {
            "--connections" => conns = v.clamp(1, 256) as usize,
            "--seconds" => secs = v.clamp(1, 600),
            _ => {}
        }
    }
    let db = match db::connect(&url, conns as u32) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("ceiling: {e}");
            std::process::exit(1);
        }
    };
    {
        let mut c = db.pool.get().expect("connection");
        diesel::sql_query("DROP TABLE IF EXISTS bench_ceiling")
            .execute(&mut *c)
            .expect("drop");
        diesel::sql_query(
            "CREATE TABLE bench_ceiling (id TEXT PRIMARY KEY NOT NULL, v TEXT NOT NULL)",
        )
        .execute(&mut *c)
        .expect("create");
    }
    let deadline = Instant::now() + Duration::from_secs(secs);
    let started = Instant::now();
    let handles: Vec<_> = (0..conns)
        .map(|w| {
            let db = db.clone();
            std::thread::spawn(move || {
                let (mut lat, mut errors, mut i) = (Vec::new(), 0usize, 0u64);
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let id = format!("{w}-{i}");
                    i += 1;
                    // The service's write path: its write connection and write-transaction helper.
                    let r = db.write(move |c| -> Result<usize, waste_bench::BoxError> {
                        Ok(write_tx(c, |c| {
                            diesel::sql_query(format!(
                                "INSERT INTO bench_ceiling (id, v) VALUES ('{id}', 'x')"
                            ))
                            .execute(c)
                        })?)
                    });
                    match r {
                        Ok(_) => lat.push(t.elapsed()),
                        Err(_) => errors += 1,
                    }
                }
                (lat, errors)
            })
        })
        .collect();
    let (mut all, mut errors) = (Vec::new(), 0);
    for h in handles {
        if let Ok((l, e)) = h.join() {
            all.extend(l);
            errors += e;
        }
    }
    let s = Stats::of(all, errors, started.elapsed().as_secs_f64());
    if let Ok(mut c) = db.pool.get() {
        let _ = diesel::sql_query("DROP TABLE IF EXISTS bench_ceiling").execute(&mut *c);
    }
    println!(
        "ceiling: single-row inserts at {conns} threads for {:.1} s: {} ok, {} errors, {:.0} inserts/s, p50 {:.2} ms, p99 {:.2} ms",
        s.seconds,
        s.ok,
        s.errors,
        s.per_second(),
        s.p50_ms,
        s.p99_ms
    );
}
