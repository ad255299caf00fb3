//! Storage-site rules (GB 18597-2023) and the HJ 1276-2022 zone and facility signs. Each test names the clause
//! it checks.

use proptest::prelude::*;
use rust_decimal::Decimal;
use std::str::FromStr;
use time::macros::date;
use waste_core::Standards;
use waste_core::citation::Confidence;
use waste_core::compatibility::Consequence;
use waste_core::hazard::Hazard;
use waste_core::sign::{
    FacilitySign, SignError, SignType, ZoneSign, ZoneWaste, render_facility, render_zone,
    xml_escape,
};
use waste_core::site::{
    Answer, ContainmentLevel, FindingInput, InspectionError, InspectionStatus, PlacedContainer,
    QuantityLevel, Site, SiteKind, SiteWarningCode,
};
use waste_core::standards::Sources;
use waste_core::substance::SubstanceId;

fn std() -> &'static Standards {
    Standards::embedded()
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

// ---------- GB 18597-2023 8.3.5: real-time quantity of a storage point ≤ 3 t ----------

#[test]
fn a_move_taking_a_storage_point_over_3t_is_refused_gb18597_8_3_5() {
    let s = site(
        SiteKind::StoragePoint,
        None,
        vec![container("c1", None, "1000", false, "0", "2900", &[])],
    );
    let incoming = container("c2", None, "200", false, "0", "150", &[]);
    let err = std()
        .sites
        .admit(std(), &s, &incoming)
        .expect_err("3050 kg is above 3 t");
    assert_eq!(err.on_hand_kg, dec("2900"));
    assert_eq!(err.adding_kg, dec("150"));
    assert_eq!(err.after_kg, dec("3050"));
    assert_eq!(err.max_kg, dec("3000"));
    assert_eq!(err.citation, "GB 18597-2023 8.3.5");
    assert!(err.to_string().contains("GB 18597-2023 8.3.5"), "{err}");
}

#[test]
fn exactly_3t_is_allowed_gb18597_8_3_5() {
    // "不应超过 3 吨": 3 t itself is within the clause.
    let q = std()
        .sites
        .check_quantity(
            &std().storage,
            SiteKind::StoragePoint,
            dec("2900"),
            dec("100"),
        )
        .expect("3000 kg is not above 3 t");
    assert_eq!(q.on_hand_kg, dec("3000"));
    assert_eq!(q.level, QuantityLevel::NearCeiling);
}

#[test]
fn a_storage_point_warns_from_the_set_share_gb18597_8_3_5() {
    let sites = &std().sites;
    assert_eq!(std().storage.storage_point_warn_fraction, dec("0.8"));
    let below = sites.quantity(&std().storage, SiteKind::StoragePoint, dec("2399.9"));
    assert_eq!(below.level, QuantityLevel::Ok);
    let at = sites.quantity(&std().storage, SiteKind::StoragePoint, dec("2400"));
    assert_eq!(at.level, QuantityLevel::NearCeiling);
    assert_eq!(at.share, Some(dec("0.8")));
    let s = site(
        SiteKind::StoragePoint,
        None,
        vec![container("c1", None, "1000", false, "0", "2500", &[])],
    );
    let status = sites.status(std(), &s);
    let w = status
        .warnings
        .iter()
        .find(|w| w.code == SiteWarningCode::NearCeiling)
        .expect("near-ceiling warning");
    assert!(
        w.message.contains("2500 kg") && w.message.contains("83.3%"),
        "{}",
        w.message
    );
    assert_eq!(w.citation, "GB 18597-2023 8.3.5");
}

#[test]
fn the_ceiling_names_storage_points_only_gb18597_8_3_5() {
    let s = site(
        SiteKind::StorageFacility,
        None,
        vec![container("c1", None, "1000", false, "0", "4000", &[])],
    );
    let a = std()
        .sites
        .admit(
            std(),
            &s,
            &container("c2", None, "200", false, "0", "500", &[]),
        )
        .expect("a storage facility has no 3 t ceiling");
    assert_eq!(a.quantity.level, QuantityLevel::NotApplicable);
    assert_eq!(a.quantity.on_hand_kg, dec("4500"));
    assert!(a.quantity.max_kg.is_none());
}

