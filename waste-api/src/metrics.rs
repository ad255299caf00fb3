//! Prometheus text metrics: request counts and latency histograms by route pattern, method and status.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    pub fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let Ok(mut m) = self.series.lock() else {
            return;
        };
        let s = m
            .entry((route.to_owned(), method.to_owned(), status))
            .or_default();
        s.count += 1;
        s.sum += seconds;
        for (i, b) in BUCKETS.iter().enumerate() {
            if seconds <= *b {
                s.buckets[i] += 1;
            }
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP http_requests_total HTTP requests by route, method and status.\n# TYPE http_requests_total counter\n");
        let Ok(m) = self.series.lock() else {
            return out;
        };
        for ((route, method, status), s) in m.iter() {
            let _ = writeln!(
                out,
                "http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {}",
                esc(route),
                s.count
            );
        }
        out.push_str("# HELP http_request_duration_seconds Request latency.\n# TYPE http_request_duration_seconds histogram\n");
        for ((route, method, status), s) in m.iter() {
            let labels = format!(
                "route=\"{}\",method=\"{method}\",status=\"{status}\"",
                esc(route)
            );
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        out
    }
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The write path's counters (`crate::db::WriteStats`) in the Prometheus text format.
pub fn render_writes(stats: &crate::db::WriteStats) -> String {
    let (writes, wait, hold) = stats.totals();
    format!(
        "# HELP waste_db_writes_total Write transactions run.\n# TYPE waste_db_writes_total counter\n\
         waste_db_writes_total {writes}\n\
         # HELP waste_db_write_wait_seconds_total Time writers queued for the write connection.\n\
         # TYPE waste_db_write_wait_seconds_total counter\nwaste_db_write_wait_seconds_total {wait}\n\
         # HELP waste_db_write_hold_seconds_total Time writers held the write connection (on SQLite, one at a time).\n\
         # TYPE waste_db_write_hold_seconds_total counter\nwaste_db_write_hold_seconds_total {hold}\n"
    )
}
