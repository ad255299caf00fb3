//! Worked cases for every decision of `waste_core::identification` (GB 34330-2017: scope §1, exclusions §6 and
//! §7, source criteria §4, definition 3.1; the §7 exclusions guarded by GB 8978-1996 Table 1 and the cyanide trace
//! setting of `gb8978-1996.toml`), written so that each fails when the decision changes
//! (docs/mutation-testing.md, `scripts/mutants.sh identification`).
//!
//! Not pinned here on purpose (issue #32 is changing them): gas cylinders, biological and medical laboratories,
//! the warning for a date before the earliest Catalogue edition.

use std::collections::BTreeMap;
use time::macros::date;
use waste_core::Standards;
use waste_core::citation::{Confidence, Explanation, WarningCode};
use waste_core::edition::Edition;
use waste_core::identification::{
    CITED, Identification, IdentificationStandard, SolidWasteOutcome, identify,
};
use waste_core::request::{Origin, Waste, parse_request};

const GB34330: &str = include_str!("../../standards-data/data/gb34330-2017.toml");

fn std() -> &'static Standards {
    Standards::embedded()
}
fn standard() -> &'static IdentificationStandard {
    &std().identification
}
fn waste(json: &str) -> Waste {
    Waste::parse(parse_request(json).expect("request"), &std().substances).expect("waste")
}
fn identified_with(json: &str, newer: Option<&Edition>) -> (Identification, Explanation) {
    let mut ex = Explanation::default();
    let id = identify(
        standard(),
        newer,
        &std().discharge,
        &std().substances,
        &waste(json),
        &mut ex,
    );
    (id, ex)
}
fn identified(json: &str) -> (Identification, Explanation) {
    identified_with(json, None)
}
fn keys(ex: &Explanation) -> Vec<&'static str> {
    ex.warnings.iter().map(|w| w.words.key).collect()
}
fn text(id: &str) -> String {
    standard().clause(id).expect("clause").text_en.clone()
}
fn name() -> &'static str {
    &standard().name
}
fn liquid(fate: &str, components: &str) -> String {
    format!(
        r#"{{"form":"liquid","origin":"experiment_residue","fate":"{fate}","components":{components}}}"#
    )
}

// ---------- the outcomes ----------

#[test]
fn gb_34330_only_solid_waste_and_undetermined_are_handled_as_waste() {
    for (o, waste) in [
        (SolidWasteOutcome::SolidWaste, true),
        (SolidWasteOutcome::Undetermined, true),
        (SolidWasteOutcome::NotSolidWaste, false),
        (SolidWasteOutcome::NotLiquidWaste, false),
        (SolidWasteOutcome::OutOfScope, false),
    ] {
        assert_eq!(o.is_waste(), waste, "{o:?}");
    }
}

// ---------- the standard as data ----------

#[test]
fn gb_34330_the_embedded_edition_has_its_name_date_and_every_cited_clause() {
    let s = IdentificationStandard::parse(GB34330).expect("parses");
    assert_eq!(s.name, "GB 34330-2017");
    assert_eq!(s.edition, "2017");
    assert_eq!(s.effective_from, date!(2017 - 10 - 01));
    for id in CITED {
        let c = s.clause(id).unwrap_or_else(|| panic!("clause {id}"));
        assert_eq!(c.id, id);
        assert!(!c.text_en.is_empty() && !c.text_zh.is_empty(), "{id}");
    }
    assert!(s.clause("99.9").is_none());
    assert!(s.clauses().count() >= CITED.len());
    assert!(s.clauses().any(|c| c.id == "4.2 c)"));
}

/// The `[[clause]]` blocks of the embedded file, the head apart.
fn blocks() -> (String, Vec<String>) {
    let mut parts = GB34330.split("[[clause]]");
    let head = parts.next().expect("head").to_owned();
    (head, parts.map(|b| format!("[[clause]]{b}")).collect())
}

#[test]
fn gb_34330_a_clause_listed_twice_is_refused() {
    let (head, blocks) = blocks();
    let twice = blocks
        .iter()
        .find(|b| b.contains("id = \"4.2 c)\""))
        .expect("4.2 c)");
    let text = format!("{head}{}{twice}", blocks.concat());
    assert_eq!(
        IdentificationStandard::parse(&text).expect_err("twice"),
        "identification standard: clause 4.2 c) is listed twice"
    );
}

