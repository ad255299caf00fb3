//! Transfer manifests and their lines.

use super::page::Keyset;
use super::{Scope, Tx, division_ids};
use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::{manifest_lines, manifests};
use diesel::prelude::*;
use waste_core::manifest::{ManifestState, Party};

/// A `manifests` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = manifests)]
pub struct ManifestRow {
    pub id: String,
    pub number: String,
    pub shipper_id: String,
    pub carrier_id: String,
    pub receiver_id: String,
    pub status: String,
    pub acceptance: Option<String>,
    /// Raised by every step, so that a writer that did not lock the row cannot overwrite a step.
    pub version: i32,
    pub created_by: String,
    pub created_at: String,
    pub submitted_at: Option<String>,
    pub dispatched_at: Option<String>,
    pub delivered_on: Option<String>,
    pub receipt_deadline: Option<String>,
    pub received_at: Option<String>,
    pub received_late: Option<bool>,
    pub disposal_method: Option<String>,
    pub disposed_at: Option<String>,
    pub cancelled_at: Option<String>,
    /// The carrier's vehicle plate and road transport permit number, recorded at dispatch (Art.11).
    pub vehicle_plate: Option<String>,
    pub transport_permit_no: Option<String>,
}

/// How many manifests `shipper` cancelled after they were numbered in `year` (their numbers start with the year;
/// a draft's provisional number does not).
pub fn cancelled_numbered(
    conn: &mut AnyConnection,
    shipper: &str,
    year: &str,
) -> Result<i64, StoreError> {
    Ok(manifests::table
        .filter(manifests::shipper_id.eq(shipper))
        .filter(manifests::status.eq("cancelled"))
        .filter(manifests::number.like(format!("{year}%")))
        .count()
        .get_result(conn)?)
}

impl ManifestRow {
    pub fn state(&self) -> Result<ManifestState, StoreError> {
        ManifestState::parse(&self.status).ok_or_else(|| {
            StoreError::Internal(format!("stored manifest status '{}'", self.status))
        })
    }
}

/// A `manifest_lines` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = manifest_lines)]
pub struct LineRow {
    pub manifest_id: String,
    pub container_id: String,
    pub code: String,
    pub shipped_weight_kg: String,
    pub received_weight_kg: Option<String>,
    pub accepted: Option<bool>,
    pub reason: Option<String>,
    pub discrepancy: Option<bool>,
}

/// What a draft's `number` column holds until submission: unique, and never 14 digits.
pub fn provisional_number(id: &str) -> String {
    format!("draft-{id}")
}

impl ManifestRow {
    /// Every part the organisation `org` has in this manifest (Transfer Measures Art.10–12: shipper, carrier,
    /// receiver); one organisation may be more than one.
    pub fn parties_of(&self, org: &str) -> std::collections::BTreeSet<Party> {
        [
            (Party::Shipper, &self.shipper_id),
            (Party::Carrier, &self.carrier_id),
            (Party::Receiver, &self.receiver_id),
        ]
        .into_iter()
        .filter(|(_, id)| id.as_str() == org)
        .map(|(p, _)| p)
        .collect()
    }

    /// The part `org` acts in: the first of its parts in the order of the chain (shipper, carrier, receiver).
    pub fn party_of(&self, org: &str) -> Option<Party> {
        self.parties_of(org).into_iter().next()
    }

    /// The manifest's number (Transfer Measures Art.15), once submitted; a draft has none.
    pub fn official_number(&self) -> Option<&str> {
        (!self.number.starts_with("draft-")).then_some(self.number.as_str())
    }

    /// What a page's address and title name the manifest by: its number, or its id while it is a draft.
    pub fn key(&self) -> &str {
        self.official_number().unwrap_or(self.id.as_str())
    }
}

/// How many drafts of `shipper` are open.
pub fn open_drafts(conn: &mut AnyConnection, shipper: &str) -> Result<i64, StoreError> {
    Ok(manifests::table
        .filter(manifests::shipper_id.eq(shipper))
        .filter(manifests::status.eq("draft"))
        .count()
        .get_result(conn)?)
}

/// What a step changes in the manifest row (None leaves a column as it is).
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = manifests)]
pub struct StepChanges {
    pub status: Option<String>,
    /// Drawn at submission.
    pub number: Option<String>,
    pub version: Option<i32>,
    pub acceptance: Option<String>,
    pub submitted_at: Option<String>,
    pub dispatched_at: Option<String>,
    pub delivered_on: Option<String>,
    pub receipt_deadline: Option<String>,
    pub received_at: Option<String>,
    pub received_late: Option<bool>,
    pub disposal_method: Option<String>,
    pub disposed_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub vehicle_plate: Option<String>,
    pub transport_permit_no: Option<String>,
}

/// What a receipt records on a line.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = manifest_lines)]
pub struct Receipt {
    pub received_weight_kg: Option<String>,
    pub accepted: Option<bool>,
    pub reason: Option<String>,
    pub discrepancy: Option<bool>,
}

/// Keeps the manifests of `scope`: those an organisation is a party to, or a party of which is in a division.
macro_rules! scoped {
    ($q:expr, $scope:expr) => {
        match $scope {
            Scope::All => $q,
            Scope::Org(o) => $q.filter(
                manifests::shipper_id
                    .eq(o.to_owned())
                    .or(manifests::carrier_id.eq(o.to_owned()))
                    .or(manifests::receiver_id.eq(o.to_owned())),
            ),
            Scope::Division(p) => {
                let pattern = format!("{p}%");
                $q.filter(
                    manifests::shipper_id
                        .eq_any(division_ids(pattern.clone()))
                        .or(manifests::carrier_id.eq_any(division_ids(pattern.clone())))
                        .or(manifests::receiver_id.eq_any(division_ids(pattern))),
                )
            }
        }
    };
}

