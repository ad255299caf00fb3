//! The audit of the custody log as a service runs it: one run at a time, on a connection of its own (so a run
//! over millions of events never holds a pooled connection that reads and `/readyz` need), and the last result
//! kept with its time. A call while a run is under way is refused (409 `audit_running`) with the last result.

use super::{Actor, AppError};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use waste_core::access::Action;

/// The one audit of this process: whether it runs, and the last result.
#[derive(Default)]
pub struct AuditRunner {
    running: AtomicBool,
    last: Mutex<Option<Value>>,
    /// Tests only: a run waits for this lock before it reads, so a test can hold a run open.
    gate: Option<Arc<Mutex<()>>>,
}

/// Held while a run is under way; dropping it (the run ended, failed or panicked) frees the runner.
pub struct Running(Arc<AuditRunner>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.running.store(false, Ordering::Release);
    }
}

impl AuditRunner {
    pub fn with_gate(gate: Option<Arc<Mutex<()>>>) -> Self {
        AuditRunner {
            gate,
            ..Default::default()
        }
    }

    /// The last result (with `checked_at` and `seconds`), if a run finished.
    pub fn last(&self) -> Option<Value> {
        self.last.lock().ok().and_then(|l| l.clone())
    }

    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::Acquire)
    }

    /// Claims the runner for an administrator, or refuses: 403 for anyone else, 409 while a run is under way.
    pub fn start(self: &Arc<Self>, actor: &Actor) -> Result<Running, AppError> {
        actor.may(Action::AuditChains)?;
        if self
            .running
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return Err(AppError::refused(
                "audit_running",
                "an audit is already running; its result will be at GET /api/v1/audit/last",
                json!({ "last": self.last() }),
            ));
        }
        Ok(Running(self.clone()))
    }

    /// Runs the audit (blocking: call it off the async workers) with `read` on a connection of its own, and
    /// keeps the result with its time.
    pub fn run<F>(run: Running, now: String, read: F) -> Result<Value, AppError>
    where
        F: FnOnce() -> Result<Value, AppError>,
    {
        if let Some(gate) = &run.0.gate {
            drop(gate.lock());
        }
        let started = std::time::Instant::now();
        let mut result = read()?;
        result["seconds"] = json!(started.elapsed().as_secs_f64());
        result["checked_at"] = json!(now);
        if let Ok(mut last) = run.0.last.lock() {
            *last = Some(result.clone());
        }
        Ok(result)
    }
}
