//! The core rules of containers, compatibility, labels, storage time, manifests and custody. Each test names
//! the clause or source it checks.

use rust_decimal::Decimal;
use rust_decimal::prelude::FromStr;
use serde_json::json;
use time::macros::date;
use waste_core::Standards;
use waste_core::catalogue::HwCode;
use waste_core::compatibility::{Consequence, reactions};
use waste_core::container::{
    self, Addition, Container, Material, Quantity, QuantityError, Refusal, Unit,
};
use waste_core::custody::{self, Break, NewEvent};
use waste_core::hazard::Hazard;
use waste_core::label::{DigitalId, Label, LabelError, LabelField, render_svg};
use waste_core::manifest::{
    Acceptance, Action, ManifestNumber, ManifestState, Party, TransitionError, transition,
};
use waste_core::request::Form;
use waste_core::storage::{SiteKind, StorageStatus};
use waste_core::stream::Stream;
use waste_core::substance::SubstanceId;

fn std() -> &'static Standards {
    Standards::embedded()
}
fn id(name: &str) -> SubstanceId {
    std()
        .substances
        .by_name(name)
        .unwrap_or_else(|| panic!("{name} in the table"))
        .id
}
fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}
fn codes(r: &[waste_core::compatibility::Reaction]) -> Vec<Consequence> {
    waste_core::compatibility::consequences(r)
}

// ---------- compatibility: EPA-600/2-80-076 ----------

#[test]
fn cyanide_and_acid_give_toxic_gas_epa_11x1() {
    let r = reactions(
        &std().reactivity,
        &std().substances,
        &[id("hydrochloric acid")],
        &[id("potassium cyanide")],
    );
    assert!(codes(&r).contains(&Consequence::GT), "{r:?}");
    let pair = r
        .iter()
        .find(|x| x.adding_group == 1 && x.present_group == 11)
        .expect("groups 1 and 11 named");
    assert!(
        pair.adding.contains("hydrochloric acid") && pair.present.contains("potassium cyanide")
    );
    assert_eq!(pair.citation, "EPA-600/2-80-076 chart, groups 11×1");
}

#[test]
fn hypochlorite_and_acid_give_toxic_gas_epa_104x1() {
    let r = reactions(
        &std().reactivity,
        &std().substances,
        &[id("sodium hypochlorite")],
        &[id("sulfuric acid")],
    );
    let pair = r
        .iter()
        .find(|x| x.adding_group == 104 && x.present_group == 1)
        .expect("groups 104 and 1");
    assert!(pair.consequences.contains(&Consequence::GT));
}

#[test]
fn oxidising_acid_and_alcohol_give_heat_and_fire_epa_4x2() {
    let r = reactions(
        &std().reactivity,
        &std().substances,
        &[id("ethanol")],
        &[id("nitric acid")],
    );
    let pair = r
        .iter()
        .find(|x| x.adding_group == 4 && x.present_group == 2)
        .expect("groups 4 and 2");
    assert_eq!(pair.consequences, vec![Consequence::H, Consequence::F]);
}

#[test]
fn compatible_solvents_and_same_group_have_no_reaction() {
    let m = &std().reactivity;
    let t = &std().substances;
    assert!(
        reactions(
            m,
            t,
            &[id("acetone")],
            &[id("ethanol"), id("n-hexane"), id("toluene")]
        )
        .is_empty()
    );
    assert!(reactions(m, t, &[id("dichloromethane")], &[id("chloroform")]).is_empty());
    // Symmetric: the cell is looked up under the unordered pair.
    assert_eq!(m.cell(4, 2), m.cell(2, 4));
}

#[test]
fn water_reactive_substances_mix_with_nothing_epa_107() {
    let m = &std().reactivity;
    for g in [1, 4, 17, 29, 106] {
        assert!(!m.cell(107, g).is_empty(), "107×{g}");
    }
    let r = reactions(
        m,
        &std().substances,
        &[id("sodium hydride")],
        &[id("water")],
    );
    assert!(codes(&r).contains(&Consequence::GF), "{r:?}");
}

#[test]
fn heat_of_dilution_is_allowed_by_policy_but_listed_in_the_chart() {
    // reactivity.toml [policy]: 106×1 is not a refusal (aqueous acid wastes); the chart's other water cells stay.
    let m = &std().reactivity;
    assert!(m.cell(106, 1).is_empty());
    assert!(
        !m.cell(106, 21).is_empty(),
        "water and alkali metals still react"
    );
}

