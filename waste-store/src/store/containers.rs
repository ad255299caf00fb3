//! Containers: the row, its writes and the lists.

use super::Tx;
use super::page::Keyset;
use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::containers;
use diesel::prelude::*;
use waste_core::container::Status;

/// A `containers` row.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = containers)]
pub struct Row {
    pub id: String,
    pub organization_id: String,
    pub lab: String,
    pub contact: String,
    pub capacity_l: String,
    pub material: String,
    pub status: String,
    pub stream: Option<String>,
    pub filled_l: String,
    pub holds_liquid: bool,
    pub code: Option<String>,
    /// Hazard characteristics, comma-separated.
    pub hazards: String,
    /// The generation date on the label: the first addition's day.
    pub started_on: Option<String>,
    pub digital_id: Option<String>,
    pub additions_count: i32,
    /// CAS numbers of every substance added, JSON, in order of first addition.
    pub contents: String,
    pub created_by: String,
    pub created_at: String,
    pub sealed_at: Option<String>,
    /// The organisation holding the container now.
    pub custodian_id: Option<String>,
    /// The day the current holder's storage clock started.
    pub clock_started_on: Option<String>,
    /// The storage site where the container stands, and its zone there (GB 18597-2023).
    pub site_id: Option<String>,
    pub zone: Option<String>,
}

impl Row {
    pub fn status(&self) -> Result<Status, StoreError> {
        Status::parse(&self.status).ok_or_else(|| {
            StoreError::Internal(format!("stored container status '{}'", self.status))
        })
    }
}

/// What an addition changes in the row.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = containers)]
pub struct Filled {
    pub stream: Option<String>,
    pub filled_l: String,
    pub holds_liquid: bool,
    pub code: Option<String>,
    pub hazards: String,
    pub started_on: Option<String>,
    pub clock_started_on: Option<String>,
    pub digital_id: Option<String>,
    pub additions_count: i32,
    pub contents: String,
}

/// A container the organisation `org` owns or holds; any other is None.
pub fn visible(conn: &mut AnyConnection, id: &str, org: &str) -> Result<Option<Row>, StoreError> {
    Ok(containers::table
        .filter(containers::id.eq(id))
        .filter(
            containers::organization_id
                .eq(org)
                .or(containers::custodian_id.eq(org)),
        )
        .select(Row::as_select())
        .first::<Row>(conn)
        .optional()?)
}

/// Any container by id.
pub fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<Row>, StoreError> {
    Ok(containers::table
        .filter(containers::id.eq(id))
        .select(Row::as_select())
        .first::<Row>(conn)
        .optional()?)
}

/// Takes the container's row lock until the transaction ends, so that writers on one container take turns
/// instead of one losing a race (PostgreSQL: `SELECT … FOR UPDATE`, which diesel's MultiConnection cannot
/// express; SQLite already serialises writers with `BEGIN IMMEDIATE`). Call it before reading the row.
pub fn lock(tx: &mut Tx, id: &str) -> Result<(), StoreError> {
    crate::prepared::lock_row!(tx, "containers", id)
}

/// A container locked for a change, with the head of its custody chain read under the same lock.
#[derive(Debug, Clone)]
pub struct Locked {
    pub row: Row,
    pub head: Option<super::events::HeadRow>,
    /// The litres of the holder's other containers on hand, when the lock's statement read them too
    /// (PostgreSQL: one round trip less per addition); see `litres_on_hand_with`.
    others_on_hand: Option<Vec<String>>,
}

/// The row of a `Locked` as PostgreSQL answers it.
#[derive(QueryableByName)]
struct LockedRow {
    #[diesel(embed)]
    container: Row,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    head_count: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    head_hash: String,
    /// When the chain's last event was stamped.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    head_at: Option<String>,
    /// `filled_l` of the holder's other containers on hand, space-separated.
    #[diesel(sql_type = diesel::sql_types::Text)]
    others_on_hand: String,
}

