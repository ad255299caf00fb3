//! The data layer: typed rows per table, the queries the use cases need, the custody-chain append and the
//! counters. No rule decisions here.

pub mod additions;
pub mod audit;
pub mod bottles;
pub mod chain;
pub mod containers;
pub mod contracts;
pub mod credentials;
pub mod events;
pub mod idempotency;
pub mod log;
pub mod maintenance;
pub mod manifests;
pub mod organizations;
pub mod outbox;
pub mod oversight;
pub mod page;
pub mod pickup_requests;
pub mod pickups;
pub mod records;
pub mod revisions;
pub mod sequences;
pub mod sites;
pub mod users;
pub mod weighings;

use crate::StoreError;
use crate::conn::AnyConnection;
use diesel::prelude::*;

/// A connection inside a write transaction. Only `write_tx` makes one, so a writing use case (which takes a
/// `&mut Tx`) cannot be called outside a transaction.
pub struct Tx<'c>(&'c mut AnyConnection);

impl std::ops::Deref for Tx<'_> {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        self.0
    }
}

impl std::ops::DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.0
    }
}

impl Tx<'_> {
    pub fn conn(&mut self) -> &mut AnyConnection {
        self.0
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.0, AnyConnection::Postgresql(_))
    }
}

/// Runs `f` in one write transaction (`BEGIN IMMEDIATE` on SQLite, see `db::write_tx`): all of it is kept or
/// none.
pub fn write_tx<T, E, F>(conn: &mut AnyConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut Tx) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    outbox::take_announced();
    log::begin();
    let r = crate::tx::write_tx(conn, |c| {
        // Ids drawn above every id issued before (`crate::ids`): the floor is read first and raised at the end.
        let saved = crate::ids::begin(id_floor(c)?.as_deref());
        let r = f(&mut Tx(c));
        let raised = match (&r, crate::ids::issued()) {
            (Ok(_), Some(greatest)) => raise_id_floor(c, &greatest),
            _ => Ok(()),
        };
        crate::ids::end(saved, r.is_ok() && raised.is_ok());
        raised?;
        let v = r?;
        // The log's head moves last, after everything else the transaction locked (`log`); the two
        // one-row tables are always taken in this order, so writers queue on them but never deadlock.
        log::settle(c)?;
        Ok(v)
    });
    log::end();
    // Committed with a webhook event: wake the delivery worker (its poll covers a missed wake-up).
    if outbox::take_announced() && r.is_ok() {
        outbox::wake().notify_waiters();
    }
    r
}

#[derive(QueryableByName)]
struct Floor {
    #[diesel(sql_type = diesel::sql_types::Text)]
    last: String,
}

/// The greatest id issued so far (`id_floor`), None on a database that has issued none.
fn id_floor(c: &mut AnyConnection) -> QueryResult<Option<String>> {
    Ok(diesel::sql_query("SELECT last FROM id_floor WHERE one = 1")
        .get_result::<Floor>(c)
        .optional()?
        .map(|f| f.last))
}

/// Raises `id_floor` to `id` (never lowers it): one upsert, in the transaction that issued `id`.
fn raise_id_floor(c: &mut AnyConnection, id: &str) -> QueryResult<()> {
    let sql = |p: &str| {
        format!(
            "INSERT INTO id_floor (one, last) VALUES (1, {p}) ON CONFLICT (one) \
             DO UPDATE SET last = excluded.last WHERE id_floor.last < excluded.last"
        )
    };
    let q = |p| diesel::sql_query(sql(p)).bind::<diesel::sql_types::Text, _>(id);
    match c {
        AnyConnection::Postgresql(pg) => q("$1").execute(pg),
        AnyConnection::Sqlite(sq) => q("?").execute(sq),
    }
    .map(|_| ())
}

/// Whose rows a read returns: the use case decides (from the access table), the store filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every organisation's (an administrator).
    All,
    /// The organisations whose region code starts with this prefix (an authority's division).
    Division(String),
    /// One organisation's.
    Org(String),
}

/// The ids of the organisations whose region code matches `pattern` (`<prefix>%`), as a subquery.
#[diesel::dsl::auto_type]
pub fn division_ids(pattern: String) -> _ {
    crate::schema::organizations::table
        .filter(crate::schema::organizations::region_code.like(pattern))
        .select(crate::schema::organizations::id)
}

/// Decimals are stored as text; a row that does not parse is a fault of the store, not of the client.
pub fn decimal(s: &str) -> Result<rust_decimal::Decimal, StoreError> {
    s.parse()
        .map_err(|e| StoreError::Internal(format!("stored decimal '{s}': {e}")))
}

/// A JSON list stored as text (`["64-17-5", ...]`).
pub fn text_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

pub fn to_text_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// Dates are stored as `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<time::Date> {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// Two decimals stored as text are the same amount (`1.50` and `1.5`).
pub fn same_amount(a: &str, b: &str) -> bool {
    match (
        a.parse::<rust_decimal::Decimal>(),
        b.parse::<rust_decimal::Decimal>(),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

pub fn same_opt_amount(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same_amount(a, b),
        (None, None) => true,
        _ => false,
    }
}
