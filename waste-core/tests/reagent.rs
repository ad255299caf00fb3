//! The reagent shelf's rules (issue 31): the controlled-chemical lists and their duties, a bottle's steps, a
//! stocktake's reconciliation, the shelf's alerts and the waste a bottle becomes. Each test names the list,
//! clause or setting it checks.

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;
use time::Date;
use time::macros::date;
use waste_core::citation::Confidence;
use waste_core::compatibility::Consequence;
use waste_core::reagent::{
    AlertCode, AmountUnit, Book, Bottle, BottleRefusal, ControlList, Count, Difference,
    ShelfBottle, Status, Step, alerts, reconcile, waste_of_bottle, waste_of_empty_bottle,
};
use waste_core::request::Origin;
use waste_core::substance::Substance;
use waste_core::{Standards, Waste, classify};

fn std() -> &'static Standards {
    Standards::embedded()
}
fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}
fn sub(cas: &str) -> &'static Substance {
    std()
        .substances
        .by_cas(&cas.parse().expect("CAS"))
        .expect("in the substance table")
}
fn lists(cas: &str) -> Vec<(ControlList, String)> {
    std()
        .reagents
        .lists
        .of(sub(cas))
        .into_iter()
        .map(|l| (l.list, l.entry))
        .collect()
}

#[test]
fn the_lists_name_their_entries_for_a_substance_by_any_of_its_numbers() {
    // 危险化学品目录（2015版） No.1686 氰化钾, marked 剧毒.
    assert_eq!(
        lists("151-50-8"),
        vec![(ControlList::HighlyToxic, "1686".into())]
    );
    // Order 445 annex category 3 高锰酸钾, and 易制爆名录（2017） entry 9.3.
    assert_eq!(
        lists("7722-64-7"),
        vec![
            (ControlList::Precursor, "3".into()),
            (ControlList::ExplosivePrecursor, "9.3".into())
        ]
    );
    // Order 445 annex category 2 乙醚; category 3 丙酮.
    assert_eq!(lists("60-29-7"), vec![(ControlList::Precursor, "2".into())]);
    assert_eq!(lists("67-64-1"), vec![(ControlList::Precursor, "3".into())]);
    // 易制爆名录（2017） entry 9.6 水合肼 is listed as 10217-52-4; the table's row carries it as another number.
    assert_eq!(
        lists("7803-57-8"),
        vec![(ControlList::ExplosivePrecursor, "9.6".into())]
    );
    // Not on any list.
    assert!(lists("64-17-5").is_empty());
    assert!(lists("7647-14-5").is_empty());
    let kcn = &std().reagents.lists.of(sub("151-50-8"))[0];
    assert!(kcn.citation.contains("危险化学品目录（2015版）") && kcn.citation.contains("1686"));
    assert_eq!(kcn.confidence, Confidence::Secondary);
    // A precursor entry carries its category.
    let p = &std().reagents.lists.of(sub("7722-64-7"))[0];
    assert_eq!(p.category, Some(3));
    assert_eq!(std().reagents.lists.len_of(ControlList::HighlyToxic), 148);
    assert_eq!(
        std().reagents.lists.len_of(ControlList::ExplosivePrecursor),
        74
    );
}

#[test]
fn a_highly_toxic_bottle_needs_a_second_person_by_order_591_art_24() {
    let r = &std().reagents;
    let on = |cas: &str| -> Vec<ControlList> {
        r.lists.of(sub(cas)).into_iter().map(|l| l.list).collect()
    };
    let duty = r.second_person(&on("151-50-8")).expect("two people");
    assert_eq!(duty.list, ControlList::HighlyToxic);
    assert!(duty.two_person_citation.contains("Art.24"));
    assert_eq!(duty.two_person_confidence, Confidence::Secondary);
    // The precursor and explosive duties are settings, marked so.
    let d = r
        .second_person(&on("7722-64-7"))
        .expect("two people by the school's setting");
    assert_eq!(d.list, ControlList::Precursor);
    assert_eq!(d.two_person_confidence, Confidence::Unconfirmed);
    assert!(r.second_person(&on("64-17-5")).is_none());
}

