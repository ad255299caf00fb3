//! Who may do what: one table of role × organisation kind × action that every front door asks.
//!
//! A row grants an action to users holding one of `roles` in an organisation of one of `kinds` (an empty list
//! means any). Scope (own organisation, party to a manifest) is decided by the caller from the records; this
//! table decides only whether the kind of user may take the kind of action at all. Custody steps follow the
//! parties of HW Transfer Measures (MEE Order No.23) Art.10–12: the shipper (移出人) drafts and submits, the
//! carrier (承运人) dispatches, the receiver (接受人) receives and confirms disposal.

use crate::manifest::Party;
use crate::party::{OrgKind, Role};
use serde::Serialize;

/// Everything a user can ask the service to do that not every user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Register a container, add waste, seal it.
    FillContainers,
    /// Collect sealed containers from a school (a pickup).
    PickUp,
    /// Draft a transfer manifest as its shipper (移出人, Art.10).
    DraftManifest,
    /// Take the manifest step that belongs to this party.
    ManifestStep(Party),
    /// Read every organisation's records, not only one's own.
    SeeAll,
    /// Verify every custody chain (the whole log in one run).
    AuditChains,
    /// The education bureau's overview of its schools.
    Oversee,
    /// Register an organisation.
    RegisterOrganization,
    /// Register a user of one's own organisation (an administrator: of any).
    RegisterUser,
    /// Give a new user this role. One row per role, so "who may grant which role" lives in this table too.
    GrantRole(Role),
    /// Record a contract between a shipper and a disposal firm, as one of the parties (an administrator: any).
    RecordContract,
    /// Read one's own organisation's HJ 1259-2022 ledger, annual report and management class (an
    /// administrator: any organisation's).
    ReadRecords,
    /// Register a storage site and record the signs printed for it (GB 18597-2023 4.6, HJ 1276-2022).
    ManageSites,
    /// Record a site's self-inspection and the follow-up of its findings (GB 18597-2023 8.2.2).
    InspectSites,
}

/// One row of the table: any of `roles` (any role if empty) in any of `kinds` (any kind if empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub roles: &'static [Role],
    pub kinds: &'static [OrgKind],
}

const ADMIN: Grant = Grant {
    roles: &[Role::Admin],
    kinds: &[],
};
const AUTHORITY: Grant = Grant {
    roles: &[],
    kinds: &[OrgKind::Authority],
};
const OFFICER: Grant = Grant {
    roles: &[Role::SafetyOfficer],
    kinds: &[],
};

/// The table. Exhaustive over actions: a new action does not build until someone decides who may take it.
pub fn grants(action: Action) -> &'static [Grant] {
    match action {
        Action::FillContainers => &[Grant {
            roles: &[Role::LabStaff, Role::SafetyOfficer],
            kinds: &[OrgKind::School, OrgKind::TransferStation],
        }],
        Action::PickUp => &[Grant {
            roles: &[Role::StationOperator],
            kinds: &[OrgKind::TransferStation],
        }],
        Action::DraftManifest => &[
            Grant {
                roles: &[Role::StationOperator],
                kinds: &[OrgKind::TransferStation],
            },
            Grant {
                roles: &[Role::SafetyOfficer],
                kinds: &[OrgKind::School],
            },
        ],
        Action::ManifestStep(Party::Shipper) => &[Grant {
            roles: &[Role::StationOperator, Role::SafetyOfficer],
            kinds: &[],
        }],
        Action::ManifestStep(Party::Carrier) => &[Grant {
            roles: &[Role::Driver],
            kinds: &[],
        }],
        Action::ManifestStep(Party::Receiver) => &[Grant {
            roles: &[Role::DisposalOperator],
            kinds: &[],
        }],
        Action::SeeAll | Action::Oversee => &[ADMIN, AUTHORITY],
        Action::ManageSites | Action::InspectSites => &[
            ADMIN,
            Grant {
                roles: &[Role::SafetyOfficer, Role::StationOperator],
                kinds: &[OrgKind::School, OrgKind::TransferStation],
            },
        ],
        // A run reads the whole log: administrators only (issue 14, finding 6).
        Action::AuditChains | Action::RegisterOrganization | Action::GrantRole(Role::Admin) => {
            &[ADMIN]
        }
        Action::ReadRecords => &[
            ADMIN,
            Grant {
                roles: &[Role::SafetyOfficer, Role::StationOperator, Role::Auditor],
                kinds: &[],
            },
        ],
        Action::RegisterUser
        | Action::RecordContract
        | Action::GrantRole(
            Role::LabStaff
            | Role::SafetyOfficer
            | Role::StationOperator
            | Role::Driver
            | Role::DisposalOperator
            | Role::Auditor,
        ) => &[ADMIN, OFFICER],
    }
}

/// Why an action was refused: the rows that would have allowed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", explain(*.action))]
pub struct Denied {
    pub action: Action,
}

fn names<T: Copy>(xs: &[T], name: fn(T) -> &'static str) -> String {
    xs.iter().map(|x| name(*x)).collect::<Vec<_>>().join(" or ")
}

fn explain(action: Action) -> String {
    let rows: Vec<String> = grants(action)
        .iter()
        .map(|g| match (g.roles.is_empty(), g.kinds.is_empty()) {
            (true, true) => "anyone".to_owned(),
            (false, true) => names(g.roles, Role::as_str),
            (true, false) => format!("any user of a {}", names(g.kinds, OrgKind::as_str)),
            (false, false) => format!(
                "{} of a {}",
                names(g.roles, Role::as_str),
                names(g.kinds, OrgKind::as_str)
            ),
        })
        .collect();
    format!("this needs one of: {}", rows.join("; "))
}

/// Whether a user with `roles` in an organisation of `kind` may take `action`.
pub fn permits(roles: &[Role], kind: OrgKind, action: Action) -> Result<(), Denied> {
    let allowed = grants(action).iter().any(|g| {
        (g.roles.is_empty() || g.roles.iter().any(|r| roles.contains(r)))
            && (g.kinds.is_empty() || g.kinds.contains(&kind))
    });
    if allowed {
        Ok(())
    } else {
        Err(Denied { action })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_staff_fill_containers_in_schools_but_not_in_disposal_firms() {
        assert!(permits(&[Role::LabStaff], OrgKind::School, Action::FillContainers).is_ok());
        assert!(
            permits(
                &[Role::LabStaff],
                OrgKind::DisposalFirm,
                Action::FillContainers
            )
            .is_err()
        );
        assert!(permits(&[Role::Driver], OrgKind::School, Action::FillContainers).is_err());
    }

    #[test]
    fn transfer_measures_art_10_to_12_each_party_takes_its_own_step() {
        let step = |r, p| permits(&[r], OrgKind::Carrier, Action::ManifestStep(p)).is_ok();
        assert!(step(Role::Driver, Party::Carrier));
        assert!(!step(Role::Driver, Party::Receiver));
        assert!(!step(Role::DisposalOperator, Party::Carrier));
        assert!(!step(Role::Driver, Party::Shipper));
    }

    #[test]
    fn only_an_administrator_grants_the_administrator_role() {
        let officer = [Role::SafetyOfficer];
        assert!(permits(&officer, OrgKind::School, Action::GrantRole(Role::LabStaff)).is_ok());
        let denied = permits(&officer, OrgKind::School, Action::GrantRole(Role::Admin));
        assert_eq!(
            denied.map_err(|d| d.to_string()),
            Err("this needs one of: admin".to_owned())
        );
    }
}