#[test]
fn gb_34330_a_cited_clause_missing_from_the_data_is_refused() {
    let (head, blocks) = blocks();
    for missing in ["7.3", "3.1", "4.3 l)"] {
        let text: String = blocks
            .iter()
            .filter(|b| !b.contains(&format!("id = \"{missing}\"")))
            .cloned()
            .collect();
        assert_eq!(
            IdentificationStandard::parse(&format!("{head}{text}")).expect_err(missing),
            format!("GB 34330-2017: the rules cite clause {missing}, which the data lacks")
        );
    }
    assert!(
        IdentificationStandard::parse("not toml [")
            .expect_err("syntax")
            .starts_with("identification standard: ")
    );
}

// ---------- §1 scope ----------

#[test]
fn gb_34330_clause_1_radioactive_waste_is_out_of_scope() {
    let (id, ex) = identified(
        r#"{"form":"solid","origin":"expired_reagent","radioactive":true,"components":[{"name":"acetone"}]}"#,
    );
    assert_eq!(id.outcome, SolidWasteOutcome::OutOfScope);
    assert_eq!(id.clause, "1");
    assert_eq!(keys(&ex), vec!["radioactive"]);
    assert_eq!(ex.warnings[0].code, WarningCode::OtherRegime);
    assert_eq!(ex.trace.len(), 1, "nothing after the scope");
    assert_eq!(ex.trace[0].citation, format!("{} 1", name()));
    let (id, ex) = identified(
        r#"{"form":"solid","origin":"expired_reagent","components":[{"name":"acetone"}]}"#,
    );
    assert_eq!(id.outcome, SolidWasteOutcome::SolidWaste);
    assert_eq!(ex.trace[0].result, "in scope");
}

// ---------- §6 exclusions by the declared fate ----------

#[test]
fn gb_34330_clause_6_1_the_declared_fate_excludes_with_its_clause() {
    for (fate, clause) in [
        ("reuse_as_is", "6.1 a)"),
        ("return_to_process", "6.1 b)"),
        ("kept_for_analysis", "6.1 d)"),
    ] {
        let (id, ex) = identified(&format!(
            r#"{{"form":"solid","origin":"unused_reagent","fate":"{fate}","components":[{{"name":"acetone"}}]}}"#
        ));
        assert_eq!(
            id,
            Identification {
                outcome: SolidWasteOutcome::NotSolidWaste,
                clause: clause.to_owned()
            },
            "{fate}"
        );
        let step = ex.trace.last().expect("step");
        assert_eq!(step.rule, format!("exclusion: {}", text(clause)));
        assert_eq!(step.citation, format!("{} {clause}", name()));
        assert_eq!(keys(&ex), vec!["claim_fate"]);
        assert_eq!(ex.warnings[0].code, WarningCode::ClaimNeedsEvidence);
    }
}

// ---------- §7 exclusions of discharged liquids ----------

