//! Worked cases for every decision of `waste_core::access` (who may do what), written so that each fails when the
//! decision changes (docs/mutation-testing.md, `scripts/mutants.sh access`). Custody steps follow the parties of
//! HW Transfer Measures (MEE Order No.23) Art.10–12 and Art.29; the rest are the project's settings, kept in the
//! one table (`access::grants`), pinned here row by row through the refusal that names them.

use waste_core::access::{Action, Denied, grants, permits, role_fits, roles_of};
use waste_core::manifest::Party;
use waste_core::party::{OrgKind, Role};

/// Every action with the rows that allow it, as a refusal names them.
const TABLE: [(Action, &str); 41] = [
    (
        Action::FillContainers,
        "this needs one of: lab_staff or safety_officer of a school or transfer_station",
    ),
    (
        Action::PickUp,
        "this needs one of: station_operator of a transfer_station",
    ),
    (
        Action::DraftManifest,
        "this needs one of: station_operator of a transfer_station; safety_officer of a school",
    ),
    (
        Action::ManifestStep(Party::Shipper),
        "this needs one of: station_operator or safety_officer",
    ),
    (
        Action::ManifestStep(Party::Carrier),
        "this needs one of: driver",
    ),
    (
        Action::ManifestStep(Party::Receiver),
        "this needs one of: disposal_operator",
    ),
    (
        Action::ReviseManifest(Party::Shipper),
        "this needs one of: station_operator or safety_officer",
    ),
    (
        Action::ReviseManifest(Party::Carrier),
        "this needs one of: driver",
    ),
    (
        Action::ReviseManifest(Party::Receiver),
        "this needs one of: disposal_operator",
    ),
    (Action::SeeAll, "this needs one of: admin"),
    (
        Action::ReadDivision,
        "this needs one of: admin; auditor of a authority",
    ),
    (Action::AuditChains, "this needs one of: admin"),
    (Action::ReplaceOthersToken, "this needs one of: admin"),
    (
        Action::Oversee,
        "this needs one of: admin; auditor of a authority",
    ),
    (Action::RegisterOrganization, "this needs one of: admin"),
    (
        Action::RegisterUser,
        "this needs one of: admin; safety_officer",
    ),
    (
        Action::GrantRole(Role::LabStaff),
        "this needs one of: admin; safety_officer of a school or transfer_station",
    ),
    (
        Action::GrantRole(Role::SafetyOfficer),
        "this needs one of: admin; safety_officer of a school or transfer_station or carrier or disposal_firm",
    ),
    (
        Action::GrantRole(Role::StationOperator),
        "this needs one of: admin; safety_officer of a transfer_station",
    ),
    (
        Action::GrantRole(Role::Driver),
        "this needs one of: admin; safety_officer of a carrier",
    ),
    (
        Action::GrantRole(Role::DisposalOperator),
        "this needs one of: admin; safety_officer of a disposal_firm",
    ),
    (Action::GrantRole(Role::Auditor), "this needs one of: admin"),
    (Action::GrantRole(Role::Admin), "this needs one of: admin"),
    (
        Action::ManageUsers,
        "this needs one of: admin; safety_officer",
    ),
    (
        Action::SetTraining,
        "this needs one of: admin; safety_officer",
    ),
    (
        Action::EditOrganization,
        "this needs one of: admin; safety_officer",
    ),
    (Action::RenewLicence, "this needs one of: admin"),
    (
        Action::ConfirmContract,
        "this needs one of: admin; safety_officer",
    ),
    (
        Action::EndContract,
        "this needs one of: admin; safety_officer",
    ),
    (
        Action::RecordContract,
        "this needs one of: admin; safety_officer",
    ),
    (
        Action::ReadRecords,
        "this needs one of: admin; safety_officer or station_operator or auditor",
    ),
    (
        Action::ManageSites,
        "this needs one of: admin; safety_officer or station_operator of a school or transfer_station",
    ),
    (
        Action::InspectSites,
        "this needs one of: safety_officer or station_operator of a school or transfer_station",
    ),
    (
        Action::RoadsideLink,
        "this needs one of: driver or station_operator of a carrier or transfer_station",
    ),
    (
        Action::RequestPickup,
        "this needs one of: lab_staff or safety_officer of a school",
    ),
    (
        Action::SchedulePickup,
        "this needs one of: station_operator of a transfer_station",
    ),
    (
        Action::ConfirmHandOver,
        "this needs one of: safety_officer of a school",
    ),
    (
        Action::FollowPickups,
        "this needs one of: admin; any user of a authority; any user of a school or transfer_station",
    ),
    (
        Action::HandBack,
        "this needs one of: station_operator or safety_officer of a transfer_station or school",
    ),
    (
        Action::ManageWebhooks,
        "this needs one of: admin; safety_officer",
    ),
    (
        Action::KeepReagents,
        "this needs one of: lab_staff or safety_officer of a school",
    ),
];

