//! Prometheus text metrics: request counts and latency histograms by route pattern, method and status.
//!
//! Every label comes from a fixed set, so no request can add series at will: the route is the matched pattern
//! (or `unmatched`), the method one of the standard ones (or `other`), the status a number. Even so the series are
//! capped at `MAX_SERIES`; what comes after is counted in `http_requests_dropped_total`.

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

/// The most series kept (route × method × status). The service has about 40 routes, 7 methods and a dozen
/// statuses in use, far fewer in practice.
pub const MAX_SERIES: usize = 2000;

/// The method as a label: the standard methods by name, any other (a client may send any token) as `other`.
pub fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "POST" => "POST",
        "PUT" => "PUT",
        "PATCH" => "PATCH",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, &'static str, u16), Series>>,
    dropped: std::sync::atomic::AtomicU64,
    /// The webhook worker's rounds finished (a scan when due, then a claim) and its attempts still under way:
    /// what an operator (and a test that expects nothing to be sent) watches to know the worker has looked.
    pub webhook_rounds: std::sync::atomic::AtomicU64,
    pub webhook_scans: std::sync::atomic::AtomicU64,
    pub webhook_in_flight: std::sync::atomic::AtomicU64,
}

impl Metrics {
    /// Records one request. `route` must be a matched route pattern or `unmatched`, never a raw path.
    pub fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let Ok(mut m) = self.series.lock() else {
            return;
        };
        let key = (route.to_owned(), method_label(method), status);
        if !m.contains_key(&key) && m.len() >= MAX_SERIES {
            self.dropped
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return;
        }
        let s = m.entry(key).or_default();
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
        let _ = writeln!(
            out,
            "# HELP http_requests_dropped_total Requests not recorded because the series cap was reached.\n\
             # TYPE http_requests_dropped_total counter\nhttp_requests_dropped_total {}",
            self.dropped.load(std::sync::atomic::Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP waste_webhook_rounds_total Rounds of the webhook worker finished (scan when due, claim).\n\
             # TYPE waste_webhook_rounds_total counter\nwaste_webhook_rounds_total {}\n\
             # HELP waste_webhook_scans_total Scans of the webhook worker for deadlines (storage alerts).\n\
             # TYPE waste_webhook_scans_total counter\nwaste_webhook_scans_total {}\n\
             # HELP waste_webhook_in_flight Webhook delivery attempts under way.\n\
             # TYPE waste_webhook_in_flight gauge\nwaste_webhook_in_flight {}",
            self.webhook_rounds
                .load(std::sync::atomic::Ordering::Acquire),
            self.webhook_scans
                .load(std::sync::atomic::Ordering::Acquire),
            self.webhook_in_flight
                .load(std::sync::atomic::Ordering::Acquire)
        );
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
    let commits = stats.commits();
    format!(
        "# HELP waste_db_writes_total Write transactions run.\n# TYPE waste_db_writes_total counter\n\
         waste_db_writes_total {writes}\n\
         # HELP waste_db_write_wait_seconds_total Time writers queued for the write connection.\n\
         # TYPE waste_db_write_wait_seconds_total counter\nwaste_db_write_wait_seconds_total {wait}\n\
         # HELP waste_db_write_hold_seconds_total Time writers held the write connection (on SQLite, one at a time).\n\
         # TYPE waste_db_write_hold_seconds_total counter\nwaste_db_write_hold_seconds_total {hold}\n\
         # HELP waste_db_write_commits_total Write transactions ended, committed or rolled back as a whole (on SQLite one per group of writes).\n\
         # TYPE waste_db_write_commits_total counter\nwaste_db_write_commits_total {commits}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_methods_share_one_label_and_the_series_are_capped() {
        let m = Metrics::default();
        for i in 0..(MAX_SERIES + 500) {
            m.observe("unmatched", &format!("X{i}"), 404, 0.001);
        }
        let text = m.render();
        assert!(
            text.contains("method=\"other\",status=\"404\"} 2500"),
            "{text}"
        );
        assert!(!text.contains("X1"), "no client text becomes a label");
        for i in 0..(MAX_SERIES + 10) {
            m.observe(&format!("/r{i}"), "GET", 200, 0.001);
        }
        let series = m.series.lock().map(|s| s.len()).unwrap_or(0);
        assert_eq!(series, MAX_SERIES);
        assert!(m.render().contains("http_requests_dropped_total 11"));
    }
}
