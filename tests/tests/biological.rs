//! Issue 32 through the service, on both backends: biological waste goes into a container of its own medical-waste
//! stream with its HW01 code and the infectious hazard on the label; an empty fraction is refused with nothing
//! written.

use serde_json::{Value, json};
use waste_e2e::world::{add, container, cyanide, school};
use waste_e2e::{TestApp, assert_error, both_backends, count};

fn additions(app: &TestApp, id: &str) -> i64 {
    count(
        app,
        &format!("SELECT COUNT(*) AS n FROM additions WHERE container_id = '{id}'"),
    )
}

fn warning_codes(v: &Value) -> Vec<String> {
    v["warnings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|w| w["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// E. coli LB-agar plates of a biology teaching lab (Medical Waste Classification Catalogue 2021 Table 1,
/// infectious item 3; the `[biological_lab]` setting): no chemical component, accepted, 841-001-01 with In, the
/// medical_infectious stream, the inactivation warning; the label prints the code and 感染性; a chemical waste
/// after it is refused with nothing written.
fn biological_waste_through_a_container(app: &TestApp) {
    let s = school(app, 321);
    let id = container(app, &s.staff, "20");
    let plates = json!({"form": "solid", "origin": "experiment_residue", "lab_kind": "biological",
        "biological": "culture", "description": "E. coli K-12 on LB agar, teaching lab"});
    let (st, v) = app.post(
        &format!("/api/v1/containers/{id}/additions"),
        &s.staff,
        json!({"waste": plates, "quantity": "1.5", "unit": "kg"}),
    );
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["stream"], "medical_infectious", "{v}");
    assert_eq!(v["code"], "841-001-01");
    assert_eq!(v["hazards"], json!(["In"]));
    let warnings = warning_codes(&v["classification"]);
    assert!(
        warnings.contains(&"inactivate_before_collection".to_owned()),
        "{warnings:?}"
    );

    // Read back: the container's stream and code, and the label.
    let (st, c) = app.get(&format!("/api/v1/containers/{id}"), &s.staff);
    assert_eq!(st, 200, "{c}");
    assert_eq!(c["stream"], "medical_infectious", "{c}");
    assert_eq!(c["code"], "841-001-01", "{c}");
    let (st, svg) = app.get(&format!("/api/v1/containers/{id}/label.svg"), &s.staff);
    assert_eq!(st, 200, "{svg}");
    let svg = svg.as_str().unwrap_or_default().to_owned();
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.contains("841-001-01"), "label lacks the code");
    assert!(svg.contains("感染性"), "label lacks the infectious hazard");

    // A chemical waste does not go into the medical-waste container; nothing is written.
    let r = add(app, &s.staff, &id, cyanide(), "1");
    assert!(r.0 == 409, "{r:?}");
    assert!(
        ["code_mismatch", "stream_mismatch"].contains(&r.1["error"]["code"].as_str().unwrap_or("")),
        "{r:?}"
    );
    assert_eq!(additions(app, &id), 1);

    // School lancets: medical sharps, a stream of their own, refused into the infectious container.
    let lancets = json!({"form": "solid", "origin": "sharps", "lab_kind": "biological"});
    let r = app.post(
        &format!("/api/v1/containers/{id}/additions"),
        &s.staff,
        json!({"waste": lancets, "quantity": "0.1", "unit": "kg"}),
    );
    assert_error(&r, 409, "code_mismatch");
    assert_eq!(additions(app, &id), 1);
    let sharps = container(app, &s.staff, "5");
    let (st, v) = app.post(
        &format!("/api/v1/containers/{sharps}/additions"),
        &s.staff,
        json!({"waste": lancets, "quantity": "0.1", "unit": "kg"}),
    );
    assert_eq!(st, 201, "{v}");
    assert_eq!(
        (v["stream"].as_str(), v["code"].as_str()),
        (Some("medical_sharps"), Some("841-002-01"))
    );
}

/// Issue 32 item 5: `"fraction": ""` is refused (422, the field named), on classify and on an addition, and the
/// refused addition leaves nothing behind.
fn an_empty_fraction_is_refused(app: &TestApp) {
    let s = school(app, 322);
    let blank = json!([{"name": "acetone", "fraction": ""}]);
    let e = app.post(
        "/api/v1/classify",
        &s.staff,
        json!({"form": "liquid", "origin": "experiment_residue", "components": blank}),
    );
    assert_error(&e, 422, "invalid_input");
    assert_eq!(e.1["error"]["details"]["field"], "components[0].fraction");
    assert!(
        e.1["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("empty fraction")),
        "{e:?}"
    );
    let id = container(app, &s.staff, "20");
    let before_events = count(
        app,
        &format!("SELECT COUNT(*) AS n FROM events WHERE aggregate = 'container:{id}'"),
    );
    let e = add(
        app,
        &s.staff,
        &id,
        json!([{"name": "acetone", "fraction": "  "}]),
        "1",
    );
    assert_error(&e, 422, "invalid_input");
    assert_eq!(additions(app, &id), 0);
    assert_eq!(
        count(
            app,
            &format!("SELECT COUNT(*) AS n FROM events WHERE aggregate = 'container:{id}'"),
        ),
        before_events
    );
    let (_, c) = app.get(&format!("/api/v1/containers/{id}"), &s.staff);
    assert_eq!(c["stream"], Value::Null, "{c}");
}

both_backends! {
    biological_waste_goes_into_its_own_medical_stream_with_its_label => biological_waste_through_a_container;
    an_empty_fraction_is_refused_with_nothing_written => an_empty_fraction_is_refused;
}