#[test]
fn a_container_already_at_the_site_is_counted_once_gb18597_8_3_5() {
    // An addition to a container already there: the site holds the container after the addition, not both.
    let s = site(
        SiteKind::StoragePoint,
        None,
        vec![
            container("c1", None, "1000", false, "0", "2000", &[]),
            container("c2", None, "1000", false, "0", "900", &[]),
        ],
    );
    let a = std()
        .sites
        .admit(
            std(),
            &s,
            &container("c2", None, "1000", false, "0", "950", &[]),
        )
        .expect("2950 kg");
    assert_eq!(a.quantity.on_hand_kg, dec("2950"));
    let err = std()
        .sites
        .admit(
            std(),
            &s,
            &container("c2", None, "1000", false, "0", "1001", &[]),
        )
        .expect_err("3001 kg");
    assert_eq!(err.after_kg, dec("3001"));
}

// ---------- GB 18597-2023 6.2.2: liquid spill containment ----------

#[test]
fn containment_shortfall_is_reported_with_the_figures_gb18597_6_2_2() {
    // Largest liquid container 200 L; liquids 150 + 10 × 20 = 350 L, 1/10 = 35 L: 200 L required.
    let mut cs = vec![container("drum", None, "200", true, "150", "150", &[])];
    for i in 0..10 {
        cs.push(container(
            &format!("j{i}"),
            None,
            "25",
            true,
            "20",
            "20",
            &[],
        ));
    }
    let s = site(SiteKind::StorageFacility, Some("100"), cs);
    let st = std().sites.status(std(), &s);
    let c = &st.containment;
    assert_eq!(c.level, ContainmentLevel::Short);
    assert_eq!(c.largest_container_l, dec("200"));
    assert_eq!(c.liquids_l, dec("350"));
    assert_eq!(c.share_of_liquids_l, dec("35"));
    assert_eq!(c.required_l, dec("200"));
    assert_eq!(c.available_l, dec("100"));
    assert_eq!(c.shortfall_l, dec("100"));
    assert_eq!(c.citation, "GB 18597-2023 6.2.2");
    let w = st
        .warnings
        .iter()
        .find(|w| w.code == SiteWarningCode::ContainmentShort)
        .expect("a shortfall warning");
    for figure in ["100 L", "200 L", "350 L", "35 L"] {
        assert!(w.message.contains(figure), "{figure} in {}", w.message);
    }
}

#[test]
fn a_tenth_of_the_liquids_governs_when_larger_gb18597_6_2_2() {
    // 60 containers of 20 L holding 18 L: 1080 L stored, 1/10 = 108 L > 20 L.
    let cs = (0..60)
        .map(|i| container(&format!("j{i}"), None, "20", true, "18", "18", &[]))
        .collect();
    let s = site(SiteKind::StationWarehouse, Some("108"), cs);
    let c = std().sites.containment(s.containment_l, &s.containers);
    assert_eq!(c.required_l, dec("108"));
    assert_eq!(c.level, ContainmentLevel::Ok);
    let c = std().sites.containment(Some(dec("107.9")), &s.containers);
    assert_eq!(c.level, ContainmentLevel::Short);
    assert_eq!(c.shortfall_l, dec("0.1"));
}

#[test]
fn solids_need_no_liquid_containment_gb18597_6_2_2() {
    let s = site(
        SiteKind::StoragePoint,
        None,
        vec![container("box", None, "60", false, "40", "30", &[])],
    );
    let c = std().sites.containment(s.containment_l, &s.containers);
    assert_eq!(c.level, ContainmentLevel::NoLiquids);
    assert_eq!(c.required_l, Decimal::ZERO);
    assert!(std().sites.status(std(), &s).warnings.is_empty());
}

