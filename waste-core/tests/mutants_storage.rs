//! Worked cases for every decision of `waste_core::storage`, written so that each one fails when the decision
//! changes (see docs/mutation-testing.md, `scripts/mutants.sh storage`). Each test names the clause it checks,
//! or the policy setting in `standards-data/data/storage.toml` when no clause sets the value.

use rust_decimal::Decimal;
use std::str::FromStr;
use time::Date;
use time::macros::date;
use waste_core::Standards;
use waste_core::citation::Confidence;
use waste_core::party::OrgKind;
use waste_core::storage::{
    OnHandStatus, SiteKind, StorageRules, StorageStatus, WorkingCalendar, add_months, sub_months,
};

fn rules() -> &'static StorageRules {
    &Standards::embedded().storage
}
fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// A rules file whose three site kinds differ, so that a decision using the wrong kind's policy shows.
/// `lab`: 6 months, 10 days; `storage_point`: 3 months, 0 days; `transfer_station`: 12 months, 30 days.
fn rules_text(lab: (u32, i64), point: (u32, i64), warn: &str) -> String {
    format!(
        r#"
[storage_point]
max_mass_kg = "3000"
source = "GB 18597-2023 8.3.5"
warn_fraction = "{warn}"
warn_source = "setting"

[[policy]]
site = "transfer_station"
limit_months = 12
due_soon_days = 30
source = "Solid Waste Law (2020) Art.81"
confidence = "C"

[[policy]]
site = "lab"
limit_months = {}
due_soon_days = {}
source = "lab setting"
confidence = "UNCONFIRMED"

[[policy]]
site = "storage_point"
limit_months = {}
due_soon_days = {}
source = "point setting"
confidence = "UNCONFIRMED"

"#,
        lab.0, lab.1, point.0, point.1
    )
}
/// The rules file without the `[[policy]]` block of `site`.
fn without_policy(text: &str, site: &str) -> String {
    let marker = format!("site = \"{site}\"");
    text.split("[[policy]]")
        .filter(|block| !block.contains(&marker))
        .collect::<Vec<_>>()
        .join("[[policy]]")
}

fn distinct_rules() -> StorageRules {
    StorageRules::parse(&rules_text((6, 10), (3, 0), "0.8")).expect("valid rules")
}

// ---------- month arithmetic (docs/rules.md "storage deadlines"; the clocks of Solid Waste Law Art.81) ----------

#[test]
fn sub_months_within_a_year_keeps_the_day_art_81_clock() {
    assert_eq!(sub_months(date!(2026 - 11 - 28), 1), date!(2026 - 10 - 28));
    assert_eq!(sub_months(date!(2026 - 11 - 28), 3), date!(2026 - 08 - 28));
    assert_eq!(sub_months(date!(2026 - 12 - 15), 11), date!(2026 - 01 - 15));
    assert_eq!(sub_months(date!(2026 - 06 - 10), 0), date!(2026 - 06 - 10));
}

#[test]
fn sub_months_across_the_year_end_art_81_clock() {
    assert_eq!(sub_months(date!(2026 - 01 - 15), 1), date!(2025 - 12 - 15));
    assert_eq!(sub_months(date!(2027 - 01 - 28), 12), date!(2026 - 01 - 28));
    assert_eq!(sub_months(date!(2026 - 03 - 05), 14), date!(2025 - 01 - 05));
    assert_eq!(sub_months(date!(2026 - 12 - 31), 12), date!(2025 - 12 - 31));
    assert_eq!(sub_months(date!(2026 - 12 - 31), 24), date!(2024 - 12 - 31));
    assert_eq!(sub_months(date!(2025 - 01 - 31), 13), date!(2023 - 12 - 31));
}

#[test]
fn sub_months_rolls_a_missing_day_back_to_the_month_end_art_81_clock() {
    // 31 March minus one month: February has 28 days in 2025, 29 in the leap year 2024.
    assert_eq!(sub_months(date!(2025 - 03 - 31), 1), date!(2025 - 02 - 28));
    assert_eq!(sub_months(date!(2024 - 03 - 31), 1), date!(2024 - 02 - 29));
    assert_eq!(sub_months(date!(2024 - 03 - 30), 1), date!(2024 - 02 - 29));
    // A leap day minus a year: 2023 has no 29 February.
    assert_eq!(sub_months(date!(2024 - 02 - 29), 12), date!(2023 - 02 - 28));
    assert_eq!(sub_months(date!(2024 - 02 - 29), 48), date!(2020 - 02 - 29));
    // 31st into a 30-day month.
    assert_eq!(sub_months(date!(2026 - 07 - 31), 1), date!(2026 - 06 - 30));
    assert_eq!(sub_months(date!(2026 - 05 - 31), 3), date!(2026 - 02 - 28));
}