// ---------- containers ----------

fn add(stream: Stream, form: Form, names: &[&str], q: &str, unit: Unit) -> Addition {
    Addition {
        stream: Some(stream),
        form,
        substances: names.iter().map(|n| id(n)).collect(),
        quantity: Quantity::new(dec(q), unit).expect("quantity"),
    }
}

fn check(c: &Container, a: &Addition) -> Result<container::Accepted, Refusal> {
    container::check(
        c,
        a,
        &std().containers,
        &std().reactivity,
        &std().substances,
    )
}

#[test]
fn liquids_fill_to_three_quarters_and_the_refusal_gives_the_numbers() {
    // containers.toml: liquid fill fraction 0.75 (institutional practice, UNCONFIRMED).
    let mut c = Container::new(dec("20"), Material::Hdpe);
    let a = add(
        Stream::HalogenatedOrganic,
        Form::Liquid,
        &["dichloromethane"],
        "14",
        Unit::L,
    );
    let ok = check(&c, &a).expect("14 L of 20 L fits");
    assert_eq!(ok.limit_l, dec("15"));
    container::apply(&mut c, &a, &ok);
    let more = add(
        Stream::HalogenatedOrganic,
        Form::Liquid,
        &["chloroform"],
        "1.5",
        Unit::L,
    );
    match check(&c, &more) {
        Err(Refusal::ContainerFull {
            capacity_l,
            limit_l,
            filled_l,
            adding_l,
            would_be_l,
            ..
        }) => {
            assert_eq!(
                (capacity_l, limit_l, filled_l, adding_l, would_be_l),
                (dec("20"), dec("15"), dec("14"), dec("1.5"), dec("15.5"))
            );
        }
        other => panic!("expected container_full, got {other:?}"),
    }
    // Exactly at the limit is accepted.
    assert!(
        check(
            &c,
            &add(
                Stream::HalogenatedOrganic,
                Form::Liquid,
                &["chloroform"],
                "1",
                Unit::L
            )
        )
        .is_ok()
    );
}

#[test]
fn kilograms_count_through_the_assumed_density() {
    let c = Container::new(dec("10"), Material::Hdpe);
    let ok = check(
        &c,
        &add(
            Stream::ContaminatedSolid,
            Form::Solid,
            &["silica gel"],
            "2.5",
            Unit::Kg,
        ),
    )
    .expect("fits");
    assert_eq!(ok.adding_l, dec("2.5"));
    assert_eq!(ok.limit_l, dec("9"), "solids fill to 0.90");
}

#[test]
fn a_sealed_container_takes_nothing() {
    let mut c = Container::new(dec("20"), Material::Hdpe);
    c.sealed = true;
    let r = check(
        &c,
        &add(
            Stream::Acid,
            Form::Liquid,
            &["hydrochloric acid"],
            "1",
            Unit::L,
        ),
    );
    assert_eq!(r.map(|_| ()), Err(Refusal::ContainerSealed));
}

#[test]
fn danger_first_cyanide_into_acid_is_incompatible_even_though_the_stream_differs_too() {
    // Solid Waste Law Art.81 (no mixing of incompatible waste), GB 18597-2023 4.3: the refusal names the
    // hydrogen cyanide (GT) before the stream mismatch, which would hide it.
    let mut c = Container::new(dec("20"), Material::Hdpe);
    let acid = add(
        Stream::Acid,
        Form::Liquid,
        &["hydrochloric acid", "water"],
        "2",
        Unit::L,
    );
    let ok = check(&c, &acid).expect("first addition");
    container::apply(&mut c, &acid, &ok);
    let r = check(
        &c,
        &add(
            Stream::CyanideInorganic,
            Form::Liquid,
            &["potassium cyanide", "water"],
            "1",
            Unit::L,
        ),
    );
    match r {
        Err(Refusal::IncompatibleAddition { consequences, .. }) => {
            assert!(consequences.contains(&waste_core::compatibility::Consequence::GT))
        }
        other => panic!("expected incompatible_addition, got {other:?}"),
    }
}

