//! Worked cases for every check of `waste_core::shipment` (HW Transfer Measures, MEE Order No.23, Art.10, 11, 13
//! and 18; Solid Waste Law Art.80), written so that each fails when the decision changes
//! (docs/mutation-testing.md, `scripts/mutants.sh shipment`).

use std::collections::BTreeSet;
use time::Date;
use time::macros::date;
use waste_core::container::Status;
use waste_core::shipment::{
    ContractTerms, Licence, LicenceVersion, Loading, ReceiptLine, ShipmentRefusal, Vehicle,
    check_contract_and_licence, check_load, check_receipt, counting, licence_on, ready_to_load,
};

fn set(xs: &[&str]) -> BTreeSet<String> {
    xs.iter().map(|s| (*s).to_owned()).collect()
}

// ---------- the licence held on the day of hand-over (Solid Waste Law Art.80) ----------

fn version(number: &str, from: Option<Date>) -> LicenceVersion {
    LicenceVersion {
        licence: Licence {
            number: Some(number.into()),
            waste_codes: set(&["900-047-49"]),
            valid_until: Some(date!(2030 - 12 - 31)),
        },
        valid_from: from,
    }
}

fn number_on(versions: &[LicenceVersion], day: Date) -> Option<String> {
    licence_on(versions, day).number
}

#[test]
fn solid_waste_law_art_80_a_renewal_applies_from_its_first_day_not_the_day_before() {
    let versions = [
        version("registered", None),
        version("renewed", Some(date!(2026 - 06 - 01))),
    ];
    assert_eq!(
        number_on(&versions, date!(2026 - 05 - 31)).as_deref(),
        Some("registered"),
        "the day before the renewal"
    );
    assert_eq!(
        number_on(&versions, date!(2026 - 06 - 01)).as_deref(),
        Some("renewed"),
        "the renewal's first day"
    );
    assert_eq!(
        number_on(&versions, date!(2026 - 06 - 02)).as_deref(),
        Some("renewed")
    );
}

#[test]
fn solid_waste_law_art_80_of_the_versions_started_the_last_started_applies_whatever_the_order() {
    // Listed out of order: the later start wins, not the later position.
    let versions = [
        version("third", Some(date!(2027 - 01 - 01))),
        version("second", Some(date!(2026 - 01 - 01))),
        version("first", None),
    ];
    assert_eq!(
        number_on(&versions, date!(2025 - 06 - 01)).as_deref(),
        Some("first")
    );
    assert_eq!(
        number_on(&versions, date!(2026 - 06 - 01)).as_deref(),
        Some("second")
    );
    assert_eq!(
        number_on(&versions, date!(2027 - 06 - 01)).as_deref(),
        Some("third")
    );
    // Two versions from the same day: the one recorded later applies.
    let same_day = [
        version("earlier record", Some(date!(2026 - 01 - 01))),
        version("later record", Some(date!(2026 - 01 - 01))),
    ];
    assert_eq!(
        number_on(&same_day, date!(2026 - 02 - 01)).as_deref(),
        Some("later record")
    );
}

#[test]
fn solid_waste_law_art_80_before_the_first_version_there_is_no_licence() {
    let versions = [version("only", Some(date!(2026 - 06 - 01)))];
    let none = licence_on(&versions, date!(2026 - 05 - 31));
    assert_eq!(none.number, None);
    assert!(none.waste_codes.is_empty());
    assert_eq!(none.valid_until, None);
    let held = licence_on(&versions, date!(2026 - 06 - 01));
    assert_eq!(held.waste_codes, set(&["900-047-49"]));
    assert_eq!(held.valid_until, Some(date!(2030 - 12 - 31)));
    assert_eq!(licence_on(&[], date!(2026 - 06 - 01)).number, None);
}

// ---------- the contract (Transfer Measures Art.10) ----------

fn contract() -> ContractTerms {
    ContractTerms {
        waste_codes: set(&["900-047-49"]),
        valid_from: date!(2026 - 03 - 01),
        valid_until: date!(2026 - 08 - 31),
        ended_on: None,
        confirmed: true,
    }
}