#[test]
fn a_new_container_that_breaks_containment_is_warned_gb18597_6_2_2() {
    let s = site(
        SiteKind::StoragePoint,
        Some("30"),
        vec![container("j1", None, "25", true, "20", "20", &[])],
    );
    assert_eq!(
        std().sites.status(std(), &s).containment.level,
        ContainmentLevel::Ok
    );
    let a = std()
        .sites
        .admit(
            std(),
            &s,
            &container("drum", None, "60", true, "10", "10", &[]),
        )
        .expect("admitted with a warning");
    assert_eq!(a.containment.level, ContainmentLevel::Short);
    assert_eq!(a.containment.required_l, dec("60"));
    assert_eq!(a.containment.shortfall_l, dec("30"));
    let w = a
        .warnings
        .iter()
        .find(|w| w.code == SiteWarningCode::ContainmentShort)
        .expect("warned");
    assert!(!w.message.contains("already short"), "{}", w.message);
    // Without containment declared, a liquid is short by its whole requirement.
    let bare = std()
        .sites
        .containment(None, &[container("j", None, "5", true, "1", "1", &[])]);
    assert_eq!((bare.declared, bare.shortfall_l), (false, dec("5")));
}

// ---------- GB 18597-2023 6.1.2: incompatible wastes not in one zone ----------

#[test]
fn incompatible_wastes_in_one_zone_are_flagged_gb18597_6_1_2() {
    let cyanide = container(
        "cn",
        Some("A"),
        "20",
        true,
        "5",
        "5",
        &["potassium cyanide", "water"],
    );
    let acid = container(
        "acid",
        Some("A"),
        "20",
        true,
        "5",
        "5",
        &["hydrochloric acid"],
    );
    let s = site(
        SiteKind::StoragePoint,
        Some("100"),
        vec![cyanide.clone(), acid],
    );
    let st = std().sites.status(std(), &s);
    assert_eq!(st.zone_conflicts.len(), 1, "{:?}", st.zone_conflicts);
    let z = &st.zone_conflicts[0];
    assert_eq!(z.zone.as_deref(), Some("A"));
    assert!(z.consequences.contains(&Consequence::GT), "{z:?}");
    assert!(
        z.citation.starts_with("GB 18597-2023 6.1.2"),
        "{}",
        z.citation
    );
    assert!(
        st.warnings.iter().any(
            |w| w.code == SiteWarningCode::IncompatibleInZone && w.message.contains("zone 'A'")
        )
    );
    // The same wastes in separate zones are what the clause asks for.
    let apart = site(
        SiteKind::StoragePoint,
        Some("100"),
        vec![
            cyanide,
            container(
                "acid",
                Some("B"),
                "20",
                true,
                "5",
                "5",
                &["hydrochloric acid"],
            ),
        ],
    );
    assert!(std().sites.status(std(), &apart).zone_conflicts.is_empty());
}

#[test]
fn a_move_into_a_zone_with_an_incompatible_waste_is_flagged_gb18597_6_1_2() {
    let s = site(
        SiteKind::StorageFacility,
        Some("100"),
        vec![
            container("cn", None, "20", true, "5", "5", &["sodium cyanide"]),
            container("solvent", Some("B"), "20", true, "5", "5", &["acetone"]),
        ],
    );
    let a = std()
        .sites
        .admit(
            std(),
            &s,
            &container("acid", None, "20", true, "5", "5", &["hydrochloric acid"]),
        )
        .expect("flagged, not refused");
    assert_eq!(a.zone_conflicts.len(), 1);
    assert_eq!(a.zone_conflicts[0].other, "cn");
    assert!(
        a.warnings
            .iter()
            .any(|w| w.code == SiteWarningCode::IncompatibleInZone
                && w.message.contains("undivided area"))
    );
}

// ---------- storage clock of each kind ----------

#[test]
fn each_site_kind_has_its_storage_clock() {
    let s = &std().sites;
    let start = date!(2026 - 01 - 10);
    let today = date!(2026 - 12 - 20);
    // A collection station's warehouse: a licensed operator, Solid Waste Law (2020) Art.81.
    let station = s.clock(&std().storage, SiteKind::StationWarehouse, start, today);
    assert_eq!(station.source, "Solid Waste Law (2020) Art.81");
    assert_eq!(station.deadline, date!(2027 - 01 - 10));
    let lab = s.clock(&std().storage, SiteKind::LabPoint, start, today);
    assert!(lab.source.contains("no national limit"), "{}", lab.source);
    for k in SiteKind::ALL {
        assert_eq!(SiteKind::parse(k.as_str()), Some(k));
        assert!(!s.kind(k).name_zh.is_empty());
    }
    assert!(s.kind(SiteKind::StoragePoint).ceiling);
    assert!(!s.kind(SiteKind::LabPoint).ceiling);
}

