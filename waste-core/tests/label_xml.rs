//! Whatever text a school types (a lab or generator name with U+FFFE, control characters, markup), the label and
//! its digital id render as a well-formed SVG document (issue 14, finding 9), and the 1000th digital id of a
//! code on one day is refused with the HJ 1276-2022 layout named, never made shorter or longer than 37.

use proptest::prelude::*;
use rust_decimal::Decimal;
use std::str::FromStr;
use time::macros::date;
use waste_core::Standards;
use waste_core::catalogue::HwCode;
use waste_core::hazard::Hazard;
use waste_core::label::{DigitalId, DigitalIdError, Label, render_svg};

const USCC: &str = "91110108MA01ABCD2X";

fn label(user: &str) -> Label {
    let code = HwCode::parse("900-047-49").expect("code");
    Label {
        waste_name: format!("废液 {user}"),
        code: Some(code.to_string()),
        category: Some("HW49".into()),
        form: None,
        main_components: vec![user.to_owned(), "甲醇 methanol".into()],
        hazards: vec![Hazard::T],
        precautions: Some(user.to_owned()),
        generation_date: Some(date!(2026 - 11 - 02)),
        generator: format!("某某中学 {user}"),
        contact: format!("{user} 138-0000-0000"),
        digital_id: Some(DigitalId::new(USCC, &code, date!(2026 - 11 - 02), 7).expect("id")),
        weight_kg: None,
        remarks: Some(user.to_owned()),
        container_volume_l: Decimal::from_str("20").expect("decimal"),
    }
}

fn parses(user: &str) -> Result<(), String> {
    let svg = render_svg(&label(user), &Standards::embedded().labels).map_err(|e| e.to_string())?;
    roxmltree::Document::parse(&svg)
        .map(|_| ())
        .map_err(|e| format!("{e}: {svg}"))
}

#[test]
fn a_lab_name_with_u_fffe_or_control_characters_still_renders_a_well_formed_svg() {
    for user in [
        "实验室\u{FFFE}B-304",
        "\u{FFFF}",
        "a\u{0}b\u{1}c\u{1B}d\u{7F}e\u{85}",
        "<script>&amp;\"'</script>]]>",
        "\u{D7FF}\u{E000}\u{10FFFF}",
    ] {
        assert_eq!(parses(user), Ok(()), "{user:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_user_text_renders_a_well_formed_svg(user in "\\PC{0,40}|[\\x00-\\x1F\u{FFFE}\u{FFFF}a<&]{0,20}") {
        prop_assert_eq!(parses(&user), Ok(()));
    }
}

#[test]
fn the_1000th_digital_id_of_a_code_on_one_day_is_refused_hj_1276_2022() {
    let code = HwCode::parse("900-047-49").expect("code");
    let last = DigitalId::new(USCC, &code, date!(2026 - 11 - 02), 999).expect("999 fits");
    assert_eq!(last.as_str().len(), 37);
    let e = DigitalId::new(USCC, &code, date!(2026 - 11 - 02), 1000).expect_err("1000 does not");
    assert_eq!(e, DigitalIdError::Sequence(1000));
    assert!(e.to_string().contains("HJ 1276-2022"), "{e}");
}
