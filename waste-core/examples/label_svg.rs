//! Prints a sample HJ 1276-2022 label as SVG: `cargo run -p waste-core --example label_svg > label.svg`.

use rust_decimal::Decimal;
use time::macros::date;
use waste_core::Standards;
use waste_core::catalogue::HwCode;
use waste_core::hazard::Hazard;
use waste_core::label::{DigitalId, Label, render_svg};
use waste_core::request::Form;

fn main() {
    let code = HwCode::parse("900-047-49").expect("valid code");
    let label = Label {
        waste_name: "含卤素有机废液 halogenated organic waste liquid".into(),
        code: Some(code.to_string()),
        category: Some("HW49".into()),
        form: Some(Form::Liquid),
        main_components: vec![
            "二氯甲烷 dichloromethane 85%".into(),
            "甲醇 methanol 15%".into(),
        ],
        hazards: vec![Hazard::T, Hazard::I],
        precautions: Some("远离火源 keep away from ignition sources".into()),
        generation_date: Some(date!(2026 - 11 - 02)),
        generator: "某某大学化学学院 School of Chemistry".into(),
        contact: "张老师 138-0000-0000".into(),
        digital_id: Some(
            DigitalId::new("91110108MA01ABCD2X", &code, date!(2026 - 11 - 02), 7)
                .expect("valid id"),
        ),
        weight_kg: Some(Decimal::new(125, 1)),
        remarks: None,
        container_volume_l: Decimal::from(20),
    };
    match render_svg(&label, &Standards::embedded().labels) {
        Ok(svg) => println!("{svg}"),
        Err(e) => eprintln!("label: {e}"),
    }
}
