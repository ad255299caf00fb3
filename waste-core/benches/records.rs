//! The HJ 1259-2022 ledger and annual report derived from 10,000 container histories (each a whole chain:
//! additions, seal, pickup, manifest, receipt, disposal), as a busy transfer station's year would give.

use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use std::hint::black_box;
use time::Duration;
use time::macros::datetime;
use waste_core::container::Unit;
use waste_core::party::OrgKind;
use waste_core::records::ledger::{
    Addition, ContainerDescription, ContainerHistory, Disposal, Party, Pickup, Receipt, Shipment,
    Step, WasteDescription,
};
use waste_core::records::{Period, RecordRules, annual_report, ledger};

fn party(id: &str, kind: OrgKind) -> Party {
    Party {
        id: id.into(),
        name: id.into(),
        kind,
        licence_number: Some("L-1".into()),
    }
}

fn histories(n: usize) -> Vec<ContainerHistory> {
    let start = datetime!(2026-01-01 01:00 UTC);
    (0..n)
        .map(|i| {
            let t = start + Duration::minutes(50 * i as i64);
            let step = |h: i64| Step {
                at: t + Duration::hours(h),
                by: "someone".into(),
            };
            ContainerHistory {
                container_id: format!("c{i:06}"),
                digital_id: None,
                generator: party(&format!("school{}", i % 50), OrgKind::School),
                lab: "B-304".into(),
                waste: WasteDescription {
                    name: "waste".into(),
                    category: Some("HW49".into()),
                    code: Some("900-047-49".into()),
                    hazards: vec!["T".into()],
                },
                container: ContainerDescription {
                    material: "hdpe".into(),
                    capacity_l: Decimal::from(20),
                },
                additions: (0..5)
                    .map(|k| Addition {
                        at: t + Duration::minutes(k),
                        quantity: Decimal::from(2),
                        unit: if k % 2 == 0 { Unit::L } else { Unit::Kg },
                        by: "x".into(),
                    })
                    .collect(),
                sealed: Some(step(1)),
                pickup: Some(Pickup {
                    at: t + Duration::hours(48),
                    station: party("station", OrgKind::TransferStation),
                    gross_weight_kg: Decimal::from(11),
                    by: "x".into(),
                }),
                shipments: vec![Shipment {
                    manifest_number: format!("2026220100{:04}", i / 20),
                    shipper: party("station", OrgKind::TransferStation),
                    receiver: party("firm", OrgKind::DisposalFirm),
                    dispatched: Some(step(96)),
                    shipped_weight_kg: Decimal::from(11),
                    receipt: Some(Receipt {
                        at: t + Duration::hours(100),
                        received_weight_kg: Some(Decimal::from(11)),
                        accepted: true,
                        by: "x".into(),
                    }),
                    disposal: Some(Disposal {
                        at: t + Duration::hours(200),
                        method: "D10".into(),
                        by: "x".into(),
                    }),
                    entered_at: None,
                }],
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let rules = RecordRules::embedded();
    let zone = waste_core::calendar::Zone::default();
    let h = histories(10_000);
    c.bench_function(
        "ledger of a station, 10,000 containers (30,000 records)",
        |b| b.iter(|| ledger(rules, &zone, black_box("station"), &h, Period::ALL)),
    );
    c.bench_function("annual report of a station, 10,000 containers", |b| {
        b.iter(|| annual_report(rules, &zone, black_box("station"), &h, 2026))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
