//! One connection type over SQLite and PostgreSQL: the URL that picks the backend, the pool's manager that opens
//! it with SQLite's pragmas and reports the driver's own error, and the migrations of each backend
//! (docs/rules.md "Persistence notes").

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    // SQLite last (docs/rules.md "Persistence notes").
    Sqlite(diesel::SqliteConnection),
}

pub type Pool = r2d2::Pool<AnyManager>;
pub type PooledConn = r2d2::PooledConnection<AnyManager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database URL whose backend has been decided from its scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbUrl {
    pub backend: Backend,
    /// What the driver receives: the postgres URL as is, or the SQLite file path.
    pub target: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL '{0}' is neither postgres://… nor sqlite://…")]
    Scheme(String),
    #[error("cannot open the database: {0}")]
    Connect(String),
    #[error("migrations failed: {0}")]
    Migrate(String),
    #[error("cannot create the data directory {0}: {1}")]
    DataDir(String, String),
}

impl DbUrl {
    /// `postgres://` and `postgresql://` select PostgreSQL; `sqlite://path` or `sqlite:path` select SQLite.
    /// Anything else is refused, so a mistyped URL never silently opens a SQLite file (docs/rules.md "Persistence notes").
    pub fn parse(url: &str) -> Result<Self, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self {
                backend: Backend::Postgres,
                target: url.to_owned(),
            });
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"));
        match path {
            Some(p) if !p.is_empty() => Ok(Self {
                backend: Backend::Sqlite,
                target: p.to_owned(),
            }),
            _ => Err(DbError::Scheme(url.to_owned())),
        }
    }
}

/// An r2d2 manager that opens the backend the URL names, with the driver's own error.
#[derive(Debug, Clone)]
pub struct AnyManager {
    pub(crate) url: DbUrl,
    /// Opened as it is (`ops`): SQLite's journal mode is left as the file has it.
    pub(crate) as_is: bool,
}

impl ManageConnection for AnyManager {
    type Connection = AnyConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, Self::Error> {
        match self.url.backend {
            Backend::Postgres => diesel::PgConnection::establish(&self.url.target)
                .map(AnyConnection::Postgresql)
                .map_err(diesel::r2d2::Error::ConnectionError),
            Backend::Sqlite => {
                let mut c = diesel::SqliteConnection::establish(&self.url.target)
                    .map_err(diesel::r2d2::Error::ConnectionError)?;
                // One pragma per statement, busy_timeout first (docs/rules.md "Persistence notes").
                let journal = if self.as_is {
                    "PRAGMA busy_timeout = 5000"
                } else {
                    "PRAGMA journal_mode = WAL"
                };
                for pragma in [
                    "PRAGMA busy_timeout = 5000",
                    journal,
                    "PRAGMA synchronous = NORMAL",
                    "PRAGMA foreign_keys = ON",
                    // Checkpoint every ~16 MB of WAL instead of ~4 MB: rarer, longer stalls. Measured at 16
                    // connections: in isolated additions runs p99 55 → 36–37 ms at the same throughput; inside
                    // the full bench/load.sh sequence no change (55 ms). See bench/RESULTS.md.
                    "PRAGMA wal_autocheckpoint = 4000",
                ] {
                    c.batch_execute(pragma)
                        .map_err(diesel::r2d2::Error::QueryError)?;
                }
                Ok(AnyConnection::Sqlite(c))
            }
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        conn.is_broken()
    }
}

/// A SQLite URI for `path` opened in `mode` (`rw`: read-write, never created; `ro`).
pub fn sqlite_uri(path: &str, mode: &str) -> String {
    const URI: &percent_encoding::AsciiSet =
        &percent_encoding::CONTROLS.add(b'%').add(b'?').add(b'#');
    format!(
        "file:{}?mode={mode}",
        percent_encoding::utf8_percent_encode(path, URI)
    )
}

/// The versions of the migrations this binary carries, for `backend`.
pub fn known_migrations(backend: Backend) -> Vec<String> {
    use diesel::migration::MigrationSource;
    let names: Vec<String> = match backend {
        Backend::Sqlite => {
            MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
                .map(|v| v.iter().map(|m| m.name().version().to_string()).collect())
        }
        Backend::Postgres => MigrationSource::<diesel::pg::Pg>::migrations(&PG_MIGRATIONS)
            .map(|v| v.iter().map(|m| m.name().version().to_string()).collect()),
    }
    .unwrap_or_default();
    names
}

/// Runs the pending migrations of the connection's backend; returns how many were applied.
pub fn migrate(conn: &mut AnyConnection) -> Result<usize, DbError> {
    let applied = match conn {
        AnyConnection::Postgresql(c) => {
            // Instances starting at once on one database take turns: the first migrates, the others find
            // nothing pending.
            diesel::sql_query("SELECT pg_advisory_lock(7231000)")
                .execute(c)
                .map_err(|e| DbError::Migrate(e.to_string()))?;
            let r = c.run_pending_migrations(PG_MIGRATIONS).map(|v| v.len());
            let _ = diesel::sql_query("SELECT pg_advisory_unlock(7231000)").execute(c);
            r
        }
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    };
    applied.map_err(|e| DbError::Migrate(e.to_string()))
}

/// What opens a connection of its own, outside any pool (the audit's readers).
pub trait Dedicated {
    fn dedicated(&self) -> Result<AnyConnection, DbError>;
}
