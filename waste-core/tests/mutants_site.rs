//! Worked cases for the decisions of `waste_core::site` (GB 18597-2023 storage sites) that `tests/sites.rs` does
//! not pin down, written so that each fails when the decision changes (docs/mutation-testing.md,
//! `scripts/mutants.sh site`). Settings: `standards-data/data/sites.toml` and `storage.toml`.

use rust_decimal::Decimal;
use std::str::FromStr;
use time::macros::date;
use waste_core::Standards;
use waste_core::site::{
    Answer, ContainmentLevel, FindingInput, InspectionError, InspectionStatus, PlacedContainer,
    QuantityLevel, Site, SiteKind, SiteRules, SiteWarningCode, TodoCode,
};
use waste_core::storage::{self, StorageRules};
use waste_core::substance::SubstanceId;

fn std() -> &'static Standards {
    Standards::embedded()
}
fn rules() -> &'static SiteRules {
    &std().sites
}
fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}
fn id(name: &str) -> SubstanceId {
    std()
        .substances
        .by_name(name)
        .unwrap_or_else(|| panic!("{name} in the table"))
        .id
}
fn container(
    id: &str,
    zone: Option<&str>,
    capacity: &str,
    liquid: bool,
    filled: &str,
    kg: &str,
    contents: &[&str],
) -> PlacedContainer {
    PlacedContainer {
        id: id.into(),
        zone: zone.map(str::to_owned),
        capacity_l: dec(capacity),
        liquid,
        filled_l: dec(filled),
        mass_kg: dec(kg),
        contents: contents.iter().map(|n| self::id(n)).collect(),
    }
}
fn site(kind: SiteKind, containment: Option<&str>, containers: Vec<PlacedContainer>) -> Site {
    Site {
        kind,
        containment_l: containment.map(dec),
        containers,
    }
}
fn all_ok() -> Vec<Answer> {
    rules()
        .checklist
        .iter()
        .map(|i| Answer {
            item: i.key.clone(),
            ok: true,
            note: None,
        })
        .collect()
}
fn sites_with(from: &str, to: &str) -> Result<SiteRules, String> {
    assert!(standards_data::SITES.contains(from), "{from}");
    SiteRules::parse(&standards_data::SITES.replacen(from, to, 1))
}

// ---------- sites.toml is checked ----------

#[test]
fn site_rules_refuse_what_the_clauses_cannot_use() {
    assert_eq!(
        sites_with("kind = \"lab_point\"", "kind = \"garage\"").err(),
        Some("sites: unknown site kind 'garage'".into())
    );
    // The lab point's block left out.
    let without: Vec<&str> = standards_data::SITES
        .split("[[kind]]")
        .filter(|block| !block.contains("kind = \"lab_point\""))
        .collect();
    assert_eq!(
        SiteRules::parse(&without.join("[[kind]]")).err(),
        Some("sites: no rule for site kind lab_point".into())
    );
    assert_eq!(
        sites_with(
            "inspection_interval_days = 7",
            "inspection_interval_days = 0"
        )
        .err(),
        Some("sites: station_warehouse has no inspection interval".into())
    );
    let one = sites_with(
        "inspection_interval_days = 7",
        "inspection_interval_days = 1",
    )
    .expect("one day is an interval");
    assert_eq!(
        one.kind(SiteKind::StationWarehouse)
            .inspection_interval_days,
        1
    );
    // GB 18597-2023 6.2.2: the liquid share is in (0, 1].
    for bad in ["0", "-0.1", "1.01"] {
        let e = sites_with(
            "liquid_share = \"0.1\"",
            &format!("liquid_share = \"{bad}\""),
        )
        .err()
        .unwrap_or_default();
        assert!(e.contains("is not in (0, 1]"), "{bad}: {e}");
    }
    let whole = sites_with("liquid_share = \"0.1\"", "liquid_share = \"1\"").expect("1 is in");
    assert_eq!(whole.liquid_share, dec("1"));
    assert!(sites_with("liquid_share = \"0.1\"", "liquid_share = \"a tenth\"").is_err());
    // GB 18597-2023 8.2.2: a checklist, each item once, and a due-soon window of 0 days or more.
    assert_eq!(
        sites_with(
            "key = \"containment_intact\"",
            "key = \"sign_posted_current\""
        )
        .err(),
        Some("sites: checklist item 'sign_posted_current' twice".into())
    );
    assert_eq!(
        sites_with("due_soon_days = 7", "due_soon_days = -1").err(),
        Some("sites: the inspection needs items and due_soon_days >= 0".into())
    );
    let zero = sites_with("due_soon_days = 7", "due_soon_days = 0").expect("0 days");
    assert_eq!(zero.due_soon_days, 0);
    let no_items: String = standards_data::SITES
        .split("[[inspection.item]]")
        .next()
        .expect("head")
        .to_owned()
        + "item = []\n";
    assert_eq!(
        SiteRules::parse(&no_items).err(),
        Some("sites: the inspection needs items and due_soon_days >= 0".into())
    );
}

