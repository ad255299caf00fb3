//! Properties of the classification: determinism, totality, and monotonicity (adding a hazardous component
//! never makes a waste less hazardous).

use proptest::prelude::*;
use time::macros::date;
use waste_core::request::{
    AdsorbentUse, ComponentRequest, ConsumableMaterial, Fate, Form, LabKind, Origin, WasteRequest,
};
use waste_core::{Standards, Waste, classify, classify_json};

fn substance_names() -> Vec<String> {
    Standards::embedded()
        .substances
        .iter()
        .map(|s| s.name_en.clone())
        .collect()
}

fn hazardous_names() -> Vec<String> {
    Standards::embedded()
        .substances
        .iter()
        .filter(|s| !s.hazards.is_empty())
        .map(|s| s.name_en.clone())
        .collect()
}

fn component() -> impl Strategy<Value = ComponentRequest> {
    let names = substance_names();
    prop_oneof![
        4 => proptest::sample::select(names).prop_map(|n| ComponentRequest { name: Some(n), cas: None, fraction: None }),
        1 => "[a-z]{3,8} [0-9]{1,2}".prop_map(|n| ComponentRequest { name: Some(n), cas: None, fraction: None }),
    ]
}

fn request() -> impl Strategy<Value = WasteRequest> {
    let forms = vec![
        Form::Liquid,
        Form::Solid,
        Form::SemiSolid,
        Form::GasInContainer,
    ];
    let labs = vec![LabKind::Chemical, LabKind::Biological, LabKind::Medical];
    (
        proptest::sample::select(forms),
        proptest::sample::select(Origin::ALL.to_vec()),
        proptest::sample::select(labs),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        proptest::collection::vec(component(), 1..5),
        proptest::sample::select(ConsumableMaterial::ALL.to_vec()),
        proptest::sample::select(AdsorbentUse::ALL.to_vec()),
        any::<bool>(),
    )
        .prop_map(
            |(
                form,
                origin,
                lab_kind,
                radioactive,
                cleaned,
                sorted,
                components,
                material,
                adsorbent_use,
                declare,
            )| WasteRequest {
                description: String::new(),
                form,
                origin,
                fate: Fate::Discard,
                lab_kind,
                radioactive: radioactive && cleaned && sorted, // rarely radioactive
                cleaned_per_lab_rules: cleaned,
                sorted_collection: sorted,
                // Each describes one origin and is refused elsewhere.
                material: (declare && origin == Origin::ContaminatedConsumables)
                    .then_some(material),
                adsorbent_use: (declare && origin == Origin::SpentAdsorbent)
                    .then_some(adsorbent_use),
                infectious: None,
                biological: None,
                components,
            },
        )
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        // Failures are saved here and replayed first on every run; the file is committed.
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(
                "tests/proptest-regressions/properties.txt",
            ),
        )),
        ..ProptestConfig::default()
    }
}

/// The first counterexample proptest found: oily rags (900-041-49, T/In) with a benign component showed the whole
/// "T/In" list; adding MIBK narrows it to T, the characteristic a component indicates. T must stay.
#[test]
fn regression_rags_keep_indicated_toxicity() {
    let std = Standards::embedded();
    let on = date!(2026 - 11 - 28);
    let json = |extra: &str| {
        format!(
            r#"{{"form":"liquid","origin":"oily_rags_or_ppe","components":[{{"name":"barium sulfate"}}{extra}]}}"#
        )
    };
    let before = classify_json(std, &json(""), on).expect("valid");
    let after =
        classify_json(std, &json(r#",{"name":"methyl isobutyl ketone"}"#), on).expect("valid");
    assert_eq!(before.hazardous.code.as_deref(), Some("900-041-49"));
    assert_eq!(
        before.hazardous.hazards,
        vec![waste_core::Hazard::T, waste_core::Hazard::In]
    );
    assert_eq!(after.hazardous.hazards, vec![waste_core::Hazard::T]);
}

proptest! {
    #![proptest_config(config())]

    /// The same request always gives the same classification, also after a JSON round trip.
    #[test]
    fn classification_is_deterministic(req in request()) {
        let std = Standards::embedded();
        let on = date!(2026 - 11 - 28);
        let waste = Waste::parse(req.clone(), &std.substances).expect("generated requests are valid");
        let a = classify(std, &waste, on);
        let b = classify(std, &waste, on);
        prop_assert_eq!(&a, &b);
        let json = serde_json::to_string(&req).expect("serialise");
        let c = classify_json(std, &json, on).expect("round trip is valid");
        prop_assert_eq!(&a, &c);
    }

    /// Adding a component with a hazard characteristic never lowers the outcome's rank, never drops a
    /// characteristic that a component indicated while the code stays, and never changes whether it is a waste.
    /// (A characteristic shown only because nothing narrowed the catalogue's "one or more of" list may give way
    /// to the ones the components do indicate: that is more precise, not less hazardous.)
    #[test]
    fn adding_a_hazardous_component_never_makes_a_waste_less_hazardous(
        req in request(),
        extra in proptest::sample::select(hazardous_names()),
    ) {
        let std = Standards::embedded();
        let on = date!(2026 - 11 - 28);
        let before = classify(std, &Waste::parse(req.clone(), &std.substances).expect("valid"), on);
        let mut more = req.clone();
        more.components.push(ComponentRequest { name: Some(extra.clone()), cas: None, fraction: None });
        let after = classify(std, &Waste::parse(more, &std.substances).expect("valid"), on);
        prop_assert!(
            after.hazardous.outcome.rank() >= before.hazardous.outcome.rank(),
            "{:?} -> {:?} after adding {}", before.hazardous.outcome, after.hazardous.outcome, extra
        );
        if before.hazardous.code == after.hazardous.code {
            let indicated: waste_core::HazardSet = req
                .components
                .iter()
                .filter_map(|c| c.name.as_deref().and_then(|n| std.substances.by_name(n)))
                .fold(waste_core::HazardSet::EMPTY, |acc, s| acc.union(s.hazards));
            for h in before.hazardous.hazards.iter().filter(|h| indicated.contains(**h)) {
                prop_assert!(after.hazardous.hazards.contains(h), "lost indicated {:?} after adding {}", h, extra);
            }
        }
        prop_assert_eq!(before.solid_waste.outcome, after.solid_waste.outcome);
    }

    /// Any text at all gives a result or a named error, never a panic.
    #[test]
    fn arbitrary_text_never_panics(s in ".{0,200}") {
        let _ = classify_json(Standards::embedded(), &s, date!(2026 - 11 - 28));
    }

    /// Arbitrary JSON-shaped input with the right keys but random values never panics.
    #[test]
    fn random_json_values_never_panic(
        form in prop_oneof![Just("\"liquid\"".to_owned()), Just("1".to_owned()), "\"[a-z_]{0,12}\"", Just("null".to_owned())],
        origin in prop_oneof![Just("\"other\"".to_owned()), "\"[a-z_]{0,20}\"", Just("[]".to_owned())],
        frac in prop_oneof![Just("\"0.5\"".to_owned()), Just("\"1e400\"".to_owned()), "-?[0-9]{1,30}(\\.[0-9]{0,30})?", "\"[0-9a-z.\\-]{0,20}\""],
        cas in "\"[0-9\\-]{0,14}\"",
    ) {
        let json = format!(r#"{{"form":{form},"origin":{origin},"components":[{{"name":"x","cas":{cas},"fraction":{frac}}}]}}"#);
        let _ = classify_json(Standards::embedded(), &json, date!(2026 - 11 - 28));
    }
}