#[test]
fn a_stocktake_falls_due_its_interval_after_the_last_and_at_once_without_one() {
    let r = &std().reagents;
    let today = date!(2026 - 12 - 07);
    assert_eq!(
        r.stocktake_due(ControlList::HighlyToxic, None, today),
        today
    );
    let last = date!(2026 - 11 - 01);
    assert_eq!(
        r.stocktake_due(ControlList::HighlyToxic, Some(last), today),
        last + time::Duration::days(i64::from(r.duty(ControlList::HighlyToxic).stocktake_days))
    );
    assert!(
        r.duty(ControlList::Precursor).stocktake_days
            > r.duty(ControlList::HighlyToxic).stocktake_days
    );
}

fn bottle(status: Status, balance: &str, controlled: bool) -> Bottle {
    Bottle {
        status,
        balance: dec(balance),
        received: dec("500"),
        controlled,
        opened_on: None,
    }
}

#[test]
fn a_bottle_takes_the_steps_its_state_allows() {
    let today = date!(2026 - 12 - 07);
    let sealed = bottle(Status::Sealed, "500", false);
    assert_eq!(
        sealed.after(&Step::Open { on: today }).map(|a| a.status),
        Ok(Status::Open)
    );
    // Using a sealed bottle means opening it first.
    assert_eq!(
        sealed
            .after(&Step::Use { amount: dec("5") })
            .map_err(|e| e.code()),
        Err("bottle_step_not_allowed")
    );
    let open = bottle(Status::Open, "500", false);
    let used = open.after(&Step::Use { amount: dec("120") }).expect("use");
    assert_eq!(
        (used.status, used.balance, used.used),
        (Status::Open, dec("380"), dec("120"))
    );
    assert_eq!(
        open.after(&Step::Use { amount: dec("500") })
            .map(|a| a.status),
        Ok(Status::Empty)
    );
    assert!(matches!(
        open.after(&Step::Use { amount: dec("501") }),
        Err(BottleRefusal::Amount { .. })
    ));
    assert!(matches!(
        open.after(&Step::Use { amount: dec("0") }),
        Err(BottleRefusal::Amount { .. })
    ));
    assert_eq!(open.after(&Step::Issue).map(|a| a.status), Ok(Status::Out));
    // Out of the cabinet: back with what is left, never more than went out.
    let out = bottle(Status::Out, "400", true);
    let back = out
        .after(&Step::Return {
            remaining: dec("350"),
        })
        .expect("return");
    assert_eq!(
        (back.status, back.balance, back.used),
        (Status::Open, dec("350"), dec("50"))
    );
    assert!(matches!(
        out.after(&Step::Return {
            remaining: dec("401")
        }),
        Err(BottleRefusal::Amount { .. })
    ));
    assert_eq!(
        out.after(&Step::Return {
            remaining: dec("0")
        })
        .map(|a| a.status),
        Ok(Status::Empty)
    );
    assert_eq!(
        out.after(&Step::Discard).map_err(|e| e.code()),
        Err("bottle_step_not_allowed")
    );
    // A controlled bottle leaves its cabinet only by issue and return.
    let controlled = bottle(Status::Open, "500", true);
    assert_eq!(
        controlled.after(&Step::Use { amount: dec("5") }),
        Err(BottleRefusal::ControlledUse)
    );
    // A count may correct the books up to what was received, not beyond.
    assert_eq!(
        open.after(&Step::Count {
            counted: dec("480")
        })
        .map(|a| a.balance),
        Ok(dec("480"))
    );
    assert!(
        open.after(&Step::Count {
            counted: dec("500.1")
        })
        .is_err()
    );
    // Finished bottles take no step.
    for status in [Status::Empty, Status::Discarded] {
        let done = bottle(status, "0", false);
        for step in [
            Step::Issue,
            Step::Discard,
            Step::Count { counted: dec("0") },
        ] {
            assert!(done.after(&step).is_err(), "{status:?} {step:?}");
        }
    }
    assert_eq!(
        open.after(&Step::Empty).map(|a| (a.status, a.used)),
        Ok((Status::Empty, dec("500")))
    );
}

