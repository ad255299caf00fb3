//! Worked cases for every decision of `waste_core::manifest` (HW Transfer Measures, MEE Order No.23), written
//! so that each fails when the decision changes (docs/mutation-testing.md, `scripts/mutants.sh manifest`).
//! The weight tolerance is a policy setting (`[weight_tolerance]` in `standards-data/data/manifest.toml`).

use rust_decimal::Decimal;
use std::str::FromStr;
use time::macros::date;
use waste_core::Standards;
use waste_core::manifest::{
    Acceptance, Action, DeliveredBeforeDispatch, ManifestNumber, ManifestRules, ManifestState,
    NumberError, Party, TRANSITIONS, TransitionError, transition,
};

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}
fn rules() -> &'static ManifestRules {
    &Standards::embedded().manifest
}

// ---------- the state machine (Transfer Measures Art.10–13, Art.18) ----------

#[test]
fn states_actions_and_parties_have_their_names_transfer_measures_art_31() {
    let names = [
        "draft",
        "submitted",
        "in_transit",
        "received",
        "disposed",
        "cancelled",
    ];
    for (s, n) in ManifestState::ALL.into_iter().zip(names) {
        assert_eq!(s.as_str(), n);
        assert_eq!(s.to_string(), n);
        assert_eq!(ManifestState::parse(n), Some(s));
    }
    assert_eq!(ManifestState::parse("closed"), None);
    let paths = [
        "submit",
        "dispatch",
        "receive",
        "confirm-disposal",
        "cancel",
    ];
    for (a, p) in Action::ALL.into_iter().zip(paths) {
        assert_eq!(a.path(), p);
    }
    for (p, n) in [
        (Party::Shipper, "shipper"),
        (Party::Carrier, "carrier"),
        (Party::Receiver, "receiver"),
    ] {
        assert_eq!(p.as_str(), n);
        assert_eq!(Party::parse(n), Some(p));
    }
    assert_eq!(Party::parse("driver"), None);
}

#[test]
fn only_disposed_and_cancelled_are_closed_transfer_measures_art_12() {
    for s in ManifestState::ALL {
        let closed = matches!(s, ManifestState::Disposed | ManifestState::Cancelled);
        assert_eq!(s.is_closed(), closed, "{s}");
    }
}

/// The machine as the articles describe it, written out independently of `TRANSITIONS`.
const EXPECTED: [(ManifestState, Action, Party, ManifestState, &str); 6] = [
    (
        ManifestState::Draft,
        Action::Submit,
        Party::Shipper,
        ManifestState::Submitted,
        "Transfer Measures Art.10",
    ),
    (
        ManifestState::Submitted,
        Action::Dispatch,
        Party::Carrier,
        ManifestState::InTransit,
        "Transfer Measures Art.11, Art.13",
    ),
    (
        ManifestState::InTransit,
        Action::Receive,
        Party::Receiver,
        ManifestState::Received,
        "Transfer Measures Art.12, Art.18",
    ),
    (
        ManifestState::Received,
        Action::ConfirmDisposal,
        Party::Receiver,
        ManifestState::Disposed,
        "Transfer Measures Art.12",
    ),
    (
        ManifestState::Draft,
        Action::Cancel,
        Party::Shipper,
        ManifestState::Cancelled,
        "Transfer Measures Art.10",
    ),
    (
        ManifestState::Submitted,
        Action::Cancel,
        Party::Shipper,
        ManifestState::Cancelled,
        "Transfer Measures Art.10",
    ),
];

#[test]
fn every_state_action_and_party_gives_the_articles_answer_transfer_measures_art_10_to_18() {
    let parties = [
        None,
        Some(Party::Shipper),
        Some(Party::Carrier),
        Some(Party::Receiver),
    ];
    for state in ManifestState::ALL {
        for action in Action::ALL {
            let listed = EXPECTED
                .iter()
                .find(|(from, a, ..)| *from == state && *a == action);
            for party in parties {
                let got = transition(state, action, party, None);
                let want = match listed {
                    None => Err(TransitionError::InvalidTransition { state, action }),
                    Some((_, _, p, _, _)) if party != Some(*p) => {
                        Err(TransitionError::WrongParty {
                            action,
                            expected: *p,
                            actual: party,
                        })
                    }
                    Some((_, _, _, to, _)) => Ok(*to),
                };
                assert_eq!(got, want, "{state} {action:?} {party:?}");
            }
        }
    }
    // The table the service shows carries the same transitions and articles.
    assert_eq!(TRANSITIONS.len(), EXPECTED.len());
    for (t, (from, action, party, to, citation)) in TRANSITIONS.iter().zip(EXPECTED) {
        assert_eq!(
            (t.from, t.action, t.party, t.to, t.citation),
            (from, action, party, to, citation)
        );
    }
}