#[test]
fn add_months_across_month_ends_and_leap_years_art_81_clock() {
    assert_eq!(add_months(date!(2026 - 01 - 15), 12), date!(2027 - 01 - 15));
    assert_eq!(add_months(date!(2026 - 11 - 15), 2), date!(2027 - 01 - 15));
    assert_eq!(add_months(date!(2026 - 12 - 15), 1), date!(2027 - 01 - 15));
    assert_eq!(add_months(date!(2025 - 01 - 31), 1), date!(2025 - 02 - 28));
    assert_eq!(add_months(date!(2024 - 01 - 31), 1), date!(2024 - 02 - 29));
    assert_eq!(add_months(date!(2024 - 02 - 29), 12), date!(2025 - 02 - 28));
    assert_eq!(add_months(date!(2024 - 02 - 29), 48), date!(2028 - 02 - 29));
    assert_eq!(add_months(date!(2026 - 08 - 31), 1), date!(2026 - 09 - 30));
    assert_eq!(add_months(date!(2026 - 06 - 10), 0), date!(2026 - 06 - 10));
}

// ---------- the clock (Solid Waste Law Art.81; generators: policy setting `lab`/`storage_point`) ----------

#[test]
fn the_clock_is_due_soon_from_due_soon_days_and_overdue_after_the_deadline_art_81() {
    let s = rules();
    let start = date!(2025 - 12 - 01);
    // Deadline 2026-12-01; due_soon_days = 30 at a transfer station.
    let c = s.clock(SiteKind::TransferStation, start, date!(2026 - 12 - 01));
    assert_eq!(c.deadline, date!(2026 - 12 - 01));
    assert_eq!(c.started_on, start);
    assert_eq!((c.days_left, c.status), (0, StorageStatus::DueSoon));
    assert_eq!(c.source, "Solid Waste Law (2020) Art.81");
    let c = s.clock(SiteKind::TransferStation, start, date!(2026 - 12 - 02));
    assert_eq!((c.days_left, c.status), (-1, StorageStatus::Overdue));
    let c = s.clock(SiteKind::TransferStation, start, date!(2026 - 11 - 01));
    assert_eq!((c.days_left, c.status), (30, StorageStatus::DueSoon));
    let c = s.clock(SiteKind::TransferStation, start, date!(2026 - 10 - 31));
    assert_eq!((c.days_left, c.status), (31, StorageStatus::Ok));
    let c = s.clock(SiteKind::TransferStation, start, start);
    assert_eq!((c.days_left, c.status), (365, StorageStatus::Ok));
}

#[test]
fn each_kind_of_site_runs_on_its_own_policy_storage_toml_settings() {
    let s = distinct_rules();
    let start = date!(2026 - 01 - 31);
    // lab: 6 months, due soon from 10 days.
    let lab = s.clock(SiteKind::Lab, start, date!(2026 - 07 - 21));
    assert_eq!(lab.deadline, date!(2026 - 07 - 31));
    assert_eq!((lab.days_left, lab.status), (10, StorageStatus::DueSoon));
    let lab = s.clock(SiteKind::Lab, start, date!(2026 - 07 - 20));
    assert_eq!((lab.days_left, lab.status), (11, StorageStatus::Ok));
    assert_eq!(lab.source, "lab setting");
    // storage point: 3 months (31 January + 3 months = 30 April), due soon only on the day (0 days).
    let point = s.clock(SiteKind::StoragePoint, start, date!(2026 - 04 - 30));
    assert_eq!(point.deadline, date!(2026 - 04 - 30));
    assert_eq!((point.days_left, point.status), (0, StorageStatus::DueSoon));
    let point = s.clock(SiteKind::StoragePoint, start, date!(2026 - 04 - 29));
    assert_eq!((point.days_left, point.status), (1, StorageStatus::Ok));
    let point = s.clock(SiteKind::StoragePoint, start, date!(2026 - 05 - 01));
    assert_eq!(
        (point.days_left, point.status),
        (-1, StorageStatus::Overdue)
    );
    // transfer station: 12 months.
    let station = s.clock(SiteKind::TransferStation, start, date!(2026 - 04 - 30));
    assert_eq!(station.deadline, date!(2027 - 01 - 31));
    assert_eq!(station.status, StorageStatus::Ok);
}

