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
    /// Propose, approve or refuse a correction of a signed manifest as this party (Transfer Measures Art.29): the
    /// roles that sign for the party.
    ReviseManifest(Party),
    /// Read every organisation's records, not only one's own.
    SeeAll,
    /// Read the records of the organisations of one's own administrative division (an authority's oversight
    /// role); the division is the caller's region code without its trailing zero pairs.
    ReadDivision,
    /// Verify every custody chain (the whole log in one run).
    AuditChains,
    /// The education bureau's overview of its schools.
    Oversee,
    /// Register an organisation.
    RegisterOrganization,
    /// Register a user of one's own organisation (an administrator: of any).
    RegisterUser,
    /// Give a user this role. One row per role, so "who may grant which role" lives in this table too; whether
    /// the role belongs in the organisation at all is `role_fits`.
    GrantRole(Role),
    /// List the users of one's own organisation (an administrator: of any), change their roles, training date or
    /// active state, and issue a new token.
    ManageUsers,
    /// Issue a new token for another user (one's own: anyone). A token is its holder's identity: whoever issues
    /// it can act as that user, so only an administrator does (issue 29, item 5).
    ReplaceOthersToken,
    /// Record a user's training date. A safety officer also needs a current training record of their own (the
    /// governance plan: 100% trained before work): one whose own record expired cannot vouch for another's.
    SetTraining,
    /// Change an organisation's contact (one's own; an administrator: any).
    EditOrganization,
    /// Record a renewed licence: a new version, the old one kept (Solid Waste Law Art.80: the licence is issued
    /// by the authority, not declared by the firm, so only an administrator records it).
    RenewLicence,
    /// Confirm a contract the other party recorded (Transfer Measures Art.10: the contract binds both parties).
    ConfirmContract,
    /// End a contract before its end date, as one of its parties (an administrator: any).
    EndContract,
    /// Record a contract between a shipper and a disposal firm, as one of the parties (an administrator: any).
    RecordContract,
    /// Read one's own organisation's HJ 1259-2022 ledger, annual report and management class (an
    /// administrator: any organisation's).
    ReadRecords,
    /// Register a storage site and record the signs printed for it (GB 18597-2023 4.6, HJ 1276-2022).
    ManageSites,
    /// Record a site's self-inspection and the follow-up of its findings (GB 18597-2023 8.2.2).
    InspectSites,
    /// Issue a short-lived read-only link to a manifest one's organisation is a party to, for an inspection on
    /// the road (the carrier carries the manifest with the load, HW Transfer Measures Art.11).
    RoadsideLink,
    /// Ask a transfer station to collect sealed containers of one's school, or cancel that request.
    RequestPickup,
    /// Schedule or decline a school's pickup request, as a transfer station.
    SchedulePickup,
    /// Confirm the hand-over of one's school's containers at a collection (with a personal PIN), and set that PIN.
    ConfirmHandOver,
    /// Follow pickup requests and pickups one's organisation is a party to (an administrator, an authority: all).
    FollowPickups,
    /// Hand a container the receiver rejected back to its school, as the shipper holding it (HW Transfer
    /// Measures Art.18: returned to the shipper; Art.31: a station collects as the school's collector).
    HandBack,
    /// Subscribe one's own organisation to webhooks, list and delete its subscriptions and read their deliveries.
    ManageWebhooks,
    /// Keep one's school's reagent shelf: receive, open, use, issue and take back bottles, count them at a
    /// stocktake and discard them into waste. Whether a second person must confirm is the shelf's rule
    /// (`reagent::ShelfRules::second_person`), not a role's.
    KeepReagents,
}