// ---------- self-inspection (GB 18597-2023 8.2.2) ----------

fn all_ok() -> Vec<Answer> {
    std()
        .sites
        .checklist
        .iter()
        .map(|i| Answer {
            item: i.key.clone(),
            ok: true,
            note: None,
        })
        .collect()
}

#[test]
fn the_checklist_covers_what_the_issue_names_each_with_its_clause() {
    let keys: Vec<&str> = std()
        .sites
        .checklist
        .iter()
        .map(|i| i.key.as_str())
        .collect();
    for k in [
        "sign_posted_current",
        "containment_intact",
        "no_leaking_container",
        "all_labelled",
        "incompatibles_apart",
        "fire_spill_equipment",
        "ventilation",
    ] {
        assert!(keys.contains(&k), "{k}");
    }
    for i in &std().sites.checklist {
        assert!(!i.clause.is_empty(), "{}", i.key);
        if i.confidence != Confidence::Unconfirmed {
            assert!(
                i.clause.contains("GB 18597-2023"),
                "{}: {}",
                i.key,
                i.clause
            );
        }
    }
}

#[test]
fn a_failed_item_becomes_an_open_finding_gb18597_8_2_2() {
    let mut answers = all_ok();
    let leak = answers
        .iter_mut()
        .find(|a| a.item == "no_leaking_container")
        .expect("item");
    leak.ok = false;
    leak.note = Some("jerrycan B-7 weeps at the cap".into());
    let i = std()
        .sites
        .inspection(
            date!(2026 - 11 - 30),
            date!(2026 - 11 - 30),
            "王老师",
            &answers,
            &[],
        )
        .expect("accepted");
    assert_eq!(i.findings.len(), 1);
    assert_eq!(i.findings[0].item, "no_leaking_container");
    assert_eq!(i.findings[0].description, "jerrycan B-7 weeps at the cap");
    assert!(
        i.findings[0].clause.contains("7.3"),
        "{}",
        i.findings[0].clause
    );
    assert_eq!(i.citation, "GB 18597-2023 8.2.2");
    // An explicit finding for the failed item is kept instead of the note.
    let i = std()
        .sites
        .inspection(
            date!(2026 - 11 - 30),
            date!(2026 - 11 - 30),
            "王老师",
            &answers,
            &[FindingInput {
                item: "no_leaking_container".into(),
                description: "cap cracked; replace the container".into(),
            }],
        )
        .expect("accepted");
    assert_eq!(i.findings.len(), 1);
    assert_eq!(
        i.findings[0].description,
        "cap cracked; replace the container"
    );
}

#[test]
fn an_inspection_must_answer_every_item_once_gb18597_8_2_2() {
    let s = &std().sites;
    let today = date!(2026 - 11 - 30);
    let mut partial = all_ok();
    partial.pop();
    assert!(matches!(
        s.inspection(today, today, "王老师", &partial, &[]),
        Err(InspectionError::Unanswered { .. })
    ));
    let mut twice = all_ok();
    twice.push(twice[0].clone());
    assert!(matches!(
        s.inspection(today, today, "王老师", &twice, &[]),
        Err(InspectionError::DuplicateAnswer { .. })
    ));
    let mut unknown = all_ok();
    unknown.push(Answer {
        item: "sprinklers".into(),
        ok: true,
        note: None,
    });
    assert!(matches!(
        s.inspection(today, today, "王老师", &unknown, &[]),
        Err(InspectionError::UnknownItem { .. })
    ));
    assert_eq!(
        s.inspection(today, today, "  ", &all_ok(), &[]),
        Err(InspectionError::NoInspector)
    );
    assert!(matches!(
        s.inspection(date!(2026 - 12 - 01), today, "王老师", &all_ok(), &[]),
        Err(InspectionError::FutureDate { .. })
    ));
    assert!(
        s.inspection(today, today, "王老师", &all_ok(), &[])
            .is_ok_and(|i| i.findings.is_empty())
    );
}

