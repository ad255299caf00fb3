//! The OpenAPI document: generated from the handlers' annotations and the answer types' schemas, then finished
//! by `finish` with what holds for every operation alike (the shared error responses, `Idempotency-Key`).
//! `document()` is what `/openapi.json` serves and what `allowed_methods` answers a wrong method from.

mod finish;

use crate::http::api::{classify, containers, custody, parties, records, sites, system};
use serde_json::Value;
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub use finish::finish;

#[derive(OpenApi)]
#[openapi(
    info(title = "Laboratory hazardous waste API", description = "Classification (GB 34330-2017, National Catalogue 2021), containers, labels (HJ 1276-2022) and storage alerts for school laboratories. Every decision carries its source. Errors always come in one envelope, `{\"error\": {\"code\", \"message\", \"details\"}}`; decimals travel as strings; dates are `YYYY-MM-DD` and times RFC 3339 UTC. A method a path does not declare is answered 405 with `Allow`."),
    paths(
        system::healthz, system::readyz, system::metrics,
        classify::classify_waste,
        parties::create_organization, parties::list_organizations, parties::get_organization, parties::create_user, parties::me,
        parties::create_contract, parties::list_contracts,
        containers::create_container, containers::list_containers, containers::get_container, containers::add_waste,
        containers::seal, containers::label_svg, containers::container_events, containers::storage_alerts,
        custody::create_pickup, custody::create_manifest, custody::list_manifests, custody::get_manifest,
        custody::submit_manifest, custody::dispatch_manifest, custody::receive_manifest, custody::confirm_disposal,
        custody::cancel_manifest, custody::manifest_events, custody::audit_verify, custody::receipt_alerts, custody::oversight,
        sites::create_site, sites::list_sites, sites::get_site, sites::sign_svg, sites::record_sign, sites::inspect,
        sites::follow_up, sites::move_container,
        records::get_ledger, records::annual_report, records::management_class, records::enter_paper_manifest,
    ),
    components(schemas(crate::http::api::ErrorEnvelope, crate::views::WasteCode)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The finished document, built once.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null);
        finish(&mut doc);
        doc
    })
}

/// The methods the document declares for a request path, upper-case, or `None` when no path of the document
/// matches it (a `{param}` matches one non-empty segment).
pub fn allowed_methods(path: &str) -> Option<Vec<String>> {
    let paths = document().get("paths")?.as_object()?;
    let segments: Vec<&str> = path.split('/').collect();
    let (_, item) = paths.iter().find(|(template, _)| {
        let t: Vec<&str> = template.split('/').collect();
        t.len() == segments.len()
            && t.iter().zip(&segments).all(|(t, s)| {
                if t.starts_with('{') && t.ends_with('}') {
                    !s.is_empty()
                } else {
                    t == s
                }
            })
    })?;
    let methods: Vec<String> = finish::METHODS
        .iter()
        .filter(|m| item.get(**m).is_some())
        .map(|m| m.to_ascii_uppercase())
        .collect();
    (!methods.is_empty()).then_some(methods)
}
