//! Shared pieces of the load client: latency statistics.

use std::time::Duration;

/// Any error, for the harness binaries.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Throughput and latency percentiles of one run.
pub struct Stats {
    pub ok: usize,
    pub errors: usize,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Stats {
    pub fn of(mut lat: Vec<Duration>, errors: usize, seconds: f64) -> Stats {
        lat.sort();
        let pick = |q: f64| {
            lat.get(((lat.len() as f64 - 1.0) * q).round() as usize)
                .map(|d| d.as_secs_f64() * 1000.0)
                .unwrap_or(0.0)
        };
        Stats {
            ok: lat.len(),
            errors,
            seconds,
            p50_ms: pick(0.50),
            p99_ms: pick(0.99),
            max_ms: lat.last().map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0),
        }
    }

    pub fn per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.ok as f64 / self.seconds
        } else {
            0.0
        }
    }
}
