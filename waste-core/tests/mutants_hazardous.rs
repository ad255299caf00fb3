//! Worked cases for every decision of `waste_core::hazardous` (National Catalogue of Hazardous Wastes, 2025
//! edition as embedded; its Art.2 listing and Art.6 identification of unclear hazard; the exemption list),
//! written so that each fails when the decision changes (docs/mutation-testing.md, `scripts/mutants.sh
//! hazardous`).
//!
//! Not pinned here on purpose (issue #32 is changing them): the medical-laboratory codes (HW01 841-*), biological
//! laboratories, gas in containers.

use time::Date;
use time::macros::date;
use waste_core::Standards;
use waste_core::citation::{Explanation, WarningCode};
use waste_core::hazard::{Hazard, HazardSet};
use waste_core::hazardous::{HazardDecision, HazardOutcome, decide};
use waste_core::identification::{Identification, SolidWasteOutcome};
use waste_core::request::{Waste, parse_request};

const ON: Date = date!(2026 - 06 - 01);

fn std() -> &'static Standards {
    Standards::embedded()
}
fn waste(json: &str) -> Waste {
    Waste::parse(parse_request(json).expect("request"), &std().substances).expect("waste")
}
fn decide_as(json: &str, outcome: SolidWasteOutcome) -> (HazardDecision, Explanation) {
    let c = std().catalogue_on(ON);
    let ident = Identification {
        outcome,
        clause: "4.1 b)".to_owned(),
    };
    let mut ex = Explanation::default();
    let d = decide(
        c.catalogue,
        c.articles,
        &std().substances,
        &std().medical,
        &waste(json),
        &ident,
        &mut ex,
    );
    (d, ex)
}
fn decided(json: &str) -> (HazardDecision, Explanation) {
    decide_as(json, SolidWasteOutcome::SolidWaste)
}
fn unclear() -> &'static str {
    std().catalogue_on(ON).articles.unclear_hazard
}
fn listing() -> &'static str {
    std().catalogue_on(ON).articles.listing
}
fn cat_name() -> &'static str {
    &std().catalogue_on(ON).catalogue.name
}
fn set(hs: &[Hazard]) -> HazardSet {
    let mut s = HazardSet::EMPTY;
    for h in hs {
        s.insert(*h);
    }
    s
}
const ALL_FOUR: [Hazard; 4] = [Hazard::T, Hazard::C, Hazard::I, Hazard::R];
fn keys(ex: &Explanation) -> Vec<&'static str> {
    ex.warnings.iter().map(|w| w.words.key).collect()
}
/// Asserts a listing under `code` with `hazards`, and the trace step that cites it.
fn assert_listed(d: &HazardDecision, ex: &Explanation, code: &str, hazards: &[Hazard]) {
    assert_eq!(d.outcome, HazardOutcome::Hazardous, "{d:?}");
    assert_eq!(d.code.as_ref().map(|c| c.as_str()), Some(code));
    assert_eq!(d.clause, code);
    assert_eq!(d.hazards, set(hazards), "hazards of {code}");
    let step = ex.trace.last().expect("a step");
    assert_eq!(step.citation, format!("{} {code}", cat_name()));
    assert_eq!(step.result, format!("hazardous, {code}"));
}
fn assert_needs_identification(d: &HazardDecision) {
    assert_eq!(d.outcome, HazardOutcome::NeedsIdentification, "{d:?}");
    assert_eq!(d.code, None);
    assert_eq!(d.clause, unclear());
}

// ---------- the order of concern ----------

#[test]
fn the_outcomes_are_ranked_by_concern_for_never_less_hazardous_checks() {
    let ranked = [
        HazardOutcome::NotApplicable,
        HazardOutcome::NotHazardous,
        HazardOutcome::Exempt,
        HazardOutcome::NeedsIdentification,
        HazardOutcome::Hazardous,
    ];
    for (i, o) in ranked.into_iter().enumerate() {
        assert_eq!(usize::from(o.rank()), i, "{o:?}");
    }
}

// ---------- not a waste under GB 34330: the catalogue does not apply ----------

