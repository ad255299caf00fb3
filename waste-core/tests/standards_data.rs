//! The embedded rules data: every file parses, every CAS number has a valid check digit, every code matches an
//! existing category, and everything the rules cite is present.

use std::collections::BTreeSet;
use waste_core::Standards;
use waste_core::cas::CasNumber;
use waste_core::catalogue::{HwCode, category_exists};
use waste_core::identification::CITED;
use waste_core::standards::Sources;
use waste_core::substance::Flag;

#[test]
fn every_data_file_parses() {
    let s = Standards::parse(Sources::EMBEDDED);
    assert!(s.is_ok(), "{:?}", s.err());
}

#[test]
fn every_cas_number_has_a_valid_check_digit() {
    let std = Standards::embedded();
    assert!(
        std.substances.len() >= 200,
        "at least 200 substances, found {}",
        std.substances.len()
    );
    for s in std.substances.iter() {
        assert_eq!(
            CasNumber::parse(s.cas.as_str()).as_ref(),
            Ok(&s.cas),
            "{}",
            s.name_en
        );
    }
    // The table is parsed from raw text, so the check above guards the data; a wrong digit in the file is refused.
    let broken = standards_data::SUBSTANCES.replacen("75-09-2", "75-09-3", 1);
    let err = Standards::parse(Sources {
        substances: &broken,
        ..Sources::EMBEDDED
    })
    .err()
    .unwrap_or_default();
    assert!(
        err.contains("75-09-3") && err.contains("check digit"),
        "{err}"
    );
}

#[test]
fn catalogue_has_every_category_and_codes_match_their_category() {
    let cat = &Standards::embedded().catalogue;
    let ids: BTreeSet<String> = cat.categories.iter().map(|c| c.id.clone()).collect();
    let expected: BTreeSet<String> = (1..=50)
        .filter(|n| category_exists(*n))
        .map(|n| format!("HW{n:02}"))
        .collect();
    assert_eq!(ids, expected, "categories HW01–HW40 and HW45–HW50");
    assert_eq!(ids.len(), 46);
    for entry in cat.codes() {
        let code = HwCode::parse(entry.code.as_str()).expect("code parses");
        assert!(
            ids.contains(&code.category()),
            "{} names a missing category",
            entry.code
        );
        assert!(!entry.description_en.is_empty() && !entry.description_zh.is_empty());
    }
    // Every laboratory code of the National Catalogue 2021 that the rules use is in the data with its hazard string.
    for (code, hazards) in [
        ("900-002-03", "T"),
        ("900-401-06", "T,I"),
        ("900-402-06", "T,I,R"),
        ("900-404-06", "T,I,R"),
        ("900-249-08", "T,I"),
        ("900-017-14", "T/C/I/R"),
        ("900-019-16", "T"),
        ("900-023-29", "T"),
        ("900-024-29", "T"),
        ("900-349-34", "C,T"),
        ("900-399-35", "C,T"),
        ("900-039-49", "T"),
        ("900-041-49", "T/In"),
        ("900-044-49", "T"),
        ("900-047-49", "T/C/I/R"),
        ("900-999-49", "T/C/I/R"),
    ] {
        let entry = cat.code(code).unwrap_or_else(|| panic!("{code} missing"));
        assert_eq!(entry.hazards.to_string(), hazards, "{code}");
    }
    assert!(cat.exemption("24").is_some_and(|e| e.code == "900-041-49"));
    // A code in a category the catalogue lacks is refused when the data is read.
    let broken = standards_data::CATALOGUE_2021.replacen("900-019-16", "900-019-43", 1);
    assert!(
        Standards::parse(Sources {
            catalogue: &broken,
            ..Sources::EMBEDDED
        })
        .is_err()
    );
}

#[test]
fn identification_table_has_every_clause() {
    let id = &Standards::embedded().identification;
    assert_eq!(id.name, "GB 34330-2017");
    let mut expected: Vec<String> = vec![
        "1".into(),
        "3.1".into(),
        "5.1".into(),
        "5.2".into(),
        "6.2".into(),
        "6.3".into(),
        "7.1".into(),
        "7.2".into(),
        "7.3".into(),
    ];
    for (sec, last) in [
        ("4.1", 'i'),
        ("4.2", 'm'),
        ("4.3", 'n'),
        ("4.4", 'b'),
        ("6.1", 'd'),
    ] {
        for l in 'a'..=last {
            expected.push(format!("{sec} {l})"));
        }
    }
    for c in &expected {
        assert!(id.clause(c).is_some(), "clause {c} missing");
    }
    for c in CITED {
        assert!(id.clause(c).is_some(), "cited clause {c} missing");
    }
    assert_eq!(id.clauses().count(), expected.len(), "no stray clauses");
    // Dropping a clause the rules cite is refused when the data is read.
    let broken = standards_data::GB34330_2017.replacen("id = \"4.2 c)\"", "id = \"4.2 cc)\"", 1);
    assert!(
        Standards::parse(Sources {
            identification: &broken,
            ..Sources::EMBEDDED
        })
        .is_err()
    );
}

#[test]
fn substance_table_covers_the_kinds_of_lab_chemicals() {
    let t = &Standards::embedded().substances;
    for (flag, at_least) in [
        (Flag::Solvent, 40),
        (Flag::Halogenated, 15),
        (Flag::Acid, 20),
        (Flag::OxidizingAcid, 3),
        (Flag::Base, 15),
        (Flag::Oxidizer, 20),
        (Flag::Cyanide, 8),
        (Flag::Mercury, 6),
        (Flag::HeavyMetal, 30),
        (Flag::WaterReactive, 20),
        (Flag::PeroxideFormer, 6),
    ] {
        let n = t.iter().filter(|s| s.has(flag)).count();
        assert!(
            n >= at_least,
            "{} substances flagged {}, expected at least {at_least}",
            n,
            flag.as_str()
        );
    }
    assert!(
        t.iter().filter(|s| !s.groups.is_empty()).count() >= 200,
        "reactivity groups on most substances"
    );
    // Names, Chinese names and synonyms all resolve.
    for name in [
        "dichloromethane",
        "二氯甲烷",
        "DCM",
        "Methylene Chloride",
        "氯仿",
        "THF",
        "双氧水",
    ] {
        assert!(t.by_name(name).is_some(), "{name}");
    }
}

#[test]
fn streams_have_their_source_colours() {
    let st = &Standards::embedded().streams;
    use waste_core::Stream;
    for (s, colour) in [
        (Stream::HalogenatedOrganic, Some("yellow")),
        (Stream::NonHalogenatedOrganic, Some("blue")),
        (Stream::CyanideInorganic, Some("pink")),
        (Stream::Mercury, Some("grey")),
        (Stream::HeavyMetal, Some("green")),
        (Stream::Sharps, None),
    ] {
        assert_eq!(
            st.info(s).and_then(|i| i.colour.as_deref()),
            colour,
            "{}",
            s.as_str()
        );
    }
}
