//! A proposed correction: what may change, the manifest as it stands, and the checks that turn it into changes.

use crate::catalogue::HwCode;
use crate::manifest::ManifestState;
use crate::method::MethodCode;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::str::FromStr;

/// At most this many characters of reason.
pub const REASON_MAX: usize = 500;

/// What a revision may change: a line's weights or waste code, or the manifest's disposal method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = RevisionField))]
#[serde(rename_all = "snake_case")]
pub enum Field {
    ShippedWeightKg,
    ReceivedWeightKg,
    Code,
    DisposalMethod,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ShippedWeightKg => "shipped_weight_kg",
            Self::ReceivedWeightKg => "received_weight_kg",
            Self::Code => "code",
            Self::DisposalMethod => "disposal_method",
        }
    }
}

/// One change of a revision: which field of which line (none: the manifest's disposal method), from what, to what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = RevisionChange))]
pub struct Change {
    pub container_id: Option<String>,
    pub field: Field,
    /// The value before the revision (decimal strings for weights).
    pub old: Option<String>,
    pub new: String,
}

/// A line of the manifest as it stands.
#[derive(Debug, Clone)]
pub struct CurrentLine {
    pub container_id: String,
    pub code: String,
    pub shipped_weight_kg: Decimal,
    pub received_weight_kg: Option<Decimal>,
}

/// The manifest as it stands when a revision is proposed or applied.
#[derive(Debug, Clone)]
pub struct Current {
    pub state: ManifestState,
    pub lines: Vec<CurrentLine>,
    pub disposal_method: Option<String>,
    /// Another revision of the manifest awaits its approvals.
    pub pending: bool,
}

/// What a party asks to change in one line (None: unchanged).
#[derive(Debug, Clone)]
pub struct AskedLine {
    pub container_id: String,
    pub shipped_weight_kg: Option<Decimal>,
    pub received_weight_kg: Option<Decimal>,
    pub code: Option<HwCode>,
}

/// A proposed revision, as parsed at the edge.
#[derive(Debug, Clone)]
pub struct Asked {
    pub lines: Vec<AskedLine>,
    pub disposal_method: Option<MethodCode>,
    pub reason: String,
}

/// Why a revision is refused. A refusal with a `field` is an invalid input (the field as sent); the others are
/// rules, `code()` their stable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum RevisionRefusal {
    #[error(
        "a manifest in state {state} is not corrected: only a received or disposed manifest, which every party signed, is (Transfer Measures Art.29)"
    )]
    NotSigned { state: ManifestState },
    #[error("another revision of this manifest awaits its approvals: one revision at a time")]
    AlreadyPending,
    #[error("the revision changes nothing: give at least one value that differs from the manifest")]
    NoChange,
    #[error("give the reason for the correction (1 to {REASON_MAX} characters)")]
    Reason,
    #[error("container {container_id} is not on this manifest")]
    UnknownLine { index: usize, container_id: String },
    #[error("container {container_id} is listed twice")]
    DuplicateLine { index: usize, container_id: String },
    #[error("container {container_id} has no received weight to correct: it was not received yet")]
    NotReceived { index: usize, container_id: String },
    #[error("{code} is not a code of the National Catalogue of Hazardous Wastes in force")]
    UnknownCode { index: usize, code: String },
    #[error("the manifest has no disposal method to correct: disposal is not confirmed yet")]
    NotDisposed,
    #[error("the manifest changed since the revision was proposed: propose it again")]
    Outdated,
}

impl RevisionRefusal {
    /// The stable code of a rule's refusal.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotSigned { .. } => "revision_not_allowed",
            Self::AlreadyPending => "revision_pending",
            Self::NoChange => "revision_without_change",
            Self::Outdated => "revision_outdated",
            Self::NotDisposed => "revision_not_allowed",
            _ => "invalid_input",
        }
    }

    /// The field as sent, for a refusal of the input.
    pub fn field(&self) -> Option<String> {
        match self {
            Self::Reason => Some("reason".into()),
            Self::UnknownLine { index, .. } | Self::DuplicateLine { index, .. } => {
                Some(format!("lines[{index}].container_id"))
            }
            Self::NotReceived { index, .. } => Some(format!("lines[{index}].received_weight_kg")),
            Self::UnknownCode { index, .. } => Some(format!("lines[{index}].code")),
            _ => None,
        }
    }
}