#[test]
fn transfer_measures_art_10_a_contract_counts_from_its_first_to_its_last_day_inclusive() {
    let c = contract();
    assert!(!c.counts_on(date!(2026 - 02 - 28)), "before it begins");
    assert!(c.counts_on(date!(2026 - 03 - 01)), "its first day");
    assert!(c.counts_on(date!(2026 - 06 - 15)));
    assert!(c.counts_on(date!(2026 - 08 - 31)), "its last day");
    assert!(!c.counts_on(date!(2026 - 09 - 01)), "after its end");
}

#[test]
fn transfer_measures_art_10_a_contract_one_party_recorded_alone_never_counts() {
    let c = ContractTerms {
        confirmed: false,
        ..contract()
    };
    for day in [
        date!(2026 - 02 - 28),
        date!(2026 - 03 - 01),
        date!(2026 - 06 - 15),
        date!(2026 - 09 - 01),
    ] {
        assert!(!c.counts_on(day), "{day}");
    }
}

#[test]
fn transfer_measures_art_10_a_contract_ended_early_counts_until_the_day_before_its_end() {
    let c = ContractTerms {
        ended_on: Some(date!(2026 - 06 - 15)),
        ..contract()
    };
    assert!(c.counts_on(date!(2026 - 06 - 14)), "the day before");
    assert!(!c.counts_on(date!(2026 - 06 - 15)), "the day it ended");
    assert!(!c.counts_on(date!(2026 - 06 - 16)), "after");
    assert!(c.counts_on(date!(2026 - 03 - 01)), "still from its start");
}

#[test]
fn transfer_measures_art_10_counting_keeps_only_the_contracts_that_count_with_their_codes() {
    let a = contract();
    let b = ContractTerms {
        waste_codes: set(&["900-999-49", "900-041-49"]),
        ..contract()
    };
    let unconfirmed = ContractTerms {
        waste_codes: set(&["900-002-03"]),
        confirmed: false,
        ..contract()
    };
    let later = ContractTerms {
        waste_codes: set(&["900-017-14"]),
        valid_from: date!(2026 - 07 - 01),
        ..contract()
    };
    let all = [a, unconfirmed, b, later];
    assert_eq!(
        counting(&all, date!(2026 - 06 - 01)),
        vec![set(&["900-047-49"]), set(&["900-041-49", "900-999-49"])]
    );
    assert_eq!(counting(&all, date!(2026 - 07 - 01)).len(), 3);
    assert!(counting(&all, date!(2026 - 01 - 01)).is_empty());
}

// ---------- submission: contract and licence (Art.10; Solid Waste Law Art.80) ----------

fn licence(codes: &[&str], until: Option<Date>) -> Licence {
    Licence {
        number: Some("吉环危废经第001号".into()),
        waste_codes: set(codes),
        valid_until: until,
    }
}

const DAY: Date = date!(2026 - 06 - 01);

#[test]
fn transfer_measures_art_10_the_manifest_codes_must_all_be_in_one_counting_contract() {
    let codes = set(&["900-047-49", "900-999-49"]);
    let lic = licence(&["900-047-49", "900-999-49"], Some(date!(2027 - 01 - 01)));
    // Split over two contracts: no single contract covers the manifest.
    let split = [set(&["900-047-49"]), set(&["900-999-49"])];
    let r = check_contract_and_licence(&codes, &split, &lic, DAY);
    assert_eq!(
        r,
        Err(ShipmentRefusal::NoValidContract {
            waste_codes: codes.clone(),
            citation: "Transfer Measures Art.10; governance plan: schools must contract a disposal firm",
        })
    );
    assert_eq!(r.expect_err("refused").code(), "no_valid_contract");
    // One contract covering them all (and more) is enough, wherever it is in the list.
    let covering = [
        set(&["900-047-49"]),
        set(&["900-047-49", "900-999-49", "900-041-49"]),
    ];
    assert_eq!(
        check_contract_and_licence(&codes, &covering, &lic, DAY),
        Ok(())
    );
    assert!(check_contract_and_licence(&codes, &[], &lic, DAY).is_err());
}

