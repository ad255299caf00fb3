//! The reagent shelf's rows: bottles, stocktakes and what each stocktake counted. A bottle's history is its
//! chain in the custody log (`bottle:<id>`); these rows are its state.

use super::page::{Keyset, Page};
use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::{bottles, stocktake_counts, stocktakes};
use diesel::prelude::*;

/// A `bottles` row.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = bottles)]
pub struct BottleRow {
    pub id: String,
    pub organization_id: String,
    pub code: String,
    pub substance_cas: String,
    pub substance_name: String,
    pub unit: String,
    pub received_amount: String,
    pub balance: String,
    pub supplier: String,
    pub lot: String,
    pub received_on: String,
    pub expires_on: Option<String>,
    pub opened_on: Option<String>,
    pub use_within_days: Option<i32>,
    pub site_id: String,
    pub cabinet: Option<String>,
    pub responsible_id: String,
    pub status: String,
    /// Comma-separated lists (`highly_toxic`, `precursor`, `explosive_precursor`); empty when none.
    pub controlled: String,
    pub container_id: Option<String>,
    pub created_at: String,
}

pub fn insert(conn: &mut AnyConnection, row: &BottleRow) -> Result<(), StoreError> {
    diesel::insert_into(bottles::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<BottleRow>, StoreError> {
    Ok(bottles::table
        .find(id)
        .select(BottleRow::as_select())
        .first(conn)
        .optional()?)
}

/// The bottle whose e-label carries `code`.
pub fn by_code(conn: &mut AnyConnection, code: &str) -> Result<Option<BottleRow>, StoreError> {
    Ok(bottles::table
        .filter(bottles::code.eq(code))
        .select(BottleRow::as_select())
        .first(conn)
        .optional()?)
}

/// Whether a code is taken (a new bottle's code must be unique).
pub fn code_taken(conn: &mut AnyConnection, code: &str) -> Result<bool, StoreError> {
    Ok(diesel::select(diesel::dsl::exists(
        bottles::table.filter(bottles::code.eq(code)),
    ))
    .get_result(conn)?)
}

/// What a step changed in a bottle's row.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = bottles)]
pub struct BottleChange {
    pub status: Option<String>,
    pub balance: Option<String>,
    pub opened_on: Option<String>,
    pub container_id: Option<String>,
}

/// Applies `change` to the bottle if it is still in `status` (a concurrent step that won makes this 0 rows:
/// the caller answers a conflict).
pub fn change(
    conn: &mut AnyConnection,
    id: &str,
    status: &str,
    change: &BottleChange,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        bottles::table
            .filter(bottles::id.eq(id))
            .filter(bottles::status.eq(status)),
    )
    .set(change)
    .execute(conn)?)
}

/// One organisation's bottles, a page at a time in id order; with `site`, only those at that site.
pub fn list(
    conn: &mut AnyConnection,
    org: &str,
    site: Option<&str>,
    page: &Keyset,
) -> Result<Page<BottleRow>, StoreError> {
    let mut q = bottles::table
        .filter(bottles::organization_id.eq(org))
        .select(BottleRow::as_select())
        .order(bottles::id.asc())
        .limit(page.limit)
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(bottles::id.gt(after.clone()));
    }
    if let Some(site) = site {
        q = q.filter(bottles::site_id.eq(site.to_owned()));
    }
    Ok(page.page(q.load(conn)?, |r| r.id.clone()))
}

/// Every bottle of `org` still on the books (sealed, open or out); with `site`, at that site. Read a page at a
/// time: the alerts and a stocktake read the whole shelf.
pub fn on_hand(
    conn: &mut AnyConnection,
    org: &str,
    site: Option<&str>,
) -> Result<Vec<BottleRow>, StoreError> {
    every(conn, org, site, true)
}

/// Every bottle `org` ever received, finished ones too (the bureau's view).
pub fn all_of(conn: &mut AnyConnection, org: &str) -> Result<Vec<BottleRow>, StoreError> {
    every(conn, org, None, false)
}

fn every(
    conn: &mut AnyConnection,
    org: &str,
    site: Option<&str>,
    only_on_hand: bool,
) -> Result<Vec<BottleRow>, StoreError> {
    let mut out = Vec::new();
    let mut page = Keyset {
        limit: 1000,
        after: None,
    };
    loop {
        let mut q = bottles::table
            .filter(bottles::organization_id.eq(org))
            .select(BottleRow::as_select())
            .order(bottles::id.asc())
            .limit(page.limit)
            .into_boxed();
        if only_on_hand {
            q = q.filter(bottles::status.eq_any(["sealed", "open", "out"]));
        }
        if let Some(after) = &page.after {
            q = q.filter(bottles::id.gt(after.clone()));
        }
        if let Some(site) = site {
            q = q.filter(bottles::site_id.eq(site.to_owned()));
        }
        let got = page.page(q.load(conn)?, |r| r.id.clone());
        out.extend(got.items);
        match got.next_after {
            Some(next) => page.after = Some(next),
            None => return Ok(out),
        }
    }
}