#[test]
fn each_kind_runs_on_its_clock_and_ceiling_sites_toml() {
    let s = rules();
    let clocks = [
        (SiteKind::LabPoint, storage::SiteKind::Lab, false, 30),
        (
            SiteKind::StoragePoint,
            storage::SiteKind::StoragePoint,
            true,
            30,
        ),
        (
            SiteKind::StorageFacility,
            storage::SiteKind::StoragePoint,
            false,
            30,
        ),
        (
            SiteKind::StationWarehouse,
            storage::SiteKind::TransferStation,
            false,
            7,
        ),
    ];
    let names = [
        "lab_point",
        "storage_point",
        "storage_facility",
        "station_warehouse",
    ];
    for ((kind, clock, ceiling, interval), name) in clocks.into_iter().zip(names) {
        let k = s.kind(kind);
        assert_eq!(
            (k.kind, k.clock, k.ceiling, k.inspection_interval_days),
            (kind, clock, ceiling, interval)
        );
        assert_eq!(kind.as_str(), name);
        assert_eq!(SiteKind::parse(name), Some(kind));
    }
    assert_eq!(SiteKind::parse("warehouse"), None);
}

/// A container's clock: its holder's site's kind's clock (sites.toml `clock`), else its holder's
/// (`StorageRules::site_of`: a transfer station's one year, Solid Waste Law Art.81; the lab's before). The bureau's
/// overdue figures and a container's own status both read this choice.
#[test]
fn a_container_runs_on_its_holders_site_clock_else_its_holders_sites_toml() {
    use waste_core::party::OrgKind;
    let s = rules();
    for kind in SiteKind::ALL {
        for holder in [OrgKind::School, OrgKind::TransferStation] {
            assert_eq!(
                s.clock_for(Some(kind), holder),
                s.kind(kind).clock,
                "{kind:?}"
            );
        }
    }
    assert_eq!(
        s.clock_for(None, OrgKind::TransferStation),
        storage::SiteKind::TransferStation
    );
    assert_eq!(s.clock_for(None, OrgKind::School), storage::SiteKind::Lab);
    // A station's own warehouse and a school's lab point differ: the site decides, not the holder.
    assert_eq!(
        s.clock_for(Some(SiteKind::LabPoint), OrgKind::TransferStation),
        storage::SiteKind::Lab
    );
    assert_eq!(
        s.clock_for(Some(SiteKind::StationWarehouse), OrgKind::School),
        storage::SiteKind::TransferStation
    );
}

// ---------- GB 18597-2023 8.3.5 ----------

