//! Which organisations keep which kind of storage site (sites.toml `kept_by`, a setting: what each kind means, not
//! a clause): a school keeps laboratory points, storage points and facilities; a transfer station keeps storage
//! points, facilities and its warehouse; nobody else keeps a site.

use waste_core::Standards;
use waste_core::party::OrgKind;
use waste_core::site::{SiteKind, SiteRules};

#[test]
fn each_kind_of_organisation_is_offered_the_sites_it_keeps() {
    let rules = &Standards::embedded().sites;
    assert_eq!(
        rules.kinds_for(OrgKind::School),
        [
            SiteKind::LabPoint,
            SiteKind::StoragePoint,
            SiteKind::StorageFacility
        ]
    );
    assert_eq!(
        rules.kinds_for(OrgKind::TransferStation),
        [
            SiteKind::StoragePoint,
            SiteKind::StorageFacility,
            SiteKind::StationWarehouse
        ]
    );
    for other in [OrgKind::Carrier, OrgKind::DisposalFirm, OrgKind::Authority] {
        assert!(rules.kinds_for(other).is_empty(), "{other:?}");
    }
}

#[test]
fn a_kind_kept_by_nobody_or_by_an_unknown_kind_of_organisation_is_refused() {
    let text = standards_data::SITES;
    let nobody = text.replacen("kept_by = [\"school\"]", "kept_by = []", 1);
    assert_ne!(nobody, text, "the lab point's keepers are in the data");
    let e = SiteRules::parse(&nobody).expect_err("nobody");
    assert!(
        e.contains("lab_point is kept by no kind of organisation"),
        "{e}"
    );
    let unknown = text.replacen("kept_by = [\"school\"]", "kept_by = [\"university\"]", 1);
    assert!(
        SiteRules::parse(&unknown).is_err(),
        "an unknown kind of organisation"
    );
}