fn same(a: Decimal, b: Decimal) -> bool {
    a.normalize() == b.normalize()
}

/// Decides a proposal: the manifest must be signed by every party (received or disposed), with no other revision
/// pending; the reason given; every line on the manifest, once; a received weight only where one was recorded; a
/// code listed in the catalogue in force (`known_code`); a disposal method only once disposal was confirmed. What
/// equals the manifest's value is left out; a revision left with no change is refused. Returns the changes.
pub fn propose(
    current: &Current,
    asked: &Asked,
    known_code: impl Fn(&HwCode) -> bool,
) -> Result<Vec<Change>, RevisionRefusal> {
    if !matches!(
        current.state,
        ManifestState::Received | ManifestState::Disposed
    ) {
        return Err(RevisionRefusal::NotSigned {
            state: current.state,
        });
    }
    if current.pending {
        return Err(RevisionRefusal::AlreadyPending);
    }
    let reason = asked.reason.trim();
    if reason.is_empty() || reason.chars().count() > REASON_MAX {
        return Err(RevisionRefusal::Reason);
    }
    let mut changes = Vec::new();
    let mut seen = BTreeSet::new();
    for (index, a) in asked.lines.iter().enumerate() {
        let cid = a.container_id.clone();
        let Some(line) = current.lines.iter().find(|l| l.container_id == cid) else {
            return Err(RevisionRefusal::UnknownLine {
                index,
                container_id: cid,
            });
        };
        if !seen.insert(cid.clone()) {
            return Err(RevisionRefusal::DuplicateLine {
                index,
                container_id: cid,
            });
        }
        if let Some(w) = a.shipped_weight_kg
            && !same(w, line.shipped_weight_kg)
        {
            changes.push(Change {
                container_id: Some(cid.clone()),
                field: Field::ShippedWeightKg,
                old: Some(line.shipped_weight_kg.normalize().to_string()),
                new: w.normalize().to_string(),
            });
        }
        if let Some(w) = a.received_weight_kg {
            let Some(old) = line.received_weight_kg else {
                return Err(RevisionRefusal::NotReceived {
                    index,
                    container_id: cid,
                });
            };
            if !same(w, old) {
                changes.push(Change {
                    container_id: Some(cid.clone()),
                    field: Field::ReceivedWeightKg,
                    old: Some(old.normalize().to_string()),
                    new: w.normalize().to_string(),
                });
            }
        }
        if let Some(code) = &a.code
            && code.as_str() != line.code
        {
            if !known_code(code) {
                return Err(RevisionRefusal::UnknownCode {
                    index,
                    code: code.to_string(),
                });
            }
            changes.push(Change {
                container_id: Some(cid.clone()),
                field: Field::Code,
                old: Some(line.code.clone()),
                new: code.to_string(),
            });
        }
    }
    if let Some(m) = &asked.disposal_method {
        let Some(old) = current
            .disposal_method
            .as_ref()
            .filter(|_| current.state == ManifestState::Disposed)
        else {
            return Err(RevisionRefusal::NotDisposed);
        };
        if old != m.as_str() {
            changes.push(Change {
                container_id: None,
                field: Field::DisposalMethod,
                old: Some(old.clone()),
                new: m.as_str().to_owned(),
            });
        }
    }
    if changes.is_empty() {
        return Err(RevisionRefusal::NoChange);
    }
    Ok(changes)
}