#[test]
fn two_streams_that_do_not_react_are_a_stream_mismatch() {
    let mut c = Container::new(dec("20"), Material::Hdpe);
    let acid = add(
        Stream::Acid,
        Form::Liquid,
        &["hydrochloric acid", "water"],
        "2",
        Unit::L,
    );
    let ok = check(&c, &acid).expect("first addition");
    container::apply(&mut c, &acid, &ok);
    let r = check(
        &c,
        &add(
            Stream::CyanideInorganic,
            Form::Liquid,
            &["water"],
            "1",
            Unit::L,
        ),
    );
    assert_eq!(
        r.map(|_| ()),
        Err(Refusal::StreamMismatch {
            container: "acid".into(),
            addition: "cyanide_inorganic".into()
        })
    );
}

#[test]
fn an_incompatible_addition_in_the_same_stream_names_substances_groups_and_consequences() {
    // Solid Waste Law Art.81: no mixing of incompatible hazardous waste; EPA-600/2-80-076 chart.
    let mut c = Container::new(dec("20"), Material::Hdpe);
    let first = add(
        Stream::CyanideInorganic,
        Form::Liquid,
        &["potassium cyanide", "water"],
        "2",
        Unit::L,
    );
    let ok = check(&c, &first).expect("first");
    container::apply(&mut c, &first, &ok);
    let acidified = add(
        Stream::CyanideInorganic,
        Form::Liquid,
        &["sodium cyanide", "hydrochloric acid"],
        "1",
        Unit::L,
    );
    match check(&c, &acidified) {
        Err(Refusal::IncompatibleAddition {
            reactions,
            consequences,
            citation,
        }) => {
            assert!(consequences.contains(&Consequence::GT));
            assert!(
                reactions
                    .iter()
                    .any(|r| r.adding.contains("hydrochloric acid")
                        && r.present.contains("potassium cyanide")
                        && r.adding_group == 1
                        && r.present_group == 11)
            );
            assert!(citation.contains("Art.81"));
        }
        other => panic!("expected incompatible_addition, got {other:?}"),
    }
    // Oxidising acid + alcohol inside the oxidising-liquid stream: H and F.
    let mut ox = Container::new(dec("10"), Material::Glass);
    let nitric = add(
        Stream::OxidizingLiquid,
        Form::Liquid,
        &["nitric acid", "water"],
        "1",
        Unit::L,
    );
    let ok = check(&ox, &nitric).expect("nitric");
    container::apply(&mut ox, &nitric, &ok);
    let r = check(
        &ox,
        &add(
            Stream::OxidizingLiquid,
            Form::Liquid,
            &["nitric acid", "ethanol"],
            "0.5",
            Unit::L,
        ),
    );
    let Err(Refusal::IncompatibleAddition { consequences, .. }) = r else {
        panic!("expected refusal, got {r:?}")
    };
    assert!(consequences.contains(&Consequence::H) && consequences.contains(&Consequence::F));
}

#[test]
fn container_material_rules() {
    // containers.toml: HF never in glass; acids, mercury and caustics never in metal (GB 18597-2023, compatible container).
    let glass = Container::new(dec("5"), Material::Glass);
    let r = check(
        &glass,
        &add(
            Stream::Acid,
            Form::Liquid,
            &["hydrofluoric acid", "water"],
            "1",
            Unit::L,
        ),
    );
    assert!(
        matches!(r, Err(Refusal::ContainerMaterial { ref material, ref substance, .. }) if material == "glass" && substance.contains("hydrofluoric acid")),
        "{r:?}"
    );
    assert!(
        check(
            &glass,
            &add(
                Stream::Acid,
                Form::Liquid,
                &["hydrochloric acid"],
                "1",
                Unit::L
            )
        )
        .is_ok()
    );
    let metal = Container::new(dec("5"), Material::Metal);
    assert!(matches!(
        check(
            &metal,
            &add(Stream::Acid, Form::Liquid, &["sulfuric acid"], "1", Unit::L)
        ),
        Err(Refusal::ContainerMaterial { .. })
    ));
    assert!(matches!(
        check(
            &metal,
            &add(Stream::Mercury, Form::Liquid, &["mercury"], "0.1", Unit::L)
        ),
        Err(Refusal::ContainerMaterial { .. })
    ));
    assert!(
        check(
            &metal,
            &add(
                Stream::NonHalogenatedOrganic,
                Form::Liquid,
                &["toluene"],
                "1",
                Unit::L
            )
        )
        .is_ok()
    );
    let ptfe = Container::new(dec("5"), Material::Ptfe);
    assert!(
        check(
            &ptfe,
            &add(
                Stream::Acid,
                Form::Liquid,
                &["hydrofluoric acid"],
                "1",
                Unit::L
            )
        )
        .is_ok()
    );
}

