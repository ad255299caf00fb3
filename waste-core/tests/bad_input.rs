//! Bad input is a clear error naming the field: never a panic, never a guess.

use time::macros::date;
use waste_core::{InputError, Standards, classify_json};

fn refuse(json: &str) -> InputError {
    match classify_json(Standards::embedded(), json, date!(2026 - 11 - 28)) {
        Ok(r) => panic!("accepted: {json} -> {r:?}"),
        Err(e) => e,
    }
}

fn with_components(components: &str) -> String {
    format!(r#"{{"form":"liquid","origin":"experiment_residue","components":{components}}}"#)
}

#[test]
fn fraction_outside_0_1_names_the_fraction() {
    for f in ["1.5", "-0.1"] {
        let e = refuse(&with_components(&format!(
            r#"[{{"name":"acetone","fraction":"{f}"}}]"#
        )));
        assert_eq!(e.field, "components[0].fraction");
        assert!(e.message.contains("outside [0, 1]"), "{}", e.message);
    }
}

#[test]
fn fractions_summing_above_1_are_refused() {
    let e = refuse(&with_components(
        r#"[{"name":"acetone","fraction":"0.7"},{"name":"water","fraction":"0.4"}]"#,
    ));
    assert_eq!(e.field, "components");
    assert!(e.message.contains("1.1"), "{}", e.message);
}

#[test]
fn wrong_cas_check_digit_names_the_cas() {
    let e = refuse(&with_components(
        r#"[{"name":"dichloromethane","cas":"75-09-3"}]"#,
    ));
    assert_eq!(e.field, "components[0].cas");
    assert!(e.message.contains("check digit"), "{}", e.message);
}

#[test]
fn unknown_origin_and_form_name_their_field() {
    let e = refuse(r#"{"form":"liquid","origin":"volcano","components":[{"name":"water"}]}"#);
    assert_eq!(e.field, "origin");
    assert!(e.message.contains("volcano"), "{}", e.message);
    let e = refuse(
        r#"{"form":"plasma","origin":"experiment_residue","components":[{"name":"water"}]}"#,
    );
    assert_eq!(e.field, "form");
    let e = refuse(r#"{"form":"liquid","origin":"other","fate":"burn"}"#);
    assert_eq!(e.field, "fate");
}

#[test]
fn malformed_json_and_wrong_types_are_refused() {
    let e = refuse(r#"{"form":"liquid","origin":"#);
    assert!(!e.message.is_empty());
    let e = refuse(r#"{"form":"liquid","origin":"other","radioactive":"yes"}"#);
    assert_eq!(e.field, "radioactive");
    let e = refuse(&with_components(
        r#"[{"name":"acetone","fraction":"a lot"}]"#,
    ));
    assert_eq!(e.field, "components[0].fraction");
    let e = refuse(r#"[1,2,3]"#);
    assert!(!e.message.is_empty());
    let e = refuse("");
    assert!(!e.message.is_empty());
}

#[test]
fn missing_required_fields_are_named() {
    let e = refuse(r#"{"origin":"other"}"#);
    assert!(e.message.contains("form"), "{}", e.message);
    let e = refuse(r#"{"form":"liquid","origin":"experiment_residue"}"#);
    assert_eq!(e.field, "components");
}

#[test]
fn unknown_fields_are_refused_not_ignored() {
    let e = refuse(r#"{"form":"liquid","origin":"other","fraktion":"0.5"}"#);
    assert!(e.message.contains("fraktion"), "{}", e.message);
}

#[test]
fn a_name_and_a_cas_of_two_substances_are_not_guessed_between() {
    let e = refuse(&with_components(
        r#"[{"name":"dichloromethane","cas":"67-56-1"}]"#,
    ));
    assert_eq!(e.field, "components[0]");
    assert!(
        e.message.contains("methanol") && e.message.contains("dichloromethane"),
        "{}",
        e.message
    );
}

#[test]
fn a_component_needs_a_name_or_a_cas() {
    let e = refuse(&with_components(r#"[{"fraction":"0.5"}]"#));
    assert_eq!(e.field, "components[0]");
}

#[test]
fn discharge_of_a_solid_is_refused() {
    let e = refuse(r#"{"form":"solid","origin":"other","fate":"discharge_meets_standard"}"#);
    assert_eq!(e.field, "fate");
}

#[test]
fn oversized_input_is_refused() {
    let many: Vec<String> = (0..51).map(|i| format!(r#"{{"name":"x{i}"}}"#)).collect();
    let e = refuse(&with_components(&format!("[{}]", many.join(","))));
    assert_eq!(e.field, "components");
    let long = "x".repeat(2001);
    let e = refuse(&format!(
        r#"{{"form":"liquid","origin":"other","description":"{long}"}}"#
    ));
    assert_eq!(e.field, "description");
}

/// Decimals travel as JSON strings so no precision is lost; a bare number is refused, not rounded.
#[test]
fn fractions_travel_as_strings() {
    let e = refuse(&with_components(r#"[{"name":"acetone","fraction":0.25}]"#));
    assert_eq!(e.field, "components[0].fraction");
    let r = classify_json(
        Standards::embedded(),
        &with_components(
            r#"[{"name":"acetone","fraction":"0.250"},{"name":"water","fraction":"0.75"}]"#,
        ),
        date!(2026 - 11 - 28),
    );
    assert_eq!(
        r.expect("accepted").components[0]
            .fraction
            .map(|d| d.to_string())
            .as_deref(),
        Some("0.250")
    );
}

/// Issue 17 item 5: content after the JSON object is refused, not ignored (the first object was classified before).
#[test]
fn trailing_content_after_the_object_is_refused() {
    let one = r#"{"form":"liquid","origin":"experiment_residue","components":[{"name":"water"}]}"#;
    for trailing in [" xx", " {}", "\n{\"form\":\"solid\"}", ","] {
        let e = refuse(&format!("{one}{trailing}"));
        assert_eq!(e.field, "body");
        assert!(e.message.contains("after the JSON object"), "{}", e.message);
    }
    // White space after the object is not content.
    assert!(
        classify_json(
            Standards::embedded(),
            &format!("{one}\n\r\n  "),
            date!(2026 - 11 - 28)
        )
        .is_ok()
    );
}

/// Issue 17 item 5: a UTF-8 byte-order mark (what Windows Notepad writes) is accepted.
#[test]
fn a_utf8_byte_order_mark_is_accepted() {
    let json = "\u{feff}{\"form\":\"liquid\",\"origin\":\"experiment_residue\",\"components\":[{\"name\":\"acetone\"}]}";
    let r = classify_json(Standards::embedded(), json, date!(2026 - 11 - 28)).expect("accepted");
    assert_eq!(r.hazardous.code.as_deref(), Some("900-047-49"));
}

/// Issue 17 item 5: an enum error lists the accepted values, also for a value of the wrong type.
#[test]
fn enum_errors_list_the_accepted_values() {
    for (json, field, value) in [
        (
            r#"{"form":"plasma","origin":"other"}"#,
            "form",
            "semi_solid",
        ),
        (r#"{"form":3,"origin":"other"}"#, "form", "gas_in_container"),
        (
            r#"{"form":"liquid","origin":null}"#,
            "origin",
            "experiment_residue",
        ),
        (
            r#"{"form":"liquid","origin":"other","fate":["discard"]}"#,
            "fate",
            "neutralize_then_discharge",
        ),
        (
            r#"{"form":"liquid","origin":"other","lab_kind":"physics"}"#,
            "lab_kind",
            "biological",
        ),
        (
            r#"{"form":"solid","origin":"contaminated_consumables","material":"wood"}"#,
            "material",
            "gloves",
        ),
        (
            r#"{"form":"solid","origin":"spent_adsorbent","adsorbent_use":1}"#,
            "adsorbent_use",
            "purification",
        ),
    ] {
        let e = refuse(json);
        assert_eq!(e.field, field, "{json}");
        assert!(e.message.contains(value), "{json}: {}", e.message);
    }
}

/// Issue 17 item 5: the input size is capped with a message that says so.
#[test]
fn a_request_larger_than_the_cap_is_refused_before_parsing() {
    let big = format!(
        r#"{{"form":"liquid","origin":"other","description":"{}"}}"#,
        " ".repeat(waste_core::request::MAX_REQUEST_BYTES)
    );
    let e = refuse(&big);
    assert_eq!(e.field, "body");
    assert!(e.message.contains("bytes"), "{}", e.message);
}

/// Issue 10 item 7: the message spells the origin as the API does.
#[test]
fn a_missing_composition_names_the_origin_as_the_api_spells_it() {
    let e = refuse(r#"{"form":"liquid","origin":"experiment_residue"}"#);
    assert_eq!(e.field, "components");
    assert!(
        e.message.contains("\"experiment_residue\""),
        "{}",
        e.message
    );
    assert!(!e.message.contains("experimentresidue"), "{}", e.message);
}

/// `material` and `adsorbent_use` describe one origin each: elsewhere they are refused, not ignored.
#[test]
fn material_and_adsorbent_use_only_for_their_origin() {
    let e = refuse(r#"{"form":"solid","origin":"glassware","material":"glass"}"#);
    assert_eq!(e.field, "material");
    let e = refuse(
        r#"{"form":"solid","origin":"contaminated_consumables","adsorbent_use":"purification"}"#,
    );
    assert_eq!(e.field, "adsorbent_use");
}

/// Issue 32 item 5: an empty or blank fraction is refused, naming the field; it is never read as "not given"
/// (which would make a lone component the whole waste). Absent and null still mean "not given".
#[test]
fn an_empty_or_blank_fraction_is_refused() {
    for f in ["", " ", "\t"] {
        let json = serde_json::json!({"form": "liquid", "origin": "experiment_residue",
            "components": [{"name": "acetone", "fraction": f}]})
        .to_string();
        let e = refuse(&json);
        assert_eq!(e.field, "components[0].fraction", "{f:?}");
        assert!(e.message.contains("empty fraction"), "{}", e.message);
    }
    for c in [
        r#"[{"name":"acetone"}]"#,
        r#"[{"name":"acetone","fraction":null}]"#,
    ] {
        let r = classify_json(
            Standards::embedded(),
            &with_components(c),
            date!(2026 - 11 - 28),
        )
        .expect("absent or null fraction is accepted");
        assert_eq!(r.components[0].fraction, None);
    }
    let r = classify_json(
        Standards::embedded(),
        &with_components(r#"[{"name":"acetone","fraction":" 0.5 "}]"#),
        date!(2026 - 11 - 28),
    )
    .expect("a padded decimal is read");
    assert_eq!(
        r.components[0].fraction,
        Some(rust_decimal::Decimal::new(5, 1))
    );
}
