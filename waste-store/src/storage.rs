//! A full disk, named (issue 28 item 3): a write that fails for space answers 507 `storage_full`, `/readyz`
//! answers 503 while the disk stays full, `/metrics` shows the free space of the database's file system, and once
//! space returns a truncating checkpoint gives the `-wal`'s space back before writes go on.
//!
//! The state is the process's (one database per process in a deployment): set by the error conversion that meets
//! the database's "disk full" error, cleared when free space is back above `HEADROOM`.

use std::sync::atomic::{AtomicBool, Ordering};

static FULL: AtomicBool = AtomicBool::new(false);

/// Free space below which the disk counts as still full once a write failed for space, and the warning threshold
/// of the metric's help text.
pub const HEADROOM: u64 = 8 * 1024 * 1024;

/// Whether a database error's text is the database's "no space" (SQLite `SQLITE_FULL`, PostgreSQL 53100 or an
/// `ENOSPC` it reports).
pub fn is_disk_full(message: &str) -> bool {
    message.contains("database or disk is full")
        || message.contains("No space left on device")
        || message.contains("could not extend file")
}

/// A write failed for space.
pub fn mark_full() {
    if !FULL.swap(true, Ordering::AcqRel) {
        tracing::error!(
            "the database's disk is full: writes are refused (507 storage_full) until space is freed"
        );
    }
}

pub fn is_full() -> bool {
    FULL.load(Ordering::Acquire)
}

/// Free bytes for an unprivileged writer on the file system of `path` (its folder when it does not exist).
pub fn free_bytes(path: &std::path::Path) -> Option<u64> {
    let probe = if path.exists() {
        path.to_path_buf()
    } else {
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(
                || std::path::PathBuf::from("."),
                std::path::Path::to_path_buf,
            )
    };
    let s = rustix::fs::statvfs(&probe).ok()?;
    Some(s.f_bavail.saturating_mul(s.f_frsize))
}

/// Clears the state; true when it was set.
pub(crate) fn clear_full() -> bool {
    FULL.swap(false, Ordering::AcqRel)
}