#[test]
fn nothing_accepted_means_nothing_to_dispose_of_transfer_measures_art_12() {
    let confirm = |acc| {
        transition(
            ManifestState::Received,
            Action::ConfirmDisposal,
            Some(Party::Receiver),
            acc,
        )
    };
    assert_eq!(
        confirm(Some(Acceptance::Rejected)),
        Err(TransitionError::NothingAccepted)
    );
    for acc in [
        None,
        Some(Acceptance::Accepted),
        Some(Acceptance::PartiallyRejected),
    ] {
        assert_eq!(confirm(acc), Ok(ManifestState::Disposed), "{acc:?}");
    }
    // A rejected receipt is still received (Art.12: the receiver records it).
    assert_eq!(
        transition(
            ManifestState::InTransit,
            Action::Receive,
            Some(Party::Receiver),
            Some(Acceptance::Rejected)
        ),
        Ok(ManifestState::Received)
    );
    // The wrong party is refused before the acceptance is looked at.
    assert_eq!(
        transition(
            ManifestState::Received,
            Action::ConfirmDisposal,
            Some(Party::Carrier),
            Some(Acceptance::Rejected)
        ),
        Err(TransitionError::WrongParty {
            action: Action::ConfirmDisposal,
            expected: Party::Receiver,
            actual: Some(Party::Carrier),
        })
    );
}

#[test]
fn acceptance_is_all_some_or_none_of_the_lines_transfer_measures_art_12() {
    assert_eq!(Acceptance::of([]), None);
    assert_eq!(Acceptance::of([true]), Some(Acceptance::Accepted));
    assert_eq!(Acceptance::of([true, true]), Some(Acceptance::Accepted));
    assert_eq!(Acceptance::of([false]), Some(Acceptance::Rejected));
    assert_eq!(Acceptance::of([false, false]), Some(Acceptance::Rejected));
    assert_eq!(
        Acceptance::of([true, false]),
        Some(Acceptance::PartiallyRejected)
    );
    assert_eq!(
        Acceptance::of([false, true, true]),
        Some(Acceptance::PartiallyRejected)
    );
}

// ---------- the 14-digit number (Transfer Measures Art.15) ----------

#[test]
fn the_number_is_year_province_city_and_serial_transfer_measures_art_15() {
    let n = ManifestNumber::new(2026, "440305", 1).expect("valid");
    assert_eq!(n.as_str(), "20264403000001");
    assert_eq!(n.to_string(), "20264403000001");
    assert_eq!(n.year(), "2026");
    assert_eq!(n.region(), "4403");
    assert_eq!(n.serial(), 1);
    let n = ManifestNumber::new(1000, "000000", 999_999).expect("bounds");
    assert_eq!(n.as_str(), "10000000999999");
    assert_eq!(n.serial(), 999_999);
    assert!(ManifestNumber::new(9999, "110101", 123).is_ok());
    let p = ManifestNumber::parse("20251101000042").expect("14 digits");
    assert_eq!((p.year(), p.region(), p.serial()), ("2025", "1101", 42));
}

#[test]
fn a_number_out_of_its_fields_is_refused_transfer_measures_art_15() {
    for r in ["44030", "4403051", "44030a", "", "４４０３０５"] {
        assert_eq!(
            ManifestNumber::new(2026, r, 1),
            Err(NumberError::Region(r.to_owned())),
            "{r}"
        );
    }
    for y in [999, 10_000, -2026, 0] {
        assert_eq!(
            ManifestNumber::new(y, "440305", 1),
            Err(NumberError::Year(y))
        );
    }
    for s in [0, 1_000_000, u32::MAX] {
        assert_eq!(
            ManifestNumber::new(2026, "440305", s),
            Err(NumberError::Serial(s))
        );
    }
    for s in [
        "2026440300001",
        "202644030000011",
        "2026440300000a",
        "",
        "2026-4403-000001",
    ] {
        assert_eq!(
            ManifestNumber::parse(s),
            Err(NumberError::Format(s.to_owned())),
            "{s}"
        );
    }
}

// ---------- weights (Art.18; tolerance: policy setting [weight_tolerance] in manifest.toml) ----------

#[test]
fn the_embedded_manifest_settings_art_18_and_weight_tolerance() {
    let r = rules();
    assert_eq!(r.receipt_working_days, 5);
    assert_eq!(r.tolerance_relative, dec("0.02"));
    assert_eq!(r.tolerance_absolute_kg, dec("0.5"));
}