#[test]
fn a_stocktake_lists_differences_beyond_the_tolerance_and_asks_controlled_ones_explained() {
    let r = &std().reagents;
    // The tolerance setting: the larger of 2 % of the book and 1 unit.
    assert_eq!(r.tolerance(dec("500")), dec("10"));
    assert_eq!(r.tolerance(dec("20")), dec("1"));
    let books = [
        Book {
            bottle: "a".into(),
            balance: dec("500"),
            controlled: true,
        },
        Book {
            bottle: "b".into(),
            balance: dec("500"),
            controlled: true,
        },
        Book {
            bottle: "c".into(),
            balance: dec("100"),
            controlled: false,
        },
        Book {
            bottle: "d".into(),
            balance: dec("40"),
            controlled: true,
        },
    ];
    let counts = [
        Count {
            bottle: "a".into(),
            counted: Some(dec("491")),
            controlled: true,
        },
        Count {
            bottle: "b".into(),
            counted: Some(dec("300")),
            controlled: true,
        },
        // Scanned twice: the last weighing counts.
        Count {
            bottle: "b".into(),
            counted: Some(dec("480")),
            controlled: true,
        },
        Count {
            bottle: "c".into(),
            counted: None,
            controlled: false,
        },
        Count {
            bottle: "x".into(),
            counted: Some(dec("10")),
            controlled: true,
        },
    ];
    let rec = reconcile(r, &books, &counts);
    let of = |b: &str| {
        rec.lines
            .iter()
            .find(|l| l.bottle == b)
            .map(|l| l.difference.clone())
    };
    assert_eq!(of("a"), Some(Difference::Matches));
    assert_eq!(
        of("b"),
        Some(Difference::Differs {
            book: dec("500"),
            counted: dec("480"),
            tolerance: dec("10")
        })
    );
    assert_eq!(of("c"), Some(Difference::Matches));
    assert_eq!(of("d"), Some(Difference::Missing { book: dec("40") }));
    assert_eq!(of("x"), Some(Difference::Unexpected));
    assert_eq!(rec.differences().count(), 3);
    let mut explained = BTreeMap::new();
    assert_eq!(rec.unexplained(&explained), vec!["b", "d", "x"]);
    explained.insert(
        "b".to_string(),
        "spilled during a titration, recorded late".to_string(),
    );
    explained.insert("d".to_string(), "   ".to_string());
    assert_eq!(rec.unexplained(&explained), vec!["d", "x"]);
}

fn shelf(id: &str, cas: &str, cabinet: &str) -> ShelfBottle {
    ShelfBottle {
        id: id.into(),
        substance: Some(sub(cas).id),
        status: Status::Open,
        expires_on: None,
        opened_on: None,
        use_within_days: None,
        place: ("site-1".into(), Some(cabinet.into())),
        lists: std()
            .reagents
            .lists
            .of(sub(cas))
            .into_iter()
            .map(|l| l.list)
            .collect(),
    }
}

fn codes(
    today: Date,
    bottles: &[ShelfBottle],
    last: &BTreeMap<ControlList, Date>,
) -> Vec<(AlertCode, Vec<String>)> {
    let s = std();
    alerts(
        &s.reagents,
        &s.reactivity,
        &s.substances,
        bottles,
        last,
        today,
    )
    .into_iter()
    .map(|a| (a.code, a.bottles))
    .collect()
}