#[test]
fn the_holder_chooses_the_clock_art_81() {
    // Solid Waste Law Art.81: a transfer station's own clock once it took custody, the lab's before.
    assert_eq!(
        StorageRules::site_of(OrgKind::TransferStation),
        SiteKind::TransferStation
    );
    for k in [
        OrgKind::School,
        OrgKind::DisposalFirm,
        OrgKind::Carrier,
        OrgKind::Authority,
    ] {
        assert_eq!(StorageRules::site_of(k), SiteKind::Lab, "{k:?}");
    }
}

#[test]
fn the_embedded_policies_art_81_and_the_generator_setting() {
    let s = rules();
    let t = s.policy(SiteKind::TransferStation);
    assert_eq!(
        (t.site, t.limit_months, t.due_soon_days, t.confidence),
        (SiteKind::TransferStation, 12, 30, Confidence::Confirmed)
    );
    for k in [SiteKind::Lab, SiteKind::StoragePoint] {
        let p = s.policy(k);
        assert_eq!(
            (p.site, p.limit_months, p.due_soon_days, p.confidence),
            (k, 12, 30, Confidence::Unconfirmed)
        );
    }
}

// ---------- due-soon horizon per kind of site (policy settings `due_soon_days`, `limit_months`) ----------

#[test]
fn the_alert_horizon_is_today_plus_due_soon_days_and_a_month_minus_the_limit() {
    // Embedded: 30 days + 31 days of slack, 12 months. 2026-11-28 + 61 days = 2027-01-28.
    let s = rules();
    for k in [
        SiteKind::Lab,
        SiteKind::StoragePoint,
        SiteKind::TransferStation,
    ] {
        assert_eq!(
            s.alert_horizon(k, date!(2026 - 11 - 28)),
            date!(2026 - 01 - 28),
            "{k:?}"
        );
    }
    // Distinct kinds: lab 6 months and 10 days; storage point 3 months and 0 days.
    let d = distinct_rules();
    // 2026-06-01 + 41 days = 2026-07-12, minus 6 months.
    assert_eq!(
        d.alert_horizon(SiteKind::Lab, date!(2026 - 06 - 01)),
        date!(2026 - 01 - 12)
    );
    // 2026-06-01 + 31 days = 2026-07-02, minus 3 months.
    assert_eq!(
        d.alert_horizon(SiteKind::StoragePoint, date!(2026 - 06 - 01)),
        date!(2026 - 04 - 02)
    );
    // 2026-06-01 + 61 days = 2026-08-01, minus 12 months.
    assert_eq!(
        d.alert_horizon(SiteKind::TransferStation, date!(2026 - 06 - 01)),
        date!(2025 - 08 - 01)
    );
}

#[test]
fn every_clock_due_soon_or_overdue_started_on_or_before_the_horizon() {
    // The query's promise: a clock past the horizon is Ok; none due soon is left out.
    let d = distinct_rules();
    let today = date!(2026 - 03 - 31);
    for site in [
        SiteKind::Lab,
        SiteKind::StoragePoint,
        SiteKind::TransferStation,
    ] {
        let horizon = d.alert_horizon(site, today);
        let mut start: Date = date!(2024 - 01 - 01);
        while start <= date!(2026 - 12 - 31) {
            let c = d.clock(site, start, today);
            if c.status != StorageStatus::Ok {
                assert!(start <= horizon, "{site:?} {start} {horizon}");
            }
            start = start.next_day().expect("date");
        }
    }
}

// ---------- GB 18597-2023 8.3.5: at most 3 t; warning share (policy setting `warn_fraction`) ----------

#[test]
fn the_ceiling_at_just_under_and_just_over_3_t_gb18597_8_3_5() {
    let s = rules();
    assert_eq!(s.storage_point_max_kg, dec("3000"));
    let over = |kg: &str| s.on_hand(dec(kg)).status == waste_core::storage::OnHandStatus::Over;
    assert!(!over("2999.99"));
    assert!(!over("3000"));
    assert!(!over("0"));
    assert!(over("3000.01"));
    assert!(over("4500"));
    // The refusal of an addition over it is the site rules', reading this status (one decision, one place).
    let sites = &waste_core::Standards::embedded().sites;
    let point = waste_core::site::SiteKind::StoragePoint;
    assert!(
        sites
            .check_quantity(s, point, dec("2999"), dec("1"))
            .is_ok()
    );
    let e = sites
        .check_quantity(s, point, dec("2999"), dec("1.01"))
        .expect_err("over 3 t");
    assert_eq!(
        (e.after_kg, e.max_kg, e.citation.as_str()),
        (dec("3000.01"), dec("3000"), "GB 18597-2023 8.3.5")
    );
}

