//! Issue 13 item 1: the editions of the instruments the rules cite are data. The National Catalogue edition is chosen
//! by the decision date (2021 before 2025-01-01, 2025 from then) and cited; a future edition of the catalogue or
//! of GB 34330, or a renumbered law, is taken as a data change (a data file and an `editions.toml` entry).

use time::macros::date;
use waste_core::standards::Sources;
use waste_core::{Standards, classify_json};

const ACETONE: &str =
    r#"{"form":"liquid","origin":"vessel_cleaning_residue","components":[{"name":"acetone"}]}"#;

fn codes(c: &waste_core::Classification) -> Vec<String> {
    c.warnings
        .iter()
        .map(|w| {
            serde_json::to_value(w.code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        })
        .collect()
}

/// Catalogue 2021 (MEE Order No.15) until 2024-12-31, 2025 (MEE Order No.36) from 2025-01-01.
#[test]
fn a_decision_cites_the_catalogue_edition_in_force_on_its_date() {
    let std = Standards::embedded();
    for (on, edition, order) in [
        (date!(2024 - 06 - 01), "2021", "MEE Order No.15"),
        (date!(2024 - 12 - 31), "2021", "MEE Order No.15"),
        (date!(2025 - 01 - 01), "2025", "MEE Order No.36"),
        (date!(2026 - 11 - 30), "2025", "MEE Order No.36"),
    ] {
        let c = classify_json(std, ACETONE, on).expect("valid");
        assert_eq!(c.hazardous.edition, edition, "{on}");
        assert_eq!(
            c.hazardous.standard,
            format!("National Catalogue of Hazardous Wastes ({edition})"),
            "{on}"
        );
        assert_eq!(c.hazardous.code.as_deref(), Some("900-047-49"));
        assert!(
            c.trace.iter().any(|s| s.citation.contains(order)),
            "{on}: the trace cites {order}: {:?}",
            c.trace
        );
    }
    // The 2021 text was read in full; the 2025 wording of 900-047-49 was not.
    let c2021 = classify_json(std, ACETONE, date!(2024 - 06 - 01)).expect("valid");
    let c2025 = classify_json(std, ACETONE, date!(2026 - 11 - 30)).expect("valid");
    assert_eq!(
        serde_json::to_value(c2021.hazardous.code_confidence).expect("json"),
        "C"
    );
    assert_eq!(
        serde_json::to_value(c2025.hazardous.code_confidence).expect("json"),
        "UNCONFIRMED"
    );
}

/// GB 34330-2025 is in force from 2026-03-01 without clause data: the 2017 clauses decide, and say so.
#[test]
fn gb34330_2025_without_data_keeps_the_2017_clauses_with_a_warning() {
    let std = Standards::embedded();
    let before = classify_json(std, ACETONE, date!(2026 - 02 - 28)).expect("valid");
    let after = classify_json(std, ACETONE, date!(2026 - 03 - 01)).expect("valid");
    assert_eq!(before.solid_waste.edition, "2017");
    assert_eq!(after.solid_waste.edition, "2017");
    assert!(!codes(&before).contains(&"edition_superseded".to_owned()));
    assert!(codes(&after).contains(&"edition_superseded".to_owned()));
}

/// A future catalogue edition and the GB 34330-2025 clauses arrive as data: a new file and an entry in
/// editions.toml. No code changes.
#[test]
fn a_new_edition_is_a_data_change() {
    let cat_2030 = standards_data::CATALOGUE_2025
        .replace("edition = \"2025\"", "edition = \"2030\"")
        .replace(
            "name = \"National Catalogue of Hazardous Wastes (2025)\"",
            "name = \"National Catalogue of Hazardous Wastes (2030)\"",
        )
        .replace(
            "effective_from = \"2025-01-01\"",
            "effective_from = \"2030-01-01\"",
        );
    let gb_2025 = standards_data::GB34330_2017
        .replace("edition = \"2017\"", "edition = \"2025\"")
        .replace(
            "effective_from = \"2017-10-01\"",
            "effective_from = \"2026-03-01\"",
        );
    let editions = standards_data::EDITIONS
        .replace(
            "issued_as = \"GB 34330-2025\"",
            "issued_as = \"GB 34330-2025\"\ndata = \"gb34330-2025\"",
        )
        .replacen(
            "\n[[instrument]]\nid = \"gb34330\"",
            "\n[[instrument.edition]]\nedition = \"2030\"\nin_force_from = \"2030-01-01\"\nissued_as = \"MEE Order No.99\"\ndata = \"catalogue-2030\"\nsource = \"test\"\nconfidence = \"UNCONFIRMED\"\narticles = { listing = \"Art.3\", unclear_hazard = \"Art.7\" }\n\n[[instrument]]\nid = \"gb34330\"",
            1,
        );
    let std = Standards::parse(Sources {
        catalogues: &[
            ("catalogue-2021", standards_data::CATALOGUE_2021),
            ("catalogue-2025", standards_data::CATALOGUE_2025),
            ("catalogue-2030", &cat_2030),
        ],
        identification: &[
            ("gb34330-2017", standards_data::GB34330_2017),
            ("gb34330-2025", &gb_2025),
        ],
        editions: &editions,
        ..Sources::EMBEDDED
    })
    .expect("the new editions parse");
    let c = classify_json(&std, ACETONE, date!(2030 - 06 - 01)).expect("valid");
    assert_eq!(c.hazardous.edition, "2030");
    assert_eq!(c.solid_waste.edition, "2025");
    assert_eq!(c.solid_waste.standard, "GB 34330-2025");
    assert!(!codes(&c).contains(&"edition_superseded".to_owned()));
    // The renumbered articles of the new edition are cited (an undetermined waste cites the unclear-hazard one).
    let other = r#"{"form":"liquid","origin":"other","components":[{"name":"acetone"}]}"#;
    let c = classify_json(&std, other, date!(2030 - 06 - 01)).expect("valid");
    assert_eq!(c.hazardous.clause, "Art.7");
    let c = classify_json(&std, other, date!(2026 - 06 - 01)).expect("valid");
    assert_eq!(c.hazardous.clause, "Art.6");

    // Data that names a file it does not have, or a file no edition names, is refused when read.
    let missing = Standards::parse(Sources {
        editions: &editions,
        ..Sources::EMBEDDED
    })
    .err()
    .unwrap_or_default();
    assert!(missing.contains("not embedded"), "{missing}");
    let stray = Standards::parse(Sources {
        catalogues: &[
            ("catalogue-2021", standards_data::CATALOGUE_2021),
            ("catalogue-2025", standards_data::CATALOGUE_2025),
            ("catalogue-2030", &cat_2030),
        ],
        ..Sources::EMBEDDED
    })
    .err()
    .unwrap_or_default();
    assert!(stray.contains("no catalogue edition names it"), "{stray}");
}

/// A renumbered law (the Ecological Environment Code is reported, UNCONFIRMED, to replace the Solid Waste Law) is a
/// new edition in editions.toml: the article a role names changes on its date.
#[test]
fn a_renumbered_law_is_a_data_change() {
    let std = Standards::embedded();
    assert_eq!(
        std.editions
            .article("solid_waste_law", "storage_limit", date!(2026 - 11 - 30)),
        Some("Art.81")
    );
    let editions = format!(
        "{}\n[[instrument.edition]]\nedition = \"2026\"\nin_force_from = \"2026-08-15\"\nissued_as = \"code\"\nsource = \"test\"\nconfidence = \"UNCONFIRMED\"\narticles = {{ storage_limit = \"Art.1234\" }}\n",
        standards_data::EDITIONS
    );
    let std = Standards::parse(Sources {
        editions: &editions,
        ..Sources::EMBEDDED
    })
    .expect("parses");
    assert_eq!(
        std.editions
            .article("solid_waste_law", "storage_limit", date!(2026 - 08 - 14)),
        Some("Art.81")
    );
    assert_eq!(
        std.editions
            .article("solid_waste_law", "storage_limit", date!(2026 - 08 - 15)),
        Some("Art.1234")
    );
}

/// Issue 32 item 5: a decision dated before the earliest catalogue edition in the data (the 2021 Catalogue, MEE
/// Order No.15, in force 2021-01-01) still applies that edition (nothing earlier is in the data) but warns that it
/// was not in force on that date; from 2021-01-01 on, no such warning. GB 34330-2017 took effect 2017-10-01 and
/// warns the same way for an earlier date.
#[test]
fn a_decision_dated_before_the_earliest_edition_warns() {
    let std = Standards::embedded();
    let c = classify_json(std, ACETONE, date!(2020 - 06 - 01)).expect("valid");
    assert_eq!(c.hazardous.edition, "2021");
    let before: Vec<&waste_core::citation::Warning> = c
        .warnings
        .iter()
        .filter(|w| w.code == waste_core::citation::WarningCode::BeforeEarliestEdition)
        .collect();
    assert_eq!(before.len(), 1, "{:?}", c.warnings);
    assert!(
        before[0].message.contains("2020-06-01") && before[0].message.contains("2021-01-01"),
        "{}",
        before[0].message
    );
    assert_eq!(before[0].words.key, "edition_before_catalogue");
    for on in [date!(2021 - 01 - 01), date!(2024 - 06 - 01)] {
        let c = classify_json(std, ACETONE, on).expect("valid");
        assert!(
            !codes(&c).contains(&"before_earliest_edition".to_owned()),
            "{on}: {:?}",
            c.warnings
        );
    }
    let c = classify_json(std, ACETONE, date!(2016 - 01 - 01)).expect("valid");
    let keys: Vec<&str> = c.warnings.iter().map(|w| w.words.key).collect();
    assert!(
        keys.contains(&"edition_before_catalogue")
            && keys.contains(&"edition_before_identification"),
        "{keys:?}"
    );
}
