//! Issue 32: the data behind the biological path, the oxidising mixtures and the label's look are checked when
//! they load, and their settings decide (turning one off changes the decision).

use rust_decimal::Decimal;
use std::str::FromStr;
use time::macros::date;
use waste_core::catalogue::HwCode;
use waste_core::hazard::Hazard;
use waste_core::hazardous::HazardOutcome;
use waste_core::label::{DigitalId, Label, render_svg};
use waste_core::standards::Sources;
use waste_core::stream::Stream;
use waste_core::{Standards, classify_json};

const ON: time::Date = date!(2026 - 11 - 30);

const PLATES: &str = r#"{"form":"solid","origin":"experiment_residue","lab_kind":"biological","biological":"culture"}"#;

/// medical-waste-2021.toml `[biological_lab] infectious_as_medical` is a setting: on (the data), E. coli plates of
/// a biology lab are 841-001-01; off, the same plates are not given a medical-waste code but sent to
/// identification (their category cannot be settled), and never into a chemical stream.
#[test]
fn the_biological_lab_setting_decides() {
    let on = classify_json(Standards::embedded(), PLATES, ON).expect("valid");
    assert_eq!(on.hazardous.code.as_deref(), Some("841-001-01"));
    assert_eq!(on.stream, Some(Stream::MedicalInfectious));
    let text = standards_data::MEDICAL_WASTE_2021.replacen(
        "infectious_as_medical = true",
        "infectious_as_medical = false",
        1,
    );
    assert_ne!(text, standards_data::MEDICAL_WASTE_2021);
    let off = Standards::parse(Sources {
        medical: &text,
        ..Sources::EMBEDDED
    })
    .expect("valid data");
    let c = classify_json(&off, PLATES, ON).expect("valid");
    assert_eq!(c.hazardous.outcome, HazardOutcome::NeedsIdentification);
    assert_eq!(c.hazardous.code, None);
    assert!(
        c.trace
            .iter()
            .any(|s| s.result.contains("setting") || s.rule.contains("setting")),
        "{:?}",
        c.trace
    );
    // A medical laboratory's waste is medical waste whatever the setting.
    let blood =
        r#"{"form":"solid","origin":"research_sample","lab_kind":"medical","biological":"blood"}"#;
    let c = classify_json(&off, blood, ON).expect("valid");
    assert_eq!(c.hazardous.code.as_deref(), Some("841-001-01"));
    assert_eq!(c.hazardous.hazards, vec![Hazard::In]);
}

/// The medical-waste data is checked when it loads: a category naming an unknown stream, a material without a
/// row, a category the rules do not assign.
#[test]
fn medical_waste_data_is_checked_when_it_loads() {
    let parse = |text: &str| {
        Standards::parse(Sources {
            medical: text,
            ..Sources::EMBEDDED
        })
        .err()
        .unwrap_or_default()
    };
    let src = standards_data::MEDICAL_WASTE_2021;
    let e = parse(&src.replacen("stream = \"medical_sharps\"", "stream = \"sharps_box\"", 1));
    assert!(e.contains("sharps_box"), "{e}");
    let e = parse(&src.replacen("id = \"tissue\"", "id = \"organ\"", 1));
    assert!(e.contains("organ"), "{e}");
    let e = parse(&src.replacen("code = \"841-005-01\"", "code = \"841-009-01\"", 1));
    assert!(e.contains("841-009-01"), "{e}");
}

/// streams.toml `[[oxidizing_mixture]]`: a part's fraction decides (the piranha's sulfuric acid raised above the
/// liquid's makes it a plain acid), and bad data is refused.
#[test]
fn oxidizing_mixture_parts_decide_and_bad_data_is_refused() {
    let piranha = r#"{"form":"liquid","origin":"vessel_cleaning_residue","components":[{"name":"sulfuric acid","fraction":"0.72"},{"name":"hydrogen peroxide","fraction":"0.06"},{"name":"water","fraction":"0.22"}]}"#;
    let c = classify_json(Standards::embedded(), piranha, ON).expect("valid");
    assert_eq!(c.stream, Some(Stream::OxidizingLiquid));
    let src = standards_data::STREAMS;
    let stricter = src.replacen("at_least = \"0.50\"", "at_least = \"0.80\"", 1);
    assert_ne!(stricter, src);
    let std = Standards::parse(Sources {
        streams: &stricter,
        ..Sources::EMBEDDED
    })
    .expect("valid data");
    let c = classify_json(&std, piranha, ON).expect("valid");
    assert_eq!(c.stream, Some(Stream::Acid), "{:?}", c.trace);
    let bad = src.replacen("at_least = \"0.50\"", "at_least = \"1.5\"", 1);
    let e = Standards::parse(Sources {
        streams: &bad,
        ..Sources::EMBEDDED
    })
    .err()
    .unwrap_or_default();
    assert!(e.contains("acid_piranha") && e.contains("at_least"), "{e}");
}