#[test]
fn on_hand_warns_from_the_share_and_is_over_above_3_t_gb18597_8_3_5() {
    let s = rules();
    assert_eq!(s.storage_point_warn_fraction, dec("0.8"));
    let at = |kg: &str| s.on_hand(dec(kg));
    assert_eq!(at("0").status, OnHandStatus::Ok);
    assert_eq!(at("2399.99").status, OnHandStatus::Ok);
    assert_eq!(at("2400").status, OnHandStatus::Warning);
    assert_eq!(at("2400.01").status, OnHandStatus::Warning);
    assert_eq!(at("2999.99").status, OnHandStatus::Warning);
    assert_eq!(at("3000").status, OnHandStatus::Warning);
    assert_eq!(at("3000.01").status, OnHandStatus::Over);
    assert_eq!(at("4000").status, OnHandStatus::Over);
    let o = at("2400.500");
    assert_eq!(o.warn_from_kg, dec("2400"));
    assert_eq!(o.warn_from_kg.to_string(), "2400");
    assert_eq!(o.max_kg, dec("3000"));
    assert_eq!(o.total_kg.to_string(), "2400.5");
    assert_eq!(
        o.citation,
        "GB 18597-2023 8.3.5; warning from 0.8 of it: setting, UNCONFIRMED"
    );
}

#[test]
fn on_hand_with_another_warning_share_setting() {
    // warn_fraction = 0.5: a warning from 1500 kg.
    let s = StorageRules::parse(&rules_text((12, 30), (12, 30), "0.5")).expect("valid");
    assert_eq!(s.on_hand(dec("1499.9")).status, OnHandStatus::Ok);
    assert_eq!(s.on_hand(dec("1500")).status, OnHandStatus::Warning);
    assert_eq!(s.on_hand(dec("1500")).warn_from_kg, dec("1500"));
    // warn_fraction = 1: the warning is the ceiling itself.
    let s = StorageRules::parse(&rules_text((12, 30), (12, 30), "1")).expect("1 is allowed");
    assert_eq!(s.on_hand(dec("2999.99")).status, OnHandStatus::Ok);
    assert_eq!(s.on_hand(dec("3000")).status, OnHandStatus::Warning);
    assert_eq!(s.on_hand(dec("3000.01")).status, OnHandStatus::Over);
}

// ---------- validation of storage.toml ----------

#[test]
fn parse_accepts_the_bounds_of_each_setting() {
    // due_soon_days = 0 and a one-month limit are valid; warn_fraction may be just above 0 or exactly 1.
    let s = StorageRules::parse(&rules_text((1, 0), (1, 0), "0.01")).expect("bounds");
    assert_eq!(s.policy(SiteKind::Lab).limit_months, 1);
    assert_eq!(s.policy(SiteKind::Lab).due_soon_days, 0);
    assert_eq!(s.storage_point_warn_fraction, dec("0.01"));
    assert_eq!(s.storage_point_source, "GB 18597-2023 8.3.5");
    assert_eq!(s.storage_point_warn_source, "setting");
    assert!(StorageRules::parse(&rules_text((1, 0), (1, 0), "1")).is_ok());
}

#[test]
fn parse_refuses_a_policy_without_a_limit() {
    for (lab, why) in [
        ((0, 30), "limit_months = 0"),
        ((12, -1), "due_soon_days < 0"),
        ((0, -1), "both"),
    ] {
        let e = StorageRules::parse(&rules_text(lab, (12, 30), "0.8")).expect_err(why);
        assert_eq!(e, "storage: policy for lab has no limit", "{why}");
    }
}

#[test]
fn parse_refuses_a_warning_share_outside_0_to_1() {
    for w in ["0", "-0.1", "1.01", "2"] {
        let e = StorageRules::parse(&rules_text((12, 30), (12, 30), w)).expect_err(w);
        assert_eq!(e, "storage: warn_fraction must be in (0, 1]", "{w}");
    }
    let e = StorageRules::parse(&rules_text((12, 30), (12, 30), "much")).expect_err("text");
    assert!(e.starts_with("storage: warn_fraction:"), "{e}");
}

