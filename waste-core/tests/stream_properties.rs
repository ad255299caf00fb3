//! Properties of the stream precedence and of the discharge exclusions (issue 17):
//! - a trace (at most 0.1 %) of any strong oxidiser never moves a mercury, cyanide or heavy-metal liquid out of its
//!   stream (streams.toml: "strongly oxidising" reads the oxidiser's fraction against its threshold);
//! - no liquid holding a first-class pollutant of GB 8978-1996 Table 1 is ever `not_liquid_waste` under
//!   GB 34330-2017 7.1–7.3, whatever discharge the user declares.

use proptest::prelude::*;
use rust_decimal::Decimal;
use time::macros::date;
use waste_core::identification::SolidWasteOutcome;
use waste_core::request::{ComponentRequest, Fate, Form, LabKind, Origin, WasteRequest};
use waste_core::stream::Stream;
use waste_core::substance::{Flag, Substance};
use waste_core::{Standards, Waste, classify};

const TRACE_MAX_PPM: i64 = 1000; // 0.1 %

fn names(keep: impl Fn(&Substance) -> bool) -> Vec<String> {
    Standards::embedded()
        .substances
        .iter()
        .filter(|s| keep(s))
        .map(|s| s.name_en.clone())
        .collect()
}

fn oxidizing(s: &Substance) -> bool {
    s.has(Flag::Oxidizer) || s.has(Flag::OxidizingAcid)
}

/// Mercury, cyanide and heavy-metal substances that are not themselves strong oxidisers.
fn metal_or_cyanide() -> Vec<String> {
    names(|s| {
        (s.has(Flag::Mercury) || s.has(Flag::Cyanide) || s.has(Flag::HeavyMetal)) && !oxidizing(s)
    })
}

/// Anything else a school liquid may hold, oxidisers excluded (they are what the property adds).
fn other_non_oxidizers() -> Vec<String> {
    names(|s| !oxidizing(s) && s.name_en != "water")
}

/// Every strong oxidiser, except those that carry mercury or cyanide themselves (mercury(II) oxide): their mercury
/// legitimately moves a heavy-metal liquid to the mercury stream, whatever their oxidising nature.
fn oxidizers() -> Vec<String> {
    names(|s| oxidizing(s) && !s.has(Flag::Mercury) && !s.has(Flag::Cyanide))
}

fn frac(ppm: i64) -> Decimal {
    Decimal::new(ppm, 6)
}

fn component(name: &str, ppm: Option<i64>) -> ComponentRequest {
    ComponentRequest {
        name: Some(name.to_owned()),
        cas: None,
        fraction: ppm.map(frac),
    }
}

fn liquid(components: Vec<ComponentRequest>, fate: Fate) -> WasteRequest {
    WasteRequest {
        description: String::new(),
        form: Form::Liquid,
        origin: Origin::ExperimentResidue,
        fate,
        lab_kind: LabKind::Chemical,
        radioactive: false,
        cleaned_per_lab_rules: false,
        sorted_collection: true,
        material: None,
        adsorbent_use: None,
        infectious: None,
        biological: None,
        components,
    }
}

fn stream_of(req: WasteRequest) -> Option<Stream> {
    let std = Standards::embedded();
    let waste = Waste::parse(req, &std.substances).expect("generated requests are valid");
    classify(std, &waste, date!(2026 - 11 - 30)).stream
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 400,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(
                "tests/proptest-regressions/stream_properties.txt",
            ),
        )),
        ..ProptestConfig::default()
    }
}

/// The property below rests on the data: every threshold must be above the largest trace it adds.
#[test]
fn every_oxidizer_threshold_is_above_a_trace() {
    let smallest = Standards::embedded().streams.oxidizers.smallest();
    assert!(
        smallest > frac(TRACE_MAX_PPM),
        "streams.toml: a threshold of {smallest} would let a 0.1 % trace decide a stream"
    );
}

/// A first-class-pollutant carrier, for the discharge property: matched by the GB 8978-1996 data itself.
fn first_class_carriers() -> Vec<String> {
    let std = Standards::embedded();
    std.substances
        .iter()
        .filter(|s| {
            let req = liquid(vec![component(&s.name_en, None)], Fate::Discard);
            Waste::parse(req, &std.substances)
                .map(|w| !std.discharge.first_class(&std.substances, &w).is_empty())
                .unwrap_or(false)
        })
        .map(|s| s.name_en.clone())
        .collect()
}

