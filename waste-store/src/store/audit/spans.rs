//! Where the audit cuts the log so that several readers share it: the cuts (after an aggregate, so no chain is
//! cut) and each span's bounds in every table.

use super::Compared;
use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::{containers, events, manifests};
use diesel::prelude::*;

/// The part of the log one reader covers, in every table's key: after `from` up to and including `to` (to the
/// end without one). Consecutive spans share their bound, so every key is in exactly one.
#[derive(Debug, Default, Clone)]
pub(super) struct Span {
    pub(super) from: Compared,
    pub(super) to: Option<Compared>,
    /// The span reads from the start of the log, before any key (an event whose aggregate is '' included).
    pub(super) first: bool,
}

/// The keys up to and including aggregate `last`, in every table: a table whose aggregates all sort before
/// `last` is covered up to its greatest id, one whose aggregates all sort after it not at all.
fn through(conn: &mut AnyConnection, last: &str) -> Result<Compared, StoreError> {
    fn id_through<F>(last: &str, prefix: &str, greatest: F) -> Result<String, StoreError>
    where
        F: FnOnce() -> Result<Option<String>, StoreError>,
    {
        // `last < prefix` in byte order agrees with the database's collation because every kind of aggregate
        // (contract, container, manifest, organization, pickup, pickup_request, site) differs from `container:`
        // and `manifest:` at a letter; a kind named like `container_x:` would need this bound worked out in SQL.
        Ok(match last.strip_prefix(prefix) {
            Some(id) => id.to_owned(),
            None if last < prefix => String::new(),
            None => greatest()?.unwrap_or_default(),
        })
    }
    let container = id_through(last, "container:", || {
        Ok(containers::table
            .select(diesel::dsl::max(containers::id))
            .first(conn)?)
    })?;
    let manifest = id_through(last, "manifest:", || {
        Ok(manifests::table
            .select(diesel::dsl::max(manifests::id))
            .first(conn)?)
    })?;
    Ok(Compared {
        aggregate: last.to_owned(),
        container,
        manifest,
    })
}

/// Where to cut the log into up to `parts` spans of about as many events each (PostgreSQL: from a sample of 1 %
/// of the event table's pages, or from all of it when the sample is empty; SQLite: by counting in the key's
/// index): the last aggregate of each span but the last, so no chain is cut. Any state of the log will do (a cut
/// only shares the work out); the spans' bounds are read in the audit's snapshot (`spans`).
pub(super) fn cuts(conn: &mut AnyConnection, parts: usize) -> Result<Vec<String>, StoreError> {
    #[derive(QueryableByName)]
    struct Cuts {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Array<diesel::sql_types::Text>>)]
        cuts: Option<Vec<String>>,
    }
    let fractions: Vec<f64> = (1..parts).map(|i| i as f64 / parts as f64).collect();
    let mut cuts = Vec::new();
    if fractions.is_empty() {
        return Ok(cuts);
    }
    match conn {
        AnyConnection::Postgresql(pg) => {
            let at = |sample: &str| {
                format!(
                    "SELECT percentile_disc($1) WITHIN GROUP (ORDER BY aggregate) AS cuts FROM events {sample}"
                )
            };
            for sample in ["TABLESAMPLE SYSTEM (1) REPEATABLE (16)", ""] {
                let found: Cuts = diesel::sql_query(at(sample))
                    .bind::<diesel::sql_types::Array<diesel::sql_types::Double>, _>(&fractions)
                    .get_result(pg)?;
                if let Some(c) = found.cuts {
                    cuts = c;
                    break;
                }
            }
        }
        AnyConnection::Sqlite(lite) => {
            let events_in_log: i64 = events::table.count().get_result(lite)?;
            for f in &fractions {
                // Whole numbers well inside f64's exact range: the share of a count of rows.
                let at = (events_in_log as f64 * f) as i64;
                if let Some(a) = events::table
                    .select(events::aggregate)
                    .order((events::aggregate.asc(), events::seq.asc()))
                    .offset(at)
                    .first::<String>(lite)
                    .optional()?
                {
                    cuts.push(a);
                }
            }
        }
    }
    cuts.dedup();
    Ok(cuts)
}

/// The spans between `cuts`, their bounds in every table read on `conn` (in the audit's snapshot).
pub(super) fn spans(conn: &mut AnyConnection, cuts: Vec<String>) -> Result<Vec<Span>, StoreError> {
    let mut spans = Vec::new();
    let mut from = Compared::default();
    for cut in cuts {
        let to = through(conn, &cut)?;
        spans.push(Span {
            from: std::mem::replace(&mut from, to.clone()),
            to: Some(to),
            first: spans.is_empty(),
        });
    }
    spans.push(Span {
        from,
        to: None,
        first: spans.is_empty(),
    });
    Ok(spans)
}