#[test]
fn the_share_of_the_ceiling_and_the_over_level_gb18597_8_3_5() {
    let s = rules();
    let st = &std().storage;
    let q = s.quantity(st, SiteKind::StoragePoint, dec("2500.00"));
    assert_eq!(q.on_hand_kg.to_string(), "2500");
    assert_eq!(q.share, Some(dec("0.8333")));
    assert_eq!(q.max_kg, Some(dec("3000")));
    assert_eq!(q.warn_share, dec("0.8"));
    assert_eq!(q.citation, "GB 18597-2023 8.3.5");
    let over = s.quantity(st, SiteKind::StoragePoint, dec("3000.01"));
    assert_eq!(over.level, QuantityLevel::OverCeiling);
    assert_eq!(
        s.quantity(st, SiteKind::StoragePoint, dec("3000")).level,
        QuantityLevel::NearCeiling
    );
    assert_eq!(
        s.quantity(st, SiteKind::StoragePoint, dec("2399.99")).level,
        QuantityLevel::Ok
    );
    let na = s.quantity(st, SiteKind::LabPoint, dec("5000"));
    assert_eq!(
        (na.level, na.max_kg, na.share, na.warn_share),
        (QuantityLevel::NotApplicable, None, None, dec("0.8"))
    );
    // A ceiling set to 0 kg: everything is over it, and the share shown is 1 (no division by zero).
    let zero = StorageRules::parse(
        &standards_data::STORAGE.replace("max_mass_kg = \"3000\"", "max_mass_kg = \"0\""),
    )
    .expect("0 kg ceiling");
    let z = s.quantity(&zero, SiteKind::StoragePoint, dec("1"));
    assert_eq!(
        (z.level, z.share),
        (QuantityLevel::OverCeiling, Some(Decimal::ONE))
    );
    let z = s.quantity(&zero, SiteKind::StoragePoint, Decimal::ZERO);
    assert_eq!(z.share, Some(Decimal::ONE));
    // An addition to reach exactly the ceiling is allowed; the status is after the addition.
    let after = s
        .check_quantity(st, SiteKind::StoragePoint, dec("2000"), dec("400"))
        .expect("2400 kg");
    assert_eq!(
        (after.on_hand_kg, after.level),
        (dec("2400"), QuantityLevel::NearCeiling)
    );
    let e = s
        .check_quantity(st, SiteKind::StoragePoint, dec("2999"), dec("2"))
        .expect_err("3001 kg");
    assert_eq!((e.after_kg, e.adding_kg), (dec("3001"), dec("2")));
}

#[test]
fn the_warnings_give_the_figures_gb18597_8_3_5() {
    let s = rules();
    let near = s.status(
        std(),
        &site(
            SiteKind::StoragePoint,
            None,
            vec![container("c1", None, "1000", false, "0", "2500", &[])],
        ),
    );
    assert_eq!(near.warnings.len(), 1);
    assert_eq!(
        near.warnings[0].message,
        "the storage point holds 2500 kg, 83.3% of its ceiling of 3000 kg (warning from 80%)"
    );
    let over = s.status(
        std(),
        &site(
            SiteKind::StoragePoint,
            None,
            vec![
                container("c1", None, "1000", false, "0", "2500", &[]),
                container("c2", None, "1000", false, "0", "600", &[]),
            ],
        ),
    );
    assert_eq!(over.quantity.on_hand_kg, dec("3100"));
    assert_eq!(over.warnings.len(), 1);
    assert_eq!(over.warnings[0].code, SiteWarningCode::OverCeiling);
    assert_eq!(
        over.warnings[0].message,
        "the storage point holds 3100 kg, above its ceiling of 3000 kg: clear it now"
    );
    assert_eq!(over.warnings[0].citation, "GB 18597-2023 8.3.5");
}

// ---------- GB 18597-2023 6.2.2 ----------

#[test]
fn containment_exactly_enough_is_ok_and_solids_are_left_out_gb18597_6_2_2() {
    let s = rules();
    let cs = vec![
        container("drum", None, "200", true, "150", "150", &[]),
        container("box", None, "500", false, "400", "300", &[]),
    ];
    let c = s.containment(Some(dec("200")), &cs);
    assert_eq!(c.level, ContainmentLevel::Ok);
    assert_eq!(c.largest_container_l, dec("200"));
    assert_eq!(c.liquids_l, dec("150"));
    assert_eq!(c.share_of_liquids_l, dec("15"));
    assert_eq!(c.required_l, dec("200"));
    assert_eq!(c.shortfall_l, Decimal::ZERO);
    assert!(c.declared);
    assert_eq!(c.liquid_share, dec("0.1"));
    let none = s.containment(None, &cs);
    assert_eq!(
        (
            none.level,
            none.available_l,
            none.shortfall_l,
            none.declared
        ),
        (ContainmentLevel::Short, Decimal::ZERO, dec("200"), false)
    );
    let st = s.status(std(), &site(SiteKind::StorageFacility, None, cs));
    assert_eq!(
        st.warnings[0].message,
        "spill containment 0 L (none declared) is short of the 200 L required (the larger of the largest \
         liquid container, 200 L, and 0.1 × 150 L of liquids = 15 L): 200 L missing"
    );
    assert_eq!(st.warnings[0].citation, "GB 18597-2023 6.2.2");
}