/// Locks a container the organisation `org` owns or holds (see `lock`) and reads it with its chain's head. On
/// PostgreSQL that is one round trip: `FOR UPDATE` on the join locks the chain head's row too, so both rows are
/// the latest versions once the lock is granted (a plain read of either after waiting could be the old one).
pub fn lock_visible(tx: &mut Tx, id: &str, org: &str) -> Result<Option<Locked>, StoreError> {
    let aggregate = format!("container:{id}");
    if let AnyConnection::Postgresql(pg) = tx.conn() {
        use diesel::sql_types::Text;
        // The holder's other containers are read from the statement's snapshot, its own row (the latest
        // version, under the lock) is added by `litres_on_hand_with`.
        enum LockVisible {}
        let found = crate::prepared::prepared::<LockVisible, _>(
            diesel::sql_query(
                "SELECT c.*, h.count AS head_count, h.last_hash AS head_hash, \
                   (SELECT e.at FROM events e WHERE e.aggregate = h.aggregate AND e.seq = h.count) AS head_at, \
                   (SELECT COALESCE(string_agg(o.filled_l, ' '), '') FROM containers o \
                    WHERE o.custodian_id = COALESCE(c.custodian_id, $3) AND o.id <> c.id \
                      AND o.status IN ($4, $5, $6, $7)) AS others_on_hand \
                 FROM containers c JOIN chain_heads h ON h.aggregate = $1 \
                 WHERE c.id = $2 AND (c.organization_id = $3 OR c.custodian_id = $3) FOR UPDATE OF c, h",
            )
            .bind::<Text, _>(&aggregate)
            .bind::<Text, _>(id)
            .bind::<Text, _>(org)
            .bind::<Text, _>(ON_HAND[0].as_str())
            .bind::<Text, _>(ON_HAND[1].as_str())
            .bind::<Text, _>(ON_HAND[2].as_str())
            .bind::<Text, _>(ON_HAND[3].as_str()),
        )
        .get_result::<LockedRow>(pg)
        .optional()?;
        if let Some(l) = found {
            return Ok(Some(Locked {
                row: l.container,
                head: Some(super::events::HeadRow {
                    count: l.head_count,
                    last_hash: l.head_hash,
                    last_at: l.head_at,
                }),
                others_on_hand: Some(
                    l.others_on_hand
                        .split_whitespace()
                        .map(str::to_owned)
                        .collect(),
                ),
            }));
        }
        // Not visible to `org`, or a container without a chain (written behind the service): the general way.
    }
    lock(tx, id)?;
    let Some(row) = visible(tx, id, org)? else {
        return Ok(None);
    };
    let head = super::events::head(tx, &aggregate)?;
    Ok(Some(Locked {
        row,
        head,
        others_on_hand: None,
    }))
}

