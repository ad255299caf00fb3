//! Table-driven worked cases (tests/data/worked_cases.toml and tests/data/worked_cases_school_labs.toml): each row
//! is an input, the expected outcome with its clause, code and stream, and the source that justifies it.

use serde::Deserialize;
use std::collections::BTreeSet;
use time::macros::date;
use waste_core::Standards;
use waste_core::request::{Fate, Origin};
use waste_core::stream::Stream;

#[derive(Deserialize)]
struct Table {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    source: String,
    on: Option<String>,
    request: toml::Value,
    expect: Expect,
}

#[derive(Deserialize)]
struct Expect {
    solid: String,
    clause: Option<String>,
    hazardous: String,
    hazardous_clause: Option<String>,
    code: Option<String>,
    category: Option<String>,
    stream: String,
    hazards: Option<Vec<String>>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    no_warnings: Vec<String>,
    /// The catalogue edition the decision cites, e.g. `2025`.
    edition: Option<String>,
    /// Text that one step of the trace (rule, citation or result) must contain.
    trace: Option<String>,
}

fn general_cases() -> Vec<Case> {
    let table: Table =
        toml::from_str(include_str!("data/worked_cases.toml")).expect("worked_cases.toml parses");
    table.case
}

fn school_lab_cases() -> Vec<Case> {
    let table: Table = toml::from_str(include_str!("data/worked_cases_school_labs.toml"))
        .expect("worked_cases_school_labs.toml parses");
    table.case
}

fn third_round_cases() -> Vec<Case> {
    let table: Table = toml::from_str(include_str!("data/worked_cases_third_round.toml"))
        .expect("worked_cases_third_round.toml parses");
    table.case
}

fn cases() -> Vec<Case> {
    let mut all = general_cases();
    all.extend(school_lab_cases());
    all.extend(third_round_cases());
    all
}

fn as_json_str<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[test]
fn every_worked_case_gives_its_expected_outcome() {
    let cases = general_cases();
    assert!(
        cases.len() >= 60,
        "at least 60 worked cases, found {}",
        cases.len()
    );
    check_cases(&cases);
}

/// Issue 17 (streams that read concentrations, guarded discharge exclusions, consumables and packaging), issue 10
/// item 7 (composition only where it decides, a stream for every remaining lab liquid) and issue 13 item 1
/// (catalogue edition by decision date).
#[test]
fn every_school_lab_case_gives_its_expected_outcome() {
    let cases = school_lab_cases();
    assert!(
        cases.len() >= 30,
        "at least 30 school-lab cases, found {}",
        cases.len()
    );
    check_cases(&cases);
}

/// Issue 32: clinical and biological lab waste, gas cylinders, oxidising mixtures, dates before the data.
#[test]
fn every_third_round_case_gives_its_expected_outcome() {
    let cases = third_round_cases();
    assert!(
        cases.len() >= 25,
        "at least 25 third-round cases, found {}",
        cases.len()
    );
    check_cases(&cases);
}