#[test]
fn solid_waste_law_art_80_the_licence_counts_up_to_and_including_its_last_day() {
    let codes = set(&["900-047-49"]);
    let contracts = [set(&["900-047-49"])];
    let on_the_day = licence(&["900-047-49"], Some(DAY));
    assert_eq!(
        check_contract_and_licence(&codes, &contracts, &on_the_day, DAY),
        Ok(()),
        "valid until today"
    );
    let tomorrow = licence(&["900-047-49"], Some(date!(2026 - 06 - 02)));
    assert_eq!(
        check_contract_and_licence(&codes, &contracts, &tomorrow, DAY),
        Ok(())
    );
    let yesterday = licence(&["900-047-49"], Some(date!(2026 - 05 - 31)));
    let r = check_contract_and_licence(&codes, &contracts, &yesterday, DAY);
    assert_eq!(
        r,
        Err(ShipmentRefusal::LicenceDoesNotCover {
            valid_until: Some("2026-05-31".into()),
            not_covered: vec![],
            citation: "Solid Waste Law Art.80",
        })
    );
    assert_eq!(r.expect_err("refused").code(), "license_does_not_cover");
    let no_end = licence(&["900-047-49"], None);
    assert!(
        check_contract_and_licence(&codes, &contracts, &no_end, DAY).is_err(),
        "a licence without an end date is not taken as current"
    );
}

#[test]
fn solid_waste_law_art_80_a_licence_without_a_number_or_missing_a_code_is_refused() {
    let codes = set(&["900-047-49", "900-999-49"]);
    let contracts = [codes.clone()];
    let until = Some(date!(2027 - 01 - 01));
    let unnumbered = Licence {
        number: None,
        ..licence(&["900-047-49", "900-999-49"], until)
    };
    assert_eq!(
        check_contract_and_licence(&codes, &contracts, &unnumbered, DAY).map_err(|e| e.code()),
        Err("license_does_not_cover"),
        "current and covering, but no licence number"
    );
    let partial = licence(&["900-047-49"], until);
    assert_eq!(
        check_contract_and_licence(&codes, &contracts, &partial, DAY),
        Err(ShipmentRefusal::LicenceDoesNotCover {
            valid_until: Some("2027-01-01".into()),
            not_covered: vec!["900-999-49".into()],
            citation: "Solid Waste Law Art.80",
        })
    );
    let full = licence(&["900-041-49", "900-047-49", "900-999-49"], until);
    assert_eq!(
        check_contract_and_licence(&codes, &contracts, &full, DAY),
        Ok(())
    );
}

// ---------- loading (Transfer Measures Art.13) ----------

#[test]
fn transfer_measures_art_13_the_load_is_exactly_the_manifest() {
    assert_eq!(check_load(&set(&["a", "b"]), &set(&["b", "a"])), Ok(()));
    assert_eq!(check_load(&set(&[]), &set(&[])), Ok(()));
    let r = check_load(&set(&["a", "b"]), &set(&["a"]));
    assert_eq!(
        r,
        Err(ShipmentRefusal::LoadMismatch {
            missing: vec!["b".into()],
            unexpected: vec![],
        })
    );
    assert_eq!(r.expect_err("refused").code(), "load_mismatch");
    assert_eq!(
        check_load(&set(&["a"]), &set(&["a", "z"])),
        Err(ShipmentRefusal::LoadMismatch {
            missing: vec![],
            unexpected: vec!["z".into()],
        })
    );
}