impl Action {
    /// Every action, once (the access table's rows, and what a page iterates to ask the table).
    pub const ALL: [Action; 41] = [
        Action::FillContainers,
        Action::PickUp,
        Action::DraftManifest,
        Action::ManifestStep(Party::Shipper),
        Action::ManifestStep(Party::Carrier),
        Action::ManifestStep(Party::Receiver),
        Action::ReviseManifest(Party::Shipper),
        Action::ReviseManifest(Party::Carrier),
        Action::ReviseManifest(Party::Receiver),
        Action::SeeAll,
        Action::ReadDivision,
        Action::AuditChains,
        Action::Oversee,
        Action::RegisterOrganization,
        Action::RegisterUser,
        Action::GrantRole(Role::LabStaff),
        Action::GrantRole(Role::SafetyOfficer),
        Action::GrantRole(Role::StationOperator),
        Action::GrantRole(Role::Driver),
        Action::GrantRole(Role::DisposalOperator),
        Action::GrantRole(Role::Auditor),
        Action::GrantRole(Role::Admin),
        Action::ManageUsers,
        Action::ReplaceOthersToken,
        Action::SetTraining,
        Action::EditOrganization,
        Action::RenewLicence,
        Action::ConfirmContract,
        Action::EndContract,
        Action::RecordContract,
        Action::ReadRecords,
        Action::ManageSites,
        Action::InspectSites,
        Action::RoadsideLink,
        Action::RequestPickup,
        Action::SchedulePickup,
        Action::ConfirmHandOver,
        Action::FollowPickups,
        Action::HandBack,
        Action::ManageWebhooks,
        Action::KeepReagents,
    ];
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
/// Who keeps an organisation's storage sites.
const SITE_KEEPERS: Grant = Grant {
    roles: &[Role::SafetyOfficer, Role::StationOperator],
    kinds: &[OrgKind::School, OrgKind::TransferStation],
};
/// An authority's oversight role: the auditor of an education or environment bureau.
const OVERSIGHT: Grant = Grant {
    roles: &[Role::Auditor],
    kinds: &[OrgKind::Authority],
};

/// The roles that belong in an organisation of each kind: who works there. The auditor belongs in any (an
/// organisation's internal auditor reads its records); the administrator only in an authority (the platform's
/// administration is one). A role outside this list is refused for that organisation, whoever grants it.
pub fn roles_of(kind: OrgKind) -> &'static [Role] {
    match kind {
        OrgKind::School => &[Role::LabStaff, Role::SafetyOfficer, Role::Auditor],
        OrgKind::TransferStation => &[
            Role::StationOperator,
            Role::LabStaff,
            Role::SafetyOfficer,
            Role::Auditor,
        ],
        OrgKind::Carrier => &[Role::Driver, Role::SafetyOfficer, Role::Auditor],
        OrgKind::DisposalFirm => &[Role::DisposalOperator, Role::SafetyOfficer, Role::Auditor],
        OrgKind::Authority => &[Role::Auditor, Role::Admin],
    }
}

/// Whether `role` belongs in an organisation of `kind` (`roles_of`).
pub fn role_fits(role: Role, kind: OrgKind) -> bool {
    roles_of(kind).contains(&role)
}

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
        Action::ManifestStep(Party::Shipper) | Action::ReviseManifest(Party::Shipper) => &[Grant {
            roles: &[Role::StationOperator, Role::SafetyOfficer],
            kinds: &[],
        }],
        Action::ManifestStep(Party::Carrier) | Action::ReviseManifest(Party::Carrier) => &[Grant {
            roles: &[Role::Driver],
            kinds: &[],
        }],
        Action::ManifestStep(Party::Receiver) | Action::ReviseManifest(Party::Receiver) => {
            &[Grant {
                roles: &[Role::DisposalOperator],
                kinds: &[],
            }]
        }
        Action::SeeAll | Action::RenewLicence => &[ADMIN],
        Action::Oversee | Action::ReadDivision => &[ADMIN, OVERSIGHT],
        Action::ManageSites => &[ADMIN, SITE_KEEPERS],
        // A self-inspection is the keeper's own (GB 18597-2023 8.2.2): an administrator handles no waste, holds
        // no training record and inspects no site.
        Action::InspectSites => &[SITE_KEEPERS],
        Action::RoadsideLink => &[Grant {
            roles: &[Role::Driver, Role::StationOperator],
            kinds: &[OrgKind::Carrier, OrgKind::TransferStation],
        }],
        Action::RequestPickup => &[Grant {
            roles: &[Role::LabStaff, Role::SafetyOfficer],
            kinds: &[OrgKind::School],
        }],
        Action::SchedulePickup => &[Grant {
            roles: &[Role::StationOperator],
            kinds: &[OrgKind::TransferStation],
        }],
        Action::HandBack => &[Grant {
            roles: &[Role::StationOperator, Role::SafetyOfficer],
            kinds: &[OrgKind::TransferStation, OrgKind::School],
        }],
        Action::ConfirmHandOver => &[Grant {
            roles: &[Role::SafetyOfficer],
            kinds: &[OrgKind::School],
        }],
        Action::FollowPickups => &[
            ADMIN,
            AUTHORITY,
            Grant {
                roles: &[],
                kinds: &[OrgKind::School, OrgKind::TransferStation],
            },
        ],
        // A run reads the whole log: administrators only (issue 14, finding 6).
        Action::AuditChains
        | Action::ReplaceOthersToken
        | Action::RegisterOrganization
        | Action::GrantRole(Role::Admin)
        | Action::GrantRole(Role::Auditor) => &[ADMIN],
        Action::ReadRecords => &[
            ADMIN,
            Grant {
                roles: &[Role::SafetyOfficer, Role::StationOperator, Role::Auditor],
                kinds: &[],
            },
        ],
        // A safety officer grants the roles that work in an organisation of their own kind.
        Action::GrantRole(Role::LabStaff) => &[
            ADMIN,
            Grant {
                roles: &[Role::SafetyOfficer],
                kinds: &[OrgKind::School, OrgKind::TransferStation],
            },
        ],
        Action::GrantRole(Role::StationOperator) => &[
            ADMIN,
            Grant {
                roles: &[Role::SafetyOfficer],
                kinds: &[OrgKind::TransferStation],
            },
        ],
        Action::GrantRole(Role::Driver) => &[
            ADMIN,
            Grant {
                roles: &[Role::SafetyOfficer],
                kinds: &[OrgKind::Carrier],
            },
        ],
        Action::GrantRole(Role::DisposalOperator) => &[
            ADMIN,
            Grant {
                roles: &[Role::SafetyOfficer],
                kinds: &[OrgKind::DisposalFirm],
            },
        ],
        Action::GrantRole(Role::SafetyOfficer) => &[
            ADMIN,
            Grant {
                roles: &[Role::SafetyOfficer],
                kinds: &[
                    OrgKind::School,
                    OrgKind::TransferStation,
                    OrgKind::Carrier,
                    OrgKind::DisposalFirm,
                ],
            },
        ],
        Action::RegisterUser
        | Action::RecordContract
        | Action::ManageUsers
        | Action::SetTraining
        | Action::EditOrganization
        | Action::ConfirmContract
        | Action::EndContract
        | Action::ManageWebhooks => &[ADMIN, OFFICER],
        Action::KeepReagents => &[Grant {
            roles: &[Role::LabStaff, Role::SafetyOfficer],
            kinds: &[OrgKind::School],
        }],
    }
}

