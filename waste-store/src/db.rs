//! Persistence plumbing: one connection type over SQLite and PostgreSQL, a pool that picks the backend from
//! the URL scheme and reports the real connection error, SQLite pragmas, migrations per backend, and write
//! transactions that take SQLite's write lock up front (docs/rules.md "Persistence notes").

pub use crate::conn::{AnyConnection, AnyManager, Backend, DbError, DbUrl, Pool, PooledConn};
pub use crate::conn::{known_migrations, migrate, sqlite_uri};
use crate::storage;
pub use crate::tx::write_tx;
pub use crate::writer::WriteStats;
use diesel::r2d2::{self, ManageConnection};
use std::sync::Arc;
use std::time::{Duration, Instant};

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
        if ok && storage::is_full() {
            let db = self.clone();
            std::thread::spawn(move || recovered(&db));
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

impl crate::conn::Dedicated for Db {
    fn dedicated(&self) -> Result<AnyConnection, DbError> {
        Db::dedicated(self)
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
    // A log without a head yet (just upgraded) gets one over its chains as found (`store::log`).
    let sealed = write_tx(&mut first, crate::store::log::seal)
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

// The disk-full state (`storage`) as it concerns this database.

/// Where the state stands now: when a write failed for space and free space is back above `HEADROOM`, a
/// truncating checkpoint runs (SQLite) and the state clears. True while the disk is still full.
pub fn still_full(db: &Db) -> bool {
    if !storage::is_full() {
        return false;
    }
    let Some(path) = db.sqlite_path() else {
        // PostgreSQL's disk is the server's: a write that succeeds clears it (`write_succeeded`).
        return true;
    };
    match storage::free_bytes(std::path::Path::new(path)) {
        Some(free) if free >= storage::HEADROOM => {
            recovered(db);
            false
        }
        _ => true,
    }
}

/// Space is back (a write committed, or free space is above `HEADROOM`): a truncating checkpoint gives the
/// `-wal`'s space back to the file system (SQLite), and the state clears.
pub fn recovered(db: &Db) {
    if db.sqlite_path().is_some() {
        match db.dedicated() {
            Ok(mut c) => {
                if let Err(e) = crate::store::maintenance::checkpoint_truncate(&mut c) {
                    tracing::warn!(error = %e, "truncating checkpoint after the disk was full");
                }
            }
            Err(e) => tracing::warn!(error = %e, "no connection for the checkpoint"),
        }
    }
    if storage::clear_full() {
        tracing::info!("space is back on the database's disk: writes are accepted again");
    }
}

/// `waste_storage_free_bytes` and `waste_storage_full` for `/metrics` (SQLite: the database's file system).
pub fn render(db: &Db) -> String {
    let mut out = String::new();
    if let Some(free) = db
        .sqlite_path()
        .and_then(|p| storage::free_bytes(std::path::Path::new(p)))
    {
        out.push_str(&format!(
            "# HELP waste_storage_free_bytes Free bytes on the database's file system (warn below {}).\n\
             # TYPE waste_storage_free_bytes gauge\nwaste_storage_free_bytes {free}\n",
            storage::HEADROOM
        ));
    }
    out.push_str(&format!(
        "# HELP waste_storage_full 1 while writes are refused because the database's disk is full.\n\
         # TYPE waste_storage_full gauge\nwaste_storage_full {}\n",
        u8::from(storage::is_full())
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::prelude::*;

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
