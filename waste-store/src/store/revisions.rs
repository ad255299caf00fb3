//! Corrections of signed manifests (Transfer Measures Art.29): the proposals, each party's decision, and the
//! corrected values written to the manifest's lines when a revision applies.

use super::Tx;
use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::{manifest_lines, manifest_revisions, manifests, revision_decisions};
use diesel::prelude::*;
use std::collections::BTreeSet;
use waste_core::manifest::Party;
use waste_core::revision::{Change, RevisionState};

/// A `manifest_revisions` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = manifest_revisions)]
pub struct RevisionRow {
    pub id: String,
    pub manifest_id: String,
    /// 1, 2, … per manifest.
    pub seq: i32,
    pub status: String,
    pub reason: String,
    /// JSON list of `waste_core::revision::Change`.
    pub changes: String,
    /// The parties whose approval it needs, comma-separated.
    pub needed: String,
    pub proposed_by: String,
    pub proposed_org: String,
    /// The parties the proposing organisation is, comma-separated.
    pub proposed_parties: String,
    pub proposed_at: String,
    pub closed_at: Option<String>,
}

/// Parties as stored: comma-separated names.
pub fn parties_text(ps: &BTreeSet<Party>) -> String {
    ps.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(",")
}

fn parties_of(text: &str) -> BTreeSet<Party> {
    text.split(',').filter_map(Party::parse).collect()
}

impl RevisionRow {
    pub fn state(&self) -> Result<RevisionState, StoreError> {
        RevisionState::parse(&self.status).ok_or_else(|| {
            StoreError::Internal(format!("stored revision status '{}'", self.status))
        })
    }

    pub fn changes(&self) -> Result<Vec<Change>, StoreError> {
        serde_json::from_str(&self.changes)
            .map_err(|e| StoreError::Internal(format!("stored revision changes: {e}")))
    }

    pub fn needed(&self) -> BTreeSet<Party> {
        parties_of(&self.needed)
    }

    pub fn proposed_parties(&self) -> BTreeSet<Party> {
        parties_of(&self.proposed_parties)
    }
}

/// A `revision_decisions` row: one party's approval or refusal.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = revision_decisions)]
pub struct DecisionRow {
    pub revision_id: String,
    pub party: String,
    pub approved: bool,
    pub user_id: String,
    pub organization_id: String,
    pub at: String,
    pub note: Option<String>,
}

pub fn insert(tx: &mut Tx, row: &RevisionRow) -> Result<(), StoreError> {
    diesel::insert_into(manifest_revisions::table)
        .values(row)
        .execute(tx.conn())?;
    Ok(())
}

pub fn insert_decision(tx: &mut Tx, row: &DecisionRow) -> Result<(), StoreError> {
    diesel::insert_into(revision_decisions::table)
        .values(row)
        .execute(tx.conn())?;
    Ok(())
}

pub fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<RevisionRow>, StoreError> {
    Ok(manifest_revisions::table
        .filter(manifest_revisions::id.eq(id))
        .select(RevisionRow::as_select())
        .first(conn)
        .optional()?)
}

/// The revisions of a manifest, oldest first (at most 200).
pub fn of_manifest(
    conn: &mut AnyConnection,
    manifest_id: &str,
) -> Result<Vec<RevisionRow>, StoreError> {
    Ok(manifest_revisions::table
        .filter(manifest_revisions::manifest_id.eq(manifest_id))
        .order(manifest_revisions::seq.asc())
        .limit(200)
        .select(RevisionRow::as_select())
        .load(conn)?)
}

/// How many revisions the manifest has had (the next one's `seq` follows).
pub fn count(conn: &mut AnyConnection, manifest_id: &str) -> Result<i64, StoreError> {
    Ok(manifest_revisions::table
        .filter(manifest_revisions::manifest_id.eq(manifest_id))
        .count()
        .get_result(conn)?)
}

/// Whether a revision of the manifest awaits its approvals.
pub fn has_pending(conn: &mut AnyConnection, manifest_id: &str) -> Result<bool, StoreError> {
    let n: i64 = manifest_revisions::table
        .filter(manifest_revisions::manifest_id.eq(manifest_id))
        .filter(manifest_revisions::status.eq(RevisionState::Pending.as_str()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The decisions given on `ids`, in time order.
pub fn decisions(conn: &mut AnyConnection, ids: &[String]) -> Result<Vec<DecisionRow>, StoreError> {
    Ok(revision_decisions::table
        .filter(revision_decisions::revision_id.eq_any(ids))
        .order((
            revision_decisions::at.asc(),
            revision_decisions::party.asc(),
        ))
        .select(DecisionRow::as_select())
        .load(conn)?)
}

/// Closes a pending revision as applied or refused; a revision no longer pending is a 409.
pub fn close(tx: &mut Tx, id: &str, to: RevisionState, at: &str) -> Result<(), StoreError> {
    let n = diesel::update(
        manifest_revisions::table
            .filter(manifest_revisions::id.eq(id))
            .filter(manifest_revisions::status.eq(RevisionState::Pending.as_str())),
    )
    .set((
        manifest_revisions::status.eq(to.as_str()),
        manifest_revisions::closed_at.eq(Some(at)),
    ))
    .execute(tx.conn())?;
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::refused(
            "conflict",
            "a concurrent decision on this revision won; reload",
            serde_json::json!({}),
        ))
    }
}

/// What a revision changes in one line (None leaves a column as it is).
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = manifest_lines)]
pub struct LineCorrection {
    pub code: Option<String>,
    pub shipped_weight_kg: Option<String>,
    pub received_weight_kg: Option<String>,
    pub discrepancy: Option<bool>,
}

pub fn correct_line(
    tx: &mut Tx,
    manifest_id: &str,
    container_id: &str,
    c: &LineCorrection,
) -> Result<(), StoreError> {
    if c.code.is_none()
        && c.shipped_weight_kg.is_none()
        && c.received_weight_kg.is_none()
        && c.discrepancy.is_none()
    {
        return Ok(());
    }
    diesel::update(
        manifest_lines::table
            .filter(manifest_lines::manifest_id.eq(manifest_id))
            .filter(manifest_lines::container_id.eq(container_id)),
    )
    .set(c)
    .execute(tx.conn())?;
    Ok(())
}

/// Writes the corrected disposal method (if any) and raises the manifest's version, guarded by the version read.
pub fn correct_manifest(
    tx: &mut Tx,
    id: &str,
    version: i32,
    disposal_method: Option<&str>,
) -> Result<(), StoreError> {
    let target = manifests::table
        .filter(manifests::id.eq(id))
        .filter(manifests::version.eq(version));
    let n = match disposal_method {
        Some(m) => diesel::update(target)
            .set((
                manifests::version.eq(version + 1),
                manifests::disposal_method.eq(Some(m)),
            ))
            .execute(tx.conn())?,
        None => diesel::update(target)
            .set(manifests::version.eq(version + 1))
            .execute(tx.conn())?,
    };
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