#[test]
fn expiry_alerts_start_the_warning_period_before_and_expire_the_day_after() {
    let exp = date!(2026 - 12 - 31);
    let mut b = shelf("eth", "64-17-5", "A");
    b.expires_on = Some(exp);
    let none = BTreeMap::new();
    let warn = i64::from(std().reagents.expiry_warning_days);
    let before = exp - time::Duration::days(warn + 1);
    assert!(codes(before, std::slice::from_ref(&b), &none).is_empty());
    let first = exp - time::Duration::days(warn);
    assert_eq!(
        codes(first, std::slice::from_ref(&b), &none),
        vec![(AlertCode::Expiring, vec!["eth".into()])]
    );
    // The expiry date is the last day of use.
    assert_eq!(
        codes(exp, std::slice::from_ref(&b), &none)[0].0,
        AlertCode::Expiring
    );
    assert_eq!(
        codes(
            exp + time::Duration::days(1),
            std::slice::from_ref(&b),
            &none
        )[0]
        .0,
        AlertCode::Expired
    );
    // A finished bottle raises nothing.
    b.status = Status::Discarded;
    assert!(codes(exp + time::Duration::days(1), &[b], &none).is_empty());
}

#[test]
fn an_opened_bottle_past_its_use_by_is_an_alert() {
    let mut b = shelf("ether", "60-29-7", "A");
    b.opened_on = Some(date!(2026 - 06 - 01));
    b.use_within_days = Some(180);
    let last: BTreeMap<ControlList, Date> = [(ControlList::Precursor, date!(2026 - 12 - 01))]
        .into_iter()
        .collect();
    // 2026-06-01 + 180 days = 2026-11-28.
    assert!(codes(date!(2026 - 11 - 28), std::slice::from_ref(&b), &last).is_empty());
    assert_eq!(
        codes(date!(2026 - 11 - 29), std::slice::from_ref(&b), &last),
        vec![(AlertCode::OpenedPastUseBy, vec!["ether".into()])]
    );
}

#[test]
fn a_controlled_list_on_the_shelf_asks_its_stocktake_at_its_interval() {
    let kcn = shelf("kcn", "151-50-8", "safe");
    let today = date!(2026 - 12 - 07);
    let due = |last: Option<Date>| {
        let map: BTreeMap<ControlList, Date> = last
            .map(|d| (ControlList::HighlyToxic, d))
            .into_iter()
            .collect();
        s_alerts(today, std::slice::from_ref(&kcn), &map)
            .into_iter()
            .filter(|a| a.code == AlertCode::StocktakeDue)
            .map(|a| a.list)
            .collect::<Vec<_>>()
    };
    assert_eq!(due(None), vec![Some(ControlList::HighlyToxic)]);
    let days = i64::from(std().reagents.duty(ControlList::HighlyToxic).stocktake_days);
    assert!(due(Some(today - time::Duration::days(days - 1))).is_empty());
    assert_eq!(
        due(Some(today - time::Duration::days(days))),
        vec![Some(ControlList::HighlyToxic)]
    );
    // No controlled bottle on hand, no stocktake asked.
    assert!(s_alerts(today, &[shelf("eth", "64-17-5", "A")], &BTreeMap::new()).is_empty());
}

fn s_alerts(
    today: Date,
    b: &[ShelfBottle],
    last: &BTreeMap<ControlList, Date>,
) -> Vec<waste_core::reagent::Alert> {
    let s = std();
    alerts(&s.reagents, &s.reactivity, &s.substances, b, last, today)
}

#[test]
fn bottles_that_react_in_one_cabinet_are_an_alert_gb_18597_6_1_2() {
    let today = date!(2026 - 12 - 07);
    let last: BTreeMap<ControlList, Date> =
        ControlList::ALL.into_iter().map(|l| (l, today)).collect();
    // Nitric acid (oxidising acid) beside ethanol (alcohol): heat, fire (EPA-600/2-80-076 groups 2 × 4).
    let together = [
        shelf("hno3", "7697-37-2", "A"),
        shelf("eth", "64-17-5", "A"),
    ];
    let found = s_alerts(today, &together, &last);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].code, AlertCode::IncompatibleNeighbours);
    assert_eq!(
        found[0].bottles,
        vec!["hno3".to_string(), "eth".to_string()]
    );
    assert!(
        found[0].consequences.contains(&Consequence::F)
            || found[0].consequences.contains(&Consequence::H)
    );
    assert!(found[0].citation.contains("6.1.2"));
    // Apart, in two cabinets: no alert.
    let apart = [
        shelf("hno3", "7697-37-2", "A"),
        shelf("eth", "64-17-5", "B"),
    ];
    assert!(s_alerts(today, &apart, &last).is_empty());
    // Salt beside ethanol: nothing reacts.
    let benign = [
        shelf("nacl", "7647-14-5", "A"),
        shelf("eth", "64-17-5", "A"),
    ];
    assert!(s_alerts(today, &benign, &last).is_empty());
}

