//! The OpenAPI document is exact enough for a generated client: every response described, every request and
//! answer a real schema, the error answers each operation can give declared with the error envelope; and a
//! method a path does not declare is answered 405 with `Allow`. Every endpoint added later is held to this.

use serde_json::{Value, json};
use waste_e2e::{ADMIN_TOKEN, TestApp, both_backends};

const METHODS: [&str; 8] = [
    "get", "head", "post", "put", "patch", "delete", "options", "trace",
];

fn document(app: &TestApp) -> Value {
    let (s, doc) = app.call("GET", "/openapi.json", None, None);
    assert_eq!(s, 200);
    doc
}

/// Follows a local `$ref` (`#/components/...`).
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let target = doc
                .pointer(r.trim_start_matches('#'))
                .unwrap_or(&Value::Null);
            assert!(!target.is_null(), "{r} resolves to nothing");
            target
        }
        None => v,
    }
}

/// Every schema object in the document, with where it is.
fn schemas<'a>(v: &'a Value, at: String, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(m) => {
            if m.get("type").is_some() || m.contains_key("properties") {
                out.push((at.clone(), v));
            }
            for (k, child) in m {
                schemas(child, format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                schemas(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn operations(doc: &Value) -> Vec<(String, &'static str, &Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            if let Some(op) = item.get(m) {
                ops.push((path.clone(), m, op));
            }
        }
    }
    ops
}

fn the_document_is_exact(app: &TestApp) {
    let doc = document(app);
    assert_eq!(doc["openapi"], "3.1.0");
    let mut faults: Vec<String> = Vec::new();
    let ops = operations(&doc);
    assert!(ops.len() >= 40, "{} operations", ops.len());
    for (path, method, op) in &ops {
        let name = format!("{} {path}", method.to_uppercase());
        let responses = op["responses"].as_object().expect("responses");
        for (status, r) in responses {
            let r = resolve(&doc, r);
            if r["description"].as_str().is_none_or(str::is_empty) {
                faults.push(format!("{name} {status}: no description"));
            }
            if status.starts_with('4') || status.starts_with('5') {
                let schema = &r["content"]["application/json"]["schema"]["$ref"];
                if schema != "#/components/schemas/ErrorEnvelope" {
                    faults.push(format!("{name} {status}: not the error envelope"));
                }
            }
            if status.starts_with('2')
                && let Some(schema) = r["content"]["application/json"].get("schema")
            {
                let s = resolve(&doc, schema);
                // A composed schema (`allOf` of a named one and its own properties) is typed too.
                if s.get("properties").is_none()
                    && s.get("$ref").is_none()
                    && s.get("allOf").is_none()
                {
                    faults.push(format!(
                        "{name} {status}: the answer has no schema of its own"
                    ));
                }
            }
        }
        let has = |s: &str| responses.contains_key(s);
        if op.get("requestBody").is_some() {
            for s in ["400", "422"] {
                if !has(s) {
                    faults.push(format!("{name} takes a body but does not declare {s}"));
                }
            }
            let body = resolve(&doc, &op["requestBody"]);
            let schema = &body["content"]["application/json"]["schema"];
            if schema.get("$ref").is_none() {
                faults.push(format!("{name}: the request body is not a named schema"));
            }
        }
        let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
        if secured && !has("401") {
            faults.push(format!("{name} is secured but does not declare 401"));
        }
        if path.contains('{') && !has("404") {
            faults.push(format!(
                "{name} has a path parameter but does not declare 404"
            ));
        }
        let query = op["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
        if query && !has("422") {
            faults.push(format!(
                "{name} has query parameters but does not declare 422"
            ));
        }
        if *method == "post" && has("201") {
            let declared = op["parameters"].as_array().is_some_and(|ps| {
                ps.iter()
                    .any(|p| resolve(&doc, p)["name"] == "Idempotency-Key")
            });
            if !declared {
                faults.push(format!(
                    "{name} creates but does not declare Idempotency-Key"
                ));
            }
        }
        if op["description"].as_str().is_none_or(str::is_empty)
            && op["summary"].as_str().is_none_or(str::is_empty)
        {
            faults.push(format!("{name}: no summary"));
        }
    }
    // No schema is a bare object a client generator cannot type ("no properties allowed").
    let mut all = Vec::new();
    schemas(&doc, String::new(), &mut all);
    for (at, s) in all {
        let bare = s["type"] == "object"
            && s.get("properties").is_none()
            && s.get("additionalProperties").is_none()
            && s.get("allOf").is_none()
            && s.get("oneOf").is_none()
            && s.get("anyOf").is_none();
        if bare {
            faults.push(format!("{at}: a bare object schema"));
        }
    }
    // Every reference resolves.
    let text = doc.to_string();
    for r in text.split("\"$ref\":\"").skip(1) {
        let r = r.split('"').next().unwrap_or_default();
        if doc.pointer(r.trim_start_matches('#')).is_none() {
            faults.push(format!("{r} resolves to nothing"));
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

fn the_document_says_what_the_wire_carries(app: &TestApp) {
    let doc = document(app);
    let schema = |name: &str| doc["components"]["schemas"][name].clone();
    // Enums exist as enums, not only in descriptions.
    for (name, value) in [
        ("OrgKind", "school"),
        ("Role", "safety_officer"),
        ("ContainerMaterial", "hdpe"),
        ("ContainerStatus", "sealed"),
        ("ManifestState", "in_transit"),
        ("Unit", "kg"),
        ("RevisionState", "pending"),
        ("RevisionField", "received_weight_kg"),
        ("Party", "carrier"),
    ] {
        let s = schema(name);
        assert!(
            s["enum"]
                .as_array()
                .is_some_and(|e| e.contains(&json!(value))),
            "{name}: {s}"
        );
    }
    let create = &doc["paths"]["/api/v1/organizations"]["post"];
    let body = &create["requestBody"]["content"]["application/json"]["schema"]["$ref"];
    let new_org = schema(
        body.as_str()
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or_default(),
    );
    assert_eq!(
        new_org["properties"]["kind"]["$ref"],
        "#/components/schemas/OrgKind"
    );
    assert_eq!(
        new_org["properties"]["region_code"]["$ref"], "#/components/schemas/RegionCode",
        "{new_org}"
    );
    // GB/T 2260: the pattern lists the provinces, so "00xxxx" is refused before it is sent.
    let region = schema("RegionCode")["pattern"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        region.starts_with("^(1[1-5]|2[1-3]") && region.ends_with("[0-9]{4}$"),
        "{region}"
    );
    // Fields whose constraint lives in a named schema: a site's kind, a weight, a page cursor.
    for (name, key) in [
        ("SiteKindName", "enum"),
        ("Kilograms", "pattern"),
        ("AlertCursor", "pattern"),
    ] {
        assert!(!schema(name)[key].is_null(), "{name} has no {key}");
    }
    assert_eq!(
        schema("Contract")["properties"]["valid_from"]["format"],
        "date"
    );
    assert_eq!(
        schema("ManifestView")["properties"]["created_at"]["format"],
        "date-time"
    );
    // Decimals travel as strings with their pattern.
    let addition = schema("NewAddition");
    assert_eq!(addition["properties"]["quantity"]["type"], "string");
    assert!(addition["properties"]["quantity"]["pattern"].is_string());
    assert_eq!(
        addition["properties"]["waste"]["$ref"],
        "#/components/schemas/WasteRequest"
    );
    // Submit and cancel take no body.
    for step in ["submit", "cancel"] {
        let op = &doc["paths"][format!("/api/v1/manifests/{{id}}/{step}")]["post"];
        assert!(op.get("requestBody").is_none(), "{step}: {op}");
    }
    // A list's items are references, not inline copies.
    let list = &doc["paths"]["/api/v1/containers"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    let list = resolve(&doc, list);
    assert_eq!(
        list["properties"]["items"]["items"]["$ref"], "#/components/schemas/ContainerView",
        "{list}"
    );
    assert!(list["properties"].get("next_after").is_some());
}

/// Sends `method path` and returns the status, the `Allow` header and the body.
fn raw(app: &TestApp, method: &str, path: &str) -> (u16, Option<String>, Value) {
    let client = reqwest::blocking::Client::new();
    let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let r = client
        .request(m, format!("{}{path}", app.base))
        .bearer_auth(ADMIN_TOKEN)
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .expect("request");
    let status = r.status().as_u16();
    let allow = r
        .headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = r.json::<Value>().unwrap_or(Value::Null);
    (status, allow, body)
}

fn an_undeclared_method_is_405_with_allow(app: &TestApp) {
    let doc = document(app);
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let declared: Vec<String> = METHODS
            .iter()
            .filter(|m| item.get(**m).is_some())
            .map(|m| m.to_uppercase())
            .collect();
        let concrete = path.replace("{id}", "x1").replace("{finding_id}", "x2");
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            if declared.iter().any(|d| d == method) {
                continue;
            }
            let (status, allow, body) = raw(app, method, &concrete);
            assert_eq!(status, 405, "{method} {concrete}: {body}");
            assert_eq!(
                allow.as_deref(),
                Some(declared.join(", ").as_str()),
                "{method} {concrete}"
            );
            assert_eq!(body["error"]["code"], "method_not_allowed", "{body}");
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
    // A path no one declares is still 404, in the envelope.
    let (status, allow, body) = raw(app, "DELETE", "/api/v1/nothing-here");
    assert_eq!((status, allow), (404, None));
    assert_eq!(body["error"]["code"], "not_found");
}

both_backends! {
    the_document_is_exact => the_document_is_exact;
    the_document_says_what_the_wire_carries => the_document_says_what_the_wire_carries;
    an_undeclared_method_is_405_with_allow => an_undeclared_method_is_405_with_allow;
}
