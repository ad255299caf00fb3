//! Raw SQL statements that the database prepares once per connection.
//!
//! diesel never caches a `sql_query` (it cannot know that the text is the same at each call), so PostgreSQL
//! parsed, analysed and planned every raw statement at every execution: during additions that was about a third
//! of the database server's CPU (bench/RESULTS.md, "the write path, profiled"). A statement wrapped here carries
//! a marker type of its own, which diesel uses as the key of its per-connection statement cache.
//!
//! One marker per SQL text: two texts under one marker would run the first one's plan for the second.
//!
//! Run a marked statement with `load`, `get_result` or `rows`, never with `execute`: `execute` hands diesel the
//! statement by reference, and diesel's by-reference wrapper asks the raw query whether it may be cached (it
//! always says no), so the marker is ignored. A statement that writes says `RETURNING` and counts with `rows`.

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::LoadQuery;
use diesel::row::NamedRow;
use diesel::{QueryResult, QueryableByName, RunQueryDsl};
use std::marker::PhantomData;

/// `query`, cached under the marker `M`.
pub struct Prepared<M, Q> {
    query: Q,
    marker: PhantomData<fn() -> M>,
}

/// Wraps a raw statement whose text never changes so that each connection prepares it once.
pub fn prepared<M: 'static, Q>(query: Q) -> Prepared<M, Q> {
    Prepared {
        query,
        marker: PhantomData,
    }
}

impl<M: 'static, Q> QueryId for Prepared<M, Q> {
    type QueryId = M;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<M, Q, DB> QueryFragment<DB> for Prepared<M, Q>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.query.walk_ast(pass)
    }

    /// The text is fixed (the marker names it), whatever the raw query says about itself.
    fn is_safe_to_cache_prepared(&self, _backend: &DB) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<M, Q: Query> Query for Prepared<M, Q> {
    type SqlType = Q::SqlType;
}

impl<M, Q, C> RunQueryDsl<C> for Prepared<M, Q> {}

/// A row whose columns are not read (`Prepared::rows` counts them).
pub struct AnyRow;

impl<DB: Backend> QueryableByName<DB> for AnyRow {
    fn build<'a>(_: &impl NamedRow<'a, DB>) -> diesel::deserialize::Result<Self> {
        Ok(AnyRow)
    }
}

impl<M: 'static, Q> Prepared<M, Q> {
    /// Runs the statement from the connection's cache and counts the rows it returns (a write's `RETURNING`
    /// rows: how many it changed).
    pub fn rows<'q, C>(self, conn: &mut C) -> QueryResult<usize>
    where
        Self: LoadQuery<'q, C, AnyRow>,
    {
        Ok(self.load::<AnyRow>(conn)?.len())
    }
}