/// Differences explained at `org`'s stocktakes closed at or after `since` (a stored time).
pub fn corrections_since(
    conn: &mut AnyConnection,
    org: &str,
    since: &str,
) -> Result<i64, StoreError> {
    Ok(stocktake_counts::table
        .inner_join(stocktakes::table.on(stocktakes::id.eq(stocktake_counts::stocktake_id)))
        .filter(stocktakes::organization_id.eq(org))
        .filter(stocktakes::closed_at.ge(since))
        .filter(stocktake_counts::explanation.is_not_null())
        .count()
        .get_result(conn)?)
}

/// A `stocktakes` row.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = stocktakes)]
pub struct StocktakeRow {
    pub id: String,
    pub organization_id: String,
    pub site_id: String,
    pub started_by: String,
    pub started_at: String,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
}

pub fn insert_stocktake(conn: &mut AnyConnection, row: &StocktakeRow) -> Result<(), StoreError> {
    diesel::insert_into(stocktakes::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn stocktake(conn: &mut AnyConnection, id: &str) -> Result<Option<StocktakeRow>, StoreError> {
    Ok(stocktakes::table
        .find(id)
        .select(StocktakeRow::as_select())
        .first(conn)
        .optional()?)
}

/// The open stocktake of a site, if one is under way.
pub fn open_stocktake(
    conn: &mut AnyConnection,
    site: &str,
) -> Result<Option<StocktakeRow>, StoreError> {
    Ok(stocktakes::table
        .filter(stocktakes::site_id.eq(site))
        .filter(stocktakes::closed_at.is_null())
        .select(StocktakeRow::as_select())
        .first(conn)
        .optional()?)
}

/// Closes a stocktake that is still open; 0 rows when another close won.
pub fn close_stocktake(
    conn: &mut AnyConnection,
    id: &str,
    by: &str,
    at: &str,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        stocktakes::table
            .filter(stocktakes::id.eq(id))
            .filter(stocktakes::closed_at.is_null()),
    )
    .set((stocktakes::closed_by.eq(by), stocktakes::closed_at.eq(at)))
    .execute(conn)?)
}

/// The day of the last closed stocktake of `org` (its `closed_at`, as stored).
pub fn last_closed(conn: &mut AnyConnection, org: &str) -> Result<Option<String>, StoreError> {
    Ok(stocktakes::table
        .filter(stocktakes::organization_id.eq(org))
        .filter(stocktakes::closed_at.is_not_null())
        .select(diesel::dsl::max(stocktakes::closed_at))
        .first::<Option<String>>(conn)?)
}

/// A `stocktake_counts` row.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = stocktake_counts)]
pub struct CountRow {
    pub stocktake_id: String,
    pub bottle_id: String,
    pub counted: Option<String>,
    pub explanation: Option<String>,
}

/// Records a bottle scanned at a stocktake; scanned again, the new weighing replaces the old.
pub fn put_count(conn: &mut AnyConnection, row: &CountRow) -> Result<(), StoreError> {
    let updated = diesel::update(
        stocktake_counts::table
            .filter(stocktake_counts::stocktake_id.eq(&row.stocktake_id))
            .filter(stocktake_counts::bottle_id.eq(&row.bottle_id)),
    )
    .set(stocktake_counts::counted.eq(&row.counted))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(stocktake_counts::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Records why a bottle's count differs.
pub fn explain(
    conn: &mut AnyConnection,
    stocktake: &str,
    bottle: &str,
    words: &str,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        stocktake_counts::table
            .filter(stocktake_counts::stocktake_id.eq(stocktake))
            .filter(stocktake_counts::bottle_id.eq(bottle)),
    )
    .set(stocktake_counts::explanation.eq(words))
    .execute(conn)?)
}

pub fn counts(conn: &mut AnyConnection, stocktake: &str) -> Result<Vec<CountRow>, StoreError> {
    Ok(stocktake_counts::table
        .filter(stocktake_counts::stocktake_id.eq(stocktake))
        .select(CountRow::as_select())
        .order(stocktake_counts::bottle_id.asc())
        .load(conn)?)
}
