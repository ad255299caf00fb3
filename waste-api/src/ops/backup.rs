//! `waste-api backup DEST` and `waste-api restore SRC` for the embedded SQLite database, and the scheduled
//! backups the service runs (`WASTE_BACKUP_DIR`, `WASTE_BACKUP_EVERY`, `WASTE_BACKUP_KEEP`).
//!
//! A backup is `VACUUM INTO` on a connection of its own: one read transaction, so the service's writes go on
//! while it runs (`sqlite3 .backup` restarts whenever the database changes and never finished at 19 writes/s, a
//! plain copy of the file is torn). The copy is written beside DEST, checked (`PRAGMA integrity_check` and the
//! custody audit `verify` runs) and only then given its name: a file named DEST is a verified backup.

use super::{OpenError, Pending, open_existing};
use crate::db::{Backend, DbUrl};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Why a backup or a restore did not happen, with the command's exit code.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error(transparent)]
    Open(#[from] OpenError),
    /// Refused before anything was written (exit 9).
    #[error("{0}")]
    Refused(String),
    /// The copy was made but did not pass its checks; it was removed (exit 10).
    #[error("the copy failed its check and was removed: {0}")]
    Unverified(String),
    /// A running service holds the database (exit 11).
    #[error("{0}")]
    Held(String),
    #[error("{0}")]
    Io(String),
}

impl Failure {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Open(e) => e.exit_code(),
            Self::Refused(_) => 9,
            Self::Unverified(_) => 10,
            Self::Held(_) => 11,
            Self::Io(_) => 8,
        }
    }
}

/// What a backup or a restore wrote.
#[derive(Debug, Clone)]
pub struct Report {
    pub path: PathBuf,
    pub bytes: u64,
    /// Custody events the audit checked on the copy.
    pub events: u64,
    pub chains: u64,
    pub seconds: f64,
}

impl Report {
    /// The one JSON line the commands print on stdout.
    pub fn json(&self, what: &str) -> Value {
        json!({
            "ok": true, what: self.path.display().to_string(), "bytes": self.bytes,
            "events_checked": self.events, "chains": self.chains, "integrity": "ok",
            "seconds": (self.seconds * 1000.0).round() / 1000.0,
        })
    }
}

fn sqlite_target(url: &str, what: &str) -> Result<String, Failure> {
    let parsed = DbUrl::parse(url).map_err(|e| OpenError::Url(e.to_string()))?;
    match parsed.backend {
        Backend::Sqlite => Ok(parsed.target),
        Backend::Postgres => Err(Failure::Refused(format!(
            "{what} is for the embedded SQLite database; back up PostgreSQL with pg_dump (docs/operations.md)"
        ))),
    }
}

fn io(what: &str, path: &Path, e: std::io::Error) -> Failure {
    Failure::Io(format!("cannot {what} {}: {e}", path.display()))
}

/// A name beside `path` for a file being made (removed if the command fails).
fn beside(path: &Path, tag: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{tag}-{}", std::process::id()));
    path.with_file_name(name)
}

