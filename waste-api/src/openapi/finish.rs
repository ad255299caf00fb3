//! What holds for every operation alike, added to the generated document so no handler can forget it:
//!
//! - the error answers as shared responses (`components.responses`), each with the error envelope: 401 and 403
//!   on every secured operation; 404 on every operation with a path parameter; 400, 413, 415 and 422 on every
//!   operation that takes a body; 422 and 400 on every operation with query parameters (a bad filter, an unknown
//!   parameter, a `%00`), 400 also with a path parameter; 409 on every POST (a rule's refusal, a concurrent change that won, an `Idempotency-Key` reused
//!   with another body); 503 on every operation that reads the database; 507 on every operation of the API that
//!   writes (the database's disk is full);
//! - an error answer a handler declared without its own description becomes a reference to the shared one;
//! - the items of a page (`Paged<T>`, which the generator inlines) are references to `T`'s schema, so that a
//!   listed container is a `ContainerView` in a generated client;
//! - the `Idempotency-Key` header on every POST that answers 201 (a retry with the same key replays the answer).
//!
//! Success answers are not touched: their description and schema come from the handler's annotation, and
//! `tests/tests/openapi.rs` fails when one is missing.

use serde_json::{Map, Value, json};

/// The operation keys of a path item, in the order `Allow` lists them.
pub const METHODS: [&str; 8] = [
    "get", "head", "post", "put", "patch", "delete", "options", "trace",
];

/// (status, component name, description).
const SHARED: [(&str, &str, &str); 10] = [
    (
        "400",
        "BadRequest",
        "The request is malformed: the body is not JSON, has an unknown field or a value of the wrong type (`malformed_request`, `bad_request`).",
    ),
    (
        "401",
        "Unauthorized",
        "No valid bearer token (`unauthenticated`): send `Authorization: Bearer <token>`.",
    ),
    (
        "403",
        "Forbidden",
        "The caller's roles or organisation may not do this (`forbidden`), or its training record has expired (`training_expired`).",
    ),
    (
        "404",
        "NotFound",
        "No such resource, or one the caller may not see (`not_found`).",
    ),
    (
        "409",
        "Conflict",
        "A rule refused the change or the state does not allow it; `code` names the rule and `details` carries its data. Also a concurrent change that won (`conflict`) or an `Idempotency-Key` reused with another body.",
    ),
    (
        "413",
        "PayloadTooLarge",
        "The body is larger than the service accepts (`payload_too_large`).",
    ),
    (
        "415",
        "UnsupportedMediaType",
        "The body was sent with a `Content-Encoding` (`unsupported_content_encoding`): send it uncompressed.",
    ),
    (
        "422",
        "Unprocessable",
        "A field, header or query parameter is invalid (`invalid_input`); `details.field` names it as sent.",
    ),
    (
        "503",
        "Unavailable",
        "The database is busy or unavailable (`unavailable`): retry. `/readyz` answers `storage_full` while writes fail because the database's disk is full.",
    ),
    (
        "507",
        "StorageFull",
        "The database's disk is full (`storage_full`): nothing was saved; the administrator must free space.",
    ),
];

fn envelope() -> Value {
    json!({ "application/json": { "schema": { "$ref": "#/components/schemas/ErrorEnvelope" } } })
}

fn shared_ref(status: &str) -> Option<Value> {
    SHARED
        .iter()
        .find(|(s, _, _)| *s == status)
        .map(|(_, name, _)| json!({ "$ref": format!("#/components/responses/{name}") }))
}

/// Finishes a document serialised from `ApiDoc`.
pub fn finish(doc: &mut Value) {
    constrain(doc);
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let components = root
        .entry("components")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    if let Some(components) = components {
        let responses = components.entry("responses").or_insert_with(|| json!({}));
        for (_, name, description) in SHARED {
            responses[name] = json!({ "description": description, "content": envelope() });
        }
        components.entry("parameters").or_insert_with(|| json!({}))["IdempotencyKey"] = json!({
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "description": "Any 1 to 200 visible ASCII characters chosen by the client. A retry of the same request with the same key replays the first answer instead of creating twice; the same key with another body is refused.",
            "schema": { "type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]([ -~]*[!-~])?$" }
        });
    }
    reference_page_items(root);
    let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let has_path_param = path.contains('{');
        for method in METHODS {
            if let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) {
                finish_operation(path, method, has_path_param, op);
            }
        }
    }
}