#[test]
fn catalogue_art_2_does_not_apply_to_what_gb_34330_does_not_make_waste() {
    let json =
        r#"{"form":"liquid","origin":"experiment_residue","components":[{"name":"acetone"}]}"#;
    for outcome in [
        SolidWasteOutcome::NotSolidWaste,
        SolidWasteOutcome::NotLiquidWaste,
        SolidWasteOutcome::OutOfScope,
    ] {
        let (d, ex) = decide_as(json, outcome);
        assert_eq!(d.outcome, HazardOutcome::NotApplicable, "{outcome:?}");
        assert_eq!(d.code, None);
        assert!(d.hazards.is_empty());
        assert_eq!(d.clause, listing());
        assert_eq!(
            ex.trace.last().expect("step").result,
            "not applicable: not a waste under GB 34330"
        );
    }
    let (d, ex) = decide_as(json, SolidWasteOutcome::Undetermined);
    assert_needs_identification(&d);
    assert_eq!(
        d.hazards,
        set(&[Hazard::I]),
        "acetone's characteristic is kept"
    );
    assert_eq!(
        ex.trace.last().expect("step").rule,
        "the waste itself is undetermined under GB 34330"
    );
    let (d, _) = decided(json);
    assert_eq!(d.outcome, HazardOutcome::Hazardous, "solid waste: decided");
}

// ---------- 900-047-49: laboratory waste ----------

#[test]
fn catalogue_900_047_49_a_laboratory_liquid_with_a_solvent_with_the_characteristics_its_components_show()
 {
    let (d, ex) = decided(
        r#"{"form":"liquid","origin":"experiment_residue","components":[{"name":"acetone"}]}"#,
    );
    // T/C/I/R: every component known, so only those they show (acetone: I).
    assert_listed(&d, &ex, "900-047-49", &[Hazard::I]);
    assert_eq!(keys(&ex), vec!["industrial_solvent"]);
    assert_eq!(ex.warnings[0].code, WarningCode::IndustrialCodeNotAssigned);
    // An unknown part may have any: all four kept.
    let (d, ex) = decided(
        r#"{"form":"liquid","origin":"experiment_residue","components":[{"name":"acetone","fraction":"0.5"},{"name":"zzz unknown residue"}]}"#,
    );
    assert_listed(&d, &ex, "900-047-49", &ALL_FOUR);
}

#[test]
fn catalogue_900_047_49_each_listed_content_brings_the_waste_in_scope() {
    // Flags of the entry's text, each on a substance without a recorded characteristic where one exists.
    for (name, hazards) in [
        ("sodium carbonate", vec![]),
        ("sodium fluoride", vec![Hazard::T]),
        ("copper(II) sulfate", vec![Hazard::T]),
        ("mercury(II) chloride", vec![Hazard::T]),
        ("potassium cyanide", vec![Hazard::T]),
        ("formaldehyde", vec![Hazard::T, Hazard::C, Hazard::I]),
        ("hydrochloric acid", vec![Hazard::C]),
        ("mineral oil", vec![Hazard::T, Hazard::I]),
    ] {
        let (d, ex) = decided(&format!(
            r#"{{"form":"liquid","origin":"experiment_residue","components":[{{"name":"{name}"}}]}}"#
        ));
        assert_eq!(d.outcome, HazardOutcome::Hazardous, "{name}");
        assert_eq!(d.clause, "900-047-49", "{name}");
        if hazards.is_empty() {
            // T/C/I/R is "one or more": nothing shown, so the whole notation stands.
            assert_eq!(d.hazards, set(&ALL_FOUR), "{name}");
        } else {
            assert_eq!(d.hazards, set(&hazards), "{name}");
        }
        assert!(
            !keys(&ex).contains(&"industrial_solvent"),
            "{name}: not a solvent"
        );
    }
}

#[test]
fn catalogue_900_047_49_a_residue_with_a_characteristic_but_no_listed_content_is_in_scope() {
    // Potassium permanganate: an oxidiser (T, R), none of the entry's listed contents.
    let (d, ex) = decided(
        r#"{"form":"solid","origin":"research_sample","components":[{"name":"potassium permanganate"}]}"#,
    );
    assert_listed(&d, &ex, "900-047-49", &[Hazard::T, Hazard::R]);
}

