//! Persistence plumbing: one connection type over SQLite and PostgreSQL, a pool that picks the backend from
//! the URL scheme and reports the real connection error, SQLite pragmas, migrations per backend, and write
//! transactions that take SQLite's write lock up front (docs/rules.md "Persistence notes").

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

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
    url: DbUrl,
    /// Opened as it is (`ops`): SQLite's journal mode is left as the file has it.
    as_is: bool,
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

/// The database as the service uses it: a pool for reads and the place writes go.
///
/// On SQLite every write of this process goes through one connection of its own (`writer::Writer`), taken in
/// turn. Two measured reasons (bench/RESULTS.md): a writer that finds SQLite's lock taken sleeps in the busy
/// handler in 1, 2, 5, 10 … 100 ms steps while the lock may already be free (the CPU sat 30 % idle at 16
/// connections); and a connection whose database another connection has written discards its whole page cache at
/// its next transaction, so eight pooled writers took turns re-reading the same pages. One writer keeps its cache
/// warm; it runs on a thread of its own that takes the queued writes one after another, and writes that queue
/// behind one share its transaction (group commit, see `writer`). The busy handler still covers writers of other
/// processes (the CLI, a second instance). On PostgreSQL writes use the pool: the server handles concurrent
/// writers itself.
#[derive(Clone)]
pub struct Db {
    pub pool: Pool,
    writer: Option<Arc<crate::writer::Writer>>,
    /// Opens connections outside the pool (the audit's, so a long read never takes one from requests).
    manager: AnyManager,
    stats: Arc<WriteStats>,
    /// SQLite: a shared lock on `<file>.lock` while this process uses the file, so that `waste-api restore`
    /// (which takes it exclusively) never replaces a database a running service holds.
    _held: Option<Arc<std::fs::File>>,
}

/// What the write path costs, for /metrics and the load benchmark: how long writers queued for their
/// connection and how long they held it. On SQLite the hold time over wall time is how busy the one writer is,
/// which bounds the write rate.
#[derive(Debug, Default)]
pub struct WriteStats {
    writes: AtomicU64,
    wait_ns: AtomicU64,
    hold_ns: AtomicU64,
    /// Transactions ended: on SQLite one per group of writes, so writes / commits is the mean group size.
    commits: AtomicU64,
}

impl WriteStats {
    /// Writes run, seconds spent queued, seconds spent holding the connection.
    pub fn totals(&self) -> (u64, f64, f64) {
        let s = |a: &AtomicU64| a.load(Ordering::Relaxed) as f64 / 1e9;
        (
            self.writes.load(Ordering::Relaxed),
            s(&self.wait_ns),
            s(&self.hold_ns),
        )
    }

    /// Transactions ended (see `commits` above).
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    fn record(&self, queued: Instant, started: Instant, released: Instant) {
        let ns = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.writes.fetch_add(1, Ordering::Relaxed);
        self.wait_ns
            .fetch_add(ns(started - queued), Ordering::Relaxed);
        self.hold_ns
            .fetch_add(ns(released - started), Ordering::Relaxed);
    }

    /// A transaction ended (committed, or rolled back as a whole): on SQLite the writer's group, whether or not
    /// any of its writes was kept.
    pub(crate) fn ended_transaction(&self) {
        self.commits.fetch_add(1, Ordering::Relaxed);
    }
}

impl Db {
    /// Runs `f` on the write connection (SQLite: in a savepoint of the group's transaction, answered after the
    /// group's COMMIT, see `writer`) or a pooled one (PostgreSQL). Blocking: call it off the async workers.
    pub fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
        E: From<r2d2::PoolError> + From<diesel::result::Error> + Send + 'static,
    {
        match &self.writer {
            Some(w) => {
                let (r, held) = w.run(f);
                self.stats.record(held.queued, held.started, held.released);
                self.after_write(r.is_ok());
                r
            }
            None => {
                let queued = Instant::now();
                let mut conn = self.pool.get()?;
                let started = Instant::now();
                let r = f(&mut conn);
                self.stats.record(queued, started, Instant::now());
                self.stats.ended_transaction();
                self.after_write(r.is_ok());
                r
            }
        }
    }