#[test]
fn a_difference_above_the_larger_tolerance_is_a_discrepancy_art_18_weight_tolerance() {
    let r = rules();
    // 100 kg shipped: 2 % (2 kg) is the larger bound.
    let at = r.reconcile(dec("100"), dec("102"));
    assert_eq!(
        (
            at.shipped_kg,
            at.received_kg,
            at.difference_kg,
            at.allowed_kg
        ),
        (dec("100"), dec("102"), dec("2"), dec("2"))
    );
    assert!(!at.discrepancy, "at the bound");
    assert!(!r.reconcile(dec("100"), dec("98")).discrepancy);
    assert!(!r.reconcile(dec("100"), dec("100")).discrepancy);
    let over = r.reconcile(dec("100"), dec("102.01"));
    assert_eq!(over.difference_kg, dec("2.01"));
    assert!(over.discrepancy);
    let under = r.reconcile(dec("100"), dec("97.99"));
    assert_eq!(under.difference_kg, dec("-2.01"));
    assert!(under.discrepancy, "a loss counts too");
    // 10 kg shipped: 2 % is 0.2 kg, so the 0.5 kg absolute bound applies.
    let small = r.reconcile(dec("10"), dec("10.5"));
    assert_eq!(small.allowed_kg, dec("0.5"));
    assert!(!small.discrepancy);
    assert!(r.reconcile(dec("10"), dec("10.51")).discrepancy);
    assert!(r.reconcile(dec("10"), dec("9.49")).discrepancy);
    assert!(!r.reconcile(dec("10"), dec("9.5")).discrepancy);
}

#[test]
fn the_manifest_file_is_checked() {
    let ok = "[receipt]\nworking_days = 3\n[weight_tolerance]\nrelative = \"0.1\"\nabsolute_kg = \"2\"\n";
    let r = ManifestRules::parse(ok).expect("valid");
    assert_eq!(
        (
            r.receipt_working_days,
            r.tolerance_relative,
            r.tolerance_absolute_kg
        ),
        (3, dec("0.1"), dec("2"))
    );
    let e = ManifestRules::parse(&ok.replace("\"0.1\"", "\"ten\"")).expect_err("relative");
    assert!(e.starts_with("manifest: 'ten'"), "{e}");
    let e = ManifestRules::parse(&ok.replace("\"2\"", "\"two\"")).expect_err("absolute");
    assert!(e.starts_with("manifest: 'two'"), "{e}");
    assert!(ManifestRules::parse("[receipt]\nworking_days = 3\n").is_err());
}

// ---------- the receipt deadline (Transfer Measures Art.18: 5 working days) ----------

#[test]
fn receipt_is_due_five_working_days_after_dispatch_art_18() {
    let r = rules();
    let cal = &Standards::embedded().calendar;
    // Monday 30 September 2024; National Day 1–7 October off, Saturday 12 October worked.
    let d = r.receipt_deadline(cal, date!(2024 - 09 - 30));
    assert_eq!(d.date, date!(2024 - 10 - 12));
    // Three working days with another setting.
    let three = ManifestRules::parse(
        "[receipt]\nworking_days = 3\n[weight_tolerance]\nrelative = \"0\"\nabsolute_kg = \"0\"\n",
    )
    .expect("valid");
    assert_eq!(
        three.receipt_deadline(cal, date!(2024 - 10 - 14)).date,
        date!(2024 - 10 - 17)
    );
}

#[test]
fn receipt_timing_counts_from_dispatch_and_is_late_after_the_deadline_art_18() {
    let r = rules();
    let cal = &Standards::embedded().calendar;
    let sent = date!(2024 - 09 - 30);
    // Delivered on the dispatch day: allowed. On the deadline: not late; the day after: late.
    let t = r
        .receipt_timing(cal, sent, sent, date!(2024 - 10 - 12))
        .expect("same day");
    assert_eq!(t.deadline.date, date!(2024 - 10 - 12));
    assert!(!t.late);
    let t = r
        .receipt_timing(cal, sent, sent, date!(2024 - 10 - 13))
        .expect("same day");
    assert!(t.late);
    assert!(
        !r.receipt_timing(cal, sent, sent, date!(2024 - 10 - 08))
            .expect("early")
            .late
    );
    // A later stated delivery does not move the deadline (issue 14, finding 9).
    let t = r
        .receipt_timing(cal, sent, date!(2024 - 10 - 11), date!(2024 - 10 - 14))
        .expect("later delivery");
    assert_eq!(t.deadline.date, date!(2024 - 10 - 12));
    assert!(t.late);
    // Delivered before dispatch: refused.
    assert_eq!(
        r.receipt_timing(cal, sent, date!(2024 - 09 - 29), date!(2024 - 10 - 01)),
        Err(DeliveredBeforeDispatch {
            delivered_on: date!(2024 - 09 - 29),
            dispatched_on: sent,
        })
    );
}