/// The table's second column: whether taking `action` needs a current training record (the governance plan: 100%
/// of the people who handle hazardous waste trained before work). Every action that fills, moves, signs for or
/// inspects waste does, and recording another's training (one whose own record expired cannot vouch for another);
/// reading, oversight and the administration of accounts and contracts do not. Exhaustive, like `grants`.
pub fn needs_training(action: Action) -> bool {
    match action {
        Action::FillContainers
        | Action::PickUp
        | Action::DraftManifest
        | Action::ManifestStep(_)
        | Action::ReviseManifest(_)
        | Action::InspectSites
        | Action::RequestPickup
        | Action::SchedulePickup
        | Action::ConfirmHandOver
        | Action::HandBack
        | Action::SetTraining
        | Action::KeepReagents => true,
        Action::SeeAll
        | Action::ReadDivision
        | Action::AuditChains
        | Action::Oversee
        | Action::RegisterOrganization
        | Action::RegisterUser
        | Action::GrantRole(_)
        | Action::ManageUsers
        | Action::ReplaceOthersToken
        | Action::EditOrganization
        | Action::RenewLicence
        | Action::ConfirmContract
        | Action::EndContract
        | Action::RecordContract
        | Action::ReadRecords
        | Action::ManageSites
        | Action::RoadsideLink
        | Action::FollowPickups
        | Action::ManageWebhooks => false,
    }
}

/// Whether a user holding `roles` needs a current training record to take `action`: `needs_training`, except for
/// an administrator, who runs the platform, handles no waste and holds no training record.
pub fn training_required(action: Action, roles: &[Role]) -> bool {
    needs_training(action) && !roles.contains(&Role::Admin)
}

