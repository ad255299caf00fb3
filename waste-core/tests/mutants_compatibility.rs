//! Worked cases for every decision of `waste_core::compatibility` (the EPA-600/2-80-076 reactivity-group chart
//! as data), written so that each fails when the decision changes (docs/mutation-testing.md,
//! `scripts/mutants.sh compatibility`). The policy setting is `[policy] allowed_pairs` in
//! `standards-data/data/reactivity.toml`.

use waste_core::Standards;
use waste_core::citation::Confidence;
use waste_core::compatibility::{
    Consequence, Consequences, ReactivityMatrix, consequences, reactions,
};
use waste_core::substance::SubstanceId;

fn std() -> &'static Standards {
    Standards::embedded()
}
fn id(name: &str) -> SubstanceId {
    std()
        .substances
        .by_name(name)
        .unwrap_or_else(|| panic!("{name} in the table"))
        .id
}

/// A small chart: groups 1, 2, 3, 106 (water) and 107 (water-reactive); rows 1 and 2 confirmed.
const SMALL: &str = r#"
[source]
title = "small chart"
confirmed_rows = [1, 2]

[consequences]
H = "heat generation"
F = "fire"
G = "gas"
GT = "toxic gas"
GF = "flammable gas"
E = "explosion"
P = "polymerization"
S = "solubilization"
U = "unknown"

[groups]
1 = "one"
2 = "two"
3 = "three"
106 = "water"
107 = "water-reactive"

[groups_zh]
1 = "一"
2 = "二"
3 = "三"
106 = "水"
107 = "遇水反应"

[matrix]
2 = { 1 = "H" }
3 = { 1 = "GT GF", 2 = "P" }
106 = { 1 = "H", 2 = "H F" }

[water_reactive]
group = 107
codes = "H GF U"

[policy]
allowed_pairs = [[106, 1]]
"#;

fn small() -> ReactivityMatrix {
    ReactivityMatrix::parse(SMALL).expect("small chart")
}
fn set(s: &str) -> Consequences {
    Consequences::parse(s).expect("codes")
}

// ---------- the consequence codes of the chart (EPA-600/2-80-076) ----------

#[test]
fn each_consequence_code_is_its_own_epa_600_2_80_076() {
    let names = ["H", "F", "G", "GT", "GF", "E", "P", "S", "U"];
    for (c, n) in Consequence::ALL.into_iter().zip(names) {
        assert_eq!(c.as_str(), n);
        assert_eq!(c.to_string(), n);
        assert_eq!(Consequence::parse(n), Some(c));
        // Each code is one distinct member of a set.
        let one = set(n);
        assert_eq!(one.to_vec(), vec![c]);
        assert!(one.contains(c));
        for other in Consequence::ALL {
            assert_eq!(one.contains(other), other == c, "{c} vs {other}");
        }
    }
    assert_eq!(Consequence::parse("X"), None);
    assert_eq!(Consequence::parse("h"), None);
}

#[test]
fn a_cell_is_a_set_of_codes_epa_600_2_80_076() {
    let s = set("GT H GF");
    assert_eq!(
        s.to_vec(),
        vec![Consequence::H, Consequence::GT, Consequence::GF]
    );
    assert!(!s.is_empty());
    assert!(!s.contains(Consequence::G));
    // A code written twice is still in the set.
    assert_eq!(set("H H"), set("H"));
    assert_eq!(set("H H").to_vec(), vec![Consequence::H]);
    // Nothing or an unknown code is not a cell.
    assert_eq!(Consequences::parse(""), None);
    assert_eq!(Consequences::parse("   "), None);
    assert_eq!(Consequences::parse("H X"), None);
    assert!(Consequences::default().is_empty());
    assert_eq!(Consequences::default().to_vec(), vec![]);
    // Union: every code of either side, once.
    let u = set("H F").union(set("F GT"));
    assert_eq!(
        u.to_vec(),
        vec![Consequence::H, Consequence::F, Consequence::GT]
    );
    assert_eq!(set("H").union(Consequences::default()), set("H"));
}

// ---------- the chart's cells ----------

#[test]
fn a_cell_is_symmetric_and_a_group_does_not_react_with_itself_epa_600_2_80_076() {
    let m = small();
    assert_eq!(m.title, "small chart");
    assert_eq!(m.cell(2, 1), set("H"));
    assert_eq!(m.cell(1, 2), set("H"));
    assert_eq!(m.cell(3, 1), set("GT GF"));
    assert_eq!(m.cell(1, 3), set("GT GF"));
    assert_eq!(m.cell(2, 3), set("P"));
    for g in [1, 2, 3, 106] {
        assert!(m.cell(g, g).is_empty(), "{g}×{g}");
    }
    // Nothing recorded.
    assert!(m.cell(3, 106).is_empty());
}