#[test]
fn the_first_class_carriers_cover_every_metal_of_table_1_in_the_substance_table() {
    let carriers = first_class_carriers();
    for name in [
        "mercury(II) chloride",
        "cadmium nitrate",
        "lead(II) nitrate",
        "potassium dichromate",
        "chromium(III) sulfate",
        "arsenic trioxide",
        "nickel(II) sulfate",
        "silver nitrate",
        "beryllium",
    ] {
        assert!(
            carriers.iter().any(|c| c == name),
            "{name} is not recognised as a GB 8978-1996 Table 1 pollutant"
        );
    }
    // Copper is a second-class pollutant: it does not block the exclusions by itself.
    assert!(!carriers.iter().any(|c| c == "copper(II) sulfate"));
}

proptest! {
    #![proptest_config(config())]

    /// Streams.toml precedence: a trace (<= 0.1 %) of any strong oxidiser added to a mercury, cyanide or heavy-metal
    /// liquid never changes its stream.
    #[test]
    fn a_trace_of_oxidiser_never_moves_a_mercury_cyanide_or_heavy_metal_liquid(
        metal in proptest::sample::select(metal_or_cyanide()),
        metal_ppm in 1i64..200_000,
        others in proptest::collection::vec((proptest::sample::select(other_non_oxidizers()), 1i64..100_000), 0..3),
        oxidizer in proptest::sample::select(oxidizers()),
        trace_ppm in 1i64..=TRACE_MAX_PPM,
    ) {
        let mut parts = vec![component(&metal, Some(metal_ppm))];
        let mut used = metal_ppm;
        for (name, ppm) in &others {
            parts.push(component(name, Some(*ppm)));
            used += ppm;
        }
        let water = 1_000_000 - used;
        prop_assume!(water > TRACE_MAX_PPM);
        let before = stream_of(liquid(
            parts.iter().cloned().chain([component("water", Some(water))]).collect(),
            Fate::Discard,
        ));
        prop_assume!(matches!(
            before,
            Some(Stream::Mercury | Stream::CyanideInorganic | Stream::CyanideOrganic | Stream::HeavyMetal)
        ));
        let after = stream_of(liquid(
            parts
                .into_iter()
                .chain([component(&oxidizer, Some(trace_ppm)), component("water", Some(water - trace_ppm))])
                .collect(),
            Fate::Discard,
        ));
        prop_assert_eq!(before, after, "adding {} at {} ppm", oxidizer, trace_ppm);
    }

    /// GB 34330-2017 7.1–7.3 with GB 8978-1996 Table 1: a liquid holding a first-class pollutant, at any declared
    /// fraction or none, is never `not_liquid_waste`.
    #[test]
    fn no_liquid_with_a_first_class_pollutant_is_ever_not_liquid_waste(
        pollutant in proptest::sample::select(first_class_carriers()),
        pollutant_ppm in proptest::option::of(1i64..500_000),
        others in proptest::collection::vec(proptest::sample::select(other_non_oxidizers()), 0..3),
        fate in proptest::sample::select(vec![
            Fate::DischargeMeetsStandard,
            Fate::TreatThenDischarge,
            Fate::NeutralizeThenDischarge,
        ]),
        acid in any::<bool>(),
    ) {
        let std = Standards::embedded();
        let mut parts = vec![component(&pollutant, pollutant_ppm)];
        parts.extend(others.iter().map(|n| component(n, None)));
        if acid {
            // An acid makes 7.3 (neutralised acid or alkali) otherwise applicable.
            parts.push(component("hydrochloric acid", None));
        }
        let waste = Waste::parse(liquid(parts, fate), &std.substances).expect("valid");
        let c = classify(std, &waste, date!(2026 - 11 - 30));
        prop_assert_ne!(c.solid_waste.outcome, SolidWasteOutcome::NotLiquidWaste);
        prop_assert!(c.solid_waste.outcome.is_waste());
    }
}
