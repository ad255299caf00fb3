//! The dates the law reads are the deployment's local dates (issue 26), on SQLite and PostgreSQL, through the
//! service's clock: a container started at 23:30 Beijing time and sealed at 07:30 the next morning (when the
//! UTC date is still the day before) carries the local date in its label's generation date, its digital
//! identification code (HJ 1276-2022 4.4), its storage clock's start, and the HJ 1259-2022 ledger's record
//! dates and batch codes (Appendix B: prefix + local date + serial). A service reading the UTC date gives the
//! day before at 07:30.

use serde_json::json;
use waste_e2e::world::{self, School};
use waste_e2e::{TestApp, both_backends};

fn compact(d: time::Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

fn ledger(app: &TestApp, s: &School) -> Vec<serde_json::Value> {
    let (st, v) = app.get(
        &format!("/api/v1/ledger?organization_id={}", s.id),
        &s.officer,
    );
    assert_eq!(st, 200, "{v}");
    v["records"].as_array().cloned().unwrap_or_default()
}

fn record<'a>(records: &'a [serde_json::Value], stage: &str) -> &'a serde_json::Value {
    records
        .iter()
        .find(|r| r["stage"] == stage)
        .unwrap_or_else(|| panic!("a {stage} record in {records:?}"))
}

fn late_evening_and_early_morning(app: &TestApp) {
    let s = world::school(app, 40);
    // Day D at 23:30 local time (15:30 UTC, the same date in both).
    let d = app.today() + time::Duration::days(1);
    app.set_local_time(d, 23, 30);
    assert_eq!(app.today(), d, "the service's today is the local date");
    let id = world::container(app, &s.staff, "20");
    let r = world::add(app, &s.staff, &id, world::cyanide(), "2");
    assert_eq!(r.0, 201, "{}", r.1);
    assert_eq!(r.1["label"]["generation_date"], d.to_string(), "{}", r.1);
    assert_eq!(r.1["storage"]["started_on"], d.to_string(), "{}", r.1);
    let digital = r.1["label"]["digital_id"]
        .as_str()
        .expect("digital id")
        .to_owned();
    assert!(digital.contains(&compact(d)), "{digital} carries {d}");
    // Eight hours later: 07:30 on D+1 local, still 23:30 on D in UTC.
    app.advance_minutes(8 * 60);
    let next = d + time::Duration::days(1);
    assert_eq!(app.today(), next, "07:30 local is the next local date");
    let r = app.post(
        &format!("/api/v1/containers/{id}/seal"),
        &s.staff,
        json!({}),
    );
    assert_eq!(r.0, 200, "{}", r.1);
    // A second container started at 07:30 gets the new day in its label and code, and a storage clock from it.
    let early = world::container(app, &s.staff, "20");
    let r = world::add(app, &s.staff, &early, world::cyanide(), "1");
    assert_eq!(r.0, 201, "{}", r.1);
    assert_eq!(r.1["label"]["generation_date"], next.to_string(), "{}", r.1);
    assert_eq!(r.1["storage"]["started_on"], next.to_string(), "{}", r.1);
    let code = r.1["label"]["digital_id"]
        .as_str()
        .expect("digital id")
        .to_owned();
    assert!(code.contains(&compact(next)), "{code} carries {next}");
    // The ledger: generation at 23:30 on D; into storage (the seal) at 07:30 on D+1, its batch code of D+1.
    let records = ledger(app, &s);
    let generation: Vec<&serde_json::Value> = records
        .iter()
        .filter(|r| r["stage"] == "generation")
        .collect();
    assert!(
        generation.iter().any(|g| g["date"] == d.to_string()
            && g["batch_code"]
                .as_str()
                .is_some_and(|b| b.contains(&compact(d)))),
        "a generation record of {d}: {generation:?}"
    );
    let stored = record(&records, "storage_in");
    assert_eq!(stored["date"], next.to_string(), "{stored}");
    assert!(
        stored["batch_code"]
            .as_str()
            .is_some_and(|b| b.contains(&compact(next))),
        "{stored}"
    );
    // The container page shows the seal at 07:30 local time, not 23:30.
    let (mut b, _) = waste_e2e::browser::Browser::user(app, &s.id, &["lab_staff"], "cal40");
    let page = b.get(&format!("/c/{digital}"));
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!("{next} 07:30")),
        "the seal shown at local time"
    );
    assert!(!page.body.contains("UTC"));
}

both_backends! {
    late_evening_and_early_morning => late_evening_and_early_morning;
}