fn classified(req: waste_core::WasteRequest, on: Date) -> Option<String> {
    let s = std();
    let waste = Waste::parse(req, &s.substances).expect("a valid waste");
    classify(s, &waste, on).hazardous.code
}

#[test]
fn a_discarded_bottle_is_an_original_reagent_classified_by_the_engine() {
    let today = date!(2026 - 12 - 07);
    // Expired potassium cyanide, a chemical of the Catalogue of Hazardous Chemicals: 900-999-49.
    let d = waste_of_bottle(
        sub("151-50-8"),
        "R-0001",
        dec("250"),
        AmountUnit::G,
        Some(date!(2026 - 01 - 31)),
        today,
    );
    assert_eq!(d.request.origin, Origin::ExpiredReagent);
    assert_eq!(
        (d.quantity, d.unit),
        (dec("0.25"), waste_core::container::Unit::Kg)
    );
    assert!(d.request.description.contains("R-0001"));
    assert_eq!(classified(d.request, today).as_deref(), Some("900-999-49"));
    // In date and unwanted: an unused reagent; a liquid in litres.
    let d = waste_of_bottle(
        sub("64-17-5"),
        "R-0002",
        dec("400"),
        AmountUnit::Ml,
        Some(date!(2027 - 06 - 30)),
        today,
    );
    assert_eq!(d.request.origin, Origin::UnusedReagent);
    assert_eq!(
        (d.quantity, d.unit),
        (dec("0.4"), waste_core::container::Unit::L)
    );
    // On its expiry date it is still in date.
    let d = waste_of_bottle(
        sub("64-17-5"),
        "R-0003",
        dec("1"),
        AmountUnit::L,
        Some(today),
        today,
    );
    assert_eq!(d.request.origin, Origin::UnusedReagent);
}

#[test]
fn an_empty_bottle_is_packaging_waste_unless_cleaned_per_the_labs_rules() {
    let today = date!(2026 - 12 - 07);
    let dirty = waste_of_empty_bottle(sub("7697-37-2"), "R-0004", false);
    assert_eq!(dirty.origin, Origin::EmptyPackaging);
    assert_eq!(classified(dirty, today).as_deref(), Some("900-047-49"));
    let cleaned = waste_of_empty_bottle(sub("7697-37-2"), "R-0004", true);
    assert_eq!(classified(cleaned, today), None);
}

