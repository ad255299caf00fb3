//! The SQL of the operators' commands (`ops`): which migrations a database has, SQLite's integrity check and
//! its online copy (`VACUUM INTO`). Nothing here migrates or creates a table.

use crate::conn::AnyConnection;
use diesel::prelude::*;

#[derive(QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    v: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The migration versions recorded in the database, or None when it has no migrations table (never migrated).
/// Read only: diesel's own `applied_migrations` would create the table.
pub fn applied_migrations(conn: &mut AnyConnection) -> QueryResult<Option<Vec<String>>> {
    let exists = match conn {
        AnyConnection::Sqlite(c) => diesel::sql_query(
            "SELECT COUNT(*) AS n FROM sqlite_master \
             WHERE type = 'table' AND name = '__diesel_schema_migrations'",
        )
        .get_result::<Count>(c)?,
        AnyConnection::Postgresql(c) => diesel::sql_query(
            "SELECT COUNT(*) AS n FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = '__diesel_schema_migrations'",
        )
        .get_result::<Count>(c)?,
    };
    if exists.n == 0 {
        return Ok(None);
    }
    let rows: Vec<Text> =
        diesel::sql_query("SELECT version AS v FROM __diesel_schema_migrations ORDER BY version")
            .load(conn)?;
    Ok(Some(rows.into_iter().map(|r| r.v).collect()))
}

/// SQLite's `PRAGMA integrity_check`: `["ok"]` when the file is sound, otherwise what it found (first 20).
pub fn integrity_check(conn: &mut AnyConnection) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let rows: Vec<Found> = diesel::sql_query("PRAGMA integrity_check(20)").load(conn)?;
    Ok(rows.into_iter().map(|r| r.integrity_check).collect())
}

/// Writes a consistent copy of the SQLite database to `dest` (which must not exist) with `VACUUM INTO`: one read
/// transaction on this connection, so writers of the service go on while it runs (in WAL mode a reader blocks
/// no writer) and the copy is the database as of the moment it began.
pub fn vacuum_into(conn: &mut AnyConnection, dest: &str) -> QueryResult<()> {
    diesel::sql_query("VACUUM INTO ?")
        .bind::<diesel::sql_types::Text, _>(dest)
        .execute(conn)
        .map(|_| ())
}

/// `PRAGMA wal_checkpoint(TRUNCATE)` (SQLite): folds the `-wal` into the database and truncates it to 0 bytes, so
/// the space it held is the file system's again.
pub fn checkpoint_truncate(conn: &mut AnyConnection) -> QueryResult<()> {
    #[derive(QueryableByName)]
    struct Checkpoint {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        busy: i32,
    }
    let r: Vec<Checkpoint> = diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").load(conn)?;
    match r.first() {
        Some(r) if r.busy != 0 => Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::Unknown,
            Box::new("the checkpoint could not finish (a reader or writer was busy)".to_owned()),
        )),
        _ => Ok(()),
    }
}

/// PostgreSQL's clock, in whole seconds since 1970 (None on SQLite, whose clock is the service's own). Also the
/// readiness probe's query.
pub fn server_time(conn: &mut AnyConnection) -> QueryResult<Option<i64>> {
    #[derive(QueryableByName)]
    struct Now {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        t: i64,
    }
    match conn {
        AnyConnection::Postgresql(c) => diesel::sql_query(
            "SELECT CAST(FLOOR(EXTRACT(EPOCH FROM clock_timestamp())) AS BIGINT) AS t",
        )
        .get_result::<Now>(c)
        .map(|n| Some(n.t)),
        AnyConnection::Sqlite(c) => diesel::sql_query("SELECT 1").execute(c).map(|_| None),
    }
}

/// Several instances starting at once on one PostgreSQL: the first administrator is created by one only (a
/// transaction-scoped advisory lock; SQLite's `BEGIN IMMEDIATE` already serialises the transaction).
pub fn bootstrap_lock(conn: &mut AnyConnection) -> QueryResult<()> {
    if let AnyConnection::Postgresql(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(7231001)").execute(pg)?;
    }
    Ok(())
}