/// Removes a SQLite file and what SQLite keeps beside it.
fn remove_db_file(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// Copies the database at `src_url` to `to` (which must not exist) and checks the copy; on failure nothing is
/// left at `to`.
fn copy_checked(
    src_url: &str,
    to: &Path,
    key: Option<&[u8]>,
    started: Instant,
) -> Result<Report, Failure> {
    let src = open_existing(src_url, Pending::Accepted)?;
    let dest = to
        .to_str()
        .ok_or_else(|| Failure::Refused(format!("{} is not a UTF-8 path", to.display())))?;
    {
        let mut c = src
            .dedicated()
            .map_err(|e| Failure::Io(format!("cannot open the database: {e}")))?;
        crate::store::maintenance::vacuum_into(&mut c, dest)
            .map_err(|e| Failure::Io(format!("the copy to {dest} failed: {e}")))?;
    }
    drop(src);
    let checked = check(dest, key);
    let (events, chains) = match checked {
        Ok(v) => v,
        Err(e) => {
            remove_db_file(to);
            return Err(e);
        }
    };
    // VACUUM INTO does not sync what it wrote.
    std::fs::File::open(to)
        .and_then(|f| f.sync_all())
        .map_err(|e| io("sync", to, e))?;
    let bytes = std::fs::metadata(to).map_err(|e| io("read", to, e))?.len();
    Ok(Report {
        path: to.to_path_buf(),
        bytes,
        events,
        chains,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// `PRAGMA integrity_check` and the custody audit on the SQLite file at `path`: (events checked, chains).
pub fn check(path: &str, key: Option<&[u8]>) -> Result<(u64, u64), Failure> {
    let db = open_existing(&format!("sqlite://{path}"), Pending::Accepted)
        .map_err(|e| Failure::Unverified(e.to_string()))?;
    let mut c = db
        .dedicated()
        .map_err(|e| Failure::Unverified(e.to_string()))?;
    let found = crate::store::maintenance::integrity_check(&mut c)
        .map_err(|e| Failure::Unverified(format!("integrity check: {e}")))?;
    if found != ["ok"] {
        return Err(Failure::Unverified(format!(
            "integrity check: {}",
            found.join("; ")
        )));
    }
    drop(c);
    let report = crate::store::audit::verify(&db, key)
        .map_err(|e| Failure::Unverified(format!("custody audit: {e}")))?;
    if report["ok"] != true {
        return Err(Failure::Unverified(format!("custody audit: {report}")));
    }
    let n = |k: &str| report[k].as_u64().unwrap_or(0);
    Ok((n("events_checked"), n("chains")))
}

/// `waste-api backup DEST`: an online copy of the SQLite database at `url`, checked, named DEST only once it
/// passed. An existing DEST is refused.
pub fn backup(url: &str, dest: &Path, key: Option<&[u8]>) -> Result<Report, Failure> {
    let started = Instant::now();
    sqlite_target(url, "backup")?;
    if dest.symlink_metadata().is_ok() {
        return Err(Failure::Refused(format!(
            "{} exists: a backup never replaces a file; choose a new name",
            dest.display()
        )));
    }
    let partial = beside(dest, "partial");
    remove_db_file(&partial);
    let report = copy_checked(url, &partial, key, started)?;
    // A link, not a rename: it fails if DEST appeared meanwhile, where a rename would replace it.
    let named = match std::fs::hard_link(&partial, dest) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Failure::Refused(format!(
            "{} appeared while the backup ran; the copy was removed",
            dest.display()
        ))),
        // A file system without links (a FAT stick): a rename, DEST having been checked absent above.
        Err(_) => std::fs::rename(&partial, dest).map_err(|e| io("name", dest, e)),
    };
    remove_db_file(&partial);
    named?;
    Ok(Report {
        path: dest.to_path_buf(),
        ..report
    })
}

/// `waste-api restore SRC [--force]`: makes the SQLite database of `url` a checked copy of the backup `src`.
/// Refused while a service holds the database (its lock file), and when the database exists unless `force`
/// (then the replaced file is kept beside it as `<name>.replaced-<time>`, with its `-wal`).
pub fn restore(src: &Path, url: &str, force: bool, key: Option<&[u8]>) -> Result<Report, Failure> {
    let started = Instant::now();
    let target = PathBuf::from(sqlite_target(url, "restore")?);
    let src_url = format!(
        "sqlite://{}",
        src.to_str()
            .ok_or_else(|| Failure::Refused(format!("{} is not a UTF-8 path", src.display())))?
    );
    // The backup must be one (checked again on the copy below).
    drop(open_existing(&src_url, Pending::Accepted)?);
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| io("create", dir, e))?;
    }
    let lock_path = crate::db::lock_path(&target.to_string_lossy());
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| io("open", &lock_path, e))?;
    if lock.try_lock().is_err() {
        return Err(Failure::Held(format!(
            "a running waste-api holds {} (its lock {}): stop the service first",
            target.display(),
            lock_path.display()
        )));
    }
    let exists = target.symlink_metadata().is_ok();
    if exists && !force {
        return Err(Failure::Refused(format!(
            "{} exists: pass --force to replace it (it is then kept beside as {}.replaced-<time>)",
            target.display(),
            target.display()
        )));
    }
    let staged = beside(&target, "restoring");
    remove_db_file(&staged);
    let report = copy_checked(&src_url, &staged, key, started)?;
    if exists {
        let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
        for suffix in ["", "-wal", "-shm"] {
            let mut from = target.as_os_str().to_os_string();
            from.push(suffix);
            let from = PathBuf::from(from);
            if from.exists() {
                let mut to = target.as_os_str().to_os_string();
                to.push(format!(".replaced-{stamp}{suffix}"));
                std::fs::rename(&from, PathBuf::from(to))
                    .map_err(|e| io("move aside", &from, e))?;
            }
        }
    }
    std::fs::rename(&staged, &target).map_err(|e| io("name", &target, e))?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    drop(lock);
    Ok(Report {
        path: target,
        ..report
    })
}

/// Scheduled backups (README, "Backups"): every `every`, a checked backup into `dir`, keeping the `keep` newest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// `WASTE_BACKUP_DIR`: unset, no scheduled backups.
    pub dir: PathBuf,
    /// `WASTE_BACKUP_EVERY` (default `24h`): a number of hours, or a number with `h`, `m` or `s`.
    pub every: Duration,
    /// `WASTE_BACKUP_KEEP` (default 7, at least 1): backups kept in `dir`; older ones this service made are removed.
    pub keep: usize,
}