#[test]
fn a_bottles_label_carries_its_code_in_a_qr_code_and_names_its_lists() {
    use waste_core::reagent::{BottleLabel, label_svg};
    let lists = [ControlList::Precursor, ControlList::ExplosivePrecursor];
    let svg = label_svg(&BottleLabel {
        code: "RB0123ABCD",
        name_zh: "高锰酸钾",
        name_en: "potassium permanganate <KMnO4>",
        cas: "7722-64-7",
        lists: &lists,
        expires_on: Some("2030-12-31"),
    })
    .expect("a label");
    assert!(svg.contains(r#"data-payload="RB0123ABCD""#), "{svg}");
    assert!(
        svg.contains("高锰酸钾")
            && svg.contains("CAS 7722-64-7")
            && svg.contains("易制毒 · 易制爆")
    );
    assert!(svg.contains("有效期至 2030-12-31"));
    // Text is escaped: the label stays well-formed XML.
    assert!(svg.contains("&lt;KMnO4&gt;") && !svg.contains("<KMnO4>"));
    assert!(
        svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" width="60mm" height="30mm""#)
    );
}

#[test]
fn the_bureau_flags_idle_controlled_bottles_corrected_books_and_a_quiet_school_settings() {
    use waste_core::reagent::{Anomaly, Held, ShelfFacts, anomalies};
    let r = &std().reagents;
    let today = date!(2026 - 12 - 07);
    let days = |n: u32| today - time::Duration::days(i64::from(n));
    let idle = r.idle_days;
    let held = |id: &str, lists: Vec<ControlList>, received: Date, untouched: bool| {
        Held::new(id.into(), lists, Status::Open, received, untouched)
    };
    // A controlled bottle untouched for exactly the period is idle; a day less, or touched, or not controlled: not.
    let facts = ShelfFacts::new(
        vec![
            held("kcn", vec![ControlList::HighlyToxic], days(idle), true),
            held("kmno4", vec![ControlList::Precursor], days(idle - 1), true),
            held(
                "used",
                vec![ControlList::HighlyToxic],
                days(idle + 100),
                false,
            ),
            held("ethanol", vec![], days(idle + 100), true),
        ],
        0,
        Some(days(10)),
    );
    assert_eq!(
        anomalies(r, &facts, today),
        vec![Anomaly::ControlledIdle {
            bottles: vec!["kcn".into()],
            days: idle
        }]
    );
    // Corrections at stocktakes are listed.
    let facts = ShelfFacts::new(vec![], 2, None);
    assert_eq!(
        anomalies(r, &facts, today),
        vec![Anomaly::BooksCorrected { corrections: 2 }]
    );
    // Receives (a bottle this month) and shipped nothing in the period, with a shelf older than the period.
    let quiet = r.quiet_days;
    let shelf = |last_pickup: Option<Date>| {
        ShelfFacts::new(
            vec![
                held("new", vec![], days(5), false),
                held("old", vec![], days(quiet + 30), false),
            ],
            0,
            last_pickup,
        )
    };
    let flagged = vec![Anomaly::ReceivesButShipsNothing {
        received: 1,
        days: quiet,
    }];
    assert_eq!(anomalies(r, &shelf(None), today), flagged);
    assert_eq!(anomalies(r, &shelf(Some(days(quiet))), today), flagged);
    assert!(anomalies(r, &shelf(Some(days(quiet - 1))), today).is_empty());
    // A school that has only just begun keeping its shelf here is not flagged.
    let fresh = ShelfFacts::new(vec![held("new", vec![], days(5), false)], 0, None);
    assert!(anomalies(r, &fresh, today).is_empty());
}

#[test]
fn a_safety_card_says_what_the_data_has_with_its_source_and_what_it_has_not() {
    use waste_core::hazard::Hazard;
    use waste_core::reagent::{Unsourced, safety_card};
    let s = std();
    let card = safety_card(sub("151-50-8"), &s.reagents.lists, &s.reactivity);
    assert_eq!(
        (card.name_zh.as_str(), card.cas.as_str()),
        ("氰化钾", "151-50-8")
    );
    assert_eq!(card.listings[0].list, ControlList::HighlyToxic);
    assert!(card.hazards.contains(&Hazard::T));
    // Cyanides (group 11) with non-oxidising mineral acids (group 1): toxic and flammable gas (EPA-600/2-80-076).
    let acids = card
        .keep_apart
        .iter()
        .find(|k| k.group == 1)
        .expect("kept apart from acids");
    assert!(
        acids.consequences.contains(&Consequence::GT)
            && acids.consequences.contains(&Consequence::GF)
    );
    assert!(
        card.keep_apart_source.contains("EPA-600/2-80-076") || !card.keep_apart_source.is_empty()
    );
    // No data here has a source for these: the card says so rather than inventing them.
    assert_eq!(
        card.unsourced,
        vec![
            Unsourced::GhsPictograms,
            Unsourced::FirstAid,
            Unsourced::SpillMeasures,
            Unsourced::FireMeasures
        ]
    );
    // A substance in no reactivity group has nothing to keep apart from.
    let salt = safety_card(sub("7647-14-5"), &s.reagents.lists, &s.reactivity);
    assert!(salt.keep_apart.is_empty() && salt.listings.is_empty());
}
