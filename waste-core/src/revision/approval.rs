//! The other parties' answers to a proposed correction: who must approve, and what a decision leads to.

use super::RevisionState;
use crate::manifest::Party;
use serde::Serialize;
use std::collections::BTreeSet;

/// Every party of a manifest.
pub const PARTIES: [Party; 3] = [Party::Shipper, Party::Carrier, Party::Receiver];

/// The parties whose approval a revision needs: every party that signed the manifest (all three, once it is
/// received), other than those the proposing organisation is.
pub fn approvers(proposer: &BTreeSet<Party>) -> BTreeSet<Party> {
    PARTIES
        .into_iter()
        .filter(|p| !proposer.contains(p))
        .collect()
}

/// A party's answer to a proposed revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Approve,
    Refuse,
}

/// What a decision leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    /// The parties the decision is given for (those of the deciding organisation whose approval was awaited).
    pub parties: BTreeSet<Party>,
    pub state: RevisionState,
}

/// Why a decision is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum DecisionRefusal {
    #[error("the revision is {state:?}: it takes no more decisions")]
    Closed { state: RevisionState },
    #[error(
        "the revision awaits the approval of the other parties that signed the manifest, and not of yours"
    )]
    NotAnApprover,
    #[error("your organisation already approved this revision")]
    AlreadyApproved,
}

impl DecisionRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Closed { .. } => "revision_closed",
            Self::NotAnApprover => "forbidden",
            Self::AlreadyApproved => "revision_already_approved",
        }
    }
}

/// Decides a party's answer: only a pending revision, only by an organisation whose approval it awaits. A refusal
/// closes it; the last approval needed applies it.
pub fn decide(
    state: RevisionState,
    needed: &BTreeSet<Party>,
    approved: &BTreeSet<Party>,
    decider: &BTreeSet<Party>,
    verdict: Verdict,
) -> Result<Decided, DecisionRefusal> {
    if state != RevisionState::Pending {
        return Err(DecisionRefusal::Closed { state });
    }
    let theirs: BTreeSet<Party> = needed.intersection(decider).copied().collect();
    if theirs.is_empty() {
        return Err(DecisionRefusal::NotAnApprover);
    }
    let parties: BTreeSet<Party> = theirs.difference(approved).copied().collect();
    if parties.is_empty() {
        return Err(DecisionRefusal::AlreadyApproved);
    }
    let state = match verdict {
        Verdict::Refuse => RevisionState::Refused,
        Verdict::Approve
            if needed
                .iter()
                .all(|p| approved.contains(p) || parties.contains(p)) =>
        {
            RevisionState::Applied
        }
        Verdict::Approve => RevisionState::Pending,
    };
    Ok(Decided { parties, state })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each other party that signed approves; the proposer does not; a refusal closes the revision.
    #[test]
    fn art_29_every_other_party_approves() {
        let needed = approvers(&BTreeSet::from([Party::Receiver]));
        assert_eq!(needed, BTreeSet::from([Party::Shipper, Party::Carrier]));
        let none = BTreeSet::new();
        let shipper = BTreeSet::from([Party::Shipper]);
        let first = decide(
            RevisionState::Pending,
            &needed,
            &none,
            &shipper,
            Verdict::Approve,
        )
        .expect("shipper approves");
        assert_eq!(first.state, RevisionState::Pending);
        assert_eq!(
            decide(
                RevisionState::Pending,
                &needed,
                &shipper,
                &shipper,
                Verdict::Approve
            ),
            Err(DecisionRefusal::AlreadyApproved)
        );
        assert_eq!(
            decide(
                RevisionState::Pending,
                &needed,
                &shipper,
                &BTreeSet::from([Party::Receiver]),
                Verdict::Approve
            ),
            Err(DecisionRefusal::NotAnApprover)
        );
        let last = decide(
            RevisionState::Pending,
            &needed,
            &shipper,
            &BTreeSet::from([Party::Carrier]),
            Verdict::Approve,
        )
        .expect("carrier approves");
        assert_eq!(last.state, RevisionState::Applied);
        let refused = decide(
            RevisionState::Pending,
            &needed,
            &none,
            &BTreeSet::from([Party::Carrier]),
            Verdict::Refuse,
        )
        .expect("carrier refuses");
        assert_eq!(refused.state, RevisionState::Refused);
        assert_eq!(
            decide(
                RevisionState::Refused,
                &needed,
                &none,
                &shipper,
                Verdict::Approve
            ),
            Err(DecisionRefusal::Closed {
                state: RevisionState::Refused
            })
        );
    }
}
