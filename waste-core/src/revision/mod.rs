//! Corrections of a signed manifest (联单更正): a party proposes changed weights, waste codes or the disposal
//! method with a reason; the other parties, who signed it too, approve or refuse; the change applies once all of
//! them have approved, and the original entries stay in the manifest's chain.
//!
//! HW Transfer Measures (MEE Order No.23) Art.29: an irregular manifest that is corrected promptly, without harm
//! done, is not penalised. The Measures prescribe no procedure for the correction; the rule here is the service's:
//! a manifest every party signed (received or disposed, Art.10–12) is changed only with the consent of each of
//! them, one correction at a time, and only in what a party filled in: the weights (Art.10, Art.12), the waste
//! code of a line (Art.10, as listed in the National Catalogue) and the disposal method (Art.12, an operation code
//! of the Basel Convention Annex IV, as `hj1259.toml` records).

mod approval;

mod proposal;

pub use crate::method::MethodCode;
pub use approval::{Decided, DecisionRefusal, PARTIES, Verdict, approvers, decide};
pub use proposal::{
    Asked, AskedLine, Change, Current, CurrentLine, Field, REASON_MAX, RevisionRefusal, propose,
    still_applies,
};

use serde::{Deserialize, Serialize};

/// The clause every refusal of this module names.
pub const CITATION: &str = "Transfer Measures Art.29";

/// Where a revision stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RevisionState {
    /// Waiting for the approvals of the other parties.
    Pending,
    /// Every party approved: the manifest shows the corrected values.
    Applied,
    /// A party refused: nothing changed.
    Refused,
}

impl RevisionState {
    pub const ALL: [RevisionState; 3] = [Self::Pending, Self::Applied, Self::Refused];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Applied => "applied",
            Self::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}