#[test]
fn an_arrival_at_a_site_already_short_says_so_gb18597_6_2_2() {
    let s = rules();
    // Already short before: 20 L of containment for a 25 L jerrycan.
    let short = site(
        SiteKind::StoragePoint,
        Some("20"),
        vec![container("j1", None, "25", true, "20", "20", &[])],
    );
    let a = s
        .admit(
            std(),
            &short,
            &container("j2", None, "25", true, "20", "20", &[]),
        )
        .expect("admitted");
    let w = a
        .warnings
        .iter()
        .find(|w| w.code == SiteWarningCode::ContainmentShort)
        .expect("short");
    assert!(
        w.message
            .ends_with(" (already short before this container)"),
        "{}",
        w.message
    );
    // Enough before, short after: the arrival caused it.
    let fine = site(
        SiteKind::StoragePoint,
        Some("25"),
        vec![container("j1", None, "25", true, "20", "20", &[])],
    );
    let a = s
        .admit(
            std(),
            &fine,
            &container("d1", None, "60", true, "50", "50", &[]),
        )
        .expect("admitted");
    let w = a
        .warnings
        .iter()
        .find(|w| w.code == SiteWarningCode::ContainmentShort)
        .expect("short");
    assert!(w.message.ends_with("35 L missing"), "{}", w.message);
    // Short before, enough after is impossible with more liquid; a solid arriving at a short site: still short.
    let a = s
        .admit(
            std(),
            &short,
            &container("box", None, "60", false, "40", "30", &[]),
        )
        .expect("admitted");
    assert_eq!(a.containment.level, ContainmentLevel::Short);
    assert!(
        a.warnings[0]
            .message
            .ends_with(" (already short before this container)")
    );
}

// ---------- GB 18597-2023 6.1.2 ----------

#[test]
fn a_container_is_not_in_conflict_with_itself_gb18597_6_1_2() {
    // One container holding an acid and a cyanide alone in its zone: no pair of containers to separate.
    let s = rules();
    let one = vec![container(
        "mixed",
        Some("A"),
        "20",
        true,
        "10",
        "10",
        &["hydrochloric acid", "potassium cyanide"],
    )];
    assert!(s.zone_conflicts(std(), &one).is_empty());
    let mut two = one.clone();
    two.push(container(
        "acid",
        Some("A"),
        "20",
        true,
        "10",
        "10",
        &["hydrochloric acid"],
    ));
    two.push(container(
        "cn",
        Some("B"),
        "20",
        false,
        "1",
        "1",
        &["potassium cyanide"],
    ));
    let z = s.zone_conflicts(std(), &two);
    assert_eq!(z.len(), 1, "{z:?}");
    assert_eq!(
        (z[0].container.as_str(), z[0].other.as_str()),
        ("mixed", "acid")
    );
    let st = s.status(std(), &site(SiteKind::StorageFacility, Some("100"), two));
    let w = st
        .warnings
        .iter()
        .find(|w| w.code == SiteWarningCode::IncompatibleInZone)
        .expect("conflict");
    assert!(
        w.message
            .starts_with("mixed and acid stand in zone 'A' and hold wastes that react ("),
        "{}",
        w.message
    );
    assert!(
        w.citation
            .starts_with("GB 18597-2023 6.1.2; GB 18597-2023 4.3; EPA-600/2-80-076")
    );
    // The undivided area is named as such.
    let open = vec![
        container("a", None, "20", false, "1", "1", &["hydrochloric acid"]),
        container("b", None, "20", false, "1", "1", &["potassium cyanide"]),
    ];
    let st = s.status(std(), &site(SiteKind::StorageFacility, None, open));
    assert!(
        st.warnings[0]
            .message
            .contains("stand in the same undivided area"),
        "{}",
        st.warnings[0].message
    );
}