fn finish_operation(path: &str, method: &str, has_path_param: bool, op: &mut Map<String, Value>) {
    no_nul_in_parameters(op);
    let secured = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    let has_body = op.contains_key("requestBody");
    let has_query = op
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
    let mut add: Vec<&str> = Vec::new();
    if secured {
        add.extend(["401", "403"]);
    }
    if has_path_param {
        add.push("404");
    }
    if has_body {
        add.extend(["400", "413", "415", "422"]);
    }
    if has_query {
        add.push("422");
    }
    if has_query || has_path_param {
        // A `%00` in the URL is refused before routing.
        add.push("400");
    }
    if method == "post" {
        add.push("409");
    }
    if path.starts_with("/api/") && matches!(method, "post" | "put" | "patch" | "delete") {
        add.push("507");
    }
    if path.starts_with("/api/") || path == "/readyz" {
        add.push("503");
    }
    let responses = op
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    let Some(responses) = responses else {
        return;
    };
    let creates = method == "post" && responses.contains_key("201");
    for status in add {
        responses
            .entry(status)
            .or_insert_with(|| shared_ref(status).unwrap_or(Value::Null));
    }
    // An error answer declared without a description of its own is the shared one.
    for (status, response) in responses.iter_mut() {
        let described = response
            .get("description")
            .and_then(Value::as_str)
            .is_some_and(|d| !d.is_empty());
        if !described
            && response.get("$ref").is_none()
            && let Some(shared) = shared_ref(status)
        {
            *response = shared;
        }
    }
    if creates {
        let params = op
            .entry("parameters")
            .or_insert_with(|| json!([]))
            .as_array_mut();
        if let Some(params) = params {
            params.push(json!({ "$ref": "#/components/parameters/IdempotencyKey" }));
        }
    }
}

/// A free-text path or query parameter says that it holds no NUL: the service refuses `%00` in a URL before
/// routing (400), which a string schema alone would allow.
fn no_nul_in_parameters(op: &mut Map<String, Value>) {
    let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
        return;
    };
    for p in params {
        let Some(schema) = p.get_mut("schema").and_then(Value::as_object_mut) else {
            continue;
        };
        // `"string"`, or `["string", "null"]` for an optional one.
        let string = match schema.get("type") {
            Some(Value::String(t)) => t == "string",
            Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
            _ => false,
        };
        let free_text = string
            && !["pattern", "enum", "format", "$ref"]
                .iter()
                .any(|k| schema.contains_key(*k));
        if free_text {
            schema.insert("pattern".into(), Value::String("^[^\\x00]*$".into()));
        }
    }
}

/// `Paged_T.items` refers to `T` instead of holding a copy of it.
fn reference_page_items(root: &mut Map<String, Value>) {
    let Some(schemas) = root
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let names: Vec<String> = schemas.keys().cloned().collect();
    for name in &names {
        let Some(item) = name.strip_prefix("Paged_") else {
            continue;
        };
        if !schemas.contains_key(item) {
            continue;
        }
        if let Some(items) = schemas
            .get_mut(name)
            .and_then(|p| p.pointer_mut("/properties/items/items"))
        {
            *items = json!({ "$ref": format!("#/components/schemas/{item}") });
        }
    }
}

/// Constraints the derive cannot state: a site's zones are each named once (the use case refuses a repeat).
fn constrain(doc: &mut Value) {
    let schemas = &mut doc["components"]["schemas"];
    for site in ["NewSite", "SiteChanges"] {
        if let Some(zones) = schemas[site]["properties"]["zones"].as_object_mut() {
            zones.insert("uniqueItems".into(), Value::Bool(true));
        }
    }
}
