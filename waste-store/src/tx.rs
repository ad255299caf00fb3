//! Write transactions: SQLite's write lock taken up front, or a savepoint inside the writer's group; a plain
//! transaction on PostgreSQL (docs/rules.md "Persistence notes").

use crate::conn::AnyConnection;
use diesel::Connection;
use std::cell::Cell;

thread_local! {
    /// Set on the SQLite writer's thread while it runs a group's transaction (`writer`).
    static IN_GROUP: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread is inside a group's transaction (`write_tx` then takes a savepoint).
pub fn in_group() -> bool {
    IN_GROUP.with(Cell::get)
}

/// The writer's thread says it runs groups from now on.
pub(crate) fn enter_groups() {
    IN_GROUP.with(|g| g.set(true));
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
            $crate::conn::AnyConnection::Sqlite(c) => {
                $crate::prepared::prepared::<Statement, _>(diesel::sql_query($sql))
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
        AnyConnection::Sqlite(_) if in_group() => bracketed(
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