#[test]
fn a_follow_up_closes_a_finding_only_when_dated_and_described() {
    let s = &std().sites;
    let on = date!(2026 - 11 - 20);
    let today = date!(2026 - 11 - 30);
    let f = s
        .follow_up(
            on,
            today,
            date!(2026 - 11 - 22),
            "李老师",
            "container replaced",
        )
        .expect("valid");
    assert_eq!(f.by, "李老师");
    assert!(matches!(
        s.follow_up(on, today, date!(2026 - 11 - 19), "李老师", "x"),
        Err(InspectionError::FollowUpDate { .. })
    ));
    assert!(matches!(
        s.follow_up(on, today, date!(2026 - 12 - 01), "李老师", "x"),
        Err(InspectionError::FollowUpDate { .. })
    ));
    assert_eq!(
        s.follow_up(on, today, today, "李老师", " "),
        Err(InspectionError::EmptyFollowUp)
    );
}

#[test]
fn inspections_fall_due_after_the_interval_of_the_kind() {
    let s = &std().sites;
    let never = s.inspection_due(SiteKind::StoragePoint, None, date!(2026 - 11 - 30));
    assert_eq!(never.status, InspectionStatus::Never);
    let last = Some(date!(2026 - 10 - 01));
    let ok = s.inspection_due(SiteKind::StoragePoint, last, date!(2026 - 10 - 20));
    assert_eq!(
        (ok.status, ok.due_on),
        (InspectionStatus::Ok, Some(date!(2026 - 10 - 31)))
    );
    let soon = s.inspection_due(SiteKind::StoragePoint, last, date!(2026 - 10 - 26));
    assert_eq!(
        (soon.status, soon.days_left),
        (InspectionStatus::DueSoon, Some(5))
    );
    let late = s.inspection_due(SiteKind::StoragePoint, last, date!(2026 - 11 - 30));
    assert_eq!(
        (late.status, late.days_left),
        (InspectionStatus::Overdue, Some(-30))
    );
    assert!(late.citation.contains("GB 18597-2023 8.2.2"));
    // The station's warehouse is checked weekly (a setting).
    let station = s.inspection_due(SiteKind::StationWarehouse, last, date!(2026 - 10 - 09));
    assert_eq!(station.status, InspectionStatus::Overdue);
}

// ---------- the data ----------

#[test]
fn site_data_is_checked_when_read() {
    let broken =
        standards_data::SITES.replacen("kind = \"station_warehouse\"", "kind = \"depot\"", 1);
    let err = Standards::parse(Sources {
        sites: &broken,
        ..Sources::EMBEDDED
    })
    .err()
    .unwrap_or_default();
    assert!(err.contains("depot"), "{err}");
    let broken =
        standards_data::SITES.replacen("liquid_share = \"0.1\"", "liquid_share = \"1.8\"", 1);
    assert!(
        Standards::parse(Sources {
            sites: &broken,
            ..Sources::EMBEDDED
        })
        .is_err()
    );
    let broken =
        standards_data::SITES.replacen("field = \"facility_code\"", "field = \"barcode\"", 1);
    let err = Standards::parse(Sources {
        sites: &broken,
        ..Sources::EMBEDDED
    })
    .err()
    .unwrap_or_default();
    assert!(err.contains("barcode"), "{err}");
}

// ---------- HJ 1276-2022 signs ----------

fn facility() -> FacilitySign {
    FacilitySign {
        title_zh: std()
            .sites
            .kind(SiteKind::StoragePoint)
            .facility_title_zh
            .clone(),
        title_en: std()
            .sites
            .kind(SiteKind::StoragePoint)
            .facility_title_en
            .clone(),
        unit_name: "长春市第一中学".into(),
        facility_name: "实验楼危险废物贮存点".into(),
        facility_code: "91350100M000100Y43-ZC001".into(),
        responsible: "王老师".into(),
        contact: "138-0000-0000".into(),
        location: Some("实验楼 B 座一层 B-104".into()),
    }
}

