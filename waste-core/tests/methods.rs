//! The disposal and utilisation operations a receiver chooses from when it confirms disposal (Transfer Measures
//! Art.12: the receiver records the method), as manifest.toml lists them: Basel Convention Annex IV.

use waste_core::Standards;
use waste_core::manifest::ManifestRules;
use waste_core::revision::MethodCode;

#[test]
fn the_list_is_annex_iv_d1_to_d15_and_r1_to_r13_each_named_in_both_languages() {
    let methods = &Standards::embedded().manifest.methods;
    let codes: Vec<&str> = methods.iter().map(|m| m.code.as_str()).collect();
    let expected: Vec<String> = (1..=15)
        .map(|n| format!("D{n}"))
        .chain((1..=13).map(|n| format!("R{n}")))
        .collect();
    assert_eq!(
        codes, expected,
        "Annex IV Section A then Section B, in order"
    );
    for m in methods {
        assert!(
            MethodCode::parse(&m.code).is_some(),
            "{} is accepted on a manifest",
            m.code
        );
        assert!(
            !m.name_zh.is_empty() && !m.name_en.is_empty(),
            "{} is named",
            m.code
        );
        assert!(
            ["S", "S-low"].contains(&m.confidence.as_str()),
            "{}: {}",
            m.code,
            m.confidence
        );
        assert_eq!(
            m.recovers(),
            m.code.starts_with('R'),
            "Section B is recovery"
        );
    }
    let d10 = methods.iter().find(|m| m.code == "D10").expect("D10");
    assert_eq!(
        (d10.name_zh.as_str(), d10.name_en.as_str()),
        ("陆上焚化", "Incineration on land")
    );
}

#[test]
fn a_listed_method_that_is_no_annex_iv_code_or_is_listed_twice_is_refused() {
    let base =
        "[receipt]\nworking_days = 5\n[weight_tolerance]\nrelative = \"0\"\nabsolute_kg = \"0\"\n";
    let one = |code: &str| {
        format!(
            "[[method]]\ncode = \"{code}\"\nname_zh = \"x\"\nname_en = \"x\"\nconfidence = \"S\"\n"
        )
    };
    // C1 (cement kiln co-processing) is a domestic code, not Annex IV: MethodCode refuses it on a manifest too.
    let e = ManifestRules::parse(&format!("{base}{}", one("C1"))).expect_err("C1");
    assert!(e.contains("'C1' is no Annex IV code"), "{e}");
    let e = ManifestRules::parse(&format!("{base}{}", one(" D10"))).expect_err("padded");
    assert!(e.contains("no Annex IV code"), "{e}");
    let e =
        ManifestRules::parse(&format!("{base}{}{}", one("D10"), one("D10"))).expect_err("twice");
    assert!(e.contains("listed twice"), "{e}");
    let e = ManifestRules::parse(&format!("{base}{}", one("D10"))).expect_err("partial");
    assert!(e.contains("1 methods listed"), "{e}");
    let nameless = format!(
        "{base}[[method]]\ncode = \"D1\"\nname_zh = \" \"\nname_en = \"x\"\nconfidence = \"S\"\n"
    );
    assert!(
        ManifestRules::parse(&nameless)
            .expect_err("nameless")
            .contains("has no name")
    );
    assert!(
        ManifestRules::parse(base)
            .expect("no list")
            .methods
            .is_empty()
    );
}