/// A gas whose only hazard is pressure is outside 900-999-49; chlorine (toxic and oxidising) is inside, and the
/// trace names the hazards that put it there.
#[test]
fn a_cylinder_takes_its_code_from_its_hazards_and_the_trace_says_why() {
    let gas = |name: &str| {
        format!(
            r#"{{"form":"gas_in_container","origin":"unused_reagent","components":[{{"name":"{name}"}}]}}"#
        )
    };
    let c = classify_json(Standards::embedded(), &gas("chlorine"), ON).expect("valid");
    assert_eq!(c.hazardous.code.as_deref(), Some("900-999-49"));
    assert!(
        c.trace
            .iter()
            .any(|s| s.rule.contains("chlorine (toxicity, reactivity)")),
        "{:?}",
        c.trace
    );
    for inert in ["nitrogen", "argon", "helium", "carbon dioxide"] {
        let c = classify_json(Standards::embedded(), &gas(inert), ON).expect("valid");
        assert_eq!(
            c.hazardous.outcome,
            HazardOutcome::NeedsIdentification,
            "{inert}"
        );
        assert!(
            c.trace
                .iter()
                .any(|s| s.rule.contains("only hazard is pressure")),
            "{inert}: {:?}",
            c.trace
        );
    }
}

/// Bad biological input is refused naming the field: the flags on a chemical laboratory's waste, an unknown
/// material, blood of a medical laboratory declared not infectious; a biology lab's residue with nothing declared
/// says how to declare it.
#[test]
fn bad_biological_input_names_its_field() {
    let refuse = |json: &str| classify_json(Standards::embedded(), json, ON).expect_err("refused");
    let e = refuse(r#"{"form":"solid","origin":"experiment_residue","infectious":true}"#);
    assert_eq!(e.field, "infectious");
    let e = refuse(r#"{"form":"solid","origin":"experiment_residue","biological":"culture"}"#);
    assert_eq!(e.field, "biological");
    let e = refuse(
        r#"{"form":"solid","origin":"experiment_residue","lab_kind":"biological","biological":"phage"}"#,
    );
    assert_eq!(e.field, "biological");
    assert!(e.message.contains("culture"), "{}", e.message);
    let e = refuse(
        r#"{"form":"solid","origin":"research_sample","lab_kind":"medical","biological":"blood","infectious":false}"#,
    );
    assert_eq!(e.field, "infectious");
    let e = refuse(r#"{"form":"solid","origin":"experiment_residue","lab_kind":"biological"}"#);
    assert_eq!(e.field, "components");
    assert!(e.message.contains("\"biological\""), "{}", e.message);
}

fn label() -> Label {
    let code = HwCode::parse("841-001-01").expect("code");
    Label {
        waste_name: "废弃培养基 used culture plates".into(),
        code: Some(code.to_string()),
        category: Some("HW01".into()),
        form: None,
        main_components: vec!["LB 琼脂 LB agar".into()],
        hazards: vec![Hazard::In],
        precautions: None,
        generation_date: Some(date!(2026 - 12 - 07)),
        generator: "某某中学".into(),
        contact: "张老师 138-0000-0000".into(),
        digital_id: Some(
            DigitalId::new("91110108MA01ABCD2X", &code, date!(2026 - 12 - 07), 1).expect("id"),
        ),
        weight_kg: None,
        remarks: None,
        container_volume_l: Decimal::from_str("20").expect("decimal"),
    }
}

/// labels.toml `[look]`: the background and border colours come from the data (orange-yellow RGB 255,150,0 [S]),
/// the confidence of each unconfirmed setting is carried on the drawing, and a pictogram setting with no artwork
/// in the data is refused.
#[test]
fn the_label_colours_come_from_the_data_with_their_confidence() {
    let svg = render_svg(&label(), &Standards::embedded().labels).expect("renders");
    let doc = roxmltree::Document::parse(&svg).expect("well formed");
    let bg = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("background"))
        .expect("a background");
    assert_eq!(bg.attribute("fill"), Some("#FF9600"));
    assert_eq!(bg.attribute("stroke"), Some("#000000"));
    let root = doc.root_element();
    assert_eq!(root.attribute("data-colour-confidence"), Some("S"));
    assert_eq!(
        root.attribute("data-field-order-confidence"),
        Some("UNCONFIRMED")
    );
    assert_eq!(root.attribute("fill"), Some("#000000"), "text is black");
    assert!(svg.contains("感染性 In"), "the infectious hazard in words");

    let src = standards_data::LABELS;
    let other = src.replacen("background = \"#FF9600\"", "background = \"#FFFF00\"", 1);
    let std = Standards::parse(Sources {
        labels: &other,
        ..Sources::EMBEDDED
    })
    .expect("valid");
    let svg = render_svg(&label(), &std.labels).expect("renders");
    assert!(svg.contains(r##"id="background" x="0.75" y="0.75""##) && svg.contains("#FFFF00"));
    let bad = src.replacen("\npictograms = false", "\npictograms = true", 1);
    assert_ne!(bad, src);
    let e = Standards::parse(Sources {
        labels: &bad,
        ..Sources::EMBEDDED
    })
    .err()
    .unwrap_or_default();
    assert!(e.contains("pictograms"), "{e}");
    let bad = src.replacen("background = \"#FF9600\"", "background = \"orange\"", 1);
    assert!(
        Standards::parse(Sources {
            labels: &bad,
            ..Sources::EMBEDDED
        })
        .is_err()
    );
}