#[test]
fn catalogue_art_2_a_fully_declared_benign_residue_is_not_hazardous() {
    let (d, ex) = decided(
        r#"{"form":"liquid","origin":"experiment_residue","components":[{"name":"sodium chloride","fraction":"0.1"},{"name":"water","fraction":"0.9"}]}"#,
    );
    assert_eq!(d.outcome, HazardOutcome::NotHazardous);
    assert_eq!(d.code, None);
    assert!(d.hazards.is_empty());
    assert_eq!(d.clause, listing());
    let step = ex.trace.last().expect("step");
    assert_eq!(step.citation, format!("{} {}", cat_name(), listing()));
    assert_eq!(step.result, "not hazardous");
    assert!(ex.warnings.is_empty());
    // A single component without a fraction is the whole waste.
    let (d, _) = decided(
        r#"{"form":"solid","origin":"experiment_residue","components":[{"name":"glucose"}]}"#,
    );
    assert_eq!(d.outcome, HazardOutcome::NotHazardous);
}

#[test]
fn catalogue_art_6_a_benign_residue_not_fully_declared_needs_identification() {
    let (d, ex) = decided(
        r#"{"form":"liquid","origin":"experiment_residue","components":[{"name":"sodium chloride","fraction":"0.1"}]}"#,
    );
    assert_needs_identification(&d);
    assert!(d.hazards.is_empty());
    assert_eq!(keys(&ex), vec!["incomplete"]);
    assert_eq!(ex.warnings[0].code, WarningCode::IncompleteComposition);
    let step = ex.trace.last().expect("step");
    assert_eq!(step.citation, format!("{} {}", cat_name(), unclear()));
    assert_eq!(step.result, "needs identification (GB 5085)");
}

#[test]
fn catalogue_art_6_a_benign_residue_with_an_unknown_component_needs_identification() {
    let (d, ex) = decided(
        r#"{"form":"liquid","origin":"experiment_residue","components":[{"name":"sodium chloride","fraction":"0.1"},{"name":"zzz unknown residue","fraction":"0.9"}]}"#,
    );
    assert_needs_identification(&d);
    assert!(ex.warnings.is_empty(), "{:?}", keys(&ex));
    assert_eq!(
        ex.trace.last().expect("step").rule,
        "a component is unknown, so hazard cannot be ruled out"
    );
}

// ---------- 900-999-49: discarded hazardous chemicals ----------

#[test]
fn catalogue_900_999_49_a_discarded_reagent_listed_in_the_catalogue_of_hazardous_chemicals() {
    for origin in [
        "expired_reagent",
        "unused_reagent",
        "off_spec_product",
        "contaminated_reagent",
    ] {
        let (d, ex) = decided(&format!(
            r#"{{"form":"liquid","origin":"{origin}","components":[{{"name":"methanol"}}]}}"#
        ));
        assert_listed(&d, &ex, "900-999-49", &[Hazard::T, Hazard::I]);
    }
}