pub fn insert(conn: &mut AnyConnection, row: &Row) -> Result<(), StoreError> {
    diesel::insert_into(containers::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Records an addition. The row is locked by the caller, so the guard on the count only catches a writer that
/// did not lock (another process of an older version): then a 409.
/// Binds what an addition changes in container `$id` (a `Filled`), then the guard: the count it had and its
/// being open. The first 13 parameters of both backends' statements of an addition.
macro_rules! bind_filled {
    ($query:expr, $f:expr, $id:expr, $before:expr) => {{
        use diesel::sql_types::{Bool, Integer, Nullable, Text};
        $query
            .bind::<Nullable<Text>, _>(&$f.stream)
            .bind::<Text, _>(&$f.filled_l)
            .bind::<Bool, _>($f.holds_liquid)
            .bind::<Nullable<Text>, _>(&$f.code)
            .bind::<Text, _>(&$f.hazards)
            .bind::<Nullable<Text>, _>(&$f.started_on)
            .bind::<Nullable<Text>, _>(&$f.clock_started_on)
            .bind::<Nullable<Text>, _>(&$f.digital_id)
            .bind::<Integer, _>($f.additions_count)
            .bind::<Text, _>(&$f.contents)
            .bind::<Text, _>($id)
            .bind::<Integer, _>($before)
            .bind::<Text, _>(waste_core::container::Status::Open.as_str())
    }};
}
pub(crate) use bind_filled;

pub fn record_addition(tx: &mut Tx, id: &str, before: i32, f: &Filled) -> Result<(), StoreError> {
    if let AnyConnection::Sqlite(c) = tx.conn() {
        // SQLite's writer runs this at every addition: prepared once (diesel compiles an UPDATE afresh each
        // time). Every column is set, as in PostgreSQL's statement of the four writes.
        enum RecordAddition {}
        let n = crate::prepared::prepared::<RecordAddition, _>(bind_filled!(
            diesel::sql_query(
                "UPDATE containers SET stream = ?, filled_l = ?, holds_liquid = ?, code = ?, hazards = ?, \
                 started_on = ?, clock_started_on = ?, digital_id = ?, additions_count = ?, contents = ? \
                 WHERE id = ? AND additions_count = ? AND status = ? RETURNING 1",
            ),
            f,
            id,
            before
        ))
        .rows(c)?;
        return expect_one(n);
    }
    let n = diesel::update(
        containers::table
            .filter(containers::id.eq(id))
            .filter(containers::additions_count.eq(before))
            .filter(containers::status.eq(Status::Open.as_str())),
    )
    .set(f)
    .execute(tx.conn())?;
    expect_one(n)
}

/// Moves a locked container from `from` to `to`, setting its holder and when it was sealed, if given.
pub fn set_status(
    tx: &mut Tx,
    id: &str,
    from: Status,
    to: Status,
    custodian: Option<&str>,
    sealed_at: Option<&str>,
) -> Result<(), StoreError> {
    let target = containers::table
        .filter(containers::id.eq(id))
        .filter(containers::status.eq(from.as_str()));
    let n = match (custodian, sealed_at) {
        (Some(c), _) => diesel::update(target)
            .set((
                containers::status.eq(to.as_str()),
                containers::custodian_id.eq(Some(c)),
            ))
            .execute(tx.conn())?,
        (None, Some(at)) => diesel::update(target)
            .set((
                containers::status.eq(to.as_str()),
                containers::sealed_at.eq(Some(at)),
            ))
            .execute(tx.conn())?,
        (None, None) => diesel::update(target)
            .set(containers::status.eq(to.as_str()))
            .execute(tx.conn())?,
    };
    expect_one(n)
}

/// A returned container back with its school (`app::returns::hand_back`): status, custody, the school's clock
/// (`clock`: from its first addition) and no storage site, guarded by the status read.
pub fn hand_back(
    tx: &mut Tx,
    id: &str,
    from: Status,
    to: Status,
    school: &str,
    clock: Option<&str>,
) -> Result<(), StoreError> {
    let n = diesel::update(
        containers::table
            .filter(containers::id.eq(id))
            .filter(containers::status.eq(from.as_str())),
    )
    .set((
        containers::status.eq(to.as_str()),
        containers::custodian_id.eq(Some(school)),
        containers::clock_started_on.eq(clock),
        containers::site_id.eq(None::<String>),
        containers::zone.eq(None::<String>),
    ))
    .execute(tx.conn())?;
    expect_one(n)
}

/// Restarts the holder's storage clock (a transfer station's on pickup, Solid Waste Law Art.81).
pub fn restart_clock(tx: &mut Tx, id: &str, day: &str) -> Result<(), StoreError> {
    diesel::update(containers::table.filter(containers::id.eq(id)))
        .set(containers::clock_started_on.eq(Some(day)))
        .execute(tx.conn())?;
    Ok(())
}

fn expect_one(n: usize) -> Result<(), StoreError> {
    if n == 1 { Ok(()) } else { Err(changed()) }
}

/// The refusal when a guarded update of a container found it changed.
pub fn changed() -> StoreError {
    StoreError::refused(
        "conflict",
        "a concurrent change won; reload and retry",
        serde_json::json!({}),
    )
}

/// The organisation's containers in id order (ids are time-ordered), optionally of one status.
pub fn list(
    conn: &mut AnyConnection,
    org: &str,
    status: Option<Status>,
    page: &Keyset,
) -> Result<Vec<Row>, StoreError> {
    let mut q = containers::table
        .filter(containers::organization_id.eq(org))
        .select(Row::as_select())
        .order(containers::id.asc())
        .limit(page.limit)
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(containers::status.eq(s.as_str()));
    }
    if let Some(a) = &page.after {
        q = q.filter(containers::id.gt(a.clone()));
    }
    Ok(q.load(conn)?)
}

fn on_hand_statuses() -> Vec<&'static str> {
    Status::ALL
        .into_iter()
        .filter(|s| s.on_hand())
        .map(Status::as_str)
        .collect()
}