#[test]
fn transfer_measures_art_13_a_container_is_loaded_only_sealed_held_labelled_and_of_its_code() {
    let ok = Loading {
        status: Status::Sealed,
        held_by_shipper: true,
        labelled: true,
        code: Some("900-047-49"),
        declared_code: "900-047-49",
    };
    assert!(ready_to_load(ok));
    assert!(ready_to_load(Loading {
        status: Status::PickedUp,
        ..ok
    }));
    for status in [
        Status::Open,
        Status::InTransit,
        Status::Received,
        Status::Disposed,
        Status::Returned,
    ] {
        assert!(!ready_to_load(Loading { status, ..ok }), "{status}");
    }
    assert!(!ready_to_load(Loading {
        held_by_shipper: false,
        ..ok
    }));
    assert!(!ready_to_load(Loading {
        labelled: false,
        ..ok
    }));
    assert!(!ready_to_load(Loading { code: None, ..ok }));
    assert!(!ready_to_load(Loading {
        code: Some("900-999-49"),
        ..ok
    }));
}

// ---------- the receipt (Transfer Measures Art.18) ----------

fn line<'a>(id: &'a str, accepted: bool, reason: Option<&'a str>) -> ReceiptLine<'a> {
    ReceiptLine {
        container_id: id,
        accepted,
        reason,
    }
}

fn field(r: Result<(), waste_core::shipment::ReceiptError>) -> Option<String> {
    r.err().map(|e| e.field)
}

#[test]
fn transfer_measures_art_18_one_line_for_every_container_on_the_manifest() {
    let listed = set(&["a", "b"]);
    assert_eq!(
        check_receipt(&listed, &[line("a", true, None), line("b", true, None)]),
        Ok(())
    );
    assert_eq!(
        field(check_receipt(&listed, &[line("a", true, None)])).as_deref(),
        Some("lines"),
        "a container without a line"
    );
    assert_eq!(
        field(check_receipt(
            &listed,
            &[
                line("a", true, None),
                line("b", true, None),
                line("c", true, None)
            ]
        ))
        .as_deref(),
        Some("lines"),
        "a line for a container not on the manifest"
    );
    let twice = check_receipt(
        &listed,
        &[
            line("a", true, None),
            line("b", true, None),
            line("b", false, Some("leaking")),
        ],
    );
    let e = twice.expect_err("a container given two lines");
    assert_eq!(e.field, "lines");
    assert_eq!(
        e.message,
        "give exactly one line for every container on the manifest"
    );
}

#[test]
fn transfer_measures_art_18_a_rejection_states_its_reason() {
    let listed = set(&["a", "b"]);
    let e = check_receipt(
        &listed,
        &[line("a", true, None), line("b", false, Some(" \t"))],
    )
    .expect_err("blank reason");
    assert_eq!(e.field, "lines[1].reason");
    assert_eq!(e.message, "a rejected container needs a reason (Art.18)");
    assert_eq!(
        field(check_receipt(
            &listed,
            &[line("a", false, None), line("b", true, None)]
        ))
        .as_deref(),
        Some("lines[0].reason"),
        "no reason at all"
    );
    assert_eq!(
        check_receipt(
            &listed,
            &[line("a", false, Some("label torn")), line("b", true, None)]
        ),
        Ok(())
    );
    // An accepted container may carry a remark, or none.
    assert_eq!(
        check_receipt(
            &listed,
            &[line("a", true, Some("  ")), line("b", true, Some("ok"))]
        ),
        Ok(())
    );
}

#[test]
fn transfer_measures_art_18_a_reason_is_at_most_500_characters() {
    let listed = set(&["a"]);
    let at_limit = "危".repeat(500);
    assert_eq!(
        check_receipt(&listed, &[line("a", false, Some(&at_limit))]),
        Ok(()),
        "500 characters (1500 bytes) is allowed"
    );
    let over = "x".repeat(501);
    let e = check_receipt(&listed, &[line("a", true, Some(&over))]).expect_err("501");
    assert_eq!(e.field, "lines[0].reason");
    assert_eq!(e.message, "longer than 500 characters");
    assert_eq!(e.to_string(), "lines[0].reason: longer than 500 characters");
}

// ---------- vehicle and permit (Transfer Measures Art.11) ----------

fn plate(p: &str) -> Result<Option<String>, String> {
    Vehicle::parse(Some(p), None)
        .map(|v| v.plate)
        .map_err(|e| e.field)
}

fn permit(p: &str) -> Result<Option<String>, String> {
    Vehicle::parse(None, Some(p))
        .map(|v| v.permit_no)
        .map_err(|e| e.field)
}