#[test]
fn every_action_names_the_rows_that_allow_it_transfer_measures_art_10_to_12_and_29() {
    for (action, rows) in TABLE {
        let denied = Denied { action };
        assert_eq!(denied.to_string(), rows, "{action:?}");
        assert!(!grants(action).is_empty(), "{action:?}");
    }
}

#[test]
fn a_row_with_roles_and_kinds_needs_both() {
    // FillContainers: lab staff or a safety officer, of a school or a transfer station.
    assert_eq!(
        permits(&[Role::LabStaff], OrgKind::School, Action::FillContainers),
        Ok(())
    );
    assert!(
        permits(
            &[Role::SafetyOfficer],
            OrgKind::TransferStation,
            Action::FillContainers
        )
        .is_ok()
    );
    assert_eq!(
        permits(
            &[Role::LabStaff],
            OrgKind::DisposalFirm,
            Action::FillContainers
        ),
        Err(Denied {
            action: Action::FillContainers
        })
    );
    assert!(permits(&[Role::Driver], OrgKind::School, Action::FillContainers).is_err());
    assert!(permits(&[], OrgKind::School, Action::FillContainers).is_err());
    // Any one of the user's roles is enough.
    assert!(
        permits(
            &[Role::Driver, Role::SafetyOfficer],
            OrgKind::School,
            Action::ConfirmHandOver
        )
        .is_ok()
    );
    assert!(
        permits(
            &[Role::Driver, Role::Auditor],
            OrgKind::School,
            Action::ConfirmHandOver
        )
        .is_err()
    );
}

#[test]
fn a_row_without_kinds_allows_its_roles_in_any_organisation() {
    // The administrator row, and the manifest steps (Transfer Measures Art.10–12): the role decides.
    for kind in OrgKind::ALL {
        assert!(
            permits(&[Role::Admin], kind, Action::SeeAll).is_ok(),
            "{kind:?}"
        );
        assert!(permits(&[Role::Driver], kind, Action::ManifestStep(Party::Carrier)).is_ok());
        assert!(
            permits(&[Role::Auditor], kind, Action::SeeAll).is_err(),
            "{kind:?}"
        );
        assert!(permits(&[], kind, Action::SeeAll).is_err(), "{kind:?}");
    }
}

#[test]
fn a_row_without_roles_allows_any_user_of_its_kinds() {
    // FollowPickups: any user of an authority, a school or a transfer station; not of a carrier.
    for roles in [&[][..], &[Role::Auditor][..], &[Role::LabStaff][..]] {
        assert!(
            permits(roles, OrgKind::Authority, Action::FollowPickups).is_ok(),
            "{roles:?}"
        );
        assert!(
            permits(roles, OrgKind::School, Action::FollowPickups).is_ok(),
            "{roles:?}"
        );
        assert!(permits(roles, OrgKind::TransferStation, Action::FollowPickups).is_ok());
        assert!(
            permits(roles, OrgKind::Carrier, Action::FollowPickups).is_err(),
            "{roles:?}"
        );
        assert!(permits(roles, OrgKind::DisposalFirm, Action::FollowPickups).is_err());
    }
    assert!(permits(&[Role::Admin], OrgKind::Carrier, Action::FollowPickups).is_ok());
}

