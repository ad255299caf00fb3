//! Counters drawn with one atomic upsert each, so that two concurrent writers never get the same number.
//! Diesel's MultiConnection cannot express an upsert portably, so the SQL is written once with `{n}`
//! placeholders and run on the connection's own backend.

use crate::StoreError;
use crate::conn::AnyConnection;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

#[derive(QueryableByName)]
struct Last {
    #[diesel(sql_type = Integer)]
    last: i32,
}

/// Runs an upsert returning `last` with its binds on whichever backend `c` is.
macro_rules! draw {
    ($c:expr, $sql:expr, $(($ty:ty, $v:expr)),+) => {{
        let sql: &str = $sql;
        let row: Last = match $c {
            AnyConnection::Postgresql(pg) => {
                let mut n = 0;
                let q = placeholders(sql, |_| { n += 1; format!("${n}") });
                diesel::sql_query(q)$(.bind::<$ty, _>($v))+.get_result(pg)?
            }
            AnyConnection::Sqlite(sq) => {
                diesel::sql_query(placeholders(sql, |_| "?".to_owned()))$(.bind::<$ty, _>($v))+.get_result(sq)?
            }
        };
        Ok(row.last)
    }};
}

/// Replaces each `{n}` with the backend's placeholder.
fn placeholders(sql: &str, mut mark: impl FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else { break };
        out.push_str(&rest[..i]);
        out.push_str(&mark(&rest[i + 1..i + j]));
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    out
}

/// The next digital-id sequence number (1–999 on the label) of an organisation, waste code and start day.
pub fn next_digital_id(
    c: &mut AnyConnection,
    org: &str,
    code: &str,
    day: &str,
) -> Result<i32, StoreError> {
    draw!(
        c,
        "INSERT INTO id_sequences (organization_id, code, day, last) VALUES ({1}, {2}, {3}, 1) \
         ON CONFLICT (organization_id, code, day) DO UPDATE SET last = id_sequences.last + 1 RETURNING last",
        (Text, org),
        (Text, code),
        (Text, day)
    )
}

/// The next manifest serial of a region (province + city) and year.
pub fn next_manifest_serial(
    c: &mut AnyConnection,
    region: &str,
    year: i32,
) -> Result<i32, StoreError> {
    draw!(
        c,
        "INSERT INTO manifest_serials (region, year, last) VALUES ({1}, {2}, 1) \
         ON CONFLICT (region, year) DO UPDATE SET last = manifest_serials.last + 1 RETURNING last",
        (Text, region),
        (Integer, year)
    )
}

/// An attempt counter after counting one attempt: how many in its window, and when the window began.
#[derive(Debug, Clone, QueryableByName)]
pub struct Attempts {
    #[diesel(sql_type = Integer)]
    pub count: i32,
    #[diesel(sql_type = Text)]
    pub window_start: String,
}

/// Counts one attempt under `key` in one atomic upsert, before the secret is checked, so that concurrent
/// attempts (on any instance sharing the database) each see a different count: a window that began at or before
/// `expired` (an RFC 3339 stamp, compared as text: the stored stamps have one fixed width) starts again at `now`.
pub fn count_attempt(
    c: &mut AnyConnection,
    key: &str,
    now: &str,
    expired: &str,
) -> Result<Attempts, StoreError> {
    let sql = "INSERT INTO attempt_counters (key, window_start, count) VALUES ({1}, {2}, 1) \
         ON CONFLICT (key) DO UPDATE SET \
         count = CASE WHEN attempt_counters.window_start <= {3} THEN 1 ELSE attempt_counters.count + 1 END, \
         window_start = CASE WHEN attempt_counters.window_start <= {4} THEN {5} ELSE attempt_counters.window_start END \
         RETURNING count, window_start";
    let row: Attempts = match c {
        AnyConnection::Postgresql(pg) => {
            let mut n = 0;
            let q = placeholders(sql, |_| {
                n += 1;
                format!("${n}")
            });
            diesel::sql_query(q)
                .bind::<Text, _>(key)
                .bind::<Text, _>(now)
                .bind::<Text, _>(expired)
                .bind::<Text, _>(expired)
                .bind::<Text, _>(now)
                .get_result(pg)?
        }
        AnyConnection::Sqlite(sq) => diesel::sql_query(placeholders(sql, |_| "?".to_owned()))
            .bind::<Text, _>(key)
            .bind::<Text, _>(now)
            .bind::<Text, _>(expired)
            .bind::<Text, _>(expired)
            .bind::<Text, _>(now)
            .get_result(sq)?,
    };
    Ok(row)
}

/// Forgets the attempts under `key` (a right secret).
pub fn clear_attempts(c: &mut AnyConnection, key: &str) -> Result<(), StoreError> {
    use crate::schema::attempt_counters as a;
    diesel::delete(a::table.filter(a::key.eq(key))).execute(c)?;
    Ok(())
}

/// Takes back one counted attempt under `key` (a sign-in that succeeded does not count against its address).
pub fn uncount_attempt(c: &mut AnyConnection, key: &str) -> Result<(), StoreError> {
    use crate::schema::attempt_counters as a;
    diesel::update(a::table.filter(a::key.eq(key)).filter(a::count.gt(0)))
        .set(a::count.eq(a::count - 1))
        .execute(c)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_numbered_for_postgres_and_anonymous_for_sqlite() {
        let mut n = 0;
        let pg = super::placeholders("VALUES ({1}, {2})", |_| {
            n += 1;
            format!("${n}")
        });
        assert_eq!(pg, "VALUES ($1, $2)");
        assert_eq!(
            super::placeholders("VALUES ({1}, {2})", |_| "?".into()),
            "VALUES (?, ?)"
        );
    }
}