fn check_cases(cases: &[Case]) {
    let std = Standards::embedded();
    let mut failures = Vec::new();
    for case in cases {
        assert!(
            !case.source.trim().is_empty(),
            "{}: every case names its source",
            case.name
        );
        let on = case
            .on
            .as_deref()
            .map(|d| {
                time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
                    .expect("date")
            })
            .unwrap_or(date!(2026 - 11 - 28));
        let json = serde_json::to_string(&case.request).expect("request to json");
        let r = match waste_core::classify_json(std, &json, on) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: refused: {e}", case.name));
                continue;
            }
        };
        let e = &case.expect;
        let mut check = |what: &str, got: String, want: &str| {
            if got != want {
                failures.push(format!(
                    "{}: {what} = {got:?}, expected {want:?} (source: {})",
                    case.name, case.source
                ));
            }
        };
        check(
            "solid_waste.outcome",
            as_json_str(&r.solid_waste.outcome),
            &e.solid,
        );
        if let Some(c) = &e.clause {
            check("solid_waste.clause", r.solid_waste.clause.clone(), c);
        }
        check(
            "hazardous.outcome",
            as_json_str(&r.hazardous.outcome),
            &e.hazardous,
        );
        if let Some(c) = &e.hazardous_clause {
            check("hazardous.clause", r.hazardous.clause.clone(), c);
        }
        check(
            "hazardous.code",
            r.hazardous.code.clone().unwrap_or_else(|| "none".into()),
            e.code.as_deref().unwrap_or("none"),
        );
        if let Some(c) = &e.category {
            check(
                "hazardous.category",
                r.hazardous.category.clone().unwrap_or_default(),
                c,
            );
        }
        check(
            "stream",
            r.stream
                .map_or("none".to_owned(), |s| s.as_str().to_owned()),
            &e.stream,
        );
        if let Some(h) = &e.hazards {
            let got: Vec<String> = r
                .hazardous
                .hazards
                .iter()
                .map(|h| h.as_str().to_owned())
                .collect();
            check("hazards", got.join(","), &h.join(","));
        }
        let codes: BTreeSet<String> = r.warnings.iter().map(|w| as_json_str(&w.code)).collect();
        for w in &e.warnings {
            if !codes.contains(w) {
                failures.push(format!(
                    "{}: warning {w} missing (got {codes:?})",
                    case.name
                ));
            }
        }
        for w in &e.no_warnings {
            if codes.contains(w) {
                failures.push(format!("{}: warning {w} should be absent", case.name));
            }
        }
        if let Some(ed) = &e.edition {
            if r.hazardous.edition != *ed {
                failures.push(format!(
                    "{}: hazardous.edition = {:?}, expected {ed:?}",
                    case.name, r.hazardous.edition
                ));
            }
            let named = r.hazardous.standard.contains(&format!("({ed})"));
            if !named {
                failures.push(format!(
                    "{}: hazardous.standard {:?} does not name edition {ed}",
                    case.name, r.hazardous.standard
                ));
            }
        }
        if let Some(want) = &e.trace {
            let found = r.trace.iter().any(|s| {
                s.rule.contains(want.as_str())
                    || s.citation.contains(want.as_str())
                    || s.result.contains(want.as_str())
            });
            if !found {
                failures.push(format!(
                    "{}: no trace step contains {want:?}; trace: {:?}",
                    case.name, r.trace
                ));
            }
        }
        // Every step of the trace names its source.
        for step in &r.trace {
            if step.citation.trim().is_empty() {
                failures.push(format!(
                    "{}: trace step '{}' cites nothing",
                    case.name, step.rule
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn worked_cases_cover_every_origin_fate_and_stream() {
    let cases = cases();
    let field = |c: &Case, k: &str| c.request.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    let origins: BTreeSet<String> = cases.iter().filter_map(|c| field(c, "origin")).collect();
    let fates: BTreeSet<String> = cases
        .iter()
        .map(|c| field(c, "fate").unwrap_or_else(|| "discard".into()))
        .collect();
    let streams: BTreeSet<String> = cases.iter().map(|c| c.expect.stream.clone()).collect();
    for o in Origin::ALL {
        assert!(
            origins.contains(&as_json_str(&o)),
            "no worked case for origin {}",
            as_json_str(&o)
        );
    }
    for f in [
        Fate::Discard,
        Fate::ReuseAsIs,
        Fate::ReturnToProcess,
        Fate::KeptForAnalysis,
        Fate::DischargeMeetsStandard,
        Fate::TreatThenDischarge,
        Fate::NeutralizeThenDischarge,
    ] {
        assert!(
            fates.contains(&as_json_str(&f)),
            "no worked case for fate {}",
            as_json_str(&f)
        );
    }
    for s in Stream::ALL {
        assert!(
            streams.contains(s.as_str()),
            "no worked case for stream {}",
            s.as_str()
        );
    }
}
