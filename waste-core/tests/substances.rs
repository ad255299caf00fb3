//! The substance table: the reagents school and university labs use resolve by name and CAS, and the flags the
//! rules read come out right.

use time::macros::date;
use waste_core::formula::Formula;
use waste_core::hazardous::HazardOutcome;
use waste_core::request::Resolution;
use waste_core::standards::Sources;
use waste_core::stream::Stream;
use waste_core::substance::{Flag, derived_flags};
use waste_core::{CasNumber, Classification, Standards, Waste, classify, parse_request};

fn classify_components(form: &str, origin: &str, components: &str) -> Classification {
    let json = format!(r#"{{"form":"{form}","origin":"{origin}","components":{components}}}"#);
    let std = Standards::embedded();
    let req = parse_request(&json).expect("valid request");
    let waste = Waste::parse(req, &std.substances).expect("valid waste");
    classify(std, &waste, date!(2026 - 11 - 28))
}

/// Issue 17: reagents that were missing, each found by its English name, its Chinese name and its CAS, all three
/// naming the same row.
#[test]
fn reagents_of_issue_17_resolve_by_name_and_cas() {
    let t = &Standards::embedded().substances;
    for (en, zh, cas) in [
        ("copper(I) oxide", "氧化亚铜", "1317-39-1"),
        ("manganese(II) sulfate", "硫酸锰", "7785-87-7"),
        ("potassium sulfate", "硫酸钾", "7778-80-5"),
        ("silver sulfate", "硫酸银", "10294-26-5"),
        ("iron(III) sulfate", "硫酸铁", "10028-22-5"),
        ("fluorosilicic acid", "氟硅酸", "16961-83-4"),
        ("cadmium hydroxide", "氢氧化镉", "21041-95-2"),
        ("nickel hydroxide", "氢氧化镍", "12054-48-7"),
        ("ethidium bromide", "溴化乙锭", "1239-45-8"),
        ("nitrogen", "氮气", "7727-37-9"),
    ] {
        let by_cas = t
            .by_cas(&CasNumber::parse(cas).expect("valid CAS"))
            .unwrap_or_else(|| panic!("{cas} ({en}) is not in the table"));
        let by_en = t.by_name(en).unwrap_or_else(|| panic!("{en} not found"));
        let by_zh = t.by_name(zh).unwrap_or_else(|| panic!("{zh} not found"));
        assert_eq!(by_cas.id, by_en.id, "{en}");
        assert_eq!(by_cas.id, by_zh.id, "{zh}");
    }
}

/// Issue 17: "mineral oil" with 8012-95-1 (paraffin oil, the CAS most data sheets print) and with 8042-47-5 (white
/// mineral oil) is one substance, not a name/CAS conflict.
#[test]
fn mineral_oil_is_accepted_under_both_of_its_usual_cas_numbers() {
    let std = Standards::embedded();
    for cas in ["8012-95-1", "8042-47-5"] {
        let json = format!(
            r#"{{"form":"liquid","origin":"experiment_residue","components":[{{"name":"mineral oil","cas":"{cas}"}}]}}"#
        );
        let waste = Waste::parse(parse_request(&json).expect("valid"), &std.substances)
            .unwrap_or_else(|e| panic!("mineral oil {cas} refused: {e:?}"));
        let c = &waste.components[0];
        assert_eq!(c.resolution, Resolution::Cas, "{cas}");
        let s = std.substances.get(c.substance.expect("resolved"));
        assert!(s.has(Flag::MineralOil), "{cas}");
    }
    // 900-047-49 names "organic waste liquid with mineral oil".
    let r = classify_components(
        "liquid",
        "experiment_residue",
        r#"[{"name":"liquid paraffin","cas":"8012-95-1"}]"#,
    );
    assert_eq!(r.hazardous.code.as_deref(), Some("900-047-49"));
    assert_eq!(r.stream, Some(Stream::NonHalogenatedOrganic));
}

/// National Catalogue of Hazardous Wastes (2021) 900-044-49: a nickel-cadmium cell described by the components of
/// its data sheet (cadmium hydroxide anode, nickel hydroxide cathode, potassium hydroxide electrolyte).
#[test]
fn nickel_cadmium_battery_from_its_data_sheet_is_900_044_49() {
    let r = classify_components(
        "solid",
        "battery",
        r#"[{"name":"cadmium hydroxide"},{"name":"nickel hydroxide"},{"name":"potassium hydroxide"}]"#,
    );
    assert_eq!(r.hazardous.code.as_deref(), Some("900-044-49"));
}

/// Fehling's waste (copper(I) oxide precipitate in alkaline tartrate) is a heavy-metal waste, 900-047-49.
#[test]
fn fehling_waste_goes_to_the_heavy_metal_stream() {
    let r = classify_components(
        "liquid",
        "experiment_residue",
        r#"[{"name":"copper(I) oxide","fraction":"0.01"},{"name":"potassium sodium tartrate","fraction":"0.1"},{"name":"sodium hydroxide","fraction":"0.05"},{"name":"water","fraction":"0.84"}]"#,
    );
    assert_eq!(r.hazardous.code.as_deref(), Some("900-047-49"));
    assert_eq!(r.stream, Some(Stream::HeavyMetal));
}

fn standards_with(substances: &str) -> Result<Standards, String> {
    Standards::parse(Sources {
        substances,
        ..Sources::EMBEDDED
    })
}

/// Replaces the whole data row of `cas` (the line that starts with it).
fn replace_row(cas: &str, row: &str) -> String {
    let text = standards_data::SUBSTANCES;
    let prefix = format!("\n{cas},");
    let start = text.find(&prefix).expect("row present") + 1;
    let end = start + text[start..].find('\n').expect("row ends");
    format!("{}{}{}", &text[..start], row, &text[end..])
}

fn classify_with(std: &Standards, form: &str, origin: &str, components: &str) -> Classification {
    let json = format!(r#"{{"form":"{form}","origin":"{origin}","components":{components}}}"#);
    let req = parse_request(&json).expect("valid request");
    let waste = Waste::parse(req, &std.substances).expect("valid waste");
    classify(std, &waste, date!(2026 - 11 - 28))
}

#[test]
fn the_table_covers_at_least_800_substances_and_every_cas_is_valid() {
    let t = &Standards::embedded().substances;
    assert!(t.len() >= 800, "{} substances", t.len());
    for s in t.iter() {
        for cas in std::iter::once(&s.cas).chain(&s.other_cas) {
            assert_eq!(
                CasNumber::parse(cas.as_str()).as_ref(),
                Ok(cas),
                "{}",
                s.name_en
            );
            let found = t.by_cas(cas).map(|x| x.id);
            assert_eq!(found, Some(s.id), "{cas} resolves to its own row");
        }
    }
}

#[test]
fn every_row_has_a_formula_unless_it_is_a_mixture() {
    let t = &Standards::embedded().substances;
    let mut mixtures = 0;
    for s in t.iter() {
        match &s.formula {
            Some(f) => assert!(Formula::parse(f.as_str()).is_ok(), "{}", s.name_en),
            None => {
                assert!(s.has(Flag::Mixture), "{} has no formula", s.name_en);
                mixtures += 1;
            }
        }
    }
    // Mixtures are the exception: petroleum fractions, oils, biological materials.
    assert!(mixtures * 20 < t.len(), "{mixtures} mixtures");
    // The loader refuses a formula that does not parse and a missing formula on a pure substance.
    let broken = replace_row("7727-37-9", "7727-37-9,,nitrogen,氮气,,Nq2,,,,y,S");
    let err = standards_with(&broken).err().unwrap_or_default();
    assert!(err.contains("unknown element 'Nq'"), "{err}");
    let missing = replace_row("7727-37-9", "7727-37-9,,nitrogen,氮气,,,,,,y,S");
    let err = standards_with(&missing).err().unwrap_or_default();
    assert!(err.contains("no formula"), "{err}");
}

#[test]
fn duplicate_cas_numbers_and_names_are_refused() {
    // A second row under the hydrate CAS of copper sulfate (listed as other_cas of 7758-98-7).
    let dup_cas = format!(
        "{}7758-99-8,,blue vitriol crystals,胆矾晶体,,CuSO4·5H2O,,T,24,n,S\n",
        standards_data::SUBSTANCES
    );
    let err = standards_with(&dup_cas).err().unwrap_or_default();
    assert!(err.contains("7758-99-8") && err.contains("twice"), "{err}");
    // 芒硝 is a name of sodium sulfate; giving it to potassium sulfate too is refused.
    let dup_name = standards_data::SUBSTANCES.replace(
        "\n7778-80-5,,potassium sulfate,硫酸钾,",
        "\n7778-80-5,,potassium sulfate,硫酸钾,芒硝",
    );
    let err = standards_with(&dup_name).err().unwrap_or_default();
    assert!(
        err.contains("芒硝") && err.contains("already used"),
        "{err}"
    );
}

/// Derived flags on known cases; complex cyanides count, cyanate and thiocyanate do not.
#[test]
fn element_flags_are_derived_from_the_formula() {
    let d = |f: &str| derived_flags(&Formula::parse(f).expect("parses"));
    let hgcl2 = d("HgCl2");
    assert!(hgcl2.has(Flag::Mercury) && hgcl2.has(Flag::Halogen) && hgcl2.has(Flag::HeavyMetal));
    assert!(
        !hgcl2.has(Flag::Halogenated),
        "halogen is not organohalogen"
    );
    assert!(d("K3[Fe(CN)6]").has(Flag::Cyanide));
    assert!(
        !d("K3[Fe(CN)6]").has(Flag::HeavyMetal),
        "iron is not a heavy metal here"
    );
    let cu = d("CuSO4·5H2O");
    assert!(cu.has(Flag::Copper) && cu.has(Flag::HeavyMetal));
    assert!(!d("KSCN").has(Flag::Cyanide) && !d("NaOCN").has(Flag::Cyanide));
    for (f, flag) in [
        ("Cd(OH)2", Flag::Cadmium),
        ("Pb(NO3)2", Flag::Lead),
        ("K2Cr2O7", Flag::Chromium),
        ("As2O3", Flag::Arsenic),
        ("Ni(OH)2", Flag::Nickel),
        ("Ag2SO4", Flag::Silver),
        ("BaCl2·2H2O", Flag::Barium),
        ("BeSO4·4H2O", Flag::Beryllium),
        ("C2HF3O2", Flag::Halogen),
    ] {
        assert!(d(f).has(flag), "{f} → {flag:?}");
    }
    assert!(!d("NaCl").has(Flag::HeavyMetal));
    // In the table: the flags of a row include those of its formula.
    let t = &Standards::embedded().substances;
    let row = |n: &str| t.by_name(n).unwrap_or_else(|| panic!("{n}"));
    assert!(row("potassium ferricyanide").has(Flag::Cyanide));
    assert!(row("copper(II) sulfate").has(Flag::Copper));
    assert!(row("mercury(II) chloride").has(Flag::Halogen));
    assert!(row("silver sulfate").has(Flag::Silver));
    assert!(!row("potassium thiocyanate").has(Flag::Cyanide));
}

/// A hand-set element flag must agree with the formula; for organic rows (Hill formulas, where a nitrile shows no
/// cyanide group) the cyanide flag must agree both ways, so a nitrile is never taken for a cyanide and a
/// cyanohydrin is written with its group.
#[test]
fn hand_set_element_flags_agree_with_the_formula() {
    let t = &Standards::embedded().substances;
    let elements = [
        Flag::Mercury,
        Flag::Cadmium,
        Flag::Lead,
        Flag::Chromium,
        Flag::Arsenic,
        Flag::Nickel,
        Flag::Silver,
        Flag::Copper,
        Flag::Barium,
        Flag::Beryllium,
        Flag::Halogen,
        Flag::Cyanide,
    ];
    let mut checked = 0;
    for s in t.iter() {
        let Some(f) = &s.formula else { continue };
        let derived = derived_flags(f);
        for flag in elements {
            if s.listed_flags.has(flag) {
                assert!(
                    derived.has(flag),
                    "{}: {flag:?} set by hand, formula {}",
                    s.name_en,
                    f.as_str()
                );
                checked += 1;
            }
        }
        if s.has(Flag::Organic) {
            assert_eq!(
                derived.has(Flag::Cyanide),
                s.listed_flags.has(Flag::Cyanide),
                "{}: organic cyanide flag and formula {} disagree",
                s.name_en,
                f.as_str()
            );
        }
        // A hand-set heavy metal is one of the derived heavy metals, or a documented exception: uranium
        // (uranyl acetate) and organotin.
        if s.listed_flags.has(Flag::HeavyMetal) && !derived.has(Flag::HeavyMetal) {
            assert!(
                f.has("U") || f.has("Sn"),
                "{}: heavy_metal set by hand, formula {} has no heavy metal",
                s.name_en,
                f.as_str()
            );
        }
    }
    assert!(checked >= 25, "{checked} hand-set element flags checked");
}

/// National Catalogue (2021) 900-044-49 from derived flags alone: the cadmium hydroxide row stripped of its
/// hand-set flags still makes a nickel-cadmium cell a listed battery, and a mercury salt without flags still goes
/// to the mercury stream.
#[test]
fn derived_flags_classify_without_hand_set_flags() {
    let cd = replace_row(
        "21041-95-2",
        "21041-95-2,,cadmium hydroxide,氢氧化镉,,Cd(OH)2,,T,24,n,S",
    );
    let std = standards_with(&cd).expect("valid data");
    let s = std.substances.by_name("cadmium hydroxide").expect("row");
    assert!(!s.listed_flags.has(Flag::Cadmium) && s.has(Flag::Cadmium));
    let r = classify_with(
        &std,
        "solid",
        "battery",
        r#"[{"name":"cadmium hydroxide"},{"name":"nickel hydroxide"},{"name":"potassium hydroxide"}]"#,
    );
    assert_eq!(r.hazardous.code.as_deref(), Some("900-044-49"));
    assert!(
        r.trace
            .iter()
            .any(|t| format!("{t:?}").contains("cadmium hydroxide")),
        "the trace names the cadmium component"
    );
    let hg = replace_row(
        "7487-94-7",
        "7487-94-7,,mercury(II) chloride,氯化汞,mercuric chloride;升汞,HgCl2,,T,24,y,S",
    );
    let std = standards_with(&hg).expect("valid data");
    let r = classify_with(
        &std,
        "liquid",
        "experiment_residue",
        r#"[{"name":"mercuric chloride","fraction":"0.001"},{"name":"water","fraction":"0.999"}]"#,
    );
    assert_eq!(r.stream, Some(Stream::Mercury));
}

/// A nickel-metal hydride cell (nickel hydroxide, potassium hydroxide, no cadmium) is not a cadmium-nickel battery.
#[test]
fn nickel_metal_hydride_battery_is_not_900_044_49() {
    let r = classify_components(
        "solid",
        "battery",
        r#"[{"name":"nickel hydroxide"},{"name":"potassium hydroxide"}]"#,
    );
    assert_ne!(r.hazardous.code.as_deref(), Some("900-044-49"));
}

/// A row whose identity is UNCONFIRMED is never benign, so it cannot make a waste "not hazardous".
#[test]
fn an_unconfirmed_row_is_never_benign() {
    let json = r#"[{"name":"water","fraction":"1"}]"#;
    let confirmed = classify_components("liquid", "experiment_residue", json);
    assert_eq!(confirmed.hazardous.outcome, HazardOutcome::NotHazardous);
    let water = replace_row(
        "7732-18-5",
        "7732-18-5,,water,水,distilled water,H2O,salt,,106,n,UNCONFIRMED",
    );
    let std = standards_with(&water).expect("valid data");
    assert!(!std.substances.by_name("water").expect("row").is_benign());
    let r = classify_with(&std, "liquid", "experiment_residue", json);
    assert_ne!(r.hazardous.outcome, HazardOutcome::NotHazardous);
}

/// The pentahydrate's CAS resolves to copper(II) sulfate by CAS, not by name.
#[test]
fn a_hydrate_cas_resolves_to_its_substance() {
    let std = Standards::embedded();
    let json = r#"{"form":"liquid","origin":"experiment_residue","components":[{"name":"五水硫酸铜","cas":"7758-99-8"}]}"#;
    let waste = Waste::parse(parse_request(json).expect("valid"), &std.substances).expect("valid");
    assert_eq!(waste.components[0].resolution, Resolution::Cas);
    let s = std
        .substances
        .get(waste.components[0].substance.expect("resolved"));
    assert_eq!(s.cas.as_str(), "7758-98-7");
}

/// Names compare case-insensitively, so a name that reads as an element symbol must name that element: "CO" for
/// carbon monoxide would catch "Co" meant as cobalt. HF stays (hafnium is no laboratory reagent).
#[test]
fn no_name_reads_as_the_symbol_of_another_element() {
    let t = &Standards::embedded().substances;
    for s in t.iter() {
        for name in std::iter::once(&s.name_en).chain(&s.synonyms) {
            let letters: Vec<char> = name.chars().collect();
            if letters.is_empty()
                || letters.len() > 2
                || !letters.iter().all(char::is_ascii_alphabetic)
            {
                continue;
            }
            let symbol: String = letters[..1]
                .iter()
                .map(char::to_ascii_uppercase)
                .chain(letters[1..].iter().map(char::to_ascii_lowercase))
                .collect();
            let Ok(f) = Formula::parse(&symbol) else {
                continue;
            };
            if f.elements().count() != 1 || name == "HF" {
                continue;
            }
            assert_eq!(
                s.formula.as_ref().map(Formula::as_str),
                Some(symbol.as_str()),
                "{}: the name '{name}' reads as the element {symbol}",
                s.name_en
            );
        }
    }
}
