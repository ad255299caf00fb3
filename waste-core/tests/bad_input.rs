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

/// docs/rules.md "API conventions": decimals travel as JSON strings so no precision is lost; a bare number is refused, not rounded.
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