#[test]
fn catalogue_900_999_49_a_reagent_not_listed_is_decided_by_its_components() {
    // Sodium chloride: not a listed hazardous chemical, benign, the whole reagent: not hazardous.
    let (d, _) = decided(
        r#"{"form":"solid","origin":"expired_reagent","components":[{"name":"sodium chloride"}]}"#,
    );
    assert_eq!(d.outcome, HazardOutcome::NotHazardous);
    assert_eq!(d.clause, listing());
    // Lead: not listed as a hazardous chemical but toxic: identification, with the warning.
    let (d, ex) =
        decided(r#"{"form":"solid","origin":"unused_reagent","components":[{"name":"lead"}]}"#);
    assert_needs_identification(&d);
    assert_eq!(d.hazards, set(&[Hazard::T]));
    assert_eq!(keys(&ex), vec!["hazard_no_entry"]);
    assert_eq!(ex.warnings[0].code, WarningCode::IdentificationRequired);
    assert_eq!(
        ex.trace.last().expect("step").rule,
        "a component has hazard characteristics; no entry applies"
    );
}

// ---------- the other lab-relevant entries ----------

#[test]
fn catalogue_900_017_14_a_novel_substance_keeps_every_listed_characteristic() {
    let (d, ex) =
        decided(r#"{"form":"solid","origin":"novel_substance","components":[{"name":"glucose"}]}"#);
    assert_listed(&d, &ex, "900-017-14", &ALL_FOUR);
}

#[test]
fn catalogue_codes_by_origin_expired_drug_mercury_devices_lamps_and_photographic_chemicals() {
    for (origin, code) in [
        ("expired_drug", "900-002-03"),
        ("mercury_device", "900-024-29"),
        ("mercury_lamp", "900-023-29"),
        ("photographic_chemicals", "900-019-16"),
    ] {
        let (d, ex) = decided(&format!(
            r#"{{"form":"solid","origin":"{origin}","components":[{{"name":"sodium chloride"}}]}}"#
        ));
        assert_listed(&d, &ex, code, &[Hazard::T]);
    }
}

#[test]
fn catalogue_hw49_hw31_hw29_a_battery_by_its_chemistry() {
    let battery = |names: &[&str]| {
        let comps: Vec<String> = names
            .iter()
            .map(|n| format!(r#"{{"name":"{n}"}}"#))
            .collect();
        decided(&format!(
            r#"{{"form":"solid","origin":"battery","components":[{}]}}"#,
            comps.join(",")
        ))
    };
    let (d, ex) = battery(&["lead", "cadmium hydroxide", "mercury"]);
    assert_listed(&d, &ex, "900-044-49", &[Hazard::T]);
    assert_eq!(
        ex.trace.last().expect("step").rule,
        "cadmium-nickel battery (cadmium in cadmium hydroxide)"
    );
    let (d, ex) = battery(&["mercury", "lead"]);
    assert_listed(&d, &ex, "900-052-31", &[Hazard::T]);
    // T,C: T definite, C possible and shown by the acid.
    let (d, ex) = battery(&["lead", "sulfuric acid"]);
    assert_listed(&d, &ex, "900-052-31", &[Hazard::T, Hazard::C]);
    let (d, ex) = battery(&["sodium hydroxide", "mercury"]);
    assert_listed(&d, &ex, "900-024-29", &[Hazard::T]);
    // Undeclared chemistry: identification, asking for it.
    let (d, ex) = battery(&[]);
    assert_needs_identification(&d);
    assert_eq!(keys(&ex), vec!["battery"]);
    // A chemistry that is none of them: decided by the components.
    let (d, ex) = battery(&["zzz unknown electrolyte"]);
    assert_needs_identification(&d);
    assert!(ex.warnings.is_empty(), "{:?}", keys(&ex));
    let (d, _) = battery(&["sodium chloride"]);
    assert_eq!(d.outcome, HazardOutcome::NotHazardous);
}

#[test]
fn catalogue_animal_carcass_of_a_non_medical_laboratory_needs_identification() {
    let (d, ex) = decided(r#"{"form":"solid","origin":"animal_carcass","components":[]}"#);
    assert_needs_identification(&d);
    assert_eq!(keys(&ex), vec!["carcass"]);
}

#[test]
fn exemption_list_item_24_oily_rags_not_collected_separately_are_exempt() {
    let (d, ex) = decided(
        r#"{"form":"solid","origin":"oily_rags_or_ppe","components":[{"name":"mineral oil"}]}"#,
    );
    assert_listed(&d, &ex, "900-041-49", &[Hazard::T]);
    let (d, ex) = decided(
        r#"{"form":"solid","origin":"oily_rags_or_ppe","sorted_collection":false,"components":[{"name":"mineral oil"}]}"#,
    );
    assert_eq!(d.outcome, HazardOutcome::Exempt);
    assert_eq!(d.clause, "exemption list item 24");
    assert_eq!(d.code.as_ref().map(|c| c.as_str()), Some("900-041-49"));
    let step = ex.trace.last().expect("step");
    assert_eq!(step.result, "exempt in all stages");
    assert_eq!(
        step.citation,
        format!("{} exemption list item 24", cat_name())
    );
}

#[test]
fn catalogue_900_039_49_spent_activated_carbon_and_other_adsorbents() {
    let (d, ex) = decided(
        r#"{"form":"solid","origin":"spent_adsorbent","components":[{"name":"activated carbon","fraction":"0.9"},{"name":"acetone","fraction":"0.1"}]}"#,
    );
    assert_listed(&d, &ex, "900-039-49", &[Hazard::T]);
    // Silica with a solvent: laboratory waste.
    let (d, ex) = decided(
        r#"{"form":"solid","origin":"spent_adsorbent","components":[{"name":"acetone","fraction":"0.1"},{"name":"sodium chloride","fraction":"0.9"}]}"#,
    );
    assert_listed(&d, &ex, "900-047-49", &[Hazard::I]);
}

// ---------- labware and packaging (900-047-49 and its cleaned-labware exclusion) ----------

#[test]
fn catalogue_900_047_49_labware_cleaned_per_the_lab_rules_is_excluded() {
    for origin in [
        "contaminated_consumables",
        "empty_packaging",
        "glassware",
        "sharps",
    ] {
        let (d, ex) = decided(&format!(
            r#"{{"form":"solid","origin":"{origin}","cleaned_per_lab_rules":true,"components":[{{"name":"acetone"}}]}}"#
        ));
        assert_eq!(d.outcome, HazardOutcome::NotHazardous, "{origin}");
        assert_eq!(
            d.clause, "900-047-49",
            "{origin}: the entry's own exclusion"
        );
        assert!(d.hazards.is_empty());
        assert_eq!(ex.trace.last().expect("step").result, "not hazardous");
        // Not cleaned: laboratory waste.
        let (d, ex) = decided(&format!(
            r#"{{"form":"solid","origin":"{origin}","components":[{{"name":"acetone","fraction":"0.01"}}]}}"#
        ));
        assert_listed(&d, &ex, "900-047-49", &[Hazard::I]);
    }
}

#[test]
fn catalogue_900_047_49_labware_with_nothing_declared_is_taken_as_contaminated() {
    let (d, ex) = decided(r#"{"form":"solid","origin":"glassware","components":[]}"#);
    assert_listed(&d, &ex, "900-047-49", &ALL_FOUR);
    assert_eq!(keys(&ex), vec!["assumed_contaminated"]);
    assert_eq!(ex.warnings[0].code, WarningCode::AssumedContaminated);
}

#[test]
fn catalogue_art_2_labware_with_only_benign_contamination_declared_is_fully_declared() {
    // On an article the components are its contamination: a small fraction is a full declaration.
    let (d, _) = decided(
        r#"{"form":"solid","origin":"glassware","components":[{"name":"sodium chloride","fraction":"0.01"}]}"#,
    );
    assert_eq!(d.outcome, HazardOutcome::NotHazardous);
    assert_eq!(d.clause, listing());
    // ... but an unknown contamination is not.
    let (d, _) = decided(
        r#"{"form":"solid","origin":"glassware","components":[{"name":"sodium chloride","fraction":"0.01"},{"name":"zzz unknown residue"}]}"#,
    );
    assert_needs_identification(&d);
    // The same small fraction on a residue (not an article) does not account for the whole waste.
    let (d, ex) = decided(
        r#"{"form":"solid","origin":"vessel_cleaning_residue","components":[{"name":"sodium chloride","fraction":"0.01"}]}"#,
    );
    assert_needs_identification(&d);
    assert_eq!(keys(&ex), vec!["incomplete"]);
}

// ---------- issue 32's paths, after their mutation run ----------

/// A cylinder of a known toxic gas with an undeclared companion cannot settle the pressurised-gas exclusion of
/// 900-999-49: identification, not the known gas's listing.
#[test]
fn a_gas_with_an_unknown_part_needs_identification_900_999_49() {
    let (d, ex) = decided(
        r#"{"form":"gas_in_container","origin":"unused_reagent","components":[{"name":"chlorine"},{"name":"an unnamed gas"}]}"#,
    );
    assert_needs_identification(&d);
    assert!(keys(&ex).contains(&"gas_listing"), "{:?}", keys(&ex));
    // The known gas alone is listed.
    let (d, _) = decided(
        r#"{"form":"gas_in_container","origin":"unused_reagent","components":[{"name":"chlorine"}]}"#,
    );
    assert_eq!(d.code.as_ref().map(|c| c.as_str()), Some("900-999-49"));
}

/// The "declared not infectious" step is taken only for a biological laboratory's waste declared so
/// (medical-waste-2021.toml `[biological_lab]`): the same acetone from a biological laboratory, undeclared, goes
/// to the chemical rules without it.
#[test]
fn only_waste_declared_not_infectious_is_said_so_setting() {
    let step = |json: &str| {
        let (_, ex) = decided(json);
        ex.trace
            .iter()
            .any(|s| s.rule == "biological laboratory waste declared not infectious")
    };
    assert!(step(
        r#"{"form":"liquid","origin":"experiment_residue","lab_kind":"biological","infectious":false,"components":[{"name":"acetone","fraction":"1"}]}"#
    ));
    assert!(!step(
        r#"{"form":"liquid","origin":"experiment_residue","lab_kind":"biological","components":[{"name":"acetone","fraction":"1"}]}"#
    ));
}
