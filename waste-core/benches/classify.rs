//! Classification of a 5-component waste, from a parsed request and from JSON text.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use time::macros::date;
use waste_core::{Standards, Waste, classify, classify_json, parse_request};

const FIVE: &str = r#"{
  "description": "HPLC and work-up waste",
  "form": "liquid",
  "origin": "experiment_residue",
  "components": [
    {"name": "dichloromethane", "cas": "75-09-2", "fraction": "0.40"},
    {"name": "methanol", "cas": "67-56-1", "fraction": "0.25"},
    {"name": "acetonitrile", "fraction": "0.20"},
    {"name": "trifluoroacetic acid", "fraction": "0.05"},
    {"name": "water", "fraction": "0.10"}
  ]
}"#;

fn bench(c: &mut Criterion) {
    let std = Standards::embedded();
    let on = date!(2026 - 11 - 28);
    let req = parse_request(FIVE).expect("valid");
    let waste = Waste::parse(req.clone(), &std.substances).expect("valid");
    c.bench_function("classify 5-component waste (parsed)", |b| {
        b.iter(|| classify(std, black_box(&waste), on))
    });
    c.bench_function("parse + resolve + classify 5 components", |b| {
        b.iter(|| {
            classify(
                std,
                &Waste::parse(black_box(req.clone()), &std.substances).expect("valid"),
                on,
            )
        })
    });
    c.bench_function("classify_json 5 components (from text)", |b| {
        b.iter(|| classify_json(std, black_box(FIVE), on))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