/// Containers `holder` holds whose clock started on or before `cutoff`, oldest clock first; the cursor is
/// `<clock_started_on>|<id>`.
pub fn clocks_started_by(
    conn: &mut AnyConnection,
    holder: &str,
    cutoff: &str,
    page: &Keyset,
) -> Result<Vec<Row>, StoreError> {
    let mut q = containers::table
        .filter(containers::custodian_id.eq(holder))
        .filter(containers::status.eq_any(on_hand_statuses()))
        .filter(containers::clock_started_on.le(cutoff.to_owned()))
        .select(Row::as_select())
        .order((containers::clock_started_on.asc(), containers::id.asc()))
        .limit(page.limit)
        .into_boxed();
    if let Some((d, id)) = page.after.as_deref().and_then(|a| a.split_once('|')) {
        q = q.filter(
            containers::clock_started_on
                .gt(d.to_owned())
                .or(containers::clock_started_on
                    .eq(d.to_owned())
                    .and(containers::id.gt(id.to_owned()))),
        );
    }
    Ok(q.load(conn)?)
}

/// The statuses on hand (`Status::on_hand`), written out for `litres_on_hand`: diesel never caches a statement
/// with an `IN` list on SQLite, and this one runs at every addition.
const ON_HAND: [Status; 4] = [
    Status::Open,
    Status::Sealed,
    Status::PickedUp,
    Status::Returned,
];

/// The litres of every container `holder` holds, with the locked container's own as locked: read with the lock
/// when its holder is `holder`, else one more read.
pub fn litres_on_hand_with(
    conn: &mut AnyConnection,
    locked: &Locked,
    holder: &str,
) -> Result<Vec<String>, StoreError> {
    let row = &locked.row;
    match &locked.others_on_hand {
        Some(others)
            if row.custodian_id.as_deref() == Some(holder)
                && Status::parse(&row.status).is_some_and(Status::on_hand) =>
        {
            Ok(others
                .iter()
                .cloned()
                .chain(std::iter::once(row.filled_l.clone()))
                .collect())
        }
        _ => litres_on_hand(conn, holder),
    }
}

/// The litres of every container `holder` holds (for its quantity on hand).
pub fn litres_on_hand(conn: &mut AnyConnection, holder: &str) -> Result<Vec<String>, StoreError> {
    let status = |i: usize| containers::status.eq(ON_HAND[i].as_str());
    Ok(containers::table
        .filter(containers::custodian_id.eq(holder))
        .filter(status(0).or(status(1)).or(status(2)).or(status(3)))
        .select(containers::filled_l)
        .load(conn)?)
}

/// The container id a key names: a digital identification code (what the label's QR holds), else the key itself
/// (an id).
pub fn id_by_key(conn: &mut AnyConnection, key: &str) -> Result<String, StoreError> {
    Ok(containers::table
        .filter(containers::digital_id.eq(key))
        .select(containers::id)
        .first::<String>(conn)
        .optional()?
        .unwrap_or_else(|| key.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_out_on_hand_statuses_are_the_cores() {
        let core: Vec<Status> = Status::ALL.into_iter().filter(|s| s.on_hand()).collect();
        assert_eq!(ON_HAND.to_vec(), core);
    }
}