/// `6`, `6h`, `30m` or `10s`.
pub fn parse_every(v: &str) -> Option<Duration> {
    let v = v.trim();
    let (n, unit) = match v.char_indices().last()? {
        (i, 'h') => (&v[..i], 3600),
        (i, 'm') => (&v[..i], 60),
        (i, 's') => (&v[..i], 1),
        _ => (v, 3600),
    };
    let n: u64 = n.trim().parse().ok().filter(|n| *n > 0)?;
    Some(Duration::from_secs(n.checked_mul(unit)?))
}

impl Schedule {
    /// The schedule of the environment; an unreadable setting is an error (the service does not start).
    pub fn from_env() -> Result<Option<Schedule>, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let Some(dir) = var("WASTE_BACKUP_DIR") else {
            return Ok(None);
        };
        let every = match var("WASTE_BACKUP_EVERY") {
            None => Duration::from_secs(24 * 3600),
            Some(v) => parse_every(&v).ok_or_else(|| {
                format!("WASTE_BACKUP_EVERY '{v}' is not an interval (6, 6h, 30m or 10s)")
            })?,
        };
        let keep = match var("WASTE_BACKUP_KEEP") {
            None => 7,
            Some(v) => v
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("WASTE_BACKUP_KEEP '{v}' is not a number above 0"))?,
        };
        Ok(Some(Schedule {
            dir: PathBuf::from(dir.trim()),
            every,
            keep,
        }))
    }
}

/// The names scheduled backups take: `waste-<UTC time to the millisecond>.db`, which sort by time.
fn scheduled_name() -> String {
    let now = time::OffsetDateTime::now_utc();
    let f = time::macros::format_description!(
        "[year][month][day]T[hour][minute][second].[subsecond digits:3]Z"
    );
    format!("waste-{}.db", now.format(&f).unwrap_or_default())
}

fn is_scheduled_name(name: &str) -> bool {
    name.len() == "waste-20261207T033000.000Z.db".len()
        && name.starts_with("waste-")
        && name.ends_with("Z.db")
}

/// Removes the oldest scheduled backups of `dir` beyond `keep`; other files are left alone.
pub fn prune(dir: &Path, keep: usize) -> std::io::Result<Vec<PathBuf>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| is_scheduled_name(n))
        .collect();
    names.sort();
    let extra = names.len().saturating_sub(keep);
    let mut removed = Vec::new();
    for n in names.into_iter().take(extra) {
        let p = dir.join(n);
        std::fs::remove_file(&p)?;
        removed.push(p);
    }
    Ok(removed)
}

/// Runs one scheduled backup now: into `schedule.dir`, then prunes. Logged either way.
pub fn run_once(url: &str, schedule: &Schedule, key: Option<&[u8]>) -> Result<Report, Failure> {
    std::fs::create_dir_all(&schedule.dir).map_err(|e| io("create", &schedule.dir, e))?;
    let dest = schedule.dir.join(scheduled_name());
    let result = backup(url, &dest, key);
    match &result {
        Ok(r) => {
            tracing::info!(path = %r.path.display(), bytes = r.bytes, events = r.events, seconds = r.seconds, "scheduled backup written and verified");
            match prune(&schedule.dir, schedule.keep) {
                Ok(gone) => {
                    for p in gone {
                        tracing::info!(path = %p.display(), "old scheduled backup removed");
                    }
                }
                Err(e) => tracing::error!(error = %e, "scheduled backups: pruning failed"),
            }
        }
        Err(e) => tracing::error!(error = %e, dest = %dest.display(), "scheduled backup failed"),
    }
    result
}

/// Starts the scheduled backups of `db` on a thread of their own (SQLite only; PostgreSQL is backed up with
/// pg_dump). The thread ends when the database file is gone.
pub fn start(db: &crate::db::Db, schedule: Schedule, key: Option<String>) {
    let Some(path) = db.sqlite_path().map(str::to_owned) else {
        tracing::warn!(
            "WASTE_BACKUP_DIR is for the embedded SQLite database; back up PostgreSQL with pg_dump"
        );
        return;
    };
    let url = format!("sqlite://{path}");
    let spawned = std::thread::Builder::new()
        .name("waste-backup".into())
        .spawn(move || {
            loop {
                std::thread::sleep(schedule.every);
                if !Path::new(&path).exists() {
                    break;
                }
                let _ = run_once(&url, &schedule, key.as_deref().map(str::as_bytes));
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "scheduled backups could not start");
    }
}