/// Takes the row lock of `id` in `table` until the transaction ends (PostgreSQL, as a prepared statement;
/// SQLite serialises writers already). Each use gets a marker of its own.
macro_rules! lock_row {
    ($tx:expr, $table:literal, $id:expr) => {{
        if let $crate::conn::AnyConnection::Postgresql(pg) = $tx.conn() {
            enum Marker {}
            $crate::prepared::prepared::<Marker, _>(
                diesel::sql_query(concat!(
                    "SELECT id FROM ",
                    $table,
                    " WHERE id = $1 FOR UPDATE"
                ))
                .bind::<diesel::sql_types::Text, _>($id),
            )
            .rows(pg)?;
        }
        Ok(())
    }};
}
pub(crate) use lock_row;

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::Connection;
    use diesel::connection::{Instrumentation, InstrumentationEvent};
    use diesel::sql_types::{BigInt, Integer};
    use std::sync::{Arc, Mutex};

    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    enum Twice {}

    /// The statements each connection put into its cache.
    fn recorder(cached: Arc<Mutex<Vec<String>>>) -> impl Instrumentation {
        move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::CacheQuery { sql, .. } = event
                && let Ok(mut c) = cached.lock()
            {
                c.push(sql.to_owned());
            }
        }
    }

    #[test]
    fn a_marked_statement_is_prepared_once_and_a_raw_one_every_time() {
        let cached = Arc::new(Mutex::new(Vec::new()));
        let mut conn = diesel::SqliteConnection::establish(":memory:").expect("sqlite");
        conn.set_instrumentation(recorder(cached.clone()));
        // A raw statement is never cached.
        let raw: Vec<i64> = (1..=2)
            .map(|i| {
                diesel::sql_query("SELECT CAST(? AS INTEGER) + 40 AS n")
                    .bind::<Integer, _>(i)
                    .get_result::<N>(&mut conn)
                    .map(|r| r.n)
                    .expect("raw")
            })
            .collect();
        assert_eq!(raw, vec![41, 42]);
        assert!(cached.lock().map(|c| c.is_empty()).unwrap_or(false));
        // A marked one is cached once, under its marker: the second call runs the first text's statement
        // (which is why one marker must only ever carry one text).
        let marked: Vec<i64> = (1..=2)
            .map(|i| {
                prepared::<Twice, _>(diesel::sql_query(format!("SELECT 7 AS n -- {i}")))
                    .get_result::<N>(&mut conn)
                    .map(|r| r.n)
                    .expect("marked")
            })
            .collect();
        assert_eq!(marked, vec![7, 7]);
        let c = cached.lock().map(|c| c.clone()).unwrap_or_default();
        assert_eq!(c, vec!["SELECT 7 AS n -- 1".to_owned()], "{c:?}");
    }

    /// On PostgreSQL a marked statement becomes a named prepared statement of the session.
    #[test]
    #[cfg_attr(no_postgres, ignore = "PostgreSQL was not reachable at build time")]
    fn postgres_keeps_a_marked_statement_prepared() {
        let mut conn =
            diesel::PgConnection::establish("postgres://postgres@127.0.0.1:5432/postgres")
                .expect("PostgreSQL at 127.0.0.1:5432");
        enum Plus {}
        let sum = |conn: &mut diesel::PgConnection, i: i32| -> i64 {
            prepared::<Plus, _>(
                diesel::sql_query("SELECT ($1 + 40)::bigint AS n").bind::<Integer, _>(i),
            )
            .get_result::<N>(conn)
            .map(|r| r.n)
            .expect("marked")
        };
        assert_eq!((sum(&mut conn, 1), sum(&mut conn, 2)), (41, 42));
        diesel::sql_query("SELECT ($1 + 50)::bigint AS n")
            .bind::<Integer, _>(1)
            .get_result::<N>(&mut conn)
            .expect("raw");
        let named = |conn: &mut diesel::PgConnection, text: &str| -> i64 {
            diesel::sql_query(
                "SELECT COUNT(*) AS n FROM pg_prepared_statements WHERE statement = $1",
            )
            .bind::<diesel::sql_types::Text, _>(text)
            .get_result::<N>(conn)
            .map(|r| r.n)
            .expect("pg_prepared_statements")
        };
        assert_eq!(named(&mut conn, "SELECT ($1 + 40)::bigint AS n"), 1);
        assert_eq!(named(&mut conn, "SELECT ($1 + 50)::bigint AS n"), 0);
        // A write counted with `rows` is prepared once too.
        diesel::connection::SimpleConnection::batch_execute(
            &mut conn,
            "CREATE TEMPORARY TABLE marked_writes (n integer)",
        )
        .expect("table");
        enum Put {}
        let put = "INSERT INTO marked_writes (n) VALUES ($1) RETURNING 1";
        for i in 0..3 {
            let n = prepared::<Put, _>(diesel::sql_query(put).bind::<Integer, _>(i))
                .rows(&mut conn)
                .expect("insert");
            assert_eq!(n, 1);
        }
        assert_eq!(named(&mut conn, put), 1);
    }

    #[test]
    fn a_marked_write_runs_from_the_cache_and_counts_its_rows() {
        let cached = Arc::new(Mutex::new(Vec::new()));
        let mut conn = diesel::SqliteConnection::establish(":memory:").expect("sqlite");
        diesel::connection::SimpleConnection::batch_execute(
            &mut conn,
            "CREATE TABLE t (n INTEGER)",
        )
        .expect("table");
        conn.set_instrumentation(recorder(cached.clone()));
        enum Put {}
        for i in 0..3 {
            let n = prepared::<Put, _>(
                diesel::sql_query("INSERT INTO t (n) VALUES (?) RETURNING 1").bind::<Integer, _>(i),
            )
            .rows(&mut conn)
            .expect("insert");
            assert_eq!(n, 1);
        }
        enum Bump {}
        let bump = |conn: &mut diesel::SqliteConnection, from: i32| {
            prepared::<Bump, _>(
                diesel::sql_query("UPDATE t SET n = n + 10 WHERE n >= ? RETURNING 1")
                    .bind::<Integer, _>(from),
            )
            .rows(conn)
            .expect("update")
        };
        assert_eq!((bump(&mut conn, 1), bump(&mut conn, 100)), (2, 0));
        // `execute` passes the statement by reference: diesel then ignores the marker and prepares it afresh.
        enum Lost {}
        for _ in 0..2 {
            prepared::<Lost, _>(diesel::sql_query("DELETE FROM t WHERE n = 99"))
                .execute(&mut conn)
                .expect("delete");
        }
        let c = cached.lock().map(|c| c.clone()).unwrap_or_default();
        assert_eq!(
            c,
            vec![
                "INSERT INTO t (n) VALUES (?) RETURNING 1".to_owned(),
                "UPDATE t SET n = n + 10 WHERE n >= ? RETURNING 1".to_owned()
            ],
            "{c:?}"
        );
    }
}