/// Whether a training record valid until `trained_until` is current on `today` (its last day included); no record
/// is not current.
pub fn trained_on(trained_until: Option<time::Date>, today: time::Date) -> bool {
    trained_until.is_some_and(|d| d >= today)
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

    /// HW Transfer Measures Art.18, Art.31: the shipper holding a rejected container hands it back; no carrier,
    /// receiver or lab teacher does.
    #[test]
    fn transfer_measures_art_18_the_shipper_hands_a_rejected_container_back() {
        let may = |r, k| permits(&[r], k, Action::HandBack).is_ok();
        assert!(may(Role::StationOperator, OrgKind::TransferStation));
        assert!(may(Role::SafetyOfficer, OrgKind::School));
        assert!(!may(Role::LabStaff, OrgKind::School));
        assert!(!may(Role::DisposalOperator, OrgKind::DisposalFirm));
        assert!(!may(Role::Driver, OrgKind::Carrier));
        assert!(!may(Role::Admin, OrgKind::Authority));
    }

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
    fn a_school_requests_a_pickup_a_station_schedules_it_and_only_a_safety_officer_confirms_the_hand_over()
     {
        let school = |r| permits(&[r], OrgKind::School, Action::RequestPickup).is_ok();
        assert!(school(Role::LabStaff) && school(Role::SafetyOfficer));
        assert!(!school(Role::Driver));
        assert!(
            permits(
                &[Role::StationOperator],
                OrgKind::TransferStation,
                Action::SchedulePickup
            )
            .is_ok()
        );
        assert!(
            permits(
                &[Role::SafetyOfficer],
                OrgKind::School,
                Action::SchedulePickup
            )
            .is_err()
        );
        assert!(permits(&[Role::LabStaff], OrgKind::School, Action::ConfirmHandOver).is_err());
        assert!(
            permits(
                &[Role::SafetyOfficer],
                OrgKind::TransferStation,
                Action::ConfirmHandOver
            )
            .is_err()
        );
    }

    #[test]
    fn a_safety_officer_grants_neither_auditor_nor_a_role_foreign_to_the_organisation() {
        let officer = [Role::SafetyOfficer];
        let grant = |kind, r| permits(&officer, kind, Action::GrantRole(r)).is_ok();
        assert!(!grant(OrgKind::School, Role::Auditor));
        assert!(!grant(OrgKind::School, Role::Driver));
        assert!(!grant(OrgKind::School, Role::StationOperator));
        assert!(grant(OrgKind::Carrier, Role::Driver));
        assert!(grant(OrgKind::School, Role::SafetyOfficer));
        assert!(
            permits(
                &[Role::Admin],
                OrgKind::Authority,
                Action::GrantRole(Role::Auditor)
            )
            .is_ok()
        );
        // Whoever grants it, a driver does not work in a school, nor an administrator in a disposal firm.
        assert!(!role_fits(Role::Driver, OrgKind::School));
        assert!(!role_fits(Role::Admin, OrgKind::DisposalFirm));
        assert!(role_fits(Role::LabStaff, OrgKind::School));
        // Every role a safety officer may grant in a kind belongs in that kind.
        for kind in OrgKind::ALL {
            for r in Role::ALL {
                if grant(kind, r) {
                    assert!(role_fits(r, kind), "{r:?} in {kind:?}");
                }
            }
        }
    }

    /// Transfer Measures Art.29: a correction is proposed and approved by the roles that sign for the party.
    #[test]
    fn art_29_a_correction_is_signed_by_the_roles_that_sign_for_the_party() {
        for p in [Party::Shipper, Party::Carrier, Party::Receiver] {
            for r in Role::ALL {
                for k in OrgKind::ALL {
                    assert_eq!(
                        permits(&[r], k, Action::ReviseManifest(p)).is_ok(),
                        permits(&[r], k, Action::ManifestStep(p)).is_ok(),
                        "{r:?} {k:?} {p:?}"
                    );
                }
            }
        }
        assert!(
            permits(
                &[Role::LabStaff],
                OrgKind::School,
                Action::ReviseManifest(Party::Shipper)
            )
            .is_err()
        );
    }

    #[test]
    fn only_an_authority_s_auditor_reads_its_division() {
        let read = |roles: &[Role], kind| permits(roles, kind, Action::ReadDivision).is_ok();
        assert!(read(&[Role::Auditor], OrgKind::Authority));
        assert!(!read(&[Role::Auditor], OrgKind::School));
        assert!(!read(&[Role::SafetyOfficer], OrgKind::Authority));
        assert!(permits(&[Role::Auditor], OrgKind::Authority, Action::SeeAll).is_err());
    }

    #[test]
    fn webhooks_are_managed_by_a_safety_officer_or_an_administrator() {
        let manage = |r, k| permits(&[r], k, Action::ManageWebhooks).is_ok();
        assert!(manage(Role::SafetyOfficer, OrgKind::School));
        assert!(manage(Role::SafetyOfficer, OrgKind::DisposalFirm));
        assert!(manage(Role::Admin, OrgKind::Authority));
        assert!(!manage(Role::LabStaff, OrgKind::School));
        assert!(!manage(Role::StationOperator, OrgKind::TransferStation));
        assert!(!manage(Role::Auditor, OrgKind::Authority));
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
