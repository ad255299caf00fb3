//! Corrections of signed manifests (Transfer Measures Art.29) as answered.

use crate::app::revisions::Revision;
use serde::Serialize;
use utoipa::ToSchema;
use waste_core::manifest::Party;
use waste_core::party::Role;
use waste_core::revision::{Change, RevisionState};

/// Who proposed or decided: the user, their organisation and roles.
#[derive(Debug, Serialize, ToSchema)]
pub struct Signatory {
    pub user_id: String,
    pub name: String,
    pub organization_id: String,
    #[schema(value_type = Vec<Role>)]
    pub roles: Vec<String>,
}

/// One party's approval or refusal.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionView {
    pub party: Party,
    pub approved: bool,
    pub by: Signatory,
    #[schema(format = DateTime)]
    pub at: String,
    /// The reason of a refusal, or a note with an approval.
    pub note: Option<String>,
}

/// A correction of a signed manifest: what it changes (old and new values), why, who proposed it, whose approval
/// it needs and the decisions given.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    pub id: String,
    pub manifest_id: String,
    /// 1, 2, … per manifest.
    pub seq: i32,
    #[schema(value_type = RevisionState)]
    pub status: String,
    pub reason: String,
    /// Each change: the line (null for the manifest's disposal method), the field, the old and the new value
    /// (weights as decimal strings, kg).
    pub changes: Vec<Change>,
    pub proposed_by: Signatory,
    /// The parts the proposing organisation has in the manifest.
    pub proposed_as: Vec<Party>,
    #[schema(format = DateTime)]
    pub proposed_at: String,
    /// The parties whose approval it needs: every party that signed the manifest, other than the proposer.
    pub needed: Vec<Party>,
    pub decisions: Vec<DecisionView>,
    /// When it was applied or refused.
    #[schema(format = DateTime)]
    pub closed_at: Option<String>,
}

/// The revisions of a manifest, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionList {
    pub items: Vec<RevisionView>,
}

pub fn revision(r: &Revision) -> RevisionView {
    RevisionView {
        id: r.row.id.clone(),
        manifest_id: r.row.manifest_id.clone(),
        seq: r.row.seq,
        status: r.row.status.clone(),
        reason: r.row.reason.clone(),
        changes: r.changes.clone(),
        proposed_by: Signatory {
            user_id: r.row.proposed_by.clone(),
            name: r.proposer_name.clone(),
            organization_id: r.row.proposed_org.clone(),
            roles: r.proposer_roles.clone(),
        },
        proposed_as: r.row.proposed_parties().into_iter().collect(),
        proposed_at: r.row.proposed_at.clone(),
        needed: r.row.needed().into_iter().collect(),
        decisions: r
            .decisions
            .iter()
            .filter_map(|d| {
                Some(DecisionView {
                    party: Party::parse(&d.row.party)?,
                    approved: d.row.approved,
                    by: Signatory {
                        user_id: d.row.user_id.clone(),
                        name: d.name.clone(),
                        organization_id: d.row.organization_id.clone(),
                        roles: d.roles.clone(),
                    },
                    at: d.row.at.clone(),
                    note: d.row.note.clone(),
                })
            })
            .collect(),
        closed_at: r.row.closed_at.clone(),
    }
}

pub fn list(rs: &[Revision]) -> RevisionList {
    RevisionList {
        items: rs.iter().map(revision).collect(),
    }
}
