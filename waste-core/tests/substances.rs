//! The substance table: the reagents school and university labs use resolve by name and CAS, and the flags the
//! rules read come out right.

use time::macros::date;
use waste_core::request::Resolution;
use waste_core::stream::Stream;
use waste_core::substance::Flag;
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