    /// `write` for async callers: on SQLite the future waits for the writer thread's answer without holding a
    /// thread; on PostgreSQL the write runs on the blocking pool (a panic there is an error, not a crash).
    pub async fn write_async<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
        E: From<r2d2::PoolError> + From<diesel::result::Error> + Send + 'static,
    {
        match &self.writer {
            Some(w) => {
                let (r, held) = w.run_async(f).await;
                self.stats.record(held.queued, held.started, held.released);
                self.after_write(r.is_ok());
                r
            }
            None => {
                let db = self.clone();
                match tokio::task::spawn_blocking(move || db.write(f)).await {
                    Ok(r) => r,
                    Err(e) => Err(E::from(diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::Unknown,
                        Box::new(format!("the write failed: {e}")),
                    ))),
                }
            }
        }
    }

    /// A write committed while the disk was marked full: space is back, so a truncating checkpoint runs (on a
    /// thread of its own, never in the write's time) and the state clears (`storage`).
    fn after_write(&self, ok: bool) {
        if ok && crate::storage::is_full() {
            let db = self.clone();
            std::thread::spawn(move || crate::storage::recovered(&db));
        }
    }

    /// Writes waiting for the SQLite write connection now (0 on PostgreSQL).
    pub fn writes_queued(&self) -> usize {
        self.writer.as_ref().map_or(0, |w| w.queued())
    }

    /// A new connection of its own, outside the pool and the write connection.
    pub fn dedicated(&self) -> Result<AnyConnection, DbError> {
        self.manager
            .connect()
            .map_err(|e| DbError::Connect(e.to_string()))
    }

    pub fn write_stats(&self) -> &WriteStats {
        &self.stats
    }

    /// The SQLite file this database is (None on PostgreSQL).
    pub fn sqlite_path(&self) -> Option<&str> {
        (self.manager.url.backend == Backend::Sqlite).then_some(self.manager.url.target.as_str())
    }

    pub fn backend(&self) -> Backend {
        self.manager.url.backend
    }
}

/// The lock file beside a SQLite database: shared by every process that serves or migrates it, exclusive for
/// `waste-api restore`.
pub fn lock_path(sqlite_path: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(format!("{sqlite_path}.lock"))
}

fn hold_shared(sqlite_path: &str) -> Result<Arc<std::fs::File>, DbError> {
    let path = lock_path(sqlite_path);
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| DbError::Connect(format!("cannot open {}: {e}", path.display())))?;
    match f.try_lock_shared() {
        Ok(()) => Ok(Arc::new(f)),
        Err(_) => Err(DbError::Connect(format!(
            "{sqlite_path} is being restored (`waste-api restore` holds {})",
            path.display()
        ))),
    }
}

/// Opens a database that must already exist, as it is: no migration, no write connection, nothing created (a
/// SQLite file is opened with `mode=rw`, which never creates one). `ops::open_existing` checks it first.
pub fn open_as_is(url: &DbUrl, max_size: u32) -> Db {
    let url = match url.backend {
        Backend::Sqlite => DbUrl {
            backend: Backend::Sqlite,
            target: sqlite_uri(&url.target, "rw"),
        },
        Backend::Postgres => url.clone(),
    };
    let manager = AnyManager { url, as_is: true };
    // No idle connections opened in the background: the commands use `dedicated` connections.
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(0))
        .connection_timeout(Duration::from_secs(10))
        .build_unchecked(manager.clone());
    Db {
        pool,
        writer: None,
        manager,
        stats: Arc::new(WriteStats::default()),
        _held: None,
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

/// Opens a pool (connecting once to surface the real error), runs the pending migrations, and on SQLite opens
/// the write connection.
pub fn connect(url: &str, max_size: u32) -> Result<Db, DbError> {
    let url = DbUrl::parse(url)?;
    if url.backend == Backend::Sqlite
        && let Some(dir) = std::path::Path::new(&url.target).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| DbError::DataDir(dir.display().to_string(), e.to_string()))?;
    }
    let backend = url.backend;
    let held = match backend {
        Backend::Sqlite => Some(hold_shared(&url.target)?),
        Backend::Postgres => None,
    };
    let manager = AnyManager { url, as_is: false };
    // Connect once directly so the operator sees the driver's error, not a pool time-out.
    let mut first = manager
        .connect()
        .map_err(|e| DbError::Connect(e.to_string()))?;
    migrate(&mut first)?;
    // A log without a head yet (just upgraded) gets one over its chains as found (`store::audit::log`).
    let sealed = write_tx(&mut first, crate::store::audit::log::seal)
        .map_err(|e| DbError::Migrate(format!("sealing the log's head: {e}")))?;
    if let Some(events) = sealed.filter(|n| *n > 0) {
        tracing::warn!(
            events,
            "the custody log had no head of its own: sealed over its chains as found (keep a checkpoint, docs/operations.md)"
        );
    }
    let stats = Arc::new(WriteStats::default());
    let writer = match backend {
        Backend::Sqlite => Some(Arc::new(
            crate::writer::Writer::new(first, stats.clone())
                .map_err(|e| DbError::Connect(e.to_string()))?,
        )),
        Backend::Postgres => None,
    };
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        .build_unchecked(manager.clone());
    Ok(Db {
        pool,
        writer,
        manager,
        stats,
        _held: held,
    })
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

/// Runs one of SQLite's transaction-control statements (`BEGIN IMMEDIATE`, `SAVEPOINT …`, `COMMIT` …) as a
/// statement its connection prepares once; elsewhere as a plain batch. Through `batch_execute` (`sqlite3_exec`)
/// each was parsed and compiled again at every use: with two savepoints per request that was about an eighth of
/// the SQLite writer's time (bench/RESULTS.md, "the write path, profiled"). One statement per use: each use gets
/// a marker (and so a cache entry) of its own.
macro_rules! control {
    ($conn:expr, $sql:literal) => {{
        enum Statement {}
        match &mut *$conn {
            $crate::db::AnyConnection::Sqlite(c) => {
                $crate::store::prepared::prepared::<Statement, _>(diesel::sql_query($sql))
                    .rows(c)
                    .map(|_| ())
            }
            c => diesel::connection::SimpleConnection::batch_execute(c, $sql),
        }
    }};
}
pub(crate) use control;