#[test]
fn a_waste_without_a_stream_is_refused_from_shared_containers() {
    let c = Container::new(dec("20"), Material::Hdpe);
    let mut a = add(Stream::Acid, Form::Liquid, &["water"], "1", Unit::L);
    a.stream = None;
    assert!(matches!(check(&c, &a), Err(Refusal::NoStream { .. })));
}

#[test]
fn quantities_must_be_positive_and_sane() {
    assert_eq!(
        Quantity::new(dec("0"), Unit::L),
        Err(QuantityError::NotPositive(dec("0")))
    );
    assert_eq!(
        Quantity::new(dec("-1"), Unit::Kg),
        Err(QuantityError::NotPositive(dec("-1")))
    );
    assert!(matches!(
        Quantity::new(dec("10001"), Unit::L),
        Err(QuantityError::Absurd(_))
    ));
    assert!(Quantity::new(dec("0.001"), Unit::L).is_ok());
}

// ---------- labels: HJ 1276-2022 ----------

#[test]
fn label_size_by_container_volume_hj_1276() {
    let rules = &std().labels;
    for (v, side, text, count) in [
        ("1", 100, 3, 1),
        ("50", 100, 3, 1),
        ("50.1", 150, 5, 1),
        ("200", 150, 5, 1),
        ("450", 200, 6, 1),
        ("451", 200, 6, 2),
        ("1000", 200, 6, 2),
    ] {
        let s = rules.size_for(dec(v));
        assert_eq!(
            (s.side_mm, s.text_mm, s.count),
            (side, text, count),
            "{v} L"
        );
    }
}

const USCC: &str = "91110108MA01ABCD2X";

fn label() -> Label {
    let code = HwCode::parse("900-047-49").expect("code");
    Label {
        waste_name: "含卤素有机废液 halogenated organic waste liquid".into(),
        code: Some(code.to_string()),
        category: Some("HW49".into()),
        form: Some(Form::Liquid),
        main_components: vec!["二氯甲烷 dichloromethane".into(), "甲醇 methanol".into()],
        hazards: vec![Hazard::T, Hazard::I],
        precautions: Some("远离火源 keep away from ignition <sources> & heat".into()),
        generation_date: Some(date!(2026 - 11 - 02)),
        generator: "某某大学化学学院 School of Chemistry".into(),
        contact: "张老师 138-0000-0000".into(),
        digital_id: Some(DigitalId::new(USCC, &code, date!(2026 - 11 - 02), 7).expect("id")),
        weight_kg: Some(dec("12.5")),
        remarks: None,
        container_volume_l: dec("20"),
    }
}

#[test]
fn digital_id_is_37_characters_in_4_segments_with_the_code_second() {
    // labels.toml: 18 + 8 + 8 + 3 (widths UNCONFIRMED; 37 characters and 4 segments [S]).
    let id = DigitalId::new(
        USCC,
        &HwCode::parse("900-047-49").expect("code"),
        date!(2026 - 11 - 02),
        7,
    )
    .expect("id");
    assert_eq!(id.as_str().len(), 37);
    assert_eq!(id.segments(), [USCC, "90004749", "20261102", "007"]);
    assert_eq!(id.waste_code(), "900-047-49");
    assert_eq!(DigitalId::parse(id.as_str()), Ok(id.clone()));
    assert!(
        DigitalId::new(
            "SHORT",
            &HwCode::parse("900-047-49").expect("code"),
            date!(2026 - 11 - 02),
            1
        )
        .is_err()
    );
    assert!(
        DigitalId::new(
            USCC,
            &HwCode::parse("900-047-49").expect("code"),
            date!(2026 - 11 - 02),
            1000
        )
        .is_err()
    );
}

#[test]
fn an_incomplete_label_names_every_missing_field_rule_12() {
    let mut l = label();
    assert_eq!(l.check(), Ok(()));
    l.contact = " ".into();
    l.hazards.clear();
    l.digital_id = None;
    assert_eq!(
        l.check(),
        Err(LabelError::Incomplete(vec![
            LabelField::Hazards,
            LabelField::Contact,
            LabelField::DigitalId,
            LabelField::QrCode
        ]))
    );
    let mut l = label();
    l.code = Some("900-041-49".into());
    assert!(matches!(l.check(), Err(LabelError::CodeMismatch { .. })));
    assert!(
        render_svg(&l, &std().labels).is_err(),
        "an incomplete or inconsistent label is not printed"
    );
}

