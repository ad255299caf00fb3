//! The operators' commands (`waste-api verify`, `backup`, `restore`) and the scheduled backups: they open a
//! database that must already exist and never create or migrate one (docs/operations.md).

pub mod backup;
pub mod checkpoint;

use crate::db::{Backend, Db, DbUrl};
use serde_json::Value;

/// Why a database that must already exist cannot be used as it is. Each has its own exit code (README,
/// "Command line").
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{0}")]
    Url(String),
    #[error("no database at {0}: it does not exist (nothing was created)")]
    Missing(String),
    #[error("{0} is empty (0 bytes): it holds no database")]
    Empty(String),
    #[error("{0} is not a SQLite database")]
    NotDatabase(String),
    #[error(
        "{0} holds no tables of this service: it was never migrated (`waste-api migrate` creates one; a backup or a restore target should never be empty)"
    )]
    Unmigrated(String),
    #[error(
        "{0} was migrated by a newer release (migrations this binary does not know: {1}); use that release or a newer one"
    )]
    Newer(String, String),
    #[error(
        "{0} was made by an earlier release and needs its migrations ({1} pending): run `waste-api migrate` with this release first"
    )]
    Older(String, usize),
    #[error("cannot read the database: {0}")]
    Unreadable(String),
}

impl OpenError {
    /// The exit code of the command that met it (1 is a broken custody chain, 2 a usage error).
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Missing(_) => 3,
            Self::Empty(_) | Self::NotDatabase(_) => 4,
            Self::Unmigrated(_) => 5,
            Self::Newer(..) => 6,
            Self::Older(..) => 7,
            Self::Url(_) | Self::Unreadable(_) => 8,
        }
    }
}

/// Whether a database made by an earlier release (migrations pending) is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    Refused,
    Accepted,
}

/// Opens `url` as it is: the file or database must exist, hold this service's tables, and know no migration this
/// binary does not. Nothing is created or migrated.
pub fn open_existing(url: &str, pending: Pending) -> Result<Db, OpenError> {
    let parsed = DbUrl::parse(url).map_err(|e| OpenError::Url(e.to_string()))?;
    let shown = match parsed.backend {
        Backend::Sqlite => parsed.target.clone(),
        Backend::Postgres => "the PostgreSQL database".to_owned(),
    };
    if parsed.backend == Backend::Sqlite {
        check_sqlite_file(&parsed.target)?;
    }
    let db = crate::db::open_as_is(&parsed, 4);
    let mut conn = db.dedicated().map_err(|e| {
        let text = e.to_string();
        if parsed.backend == Backend::Postgres && text.contains("does not exist") {
            OpenError::Missing(format!("{shown} ({})", text.trim()))
        } else if text.contains("not a database") {
            OpenError::NotDatabase(shown.clone())
        } else {
            OpenError::Unreadable(text)
        }
    })?;
    let applied = crate::store::maintenance::applied_migrations(&mut conn).map_err(|e| {
        let text = e.to_string();
        if text.contains("not a database") {
            OpenError::NotDatabase(shown.clone())
        } else {
            OpenError::Unreadable(text)
        }
    })?;
    let applied = match applied {
        Some(v) if !v.is_empty() => v,
        _ => return Err(OpenError::Unmigrated(shown)),
    };
    let known = crate::db::known_migrations(parsed.backend);
    let unknown: Vec<&str> = applied
        .iter()
        .filter(|v| !known.contains(v))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(OpenError::Newer(shown, unknown.join(", ")));
    }
    let missing = known.iter().filter(|v| !applied.contains(v)).count();
    if missing > 0 && pending == Pending::Refused {
        return Err(OpenError::Older(shown, missing));
    }
    drop(conn);
    Ok(db)
}

/// A SQLite file that exists, is not empty and starts with SQLite's header (checked before SQLite opens it).
fn check_sqlite_file(path: &str) -> Result<(), OpenError> {
    use std::io::Read;
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(OpenError::Missing(path.to_owned()));
        }
        Err(e) => return Err(OpenError::Unreadable(format!("{path}: {e}"))),
    };
    if !meta.is_file() {
        return Err(OpenError::NotDatabase(path.to_owned()));
    }
    if meta.len() == 0 {
        return Err(OpenError::Empty(path.to_owned()));
    }
    let mut head = [0u8; 16];
    let read = std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map_err(|e| format!("{path}: {e}"));
    match read {
        Ok(()) if &head == b"SQLite format 3\0" => Ok(()),
        Ok(()) => Err(OpenError::NotDatabase(path.to_owned())),
        Err(_) => Err(OpenError::NotDatabase(path.to_owned())),
    }
}

/// What `verify` found: the audit's report, or why it could not run.
#[derive(Debug)]
pub enum Verified {
    /// The audit ran; `report["ok"]` says whether every chain holds.
    Report(Value),
    Refused(OpenError),
}

/// `waste-api verify`: the custody audit of an existing, current database (the same audit as `/audit/verify`),
/// with the heads' anchors checked when `key` is given.
pub fn verify(url: &str, key: Option<&[u8]>) -> Verified {
    verify_since(url, key, None)
}

/// `verify`, and with `since` the log compared with a checkpoint's statement too (`checkpoint::read`).
pub fn verify_since(
    url: &str,
    key: Option<&[u8]>,
    since: Option<&crate::store::audit::Since>,
) -> Verified {
    let db = match open_existing(url, Pending::Refused) {
        Ok(db) => db,
        Err(e) => return Verified::Refused(e),
    };
    let sizes = crate::store::audit::Sizes::default();
    match crate::store::audit::verify_since(&db, key, sizes, since) {
        Ok(report) => Verified::Report(report),
        Err(e) => Verified::Refused(OpenError::Unreadable(e.to_string())),
    }
}

/// Why `checkpoint` (or `verify --since`) could not run: the database (3–8) or the checkpoint's key or statement
/// (9).
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error(transparent)]
    Open(OpenError),
    #[error(transparent)]
    Checkpoint(checkpoint::CheckpointError),
}

impl Refusal {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Open(e) => e.exit_code(),
            Self::Checkpoint(_) => 9,
        }
    }
}