/// A write transaction: `BEGIN IMMEDIATE` on SQLite so a read-then-write never fails on lock upgrade
/// (docs/rules.md "Persistence notes"), or a savepoint when the write runs inside a group's transaction
/// (`writer`); a plain transaction on PostgreSQL. All of `f` is kept or none.
pub fn write_tx<T, E, F>(conn: &mut AnyConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        AnyConnection::Sqlite(_) if crate::writer::in_group() => bracketed(
            conn,
            f,
            |c| control!(c, "SAVEPOINT waste_tx"),
            |c| control!(c, "RELEASE waste_tx"),
            |c| {
                let _ = control!(c, "ROLLBACK TO waste_tx");
                control!(c, "RELEASE waste_tx")
            },
        ),
        AnyConnection::Sqlite(_) => bracketed(
            conn,
            f,
            |c| control!(c, "BEGIN IMMEDIATE"),
            |c| control!(c, "COMMIT"),
            |c| control!(c, "ROLLBACK"),
        ),
        AnyConnection::Postgresql(_) => conn.transaction(f),
    }
}

/// One of SQLite's transaction-control steps (see `control!`).
type Control = fn(&mut AnyConnection) -> diesel::QueryResult<()>;

/// Runs `f` between `begin` and `keep`; when `f` fails, `undo` instead of `keep`.
fn bracketed<T, E, F>(
    conn: &mut AnyConnection,
    f: F,
    begin: Control,
    keep: Control,
    undo: Control,
) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    begin(conn)?;
    match f(conn) {
        Ok(v) => {
            keep(conn)?;
            Ok(v)
        }
        Err(e) => {
            let _ = undo(conn);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_comes_from_the_scheme_and_bad_urls_are_refused() {
        assert_eq!(
            DbUrl::parse("postgres://u@h/db").map(|u| u.backend).ok(),
            Some(Backend::Postgres)
        );
        assert_eq!(
            DbUrl::parse("postgresql://u@h/db").map(|u| u.backend).ok(),
            Some(Backend::Postgres)
        );
        assert_eq!(
            DbUrl::parse("sqlite://data/x.db").map(|u| u.target).ok(),
            Some("data/x.db".to_owned())
        );
        assert_eq!(
            DbUrl::parse("sqlite:/tmp/x.db").map(|u| u.target).ok(),
            Some("/tmp/x.db".to_owned())
        );
        for bad in ["postgresql:oops", "mysql://x", "data/x.db", "sqlite://", ""] {
            assert!(
                matches!(DbUrl::parse(bad), Err(DbError::Scheme(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_write_that_panics_mid_transaction_leaves_the_write_connection_usable() {
        let dir = std::env::temp_dir().join(format!("waste-db-panic-{}", std::process::id()));
        let db = connect(&format!("sqlite://{}/p.db", dir.display()), 1).expect("database");
        let insert = |c: &mut AnyConnection, id: &str| {
            diesel::sql_query(format!(
                "INSERT INTO organizations (id, kind, name, region_code, created_at) \
                 VALUES ('{id}', 'school', 'n', '220102', '2026-11-28T00:00:00Z')"
            ))
            .execute(c)
        };
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = db.write(move |c| -> Result<(), crate::StoreError> {
                insert(c, "lost").expect("insert");
                panic!("a bug inside a write");
            });
        }));
        assert!(panicked.is_err());
        // The next write finds no transaction left open, and the panicked one's row is gone.
        let r: Result<usize, crate::StoreError> =
            db.write(move |c| Ok(write_tx(c, |c| insert(c, "kept"))?));
        assert_eq!(r.ok(), Some(1));
        let n: i64 = db
            .write(move |c| -> Result<i64, crate::StoreError> {
                Ok(crate::schema::organizations::table
                    .filter(crate::schema::organizations::id.eq_any(["lost", "kept"]))
                    .count()
                    .get_result(c)?)
            })
            .expect("count");
        assert_eq!(n, 1);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// SQLite is built with its query planner stability guarantee (`.cargo/config.toml`): without it every
    /// statement with a bound LIMIT (each `.first()`) is parsed and planned again at each execution.
    #[test]
    fn sqlite_keeps_its_plans() {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut c = diesel::SqliteConnection::establish(":memory:").expect("sqlite");
        for option in ["ENABLE_QPSG", "THREADSAFE=2"] {
            let n: N = diesel::sql_query(
                "SELECT COUNT(*) AS n FROM pragma_compile_options WHERE compile_options = ?",
            )
            .bind::<diesel::sql_types::Text, _>(option)
            .get_result(&mut c)
            .expect("compile options");
            assert_eq!(
                n.n, 1,
                "SQLite built without SQLITE_{option} (.cargo/config.toml)"
            );
        }
    }

    #[test]
    fn an_unreachable_postgres_reports_the_driver_error() {
        let e = connect("postgres://postgres@127.0.0.1:1/nope", 1)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("connect") || e.contains("refused"), "{e}");
    }
}