#[test]
fn a_water_reactive_group_reacts_with_everything_epa_107_note() {
    let m = small();
    let wr = set("H GF U");
    for g in [1, 2, 3, 106, 107] {
        assert_eq!(m.cell(107, g), wr, "107×{g}");
        assert_eq!(m.cell(g, 107), wr, "{g}×107");
    }
    let e = &std().reactivity;
    assert_eq!(e.cell(107, 4), wr);
    assert_eq!(e.cell(29, 107), wr);
}

#[test]
fn an_allowed_pair_is_removed_from_the_chart_policy_setting_allowed_pairs() {
    // standards-data/data/reactivity.toml [policy] allowed_pairs; the small chart allows 106×1 only.
    let m = small();
    assert!(m.cell(106, 1).is_empty());
    assert!(m.cell(1, 106).is_empty());
    assert_eq!(m.cell(106, 2), set("H F"));
    // The embedded setting: 106×1, 106×2 and 106×10 are allowed, 106×21 is not.
    let e = &std().reactivity;
    for g in [1, 2, 10] {
        assert!(e.cell(106, g).is_empty(), "106×{g}");
    }
    assert_eq!(e.cell(21, 106), set("GF H"));
    // Without the setting the chart's cell comes back.
    let all = ReactivityMatrix::parse(&SMALL.replace("[[106, 1]]", "[]")).expect("no pairs");
    assert_eq!(all.cell(1, 106), set("H"));
}

#[test]
fn confidence_follows_the_confirmed_rows_sources_md() {
    // A cell belongs to the row of its higher group; rows 1 and 2 are confirmed (S) in the small chart.
    let m = small();
    assert_eq!(m.confidence(2, 1), Confidence::Secondary);
    assert_eq!(m.confidence(1, 2), Confidence::Secondary);
    assert_eq!(m.confidence(3, 1), Confidence::Unconfirmed);
    assert_eq!(m.confidence(1, 3), Confidence::Unconfirmed);
    let e = &std().reactivity;
    assert_eq!(e.confidence(11, 1), Confidence::Secondary);
    assert_eq!(e.confidence(16, 2), Confidence::Secondary);
    assert_eq!(e.confidence(17, 1), Confidence::Unconfirmed);
    assert_eq!(e.confidence(2, 104), Confidence::Unconfirmed);
}

#[test]
fn groups_and_consequences_are_named_epa_600_2_80_076() {
    let m = small();
    assert_eq!(
        m.groups().collect::<Vec<_>>(),
        vec![
            (1, "one"),
            (2, "two"),
            (3, "three"),
            (106, "water"),
            (107, "water-reactive")
        ]
    );
    assert_eq!(m.group_name(3), "three");
    assert_eq!(m.group_name(4), "unknown group");
    assert_eq!(m.consequence_name(Consequence::GT), "toxic gas");
    let e = &std().reactivity;
    assert_eq!(e.groups().count(), 41);
    assert_eq!(e.group_name(11), "Cyanides");
    assert_eq!(e.consequence_name(Consequence::H), "heat generation");
}

// ---------- validation of reactivity.toml ----------

#[test]
fn the_chart_file_is_checked() {
    let bad = |from: &str, to: &str| {
        assert!(SMALL.contains(from), "{from}");
        ReactivityMatrix::parse(&SMALL.replacen(from, to, 1)).expect_err(to)
    };
    assert_eq!(
        bad("3 = \"three\"", "35 = \"three\""),
        "reactivity: group 35 is not an EPA-600/2-80-076 group"
    );
    assert_eq!(
        bad("3 = \"three\"", "x = \"three\""),
        "reactivity: 'x' is not a group number"
    );
    assert_eq!(
        bad("GT = \"toxic gas\"\n", ""),
        "reactivity: consequence GT is not described"
    );
    // Upper triangle, the diagonal, and rows or columns of groups the chart does not name.
    assert_eq!(
        bad("2 = { 1 = \"H\" }", "1 = { 2 = \"H\" }"),
        "reactivity: cell 1×2 is outside the lower triangle of known groups"
    );
    assert_eq!(
        bad("2 = { 1 = \"H\" }", "2 = { 2 = \"H\" }"),
        "reactivity: cell 2×2 is outside the lower triangle of known groups"
    );
    assert_eq!(
        bad("2 = { 1 = \"H\" }", "4 = { 1 = \"H\" }"),
        "reactivity: cell 4×1 is outside the lower triangle of known groups"
    );
    assert_eq!(
        bad("2 = { 1 = \"H\" }", "2 = { 1 = \"H\", 0 = \"H\" }"),
        "reactivity: cell 2×0 is outside the lower triangle of known groups"
    );
    assert_eq!(
        bad("2 = { 1 = \"H\" }", "2 = { 1 = \"Q\" }"),
        "reactivity: cell 2×1 has bad codes 'Q'"
    );
    assert_eq!(
        bad("2 = { 1 = \"H\" }", "2 = { 1 = \"\" }"),
        "reactivity: cell 2×1 has bad codes ''"
    );
    assert_eq!(
        bad("codes = \"H GF U\"", "codes = \"\""),
        "reactivity: bad water_reactive codes"
    );
    assert!(ReactivityMatrix::parse("title = 1").is_err());
}