/// Whether the changes still start from the manifest's values (nothing else changed them since the proposal).
pub fn still_applies(changes: &[Change], current: &Current) -> Result<(), RevisionRefusal> {
    let dec = |s: &Option<String>| s.as_deref().and_then(|s| Decimal::from_str(s).ok());
    let ok = changes.iter().all(|c| {
        let line = c
            .container_id
            .as_ref()
            .and_then(|id| current.lines.iter().find(|l| &l.container_id == id));
        match (c.field, line) {
            (Field::ShippedWeightKg, Some(l)) => {
                dec(&c.old).is_some_and(|o| same(o, l.shipped_weight_kg))
            }
            (Field::ReceivedWeightKg, Some(l)) => {
                matches!((dec(&c.old), l.received_weight_kg), (Some(o), Some(r)) if same(o, r))
            }
            (Field::Code, Some(l)) => c.old.as_deref() == Some(l.code.as_str()),
            (Field::DisposalMethod, None) => c.old == current.disposal_method,
            _ => false,
        }
    });
    if ok {
        Ok(())
    } else {
        Err(RevisionRefusal::Outdated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    fn received() -> Current {
        Current {
            state: ManifestState::Received,
            lines: vec![CurrentLine {
                container_id: "a".into(),
                code: "900-047-49".into(),
                shipped_weight_kg: d("6.2"),
                received_weight_kg: Some(d("6.15")),
            }],
            disposal_method: None,
            pending: false,
        }
    }

    fn asked(received: Option<&str>) -> Asked {
        Asked {
            lines: vec![AskedLine {
                container_id: "a".into(),
                shipped_weight_kg: None,
                received_weight_kg: received.map(d),
                code: None,
            }],
            disposal_method: None,
            reason: "mistyped".into(),
        }
    }

    /// Transfer Measures Art.29: a received manifest's weight is corrected; the old value is kept in the change.
    #[test]
    fn art_29_a_received_weight_is_corrected_with_its_old_value() {
        let changes = propose(&received(), &asked(Some("5.150")), |_| true).expect("allowed");
        assert_eq!(
            changes,
            vec![Change {
                container_id: Some("a".into()),
                field: Field::ReceivedWeightKg,
                old: Some("6.15".into()),
                new: "5.15".into(),
            }]
        );
        assert_eq!(still_applies(&changes, &received()), Ok(()));
        let mut later = received();
        later.lines[0].received_weight_kg = Some(d("7"));
        assert_eq!(
            still_applies(&changes, &later),
            Err(RevisionRefusal::Outdated)
        );
    }

    /// Art.29 corrects a signed manifest: not a draft or one in transit, one revision at a time, with a reason,
    /// and a change.
    #[test]
    fn art_29_refusals() {
        let mut draft = received();
        draft.state = ManifestState::InTransit;
        assert!(matches!(
            propose(&draft, &asked(Some("5")), |_| true),
            Err(RevisionRefusal::NotSigned { .. })
        ));
        let mut pending = received();
        pending.pending = true;
        assert_eq!(
            propose(&pending, &asked(Some("5")), |_| true),
            Err(RevisionRefusal::AlreadyPending)
        );
        let mut no_reason = asked(Some("5"));
        no_reason.reason = "  ".into();
        assert_eq!(
            propose(&received(), &no_reason, |_| true),
            Err(RevisionRefusal::Reason)
        );
        assert_eq!(
            propose(&received(), &asked(Some("6.150")), |_| true),
            Err(RevisionRefusal::NoChange)
        );
        let mut unknown = asked(None);
        unknown.lines[0].code = Some(HwCode::parse("900-041-49").expect("code"));
        assert!(matches!(
            propose(&received(), &unknown, |_| false),
            Err(RevisionRefusal::UnknownCode { .. })
        ));
        let mut method = asked(None);
        method.disposal_method = MethodCode::parse("D10");
        assert_eq!(
            propose(&received(), &method, |_| true),
            Err(RevisionRefusal::NotDisposed)
        );
        let mut other = asked(Some("5"));
        other.lines[0].container_id = "z".into();
        assert_eq!(
            propose(&received(), &other, |_| true).map_err(|e| e.field()),
            Err(Some("lines[0].container_id".into()))
        );
    }
}
