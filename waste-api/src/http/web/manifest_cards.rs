//! The cards of a manifest's page: its lines, a refusal, and its corrections (Transfer Measures Art.29) with
//! each change old -> new and the approvals awaited; what the manifest page and the correction forms both show.

use super::page::{Chrome, WebError};
use crate::app::revisions::{Offer, Revision};
use crate::error::ApiError;
use waste_core::revision::{Field, RevisionState};

/// A refused step as the page shows it: the sentence of its kind, the rule's own words, and its code.
pub struct Refused {
    pub key: &'static str,
    pub detail: String,
    pub code: String,
}

impl Refused {
    pub fn of(e: &ApiError) -> Refused {
        let w = WebError::from(clone_err(e));
        let code = match e {
            ApiError::Conflict { code, .. } | ApiError::Invalid { code, .. } => (*code).to_owned(),
            _ => String::new(),
        };
        Refused {
            key: w.key,
            detail: w.detail,
            code,
        }
    }
}

fn clone_err(e: &ApiError) -> ApiError {
    match e {
        ApiError::Invalid {
            status,
            code,
            message,
            details,
        } => ApiError::Invalid {
            status: *status,
            code,
            message: message.clone(),
            details: details.clone(),
        },
        ApiError::Conflict {
            code,
            message,
            details,
        } => ApiError::Conflict {
            code,
            message: message.clone(),
            details: details.clone(),
        },
        ApiError::Forbidden(m) => ApiError::Forbidden(m.clone()),
        ApiError::NotFound(m) => ApiError::NotFound(m),
        ApiError::TrainingExpired => ApiError::TrainingExpired,
        other => ApiError::Internal(other.to_string()),
    }
}

/// One line of the manifest as a card.
pub struct LineCard {
    pub i: usize,
    pub container_id: String,
    pub digital_id: String,
    pub code: String,
    pub hazards: String,
    pub stream_name: String,
    pub colour: String,
    /// Stream, code and hazards in words: what the person scanning recognises the container by.
    pub what: String,
    pub shipped: String,
    pub received: String,
    pub accepted: Option<bool>,
    pub reason: String,
    pub discrepancy: bool,
}

impl LineCard {
    /// A manifest line as the pages show it, hazards named in the page's language.
    pub fn of(i: usize, l: &crate::app::chain::PrintLine, c: &Chrome) -> Self {
        let zh = c.zh();
        let (stream_name, colour) = super::lab::stream_name(l.stream.as_deref(), zh);
        let hazards = super::scanning::hazard_words(&l.hazards, zh);
        LineCard {
            i,
            what: super::scanning::what(&stream_name, &l.line.code, &hazards, "", c),
            container_id: l.line.container_id.clone(),
            digital_id: l.digital_id.clone().unwrap_or_default(),
            code: l.line.code.clone(),
            hazards,
            stream_name,
            colour,
            shipped: l.line.shipped_weight_kg.clone(),
            received: l.line.received_weight_kg.clone().unwrap_or_default(),
            accepted: l.line.accepted,
            reason: l.line.reason.clone().unwrap_or_default(),
            discrepancy: l.line.discrepancy == Some(true),
        }
    }
}

/// A stored time, local.
pub fn at(zone: &waste_core::calendar::Zone, s: &str) -> String {
    zone.show_stamp(s)
}

/// What `?done=` may name after a revision form.
pub const DONE: [&str; 3] = ["revision_proposed", "revision_approved", "revision_refused"];

pub struct ChangeCard {
    pub line: String,
    pub field_key: &'static str,
    pub old: String,
    pub new: String,
}

pub struct DecisionCard {
    pub approved: bool,
    pub party_key: String,
    pub name: String,
    pub roles: Vec<String>,
    pub at: String,
    pub note: String,
}

pub struct RevisionCard {
    pub id: String,
    pub seq: i32,
    pub status: String,
    pub status_key: String,
    pub reason: String,
    pub proposer: String,
    pub proposer_roles: Vec<String>,
    pub proposed_at: String,
    pub changes: Vec<ChangeCard>,
    pub decisions: Vec<DecisionCard>,
    /// The parties whose approval is still awaited (i18n keys).
    pub waiting: Vec<String>,
    /// The viewer's organisation may approve or refuse it now.
    pub may_decide: bool,
}

fn field_key(f: Field) -> &'static str {
    match f {
        Field::ShippedWeightKg => "revision.field_shipped",
        Field::ReceivedWeightKg => "revision.field_received",
        Field::Code => "revision.field_code",
        Field::DisposalMethod => "revision.field_method",
    }
}

/// The cards of a manifest's revisions, newest first.
pub fn cards(
    zone: &waste_core::calendar::Zone,
    revisions: &[Revision],
    lines: &[LineCard],
    offer: &Offer,
) -> Vec<RevisionCard> {
    let mut out: Vec<RevisionCard> = revisions
        .iter()
        .map(|r| {
            let pending = r.row.status == RevisionState::Pending.as_str();
            RevisionCard {
                id: r.row.id.clone(),
                seq: r.row.seq,
                status: r.row.status.clone(),
                status_key: format!("revision.status_{}", r.row.status),
                reason: r.row.reason.clone(),
                proposer: r.proposer_name.clone(),
                proposer_roles: r
                    .proposer_roles
                    .iter()
                    .map(|k| format!("role.{k}"))
                    .collect(),
                proposed_at: at(zone, &r.row.proposed_at),
                changes: r
                    .changes
                    .iter()
                    .map(|c| ChangeCard {
                        line: c
                            .container_id
                            .as_ref()
                            .and_then(|id| lines.iter().find(|l| &l.container_id == id))
                            .map(|l| {
                                if l.digital_id.is_empty() {
                                    format!("#{}", l.i + 1)
                                } else {
                                    l.digital_id.clone()
                                }
                            })
                            .unwrap_or_default(),
                        field_key: field_key(c.field),
                        old: c.old.clone().unwrap_or_default(),
                        new: c.new.clone(),
                    })
                    .collect(),
                decisions: r
                    .decisions
                    .iter()
                    .map(|d| DecisionCard {
                        approved: d.row.approved,
                        party_key: format!("party.{}", d.row.party),
                        name: d.name.clone(),
                        roles: d.roles.iter().map(|k| format!("role.{k}")).collect(),
                        at: at(zone, &d.row.at),
                        note: d.row.note.clone().unwrap_or_default(),
                    })
                    .collect(),
                waiting: if pending {
                    r.row
                        .needed()
                        .into_iter()
                        .filter(|p| !r.decisions.iter().any(|d| d.row.party == p.as_str()))
                        .map(|p| format!("party.{}", p.as_str()))
                        .collect()
                } else {
                    Vec::new()
                },
                may_decide: pending && offer.decide.as_deref() == Some(r.row.id.as_str()),
            }
        })
        .collect();
    out.reverse();
    out
}