#[test]
fn parse_refuses_an_unknown_or_missing_site_kind() {
    let text = rules_text((12, 30), (12, 30), "0.8");
    let e = StorageRules::parse(&text.replacen("site = \"lab\"", "site = \"kitchen\"", 1))
        .expect_err("unknown");
    assert_eq!(e, "storage: unknown site 'kitchen'");
    // One kind's policy left out (a policy block is removed from the file).
    for (site, kind) in [
        ("storage_point", "StoragePoint"),
        ("lab", "Lab"),
        ("transfer_station", "TransferStation"),
    ] {
        let without = without_policy(&text, site);
        let e = StorageRules::parse(&without).expect_err(site);
        assert_eq!(e, format!("storage: no policy for {kind}"));
    }
    let e = StorageRules::parse(&text.replace("\"3000\"", "\"three t\"")).expect_err("mass");
    assert!(e.starts_with("storage: "), "{e}");
    assert!(StorageRules::parse("policy = 3").is_err());
}

// ---------- China's working-day calendar (国办发明电〔2023〕7号, 〔2024〕12号) ----------

#[test]
fn working_days_holidays_adjusted_weekends_and_plain_days() {
    let cal = &Standards::embedded().calendar;
    assert!(cal.covers(2024) && cal.covers(2025));
    assert!(!cal.covers(2019));
    // A weekday holiday, a worked Sunday, a plain Saturday and a plain weekday.
    assert!(!cal.is_working_day(date!(2024 - 10 - 01)));
    assert!(cal.is_working_day(date!(2024 - 10 - 12)));
    assert!(!cal.is_working_day(date!(2024 - 10 - 19)));
    assert!(!cal.is_working_day(date!(2024 - 10 - 20)));
    assert!(cal.is_working_day(date!(2024 - 10 - 21)));
    // No days: the start itself. One day from a Friday: the Monday.
    let r = cal.add_working_days(date!(2024 - 10 - 18), 0);
    assert_eq!(r.date, date!(2024 - 10 - 18));
    assert_eq!(
        cal.add_working_days(date!(2024 - 10 - 18), 1).date,
        date!(2024 - 10 - 21)
    );
    assert_eq!(
        cal.add_working_days(date!(2024 - 10 - 21), 3).date,
        date!(2024 - 10 - 24)
    );
    // 2019 is not in the data: weekends only, and the year is named.
    let r = cal.add_working_days(date!(2019 - 10 - 01), 1);
    assert_eq!(r.date, date!(2019 - 10 - 02));
    assert_eq!(r.uncovered_years, vec![2019]);
}

#[test]
fn the_calendar_file_is_checked() {
    let ok =
        "[[year]]\nyear = 2030\nholidays = [\"2030-01-01\"]\nworking_weekends = [\"2030-01-05\"]\n";
    let cal = WorkingCalendar::parse(ok).expect("a weekday holiday and a Saturday worked");
    assert!(cal.covers(2030));
    assert!(!cal.is_working_day(date!(2030 - 01 - 01)));
    assert!(cal.is_working_day(date!(2030 - 01 - 05)));
    let e = WorkingCalendar::parse(&ok.replace("2030-01-01", "2031-01-01")).expect_err("year");
    assert_eq!(e, "calendar: 2031-01-01 is listed under 2030");
    let e = WorkingCalendar::parse(&ok.replace("2030-01-05", "2030-01-07")).expect_err("Monday");
    assert_eq!(
        e,
        "calendar: working weekend 2030-01-07 is not a Saturday or Sunday"
    );
    let e = WorkingCalendar::parse(&ok.replace("2030-01-05", "2030-01-06")).map(|_| ());
    assert_eq!(e, Ok(()), "a Sunday worked");
    assert!(WorkingCalendar::parse(&ok.replace("2030-01-01", "2030-13-01")).is_err());
}

/// The rules file cannot say a site kind's policy twice: the later block would win without a word (policy
/// settings in storage.toml, one per kind of site).
#[test]
fn a_policy_given_twice_is_refused() {
    let text = rules_text((6, 10), (3, 0), "0.8");
    let twice = format!(
        "{text}\n[[policy]]\nsite = \"lab\"\nlimit_months = 9\ndue_soon_days = 5\nsource = \"again\"\nconfidence = \"C\"\n"
    );
    let e = StorageRules::parse(&twice).expect_err("a kind given twice");
    assert!(e.contains("two policies for lab"), "{e}");
    assert!(StorageRules::parse(&text).is_ok());
}