#[test]
fn transfer_measures_art_11_a_plate_is_normalised_upper_case_without_separators() {
    assert_eq!(plate("吉a·12345"), Ok(Some("吉A12345".into())));
    assert_eq!(plate(" 吉A-123.45 "), Ok(Some("吉A12345".into())));
    assert_eq!(plate("吉A 12345"), Ok(Some("吉A12345".into())));
    assert_eq!(
        plate("吉ad12345"),
        Ok(Some("吉AD12345".into())),
        "new energy"
    );
    assert_eq!(
        plate("wj0112345"),
        Ok(Some("WJ0112345".into())),
        "two letters"
    );
    assert_eq!(plate("   "), Ok(None), "blank: no plate");
    assert_eq!(
        Vehicle::parse(None, None),
        Ok(Vehicle {
            plate: None,
            permit_no: None
        })
    );
}

#[test]
fn transfer_measures_art_11_a_plate_has_a_province_or_letter_then_6_to_8_more() {
    // The first character: a CJK province or an ASCII letter, never a digit or a symbol.
    assert_eq!(plate("1A12345"), Err("vehicle_plate".into()));
    assert_eq!(plate("#A12345"), Err("vehicle_plate".into()));
    assert_eq!(plate("ÀA12345"), Ok(Some("ÀA12345".into())));
    assert_eq!(
        plate("，A12345"),
        Err("vehicle_plate".into()),
        "CJK punctuation"
    );
    // After it: 6 to 8 characters (the letter of the city, then 5 to 7).
    assert_eq!(plate("吉A1234"), Err("vehicle_plate".into()), "5 after");
    assert_eq!(plate("吉A12345"), Ok(Some("吉A12345".into())), "6 after");
    assert_eq!(
        plate("吉A1234567"),
        Ok(Some("吉A1234567".into())),
        "8 after"
    );
    assert_eq!(plate("吉A12345678"), Err("vehicle_plate".into()), "9 after");
    // Each of them a letter or digit, or a CJK character (挂, 学, 警), never punctuation.
    assert_eq!(plate("吉A1234挂"), Ok(Some("吉A1234挂".into())));
    assert_eq!(plate("吉A1234_"), Err("vehicle_plate".into()));
    assert_eq!(plate("吉A1234，"), Err("vehicle_plate".into()));
    let e = Vehicle::parse(Some("x"), None).expect_err("short");
    assert_eq!(e.message, "a vehicle plate such as 吉A·12345 or 吉AD12345");
}

#[test]
fn transfer_measures_art_11_a_permit_number_is_4_to_40_letters_digits_or_separators() {
    assert_eq!(permit("1234"), Ok(Some("1234".into())), "4");
    assert_eq!(permit("123"), Err("transport_permit_no".into()), "3");
    assert_eq!(permit(&"9".repeat(40)), Ok(Some("9".repeat(40))), "40");
    assert_eq!(
        permit(&"9".repeat(41)),
        Err("transport_permit_no".into()),
        "41"
    );
    assert_eq!(
        permit(&"运".repeat(40)),
        Ok(Some("运".repeat(40))),
        "counted in characters, not bytes"
    );
    assert_eq!(
        permit(" 吉交运管许可（危）字220100012345号 "),
        Ok(Some("吉交运管许可（危）字220100012345号".into())),
        "trimmed, full-width brackets kept"
    );
    assert_eq!(permit("A-1/2 (3)"), Ok(Some("A-1/2 (3)".into())));
    assert_eq!(permit("第12号"), Ok(Some("第12号".into())));
    assert_eq!(permit("1234;"), Err("transport_permit_no".into()));
    assert_eq!(permit("12<34>"), Err("transport_permit_no".into()));
    assert_eq!(permit(" "), Ok(None));
    let e = Vehicle::parse(Some("吉A12345"), Some("1")).expect_err("short permit");
    assert_eq!(
        e.message,
        "4 to 40 letters, digits or separators: the road transport permit number"
    );
}
