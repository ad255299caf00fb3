//! Writes two sample HJ 1276-2022 container labels as SVG (a chemical waste and a biology lab's culture plates), to
//! look at or print at true size: `cargo run -p waste-core --example label -- OUT_DIR`.

use rust_decimal::Decimal;
use time::macros::date;
use waste_core::Standards;
use waste_core::catalogue::HwCode;
use waste_core::hazard::Hazard;
use waste_core::label::{DigitalId, Label, render_svg};

fn label(code: &str, name: &str, components: &[&str], hazards: Vec<Hazard>) -> Label {
    let code = HwCode::parse(code).expect("code");
    Label {
        waste_name: name.into(),
        category: Some(code.category()),
        code: Some(code.to_string()),
        form: None,
        main_components: components.iter().map(|c| (*c).to_owned()).collect(),
        hazards,
        precautions: None,
        generation_date: Some(date!(2026 - 12 - 07)),
        generator: "长春市第一中学 化学实验室 B-304".into(),
        contact: "张老师 138-0000-0000".into(),
        digital_id: Some(
            DigitalId::new("91220102MA0000001X", &code, date!(2026 - 12 - 07), 1).expect("id"),
        ),
        weight_kg: None,
        remarks: None,
        container_volume_l: Decimal::new(20, 0),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let rules = &Standards::embedded().labels;
    let chemical = label(
        "900-047-49",
        "含卤素有机废液 halogenated organic liquid waste",
        &["二氯甲烷 dichloromethane 85%", "甲醇 methanol 15%"],
        vec![Hazard::T, Hazard::I],
    );
    let plates = label(
        "841-001-01",
        "感染性废物 used LB-agar culture plates",
        &["LB 琼脂培养基 LB agar, E. coli K-12"],
        vec![Hazard::In],
    );
    std::fs::write(
        format!("{out}/label-chemical.svg"),
        render_svg(&chemical, rules)?,
    )?;
    std::fs::write(
        format!("{out}/label-culture.svg"),
        render_svg(&plates, rules)?,
    )?;
    Ok(())
}