fn zone() -> ZoneSign {
    ZoneSign {
        facility_name: "实验楼危险废物贮存点".into(),
        zone_name: "B 酸性废液".into(),
        zones: vec![
            "A 有机废液".into(),
            "B 酸性废液".into(),
            "C 含氰废液".into(),
        ],
        wastes: vec![
            ZoneWaste {
                name: "废酸 waste acids".into(),
                code: Some("900-047-49".into()),
                hazards: vec![Hazard::C, Hazard::T],
            },
            ZoneWaste {
                name: "含重金属废液 heavy-metal liquids".into(),
                code: Some("900-047-49".into()),
                hazards: vec![Hazard::T],
            },
        ],
        emergency: Some("门口左侧: 吸附棉、灭火器".into()),
        responsible: "王老师".into(),
        contact: "138-0000-0000".into(),
    }
}

fn field_text(doc: &roxmltree::Document, field: &str) -> String {
    doc.descendants()
        .filter(|n| n.attribute("data-field") == Some(field))
        .flat_map(|n| {
            n.descendants()
                .filter(|d| d.is_text())
                .map(|d| d.text().unwrap_or(""))
        })
        .collect::<Vec<_>>()
        .join("")
}

#[test]
fn the_facility_sign_is_well_formed_and_carries_its_fields_hj1276_2022() {
    let rules = &std().signs;
    let svg = render_facility(&facility(), rules, None).expect("complete");
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.attribute("data-sign"), Some("facility"));
    assert_eq!(root.attribute("data-standard"), Some("HJ 1276-2022"));
    assert_eq!(root.attribute("width"), Some("600mm"));
    assert_eq!(root.attribute("height"), Some("400mm"));
    assert_eq!(
        root.attribute("data-digest"),
        Some(facility().digest().as_str())
    );
    assert!(field_text(&doc, "title").contains("危险废物贮存点"));
    for f in rules.fields(SignType::Facility).filter(|f| f.required) {
        assert!(
            doc.descendants()
                .any(|n| n.attribute("data-field") == Some(f.field.as_str())),
            "required field {} printed",
            f.field
        );
    }
    assert!(field_text(&doc, "unit_name").contains("长春市第一中学"));
    assert!(field_text(&doc, "facility_code").contains("91350100M000100Y43-ZC001"));
    assert!(field_text(&doc, "contact").contains("138-0000-0000"));
    assert!(field_text(&doc, "location").contains("B-104"));
    // Yellow background and black border (GB 15562.2-1995 warning colours).
    assert!(svg.contains(r##"fill="#FFFF00""##) && svg.contains(r##"stroke="#000000""##));
    assert!(!svg.contains("data-overflow"));
}

#[test]
fn a_sign_missing_a_required_field_is_not_printed_hj1276_2022() {
    let mut f = facility();
    f.facility_code = " ".into();
    f.contact.clear();
    assert_eq!(
        render_facility(&f, &std().signs, None),
        Err(SignError::Incomplete {
            sign: "facility".into(),
            missing: vec!["facility_code".into(), "contact".into()],
        })
    );
    let mut z = zone();
    z.wastes.clear();
    assert!(matches!(
        render_zone(&z, &std().signs, None),
        Err(SignError::Incomplete { missing, .. }) if missing == vec!["wastes".to_string()]
    ));
    let mut z = zone();
    z.zone_name = "D".into();
    assert_eq!(
        render_zone(&z, &std().signs, None),
        Err(SignError::ZoneNotInPlan { zone: "D".into() })
    );
}

#[test]
fn sign_size_follows_the_viewing_distance() {
    let r = &std().signs;
    let s = r.size_for(SignType::Facility, Some(dec("8")));
    assert_eq!((s.width_mm, s.height_mm), (900, 600));
    let s = r.size_for(SignType::Facility, Some(dec("25")));
    assert_eq!((s.width_mm, s.height_mm), (1200, 800));
    let s = r.size_for(SignType::Zone, Some(dec("2")));
    assert_eq!((s.width_mm, s.height_mm), (420, 297));
    let svg = render_zone(&zone(), r, Some(dec("3"))).expect("complete");
    let doc = roxmltree::Document::parse(&svg).expect("well-formed");
    assert_eq!(doc.root_element().attribute("width"), Some("600mm"));
}

#[test]
fn the_zone_sign_shows_the_plan_and_the_zone_wastes_hj1276_2022() {
    let rules = &std().signs;
    let svg = render_zone(&zone(), rules, None).expect("complete");
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert_eq!(doc.root_element().attribute("data-sign"), Some("zone"));
    let zones: Vec<(&str, &str)> = doc
        .descendants()
        .filter_map(|n| Some((n.attribute("data-zone")?, n.attribute("data-current")?)))
        .collect();
    assert_eq!(
        zones,
        vec![
            ("A 有机废液", "false"),
            ("B 酸性废液", "true"),
            ("C 含氰废液", "false")
        ]
    );
    assert!(field_text(&doc, "you_are_here").contains("You are here"));
    let wastes = field_text(&doc, "wastes");
    assert!(
        wastes.contains("900-047-49") && wastes.contains("腐蚀性 C"),
        "{wastes}"
    );
    assert!(field_text(&doc, "zone_name").contains("B 酸性废液"));
    assert!(field_text(&doc, "emergency").contains("吸附棉"));
    assert!(!svg.contains("data-overflow"));
}

#[test]
fn a_long_waste_list_is_cut_with_a_count_not_overflowing() {
    let mut z = zone();
    z.wastes = (0..40)
        .map(|i| ZoneWaste {
            name: format!("waste {i}"),
            code: Some("900-047-49".into()),
            hazards: vec![Hazard::T],
        })
        .collect();
    let svg = render_zone(&z, &std().signs, None).expect("complete");
    let doc = roxmltree::Document::parse(&svg).expect("well-formed");
    let wastes = field_text(&doc, "wastes");
    assert!(wastes.contains("more"), "{wastes}");
    assert!(!svg.contains("data-overflow"));
}

#[test]
fn the_sign_digest_changes_with_what_the_zone_holds() {
    // A printed sign is current while its digest is the digest of the sign the zone needs now.
    let a = zone();
    let mut b = zone();
    assert_eq!(a.digest(), b.digest());
    b.wastes.pop();
    assert_ne!(a.digest(), b.digest());
    assert_eq!(a.digest().len(), 64);
}

#[test]
fn user_text_is_escaped_including_characters_xml_forbids() {
    let nasty = "<script>&\"'\u{1}\u{FFFE}\u{FFFF}\u{85}\n]]>";
    let e = xml_escape(nasty);
    assert_eq!(
        e,
        "&lt;script&gt;&amp;&quot;&apos;\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD} ]]&gt;"
    );
    let mut f = facility();
    f.unit_name = nasty.into();
    f.facility_name = "</text><script>alert(1)</script>".into();
    let svg = render_facility(&f, &std().signs, None).expect("complete");
    let doc = roxmltree::Document::parse(&svg).expect("well-formed despite hostile text");
    assert!(!doc.descendants().any(|n| n.has_tag_name("script")));
    assert!(field_text(&doc, "facility_name").contains("<script>"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any text in any field still gives well-formed XML (HJ 1276-2022 signs are printed from user text).
    #[test]
    fn any_text_gives_well_formed_signs(
        a in "\\PC{0,40}", b in any::<String>(), c in "[\\x00-\\x1f\u{FFFE}\u{FFFF}<>&\"'a-z]{1,30}"
    ) {
        let mut f = facility();
        f.unit_name = format!("x{a}");
        f.facility_name = format!("x{b}");
        f.location = Some(c.clone());
        let svg = render_facility(&f, &std().signs, None).expect("complete");
        prop_assert!(roxmltree::Document::parse(&svg).is_ok(), "{}", svg);
        let mut z = zone();
        z.zone_name = format!("z{c}");
        z.zones = vec![z.zone_name.clone(), format!("y{b}")];
        z.wastes[0].name = a;
        let svg = render_zone(&z, &std().signs, None).expect("complete");
        prop_assert!(roxmltree::Document::parse(&svg).is_ok(), "{}", svg);
    }
}

// ---------- signs printed and current; the site's to-do list ----------

#[test]
fn zone_wastes_are_listed_once_in_a_stable_order() {
    let acid = |h: Hazard| ZoneWaste {
        name: "废酸".into(),
        code: Some("900-047-49".into()),
        hazards: vec![h],
    };
    let metal = ZoneWaste {
        name: "含汞废液".into(),
        code: Some("900-023-29".into()),
        hazards: vec![Hazard::T],
    };
    let a = ZoneWaste::collect(vec![acid(Hazard::C), metal.clone(), acid(Hazard::T)]);
    let b = ZoneWaste::collect(vec![metal, acid(Hazard::T), acid(Hazard::C)]);
    assert_eq!(a, b);
    assert_eq!(a.len(), 2);
    let acids = a.iter().find(|w| w.name == "废酸").expect("acid row");
    assert_eq!(acids.hazards, vec![Hazard::T, Hazard::C]);
}

#[test]
fn a_sign_is_current_only_while_its_content_is_unchanged_hj1276_2022() {
    use waste_core::sign::{SignRecord, SignState, sign_states};
    let rec = |sign, zone: Option<&str>, digest: &str| SignRecord {
        sign,
        zone: zone.map(str::to_owned),
        digest: digest.into(),
    };
    let needed = vec![
        rec(SignType::Facility, None, "f1"),
        rec(SignType::Zone, Some("A"), "a2"),
        rec(SignType::Zone, Some("B"), "b1"),
    ];
    let printed = vec![
        rec(SignType::Facility, None, "f1"),
        rec(SignType::Zone, Some("A"), "a1"),
        rec(SignType::Zone, Some("A"), "a2"),
        rec(SignType::Zone, Some("A"), "a1"),
    ];
    let states: Vec<SignState> = sign_states(&needed, &printed)
        .into_iter()
        .map(|s| s.1)
        .collect();
    // Zone A's latest print is the old content: outdated again.
    assert_eq!(
        states,
        vec![
            SignState::Current,
            SignState::Outdated,
            SignState::NeverPrinted
        ]
    );
}

#[test]
fn the_to_do_list_names_signs_inspections_findings_and_warnings() {
    use waste_core::sign::{SignRecord, SignState};
    use waste_core::site::TodoCode;
    let s = &std().sites;
    let site = site(
        SiteKind::StoragePoint,
        Some("10"),
        vec![container("drum", None, "60", true, "50", "2500", &[])],
    );
    let status = s.status(std(), &site);
    let due = s.inspection_due(
        SiteKind::StoragePoint,
        Some(date!(2026 - 10 - 01)),
        date!(2026 - 11 - 30),
    );
    let signs = vec![(
        SignRecord {
            sign: SignType::Facility,
            zone: None,
            digest: "x".into(),
        },
        SignState::NeverPrinted,
    )];
    let todo = s.todo(&status, &due, 2, &signs);
    let codes: Vec<TodoCode> = todo.iter().map(|t| t.code).collect();
    assert_eq!(
        codes,
        vec![
            TodoCode::SignNeverPrinted,
            TodoCode::InspectionOverdue,
            TodoCode::OpenFindings,
            TodoCode::NearCeiling,
            TodoCode::ContainmentShort
        ]
    );
    assert!(todo[0].citation.contains("HJ 1276-2022"));
    assert!(todo[1].message.contains("30 days"), "{}", todo[1].message);
    assert!(todo[2].message.starts_with("2 "));
    // A site in order has nothing to do.
    let fine = s.status(std(), &self::site(SiteKind::StoragePoint, None, vec![]));
    let ok = s.inspection_due(
        SiteKind::StoragePoint,
        Some(date!(2026 - 11 - 20)),
        date!(2026 - 11 - 30),
    );
    assert!(s.todo(&fine, &ok, 0, &[]).is_empty());
}