#[test]
fn the_roles_that_belong_in_each_kind_of_organisation() {
    use Role::*;
    let want: [(OrgKind, &[Role]); 5] = [
        (OrgKind::School, &[LabStaff, SafetyOfficer, Auditor]),
        (
            OrgKind::TransferStation,
            &[StationOperator, LabStaff, SafetyOfficer, Auditor],
        ),
        (OrgKind::Carrier, &[Driver, SafetyOfficer, Auditor]),
        (
            OrgKind::DisposalFirm,
            &[DisposalOperator, SafetyOfficer, Auditor],
        ),
        (OrgKind::Authority, &[Auditor, Admin]),
    ];
    for (kind, roles) in want {
        assert_eq!(roles_of(kind), roles, "{kind:?}");
        for r in Role::ALL {
            assert_eq!(role_fits(r, kind), roles.contains(&r), "{r:?} in {kind:?}");
        }
    }
}

/// The governance plan: 100% trained before work. The access table's training column, action by action: what
/// fills, moves, signs for or inspects waste, and recording another's training, needs a current record.
#[test]
fn the_training_column_names_every_action_that_handles_waste_governance_plan() {
    use waste_core::access::needs_training;
    let needing = [
        Action::FillContainers,
        Action::PickUp,
        Action::DraftManifest,
        Action::ManifestStep(Party::Shipper),
        Action::ManifestStep(Party::Carrier),
        Action::ManifestStep(Party::Receiver),
        Action::ReviseManifest(Party::Shipper),
        Action::ReviseManifest(Party::Carrier),
        Action::ReviseManifest(Party::Receiver),
        Action::InspectSites,
        Action::RequestPickup,
        Action::SchedulePickup,
        Action::ConfirmHandOver,
        Action::HandBack,
        Action::SetTraining,
        Action::KeepReagents,
    ];
    for (a, _) in TABLE {
        assert_eq!(needs_training(a), needing.contains(&a), "{a:?}");
    }
}

/// An administrator holds no training record and handles no waste: the column does not apply to one; it applies to
/// every other role.
#[test]
fn an_administrator_needs_no_training_record_setting() {
    use waste_core::access::training_required;
    assert!(!training_required(Action::InspectSites, &[Role::Admin]));
    assert!(!training_required(
        Action::SetTraining,
        &[Role::Auditor, Role::Admin]
    ));
    assert!(training_required(
        Action::InspectSites,
        &[Role::SafetyOfficer]
    ));
    assert!(training_required(
        Action::ManifestStep(Party::Carrier),
        &[Role::Driver]
    ));
    assert!(!training_required(Action::Oversee, &[Role::Auditor]));
    assert!(!training_required(
        Action::ManageSites,
        &[Role::SafetyOfficer]
    ));
}

/// A record is current through its last day and not after; no record is not current (governance plan).
#[test]
fn a_training_record_is_current_through_its_last_day_governance_plan() {
    use time::macros::date;
    use waste_core::access::trained_on;
    let until = date!(2026 - 12 - 07);
    assert!(trained_on(Some(until), date!(2026 - 12 - 06)));
    assert!(trained_on(Some(until), until));
    assert!(!trained_on(Some(until), date!(2026 - 12 - 08)));
    assert!(!trained_on(None, until));
}

/// `Action::ALL` names every action of the table once (a page asks the table through it).
#[test]
fn every_action_is_listed_once() {
    for (a, _) in TABLE {
        assert_eq!(Action::ALL.iter().filter(|x| **x == a).count(), 1, "{a:?}");
    }
    for a in Action::ALL {
        assert!(
            TABLE.iter().any(|(t, _)| *t == a),
            "{a:?} has no row in TABLE"
        );
    }
}