#[test]
fn label_svg_is_xml_with_bilingual_fields_and_a_qr_code_that_decodes_to_the_digital_id() {
    let l = label();
    let svg = render_svg(&l, &std().labels).expect("renders");
    let doc = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
    let root = doc.root_element();
    assert_eq!(
        root.attribute("width"),
        Some("100mm"),
        "≤50 L: 100 mm label"
    );
    let text: String = doc
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    for (zh, en) in [
        ("废物名称", "Waste name"),
        ("废物代码", "Waste code"),
        ("主要成分", "Main components"),
        ("危险特性", "Hazard characteristics"),
        ("产生日期", "Generation date"),
        ("产生单位", "Generator"),
        ("联系人及电话", "Contact"),
        ("数字识别码", "Digital ID"),
    ] {
        assert!(
            text.contains(zh) && text.contains(en),
            "field {zh} {en} printed"
        );
    }
    assert!(
        text.contains("900-047-49") && text.contains("毒性 T") && text.contains("<sources> & heat"),
        "values printed and escaped"
    );

    // Rebuild the QR matrix from the rects and decode it.
    let g = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("qr"))
        .expect("qr group");
    let n: usize = g
        .attribute("data-modules")
        .and_then(|s| s.parse().ok())
        .expect("module count");
    let size = n + 8;
    let mut dark = vec![false; size * size];
    for r in g
        .children()
        .filter(|c| c.has_tag_name("rect") && c.attribute("fill") == Some("#000000"))
    {
        let x: usize = r.attribute("x").and_then(|s| s.parse().ok()).expect("x");
        let y: usize = r.attribute("y").and_then(|s| s.parse().ok()).expect("y");
        dark[y * size + x] = true;
    }
    let scale = 6;
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(size * scale, size * scale, |x, y| {
            if dark[(y / scale) * size + x / scale] {
                0
            } else {
                255
            }
        });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    let (_, content) = grids[0].decode().expect("decodes");
    assert_eq!(
        content,
        l.digital_id
            .as_ref()
            .map(|d| d.as_str().to_owned())
            .unwrap_or_default()
    );

    // Above 450 L the label is 200 mm and two are required.
    let mut big = l.clone();
    big.container_volume_l = dec("1000");
    let svg = render_svg(&big, &std().labels).expect("renders");
    assert!(svg.contains(r#"width="200mm""#) && svg.contains(r#"data-labels="2""#));
}

// ---------- storage ----------

#[test]
fn storage_deadline_one_year_after_the_first_addition_art_81() {
    let s = &std().storage;
    let clock = s.clock(
        SiteKind::TransferStation,
        date!(2026 - 01 - 15),
        date!(2026 - 06 - 01),
    );
    assert_eq!(clock.deadline, date!(2027 - 01 - 15));
    assert_eq!(clock.status, StorageStatus::Ok);
    assert!(clock.source.contains("Art.81"));
    // A Feb-29 start rolls to Feb-28 (the project's convention for "one calendar year" from a leap day).
    assert_eq!(
        s.clock(SiteKind::Lab, date!(2024 - 02 - 29), date!(2024 - 03 - 01))
            .deadline,
        date!(2025 - 02 - 28)
    );
    let soon = s.clock(SiteKind::Lab, date!(2025 - 12 - 01), date!(2026 - 11 - 28));
    assert_eq!((soon.status, soon.days_left), (StorageStatus::DueSoon, 3));
    let over = s.clock(
        SiteKind::StoragePoint,
        date!(2025 - 11 - 01),
        date!(2026 - 11 - 28),
    );
    assert_eq!((over.status, over.days_left), (StorageStatus::Overdue, -27));
    // Generators' limit is a setting, not law.
    assert_eq!(
        s.policy(SiteKind::Lab).confidence,
        waste_core::citation::Confidence::Unconfirmed
    );
}

#[test]
fn a_storage_point_holds_at_most_3_tonnes_gb_18597_8_3_5() {
    let (sites, s) = (&std().sites, &std().storage);
    let point = waste_core::site::SiteKind::StoragePoint;
    assert!(
        sites
            .check_quantity(s, point, dec("2000"), dec("1000"))
            .is_ok()
    );
    let e = sites
        .check_quantity(s, point, dec("2000"), dec("1000.5"))
        .expect_err("over 3 t");
    assert!(e.citation.contains("8.3.5"));
}

#[test]
fn working_days_skip_holidays_and_count_adjusted_weekends() {
    let cal = &std().calendar;
    // National Day 2024: Oct 1–7 off, Sat Oct 12 worked (国办发明电〔2023〕7号).
    let r = cal.add_working_days(date!(2024 - 09 - 30), 5);
    assert_eq!(r.date, date!(2024 - 10 - 12));
    assert!(r.uncovered_years.is_empty());
    // Spring Festival 2025: Jan 28 – Feb 4 off, Sun Jan 26 and Sat Feb 8 worked.
    assert!(cal.is_working_day(date!(2025 - 01 - 26)));
    assert!(!cal.is_working_day(date!(2025 - 01 - 29)));
    assert_eq!(
        cal.add_working_days(date!(2025 - 01 - 27), 1).date,
        date!(2025 - 02 - 05)
    );
    // Beyond the data: weekends only, and the result says which years were not covered.
    let r = cal.add_working_days(date!(2026 - 11 - 27), 5);
    assert_eq!(r.date, date!(2026 - 12 - 04));
    assert_eq!(r.uncovered_years, vec![2026]);
}

// ---------- manifests: HW Transfer Measures ----------

#[test]
fn manifest_lifecycle_and_who_may_act() {
    use ManifestState::*;
    assert_eq!(
        transition(Draft, Action::Submit, Some(Party::Shipper), None),
        Ok(Submitted)
    );
    assert_eq!(
        transition(Submitted, Action::Dispatch, Some(Party::Carrier), None),
        Ok(InTransit)
    );
    assert_eq!(
        transition(InTransit, Action::Receive, Some(Party::Receiver), None),
        Ok(Received)
    );
    assert_eq!(
        transition(
            Received,
            Action::ConfirmDisposal,
            Some(Party::Receiver),
            Some(Acceptance::PartiallyRejected)
        ),
        Ok(Disposed)
    );
    assert_eq!(
        transition(Submitted, Action::Cancel, Some(Party::Shipper), None),
        Ok(Cancelled)
    );
    // Art.10/11: the carrier does not submit; nobody outside the manifest acts.
    assert_eq!(
        transition(Draft, Action::Submit, Some(Party::Carrier), None),
        Err(TransitionError::WrongParty {
            action: Action::Submit,
            expected: Party::Shipper,
            actual: Some(Party::Carrier)
        })
    );
    assert!(matches!(
        transition(Draft, Action::Submit, None, None),
        Err(TransitionError::WrongParty { .. })
    ));
    // No cancel after dispatch, no disposal before receipt.
    assert_eq!(
        transition(InTransit, Action::Cancel, Some(Party::Shipper), None),
        Err(TransitionError::InvalidTransition {
            state: InTransit,
            action: Action::Cancel
        })
    );
    assert_eq!(
        transition(
            Submitted,
            Action::ConfirmDisposal,
            Some(Party::Receiver),
            None
        ),
        Err(TransitionError::InvalidTransition {
            state: Submitted,
            action: Action::ConfirmDisposal
        })
    );
    assert_eq!(
        transition(
            Received,
            Action::ConfirmDisposal,
            Some(Party::Receiver),
            Some(Acceptance::Rejected)
        ),
        Err(TransitionError::NothingAccepted)
    );
}

#[test]
fn acceptance_from_the_lines_art_12() {
    assert_eq!(Acceptance::of([true, true]), Some(Acceptance::Accepted));
    assert_eq!(
        Acceptance::of([true, false]),
        Some(Acceptance::PartiallyRejected)
    );
    assert_eq!(Acceptance::of([false]), Some(Acceptance::Rejected));
    assert_eq!(Acceptance::of([]), None);
}

#[test]
fn manifest_number_is_year_province_city_serial_art_15() {
    let n = ManifestNumber::new(2026, "220102", 42).expect("number");
    assert_eq!(n.as_str(), "20262201000042");
    assert_eq!((n.year(), n.region(), n.serial()), ("2026", "2201", 42));
    assert!(ManifestNumber::new(2026, "22010", 1).is_err());
    assert!(ManifestNumber::new(2026, "220102", 1_000_000).is_err());
    assert!(ManifestNumber::parse("2026220100004").is_err());
}

#[test]
fn weight_reconciliation_flags_differences_beyond_tolerance_art_18() {
    let m = &std().manifest;
    // Tolerance: the larger of 2 % and 0.5 kg (manifest.toml, a setting).
    assert!(!m.reconcile(dec("12.000"), dec("12.400")).discrepancy);
    let r = m.reconcile(dec("12.000"), dec("11.400"));
    assert!(r.discrepancy);
    assert_eq!((r.difference_kg, r.allowed_kg), (dec("-0.600"), dec("0.5")));
    let big = m.reconcile(dec("100"), dec("101.9"));
    assert!(!big.discrepancy, "2 % of 100 kg is 2 kg");
}

#[test]
fn receipt_deadline_is_5_working_days_after_delivery_art_18() {
    let r = std()
        .manifest
        .receipt_deadline(&std().calendar, date!(2024 - 09 - 30));
    assert_eq!(r.date, date!(2024 - 10 - 12));
}

// ---------- custody chain ----------

fn events(n: usize) -> Vec<custody::Event> {
    let mut out: Vec<custody::Event> = Vec::new();
    for i in 0..n {
        let e = custody::chain(
            out.last(),
            NewEvent {
                aggregate: "container:C1".into(),
                kind: "addition".into(),
                actor: "user:U1".into(),
                at: format!("2026-11-28T10:00:{:02}.000000Z", i % 60),
                payload: json!({"quantity": format!("{i}.5"), "unit": "L", "b": [1, 2]}),
            },
        );
        out.push(e);
    }
    out
}

#[test]
fn a_chain_verifies_and_every_tampering_is_reported_at_its_link() {
    let chain = events(5);
    assert_eq!(custody::verify(&chain), Ok(5));
    assert_eq!(chain[0].prev_hash, custody::GENESIS);
    assert_eq!(chain[3].prev_hash, chain[2].hash);

    let mut t = chain.clone();
    t[2].payload = json!({"quantity": "99", "unit": "L", "b": [1, 2]});
    assert_eq!(
        custody::verify(&t).map_err(|b| (b.index, b.kind)),
        Err((2, Break::Hash))
    );
    let mut t = chain.clone();
    t[1].actor = "user:U2".into();
    assert_eq!(
        custody::verify(&t).map_err(|b| (b.index, b.kind)),
        Err((1, Break::Hash))
    );
    let mut t = chain.clone();
    t.remove(2);
    assert_eq!(
        custody::verify(&t).map_err(|b| (b.index, b.kind)),
        Err((2, Break::Seq))
    );
    let mut t = chain.clone();
    t.swap(1, 2);
    assert!(custody::verify(&t).is_err());
    // Re-hashing a changed event does not help: the next link's prev_hash no longer matches.
    let mut t = chain.clone();
    t[1].kind = "seal".into();
    t[1].hash = custody::hash_of(
        &t[1].aggregate,
        t[1].seq,
        &t[1].kind,
        &t[1].actor,
        &t[1].at,
        &t[1].payload,
        &t[1].prev_hash,
    );
    assert_eq!(
        custody::verify(&t).map_err(|b| (b.index, b.kind)),
        Err((2, Break::PrevHash))
    );
}

#[test]
fn payload_key_order_does_not_change_the_hash() {
    let a =
        serde_json::from_str::<serde_json::Value>(r#"{"b":1,"a":{"y":2,"x":[3,{"q":1,"p":2}]}}"#)
            .expect("json");
    let b =
        serde_json::from_str::<serde_json::Value>(r#"{"a":{"x":[3,{"p":2,"q":1}],"y":2},"b":1}"#)
            .expect("json");
    assert_eq!(
        custody::hash_of("m:1", 1, "k", "u", "t", &a, custody::GENESIS),
        custody::hash_of("m:1", 1, "k", "u", "t", &b, custody::GENESIS)
    );
    // Field boundaries are unambiguous: moving a character between fields changes the hash.
    assert_ne!(
        custody::hash_of("ab", 1, "c", "u", "t", &a, custody::GENESIS),
        custody::hash_of("a", 1, "bc", "u", "t", &a, custody::GENESIS)
    );
}

#[test]
fn event_time_keeps_microseconds_in_utc() {
    let t = time::macros::datetime!(2026-11-28 18:30:05.123456789 +08:00);
    assert_eq!(custody::format_at(t), "2026-11-28T10:30:05.123456Z");
}
