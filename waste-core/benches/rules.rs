//! Core rules: an addition checked against a container of 50 prior additions, a label SVG rendering, and the
//! verification of a 10,000-event custody chain.

use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use serde_json::json;
use std::hint::black_box;
use time::macros::date;
use waste_core::Standards;
use waste_core::catalogue::HwCode;
use waste_core::container::{self, Addition, Container, Material, Quantity, Unit};
use waste_core::custody::{self, NewEvent};
use waste_core::hazard::Hazard;
use waste_core::label::{DigitalId, Label, render_svg};
use waste_core::request::Form;
use waste_core::stream::Stream;

fn bench(c: &mut Criterion) {
    let std = Standards::embedded();
    let t = &std.substances;
    // 50 prior additions of compatible organic solvents (each 2–3 substances): contents of a real solvent drum.
    let solvents = [
        "methanol",
        "ethanol",
        "acetone",
        "2-propanol",
        "ethyl acetate",
        "n-hexane",
        "toluene",
        "n-heptane",
        "1-butanol",
        "methyl acetate",
        "cyclohexane",
        "xylene",
        "acetonitrile",
        "2-butanone",
        "tetrahydrofuran",
    ];
    let ids: Vec<_> = solvents
        .iter()
        .map(|n| t.by_name(n).expect("solvent").id)
        .collect();
    let mut cont = Container::new(Decimal::from(1000), Material::Hdpe);
    let one = Quantity::new(Decimal::ONE, Unit::L).expect("1 L");
    for i in 0..50 {
        let add = Addition {
            stream: Some(Stream::NonHalogenatedOrganic),
            form: Form::Liquid,
            substances: vec![ids[i % ids.len()], ids[(i * 7 + 3) % ids.len()]],
            quantity: one,
        };
        let ok =
            container::check(&cont, &add, &std.containers, &std.reactivity, t).expect("compatible");
        container::apply(&mut cont, &add, &ok);
    }
    let new = Addition {
        stream: Some(Stream::NonHalogenatedOrganic),
        form: Form::Liquid,
        substances: vec![ids[0], ids[5], ids[9]],
        quantity: one,
    };
    c.bench_function("check addition vs 50 prior additions", |b| {
        b.iter(|| {
            container::check(
                black_box(&cont),
                black_box(&new),
                &std.containers,
                &std.reactivity,
                t,
            )
        })
    });

    let code = HwCode::parse("900-047-49").expect("code");
    let label = Label {
        waste_name: "含卤素有机废液 halogenated organic waste liquid".into(),
        code: Some(code.to_string()),
        category: Some("HW49".into()),
        form: Some(Form::Liquid),
        main_components: vec!["二氯甲烷 dichloromethane".into(), "甲醇 methanol".into()],
        hazards: vec![Hazard::T, Hazard::I],
        precautions: None,
        generation_date: Some(date!(2026 - 11 - 02)),
        generator: "某某大学化学学院".into(),
        contact: "张老师 138-0000-0000".into(),
        digital_id: Some(
            DigitalId::new("91110108MA01ABCD2X", &code, date!(2026 - 11 - 02), 7).expect("id"),
        ),
        weight_kg: None,
        remarks: None,
        container_volume_l: Decimal::from(20),
    };
    c.bench_function("render label SVG with QR", |b| {
        b.iter(|| render_svg(black_box(&label), &std.labels))
    });

    let mut chain: Vec<custody::Event> = Vec::with_capacity(10_000);
    for i in 0..10_000u32 {
        let e = custody::chain(
            chain.last(),
            NewEvent {
                aggregate: "container:01JBENCH".into(),
                kind: "addition".into(),
                actor: "user:01JUSER".into(),
                at: "2026-11-28T10:00:00.000000Z".into(),
                payload: json!({"quantity": format!("{i}.5"), "unit": "L", "stream": "non_halogenated_organic"}),
            },
        );
        chain.push(e);
    }
    c.bench_function("verify 10,000-event chain", |b| {
        b.iter(|| custody::verify(black_box(&chain)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