// ---------- GB 18597-2023 8.2.2: self-inspection ----------

#[test]
fn an_inspection_records_items_in_checklist_order_with_their_clause_gb18597_8_2_2() {
    let s = rules();
    let today = date!(2026 - 11 - 30);
    let mut answers = all_ok();
    answers.reverse();
    // A failed item without note or finding: a finding in the checklist's words. A blank note is no note.
    let vent = answers
        .iter_mut()
        .find(|a| a.item == "containment_intact")
        .expect("item");
    vent.ok = false;
    vent.note = Some("   ".into());
    let i = s
        .inspection(today, today, "  王老师 ", &answers, &[])
        .expect("accepted");
    assert_eq!(i.inspector, "王老师");
    assert_eq!(i.inspected_on, today);
    let order: Vec<&str> = i.items.iter().map(|c| c.item.as_str()).collect();
    let want: Vec<&str> = s.checklist.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(order, want);
    let failed = i
        .items
        .iter()
        .find(|c| c.item == "containment_intact")
        .expect("item");
    assert_eq!(
        (failed.ok, failed.note.clone(), failed.clause.as_str()),
        (false, None, "GB 18597-2023 6.2.2")
    );
    assert_eq!(i.findings.len(), 1);
    assert_eq!(
        i.findings[0].description,
        "not satisfied: Spill containment intact"
    );
    assert_eq!(i.findings[0].clause, "GB 18597-2023 6.2.2");
    // A finding given for an item that passed is kept too, trimmed; one for an unknown item or empty is refused.
    let i = s
        .inspection(
            today,
            today,
            "王老师",
            &all_ok(),
            &[FindingInput {
                item: "ventilation".into(),
                description: " fan noisy ".into(),
            }],
        )
        .expect("accepted");
    assert_eq!(i.findings.len(), 1);
    assert_eq!(i.findings[0].description, "fan noisy");
    assert_eq!(
        s.inspection(
            today,
            today,
            "王老师",
            &all_ok(),
            &[FindingInput {
                item: "ventilation".into(),
                description: "  ".into(),
            }],
        ),
        Err(InspectionError::EmptyFinding)
    );
    let e = s.inspection(
        today,
        today,
        "王老师",
        &all_ok(),
        &[FindingInput {
            item: "roof".into(),
            description: "leaks".into(),
        }],
    );
    let known = s
        .checklist
        .iter()
        .map(|c| c.key.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    assert_eq!(
        e,
        Err(InspectionError::UnknownItem {
            item: "roof".into(),
            known
        })
    );
    assert!(s.checklist_item("ventilation").is_some());
    assert!(s.checklist_item("roof").is_none());
    // Yesterday is fine, tomorrow is not.
    assert!(
        s.inspection(date!(2026 - 11 - 29), today, "王老师", &all_ok(), &[])
            .is_ok()
    );
}

#[test]
fn a_follow_up_on_its_bounds_gb18597_8_2_2() {
    let s = rules();
    let on = date!(2026 - 11 - 20);
    let today = date!(2026 - 11 - 30);
    assert!(s.follow_up(on, today, on, "李老师", "fixed").is_ok());
    let f = s
        .follow_up(on, today, today, " 李老师 ", " fixed ")
        .expect("today");
    assert_eq!(
        (f.done_on, f.by.as_str(), f.action.as_str()),
        (today, "李老师", "fixed")
    );
    assert_eq!(
        s.follow_up(on, today, today, " ", "fixed"),
        Err(InspectionError::EmptyFollowUp)
    );
    assert_eq!(
        s.follow_up(on, today, today, "李老师", ""),
        Err(InspectionError::EmptyFollowUp)
    );
    assert_eq!(
        s.follow_up(on, today, date!(2026 - 11 - 19), "李老师", "fixed"),
        Err(InspectionError::FollowUpDate {
            date: date!(2026 - 11 - 19),
            inspected_on: on
        })
    );
}

#[test]
fn an_inspection_is_due_soon_within_due_soon_days_setting() {
    // sites.toml: every 30 days at a storage point, due soon from 7 days before.
    let s = rules();
    let last = Some(date!(2026 - 10 - 01));
    let due = |today| s.inspection_due(SiteKind::StoragePoint, last, today);
    let d = due(date!(2026 - 10 - 31));
    assert_eq!(
        (d.status, d.days_left, d.due_on),
        (
            InspectionStatus::DueSoon,
            Some(0),
            Some(date!(2026 - 10 - 31))
        )
    );
    assert_eq!(d.last_inspected_on, last);
    assert_eq!(d.interval_days, 30);
    assert_eq!(
        d.citation,
        "GB 18597-2023 8.2.2 (interval 30 days: a setting, UNCONFIRMED)"
    );
    assert_eq!(
        (
            due(date!(2026 - 11 - 01)).status,
            due(date!(2026 - 11 - 01)).days_left
        ),
        (InspectionStatus::Overdue, Some(-1))
    );
    assert_eq!(due(date!(2026 - 10 - 24)).status, InspectionStatus::DueSoon);
    assert_eq!(due(date!(2026 - 10 - 23)).status, InspectionStatus::Ok);
    // The due date on the wire is a calendar date.
    let json = serde_json::to_value(&d).expect("json");
    assert_eq!(json["due_on"], "2026-10-31");
    assert_eq!(json["last_inspected_on"], "2026-10-01");
    let never = s.inspection_due(SiteKind::StoragePoint, None, date!(2026 - 10 - 01));
    let json = serde_json::to_value(&never).expect("json");
    assert!(json["due_on"].is_null() && json["last_inspected_on"].is_null());
    assert_eq!(never.interval_days, 30);
}

#[test]
fn the_to_do_list_words_each_duty_gb18597_8_2_2_and_hj1276_2022() {
    use waste_core::sign::{SignRecord, SignState, SignType};
    let s = rules();
    let fine = s.status(std(), &site(SiteKind::StoragePoint, None, vec![]));
    let rec = |sign, zone: Option<&str>| SignRecord {
        sign,
        zone: zone.map(str::to_owned),
        digest: "d".into(),
    };
    let signs = vec![
        (rec(SignType::Facility, None), SignState::Current),
        (rec(SignType::Zone, Some("A")), SignState::Outdated),
        (rec(SignType::Zone, None), SignState::NeverPrinted),
    ];
    let overdue = s.inspection_due(
        SiteKind::StoragePoint,
        Some(date!(2026 - 10 - 01)),
        date!(2026 - 11 - 02),
    );
    let todo = s.todo(&fine, &overdue, 0, &signs);
    let got: Vec<(TodoCode, &str)> = todo.iter().map(|t| (t.code, t.message.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (
                TodoCode::SignOutdated,
                "the sign of zone 'A' no longer matches the site: print and post it again"
            ),
            (TodoCode::SignNeverPrinted, "print and post the zone sign"),
            (
                TodoCode::InspectionOverdue,
                "self-inspection overdue by 2 days (due 2026-10-31)"
            ),
        ]
    );
    assert_eq!(todo[0].citation, "GB 18597-2023 4.6; HJ 1276-2022");
    let soon = s.inspection_due(
        SiteKind::StoragePoint,
        Some(date!(2026 - 10 - 01)),
        date!(2026 - 10 - 30),
    );
    let todo = s.todo(&fine, &soon, 1, &[]);
    assert_eq!(
        todo.iter()
            .map(|t| (t.code, t.message.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (
                TodoCode::InspectionDueSoon,
                "self-inspection due on 2026-10-31"
            ),
            (
                TodoCode::OpenFindings,
                "1 inspection finding(s) not followed up"
            ),
        ]
    );
    assert_eq!(todo[1].citation, "GB 18597-2023 8.2.2");
    let never = s.inspection_due(SiteKind::StoragePoint, None, date!(2026 - 10 - 30));
    let todo = s.todo(&fine, &never, 0, &[]);
    assert_eq!(
        todo.iter().map(|t| t.code).collect::<Vec<_>>(),
        vec![TodoCode::InspectionNever]
    );
    assert_eq!(todo[0].message, "no self-inspection recorded yet");
}