#[test]
fn gb_34330_clauses_7_1_and_7_2_a_discharge_declared_to_meet_its_standard() {
    for (fate, clause) in [
        ("discharge_meets_standard", "7.1"),
        ("treat_then_discharge", "7.2"),
    ] {
        let (id, ex) = identified(&liquid(fate, r#"[{"name":"ethanol"}]"#));
        assert_eq!(id.outcome, SolidWasteOutcome::NotLiquidWaste, "{fate}");
        assert_eq!(id.clause, clause);
        let step = ex.trace.last().expect("step");
        assert_eq!(step.rule, format!("exclusion: {}", text(clause)));
        assert_eq!(step.result, "not managed as liquid waste");
        assert_eq!(keys(&ex), vec!["claim_discharge"]);
        assert!(
            !ex.warnings[0].message.contains("the waste contains"),
            "no component of concern: {}",
            ex.warnings[0].message
        );
    }
}

#[test]
fn gb_34330_clause_7_3_covers_only_a_neutralised_acid_or_alkali() {
    for acid_or_base in ["hydrochloric acid", "sodium hydroxide"] {
        let (id, _) = identified(&liquid(
            "neutralize_then_discharge",
            &format!(
                r#"[{{"name":"{acid_or_base}","fraction":"0.1"}},{{"name":"water","fraction":"0.9"}}]"#
            ),
        ));
        assert_eq!(
            id.outcome,
            SolidWasteOutcome::NotLiquidWaste,
            "{acid_or_base}"
        );
        assert_eq!(id.clause, "7.3");
    }
    let (id, ex) = identified(&liquid(
        "neutralize_then_discharge",
        r#"[{"name":"ethanol","fraction":"0.1"},{"name":"water","fraction":"0.9"}]"#,
    ));
    assert_eq!(id.outcome, SolidWasteOutcome::SolidWaste);
    assert_eq!(id.clause, "4.2 c)");
    assert_eq!(keys(&ex), vec!["neutralised_only"]);
    assert_eq!(ex.warnings[0].code, WarningCode::ExclusionNotApplied);
    assert!(
        ex.trace
            .iter()
            .any(|s| s.result == "no acid or base among the components")
    );
}

#[test]
fn gb_34330_clause_7_a_discharge_claim_names_the_components_discharge_standards_limit() {
    for concern in ["copper(II) sulfate", "dichloromethane", "sodium fluoride"] {
        let (id, ex) = identified(&liquid(
            "discharge_meets_standard",
            &format!(
                r#"[{{"name":"{concern}","fraction":"0.01"}},{{"name":"water","fraction":"0.99"}}]"#
            ),
        ));
        assert_eq!(id.clause, "7.1", "{concern}");
        assert_eq!(keys(&ex), vec!["claim_discharge"]);
        assert!(
            ex.warnings[0].message.ends_with(&format!(
                " (the waste contains {concern}, which discharge standards limit strictly)"
            )),
            "{}",
            ex.warnings[0].message
        );
    }
}

#[test]
fn gb_8978_table_1_a_first_class_pollutant_blocks_every_discharge_exclusion() {
    for fate in [
        "discharge_meets_standard",
        "treat_then_discharge",
        "neutralize_then_discharge",
    ] {
        let (id, ex) = identified(&liquid(
            fate,
            r#"[{"name":"mercury(II) chloride","fraction":"0.001"},{"name":"nitric acid","fraction":"0.05"},{"name":"water","fraction":"0.949"}]"#,
        ));
        assert_eq!(id.outcome, SolidWasteOutcome::SolidWaste, "{fate}");
        assert_eq!(id.clause, "4.2 c)");
        assert_eq!(keys(&ex), vec!["discharge_not_granted"], "{fate}");
        let refused = ex
            .trace
            .iter()
            .find(|s| s.result.starts_with("not granted: the liquid contains "))
            .expect("the refusal step");
        assert!(
            refused.result.contains("first-class pollutants of GB 8978-1996 Table 1: mercury(II) chloride (total mercury, limit "),
            "{}",
            refused.result
        );
        assert!(!refused.result.contains("cyanide"), "{}", refused.result);
    }
}

#[test]
fn gb_8978_cyanide_above_the_trace_setting_blocks_the_exclusion_and_at_it_does_not() {
    let trace = std().discharge.cyanide_trace;
    let at = liquid(
        "treat_then_discharge",
        &format!(
            r#"[{{"name":"potassium cyanide","fraction":"{trace}"}},{{"name":"water","fraction":"{}"}}]"#,
            rust_decimal::Decimal::ONE - trace
        ),
    );
    let (id, _) = identified(&at);
    assert_eq!(
        id.outcome,
        SolidWasteOutcome::NotLiquidWaste,
        "at the trace"
    );
    let (id, ex) = identified(&liquid(
        "treat_then_discharge",
        r#"[{"name":"potassium cyanide"}]"#,
    ));
    assert_eq!(
        id.outcome,
        SolidWasteOutcome::SolidWaste,
        "the whole liquid"
    );
    let refused = ex
        .trace
        .iter()
        .find(|s| s.result.starts_with("not granted"))
        .expect("refusal");
    assert_eq!(
        refused.result,
        format!(
            "not granted: the liquid contains cyanide above a trace (potassium cyanide; total cyanide limit {})",
            std().discharge.cyanide_limit
        )
    );
    assert_eq!(
        refused.citation,
        format!(
            "{} 7.2; {} {} and {}",
            name(),
            std().discharge.name,
            std().discharge.table,
            std().discharge.clause
        )
    );
}

// ---------- §4 source criteria ----------

#[test]
fn gb_34330_clause_4_every_origin_has_its_source_criterion() {
    let expected: [(Origin, &str); 20] = [
        (Origin::OffSpecProduct, "4.1 a)"),
        (Origin::ExpiredReagent, "4.1 b)"),
        (Origin::ExpiredDrug, "4.1 b)"),
        (Origin::ContaminatedReagent, "4.1 c)"),
        (Origin::ContaminatedConsumables, "4.1 c)"),
        (Origin::OilyRagsOrPpe, "4.1 c)"),
        (Origin::EmptyPackaging, "4.1 d)"),
        (Origin::Sharps, "4.1 d)"),
        (Origin::Battery, "4.1 d)"),
        (Origin::PhotographicChemicals, "4.1 d)"),
        (Origin::Glassware, "4.1 h)"),
        (Origin::MercuryDevice, "4.1 h)"),
        (Origin::MercuryLamp, "4.1 h)"),
        (Origin::ResearchSample, "4.1 h)"),
        (Origin::UnusedReagent, "4.1 i)"),
        (Origin::NovelSubstance, "4.1 i)"),
        (Origin::ExperimentResidue, "4.2 c)"),
        (Origin::VesselCleaningResidue, "4.2 g)"),
        (Origin::AnimalCarcass, "4.2 l)"),
        (Origin::SpentAdsorbent, "4.3 l)"),
    ];
    for (origin, clause) in expected {
        let (id, ex) = identified(&format!(
            r#"{{"form":"solid","origin":"{}","components":[{{"name":"acetone"}}]}}"#,
            origin.as_str()
        ));
        assert_eq!(
            id,
            Identification {
                outcome: SolidWasteOutcome::SolidWaste,
                clause: clause.to_owned()
            },
            "{origin:?}"
        );
        let step = ex.trace.last().expect("step");
        assert_eq!(step.rule, format!("source criterion: {}", text(clause)));
        assert_eq!(step.citation, format!("{} {clause}", name()));
        assert!(ex.warnings.is_empty(), "{origin:?}: {:?}", keys(&ex));
    }
}

#[test]
fn gb_34330_clauses_4_2_b_and_4_3_l_a_spent_adsorbent_by_its_use() {
    let adsorbent = |use_: &str| {
        identified(&format!(
            r#"{{"form":"solid","origin":"spent_adsorbent"{use_},"components":[{{"name":"acetone"}}]}}"#
        ))
    };
    let (id, ex) = adsorbent(r#","adsorbent_use":"purification""#);
    assert_eq!(id.clause, "4.2 b)");
    assert_eq!(ex.trace.last().expect("step").result, "solid waste");
    let (id, ex) = adsorbent(r#","adsorbent_use":"pollution_control""#);
    assert_eq!(id.clause, "4.3 l)");
    assert_eq!(ex.trace.last().expect("step").result, "solid waste");
    let (id, ex) = adsorbent("");
    assert_eq!(
        id.clause, "4.3 l)",
        "undeclared: the pollution-control clause"
    );
    assert!(
        ex.trace
            .last()
            .expect("step")
            .result
            .starts_with("solid waste (use not declared: taken as pollution-control media;"),
    );
    // Another origin without an adsorbent use: plain.
    let (_, ex) =
        identified(r#"{"form":"solid","origin":"glassware","components":[{"name":"acetone"}]}"#);
    assert_eq!(ex.trace.last().expect("step").result, "solid waste");
}

#[test]
fn gb_34330_definition_3_1_no_criterion_for_origin_other_is_undetermined() {
    let (id, ex) =
        identified(r#"{"form":"solid","origin":"other","components":[{"name":"acetone"}]}"#);
    assert_eq!(
        id,
        Identification {
            outcome: SolidWasteOutcome::Undetermined,
            clause: "3.1".to_owned()
        }
    );
    assert_eq!(keys(&ex), vec!["origin_other"]);
    assert_eq!(ex.warnings[0].code, WarningCode::IdentificationRequired);
    let step = ex.trace.last().expect("step");
    assert_eq!(step.citation, format!("{} 4", name()));
    assert_eq!(step.result, "no criterion matches the declared origin");
}

// ---------- a newer edition in force without its clauses in the data ----------

#[test]
fn gb_34330_a_newer_edition_without_data_is_named_and_the_old_clauses_used() {
    let newer = Edition {
        edition: "2099".into(),
        in_force_from: date!(2099 - 01 - 01),
        issued_as: "GB 34330-2099".into(),
        data: None,
        source: "test".into(),
        confidence: Confidence::Unconfirmed,
        articles: BTreeMap::new(),
    };
    let json =
        r#"{"form":"solid","origin":"experiment_residue","components":[{"name":"acetone"}]}"#;
    let (id, ex) = identified_with(json, Some(&newer));
    assert_eq!(id.clause, "4.2 c)");
    assert_eq!(keys(&ex), vec!["edition_clauses"]);
    assert_eq!(ex.warnings[0].code, WarningCode::EditionSuperseded);
    assert!(
        ex.warnings[0]
            .message
            .starts_with("GB 34330-2099 is in force since 2099-01-01; this decision uses the GB 34330-2017 clauses"),
        "{}",
        ex.warnings[0].message
    );
    let (_, ex) = identified_with(json, None);
    assert!(ex.warnings.is_empty());
}