#[test]
fn a_column_naming_no_group_is_refused() {
    // Row 3 is known, column 2 is removed from the groups: the cell 3×2 names an unknown group.
    let text = SMALL
        .replacen("2 = \"two\"\n", "", 1)
        .replacen("2 = { 1 = \"H\" }\n", "", 1)
        .replacen("106 = { 1 = \"H\", 2 = \"H F\" }", "106 = { 1 = \"H\" }", 1);
    let e = ReactivityMatrix::parse(&text).expect_err("unknown column");
    assert_eq!(
        e,
        "reactivity: cell 3×2 is outside the lower triangle of known groups"
    );
}

// ---------- reactions between substances (EPA-600/2-80-076 chart) ----------

#[test]
fn every_pair_of_groups_reacts_once_with_names_and_the_clause_epa_4x2_101x104() {
    // Methanol (groups 4 and 101) added to nitric acid (2 and 104): four cells of the chart.
    let std = std();
    let r = reactions(
        &std.reactivity,
        &std.substances,
        &[id("methanol")],
        &[id("nitric acid")],
    );
    let pairs: Vec<_> = r
        .iter()
        .map(|x| (x.adding_group, x.present_group, x.citation.as_str()))
        .collect();
    assert_eq!(
        pairs,
        vec![
            (4, 2, "EPA-600/2-80-076 chart, groups 4×2"),
            (4, 104, "EPA-600/2-80-076 chart, groups 104×4"),
            (101, 2, "EPA-600/2-80-076 chart, groups 101×2"),
            (101, 104, "EPA-600/2-80-076 chart, groups 104×101"),
        ]
    );
    let first = &r[0];
    assert_eq!(first.adding, "methanol (甲醇, 67-56-1)");
    assert_eq!(first.present, "nitric acid (硝酸, 7697-37-2)");
    assert_eq!(first.adding_group_name, "Alcohols and glycols");
    assert_eq!(first.present_group_name, "Acids, mineral, oxidizing");
    assert_eq!(first.consequences, vec![Consequence::H, Consequence::F]);
    // Naming a substance twice reports each reaction once.
    let twice = reactions(
        &std.reactivity,
        &std.substances,
        &[id("methanol"), id("methanol")],
        &[id("nitric acid"), id("nitric acid")],
    );
    assert_eq!(twice, r);
    // All the consequences, once each, in the chart's order.
    assert_eq!(
        consequences(&r),
        vec![Consequence::H, Consequence::F, Consequence::GT]
    );
    assert_eq!(consequences(&[]), vec![]);
}

#[test]
fn compatible_substances_give_no_reaction_epa_600_2_80_076() {
    let std = std();
    // Methanol and ethanol: both groups 4 and 101, and the chart records nothing between them.
    assert!(
        reactions(
            &std.reactivity,
            &std.substances,
            &[id("methanol")],
            &[id("ethanol")]
        )
        .is_empty()
    );
    assert!(reactions(&std.reactivity, &std.substances, &[], &[id("ethanol")]).is_empty());
}

/// Every group has its Chinese name for the pages (`[groups_zh]`, words only); one missing is refused.
#[test]
fn a_group_without_its_chinese_name_is_refused() {
    let text = SMALL.replace("107 = \"遇水反应\"\n", "");
    let e = ReactivityMatrix::parse(&text).expect_err("refused");
    assert!(e.contains("group 107 has no Chinese name"), "{e}");
    assert_eq!(small().group_name_zh(3), "三");
    assert_eq!(small().group_name_zh(99), "未知反应组");
}