/// A manifest of `scope`.
pub fn visible(
    conn: &mut AnyConnection,
    id: &str,
    scope: &Scope,
) -> Result<Option<ManifestRow>, StoreError> {
    let q = manifests::table
        .filter(manifests::id.eq(id))
        .select(ManifestRow::as_select())
        .into_boxed();
    let q = scoped!(q, scope);
    Ok(q.first(conn).optional()?)
}

/// Takes the manifest's row lock until the transaction ends, so that two steps on one manifest take turns: the
/// second then sees the first's result (PostgreSQL; SQLite serialises writers already).
pub fn lock(tx: &mut Tx, id: &str) -> Result<(), StoreError> {
    crate::prepared::lock_row!(tx, "manifests", id)
}

pub fn lines(conn: &mut AnyConnection, id: &str) -> Result<Vec<LineRow>, StoreError> {
    Ok(manifest_lines::table
        .filter(manifest_lines::manifest_id.eq(id))
        .order(manifest_lines::container_id.asc())
        .select(LineRow::as_select())
        .load(conn)?)
}

pub fn insert(tx: &mut Tx, m: &ManifestRow, lines: &[LineRow]) -> Result<(), StoreError> {
    diesel::insert_into(manifests::table)
        .values(m)
        .execute(tx.conn())?;
    // One statement per line: a batch insert has no portable form through MultiConnection.
    for l in lines {
        diesel::insert_into(manifest_lines::table)
            .values(l)
            .execute(tx.conn())?;
    }
    Ok(())
}

/// Whether a container is on a manifest that is not cancelled, on a line the receiver did not reject (a rejected
/// container went back to its shipper, Transfer Measures Art.18, and may be shipped again).
pub fn container_on_open_manifest(
    conn: &mut AnyConnection,
    container: &str,
) -> Result<bool, StoreError> {
    let n: i64 = manifest_lines::table
        .inner_join(manifests::table)
        .filter(manifest_lines::container_id.eq(container))
        .filter(manifests::status.ne(ManifestState::Cancelled.as_str()))
        .filter(
            manifest_lines::accepted
                .is_null()
                .or(manifest_lines::accepted.assume_not_null().eq(true)),
        )
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Applies a step guarded by the version read; a lost guard is a 409.
pub fn apply_step(
    tx: &mut Tx,
    id: &str,
    version: i32,
    changes: &StepChanges,
) -> Result<(), StoreError> {
    let n = diesel::update(
        manifests::table
            .filter(manifests::id.eq(id))
            .filter(manifests::version.eq(version)),
    )
    .set(changes)
    .execute(tx.conn())?;
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::refused(
            "conflict",
            "a concurrent action on this manifest won; reload",
            serde_json::json!({}),
        ))
    }
}

pub fn record_receipt(
    tx: &mut Tx,
    id: &str,
    container: &str,
    r: &Receipt,
) -> Result<(), StoreError> {
    diesel::update(
        manifest_lines::table
            .filter(manifest_lines::manifest_id.eq(id))
            .filter(manifest_lines::container_id.eq(container)),
    )
    .set(r)
    .execute(tx.conn())?;
    Ok(())
}

/// Manifests of `scope`, in id order, optionally of one state.
pub fn list(
    conn: &mut AnyConnection,
    scope: &Scope,
    state: Option<ManifestState>,
    page: &Keyset,
) -> Result<Vec<ManifestRow>, StoreError> {
    let q = manifests::table
        .select(ManifestRow::as_select())
        .order(manifests::id.asc())
        .limit(page.limit)
        .into_boxed();
    let mut q = scoped!(q, scope);
    if let Some(s) = state {
        q = q.filter(manifests::status.eq(s.as_str()));
    }
    if let Some(a) = &page.after {
        q = q.filter(manifests::id.gt(a.clone()));
    }
    Ok(q.load(conn)?)
}

/// Manifests of `org` in transit or received late: the candidates for receipt alerts.
pub fn receipt_candidates(
    conn: &mut AnyConnection,
    org: &str,
    page: &Keyset,
) -> Result<Vec<ManifestRow>, StoreError> {
    let mut q = manifests::table
        .filter(
            manifests::shipper_id
                .eq(org.to_owned())
                .or(manifests::carrier_id.eq(org.to_owned()))
                .or(manifests::receiver_id.eq(org.to_owned())),
        )
        .filter(
            manifests::status
                .eq(ManifestState::InTransit.as_str())
                .or(manifests::received_late.eq(true)),
        )
        .select(ManifestRow::as_select())
        .order(manifests::id.asc())
        .limit(page.limit)
        .into_boxed();
    if let Some(a) = &page.after {
        q = q.filter(manifests::id.gt(a.clone()));
    }
    Ok(q.load(conn)?)
}

/// The id of the manifest numbered `number` (14 digits, Transfer Measures Art.15), if any.
pub fn id_by_number(conn: &mut AnyConnection, number: &str) -> Result<Option<String>, StoreError> {
    Ok(manifests::table
        .filter(manifests::number.eq(number))
        .select(manifests::id)
        .first(conn)
        .optional()?)
}
