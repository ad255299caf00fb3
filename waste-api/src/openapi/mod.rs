//! The OpenAPI document: generated from the handlers' annotations and the answer types' schemas, then finished
//! by `finish` with what holds for every operation alike (the shared error responses, `Idempotency-Key`).
//! `document()` is what `/openapi.json` serves and what `allowed_methods` answers a wrong method from.

mod finish;

use crate::http::api::{
    admin, bottles, chain, classify, containers, custody, parties, pickups, records, revisions,
    sites, system, webhooks,
};
use serde_json::Value;
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub use finish::finish;

#[derive(OpenApi)]
#[openapi(
    info(title = "Laboratory hazardous waste API", description = "Classification (GB 34330-2017, National Catalogue 2021), containers, labels (HJ 1276-2022) and storage alerts for school laboratories. Every decision carries its source. Errors always come in one envelope, `{\"error\": {\"code\", \"message\", \"details\"}}`; decimals travel as strings; dates are `YYYY-MM-DD` in the deployment's time zone (`WASTE_TIME_ZONE`, default Asia/Shanghai) and times RFC 3339 in UTC. A method a path does not declare is answered 405 with `Allow`."),
    paths(
        system::healthz, system::readyz, system::metrics,
        classify::classify_waste,
        parties::create_organization, parties::list_organizations, parties::get_organization, parties::create_user, parties::me,
        parties::create_contract, parties::list_contracts,
        admin::patch_organization, admin::list_users, admin::patch_user, admin::new_token, admin::confirm_contract,
        admin::patch_contract,
        containers::create_container, containers::list_containers, containers::get_container, containers::add_waste,
        containers::seal, containers::hand_back, containers::label_svg, containers::container_events, containers::storage_alerts,
        custody::create_pickup, custody::create_manifest, custody::list_manifests, custody::get_manifest,
        custody::submit_manifest, custody::dispatch_manifest, custody::receive_manifest, custody::confirm_disposal,
        custody::cancel_manifest, custody::manifest_events, custody::audit_verify, custody::audit_last, custody::receipt_alerts, custody::oversight,
        pickups::create_request, pickups::list_requests, pickups::get_request, pickups::schedule_request,
        pickups::decline_request, pickups::cancel_request, pickups::list_pickups, pickups::get_pickup, pickups::set_pin,
        sites::create_site, sites::list_sites, sites::get_site, sites::edit_site, sites::sign_svg, sites::record_sign, sites::inspect,
        sites::follow_up, sites::move_container,
        chain::road_link, chain::print,
        records::get_ledger, records::annual_report, records::management_class, records::enter_paper_manifest,
        webhooks::create_webhook, webhooks::list_webhooks, webhooks::delete_webhook, webhooks::list_deliveries,
        revisions::propose, revisions::list, revisions::approve, revisions::refuse,
        bottles::receive_bottle, bottles::list_bottles, bottles::get_bottle, bottles::bottle_life, bottles::safety_card, bottles::bottle_step, bottles::discard_bottle, bottles::shelf_alerts,
        bottles::start_stocktake, bottles::get_stocktake, bottles::count_bottle, bottles::explain_difference, bottles::close_stocktake, bottles::school_shelf,
    ),
    components(schemas(
        crate::http::api::ErrorEnvelope,
        crate::views::WasteCode,
        // Schemas only query parameters name (a parameter does not register its schema).
        crate::views::AlertCursor,
        crate::views::RequestStates,
        crate::views::Metres,
        crate::views::SignTypeName
    )),
    modifiers(&BearerAuth, &RateLimits)
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

/// Every operation may answer 429 `rate_limited` (with `Retry-After`), and every answer carries the
/// `RateLimit-*` headers (README, "Trust settings").
struct RateLimits;

impl Modify for RateLimits {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
        use utoipa::openapi::{
            ContentBuilder, HeaderBuilder, Ref, RefOr, ResponseBuilder, header::Header,
        };
        let int = |description: &str| -> Header {
            HeaderBuilder::new()
                .schema(Some(RefOr::T(Schema::Object(
                    ObjectBuilder::new().schema_type(Type::Integer).build(),
                ))))
                .description(Some(description))
                .build()
        };
        let limit_headers = [
            (
                "RateLimit-Limit",
                int("requests a minute allowed to this token (or, without one, this address)"),
            ),
            (
                "RateLimit-Remaining",
                int("requests left in the current allowance"),
            ),
            (
                "RateLimit-Reset",
                int("seconds until the allowance is whole again"),
            ),
        ];
        let mut limited = ResponseBuilder::new()
            .description("too many requests (`rate_limited`): retry after `Retry-After` seconds")
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
                    .build(),
            )
            .header("Retry-After", int("seconds to wait before retrying"));
        for (name, h) in &limit_headers {
            limited = limited.header(*name, h.clone());
        }
        let limited = limited.build();
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                for response in op.responses.responses.values_mut() {
                    if let RefOr::T(r) = response {
                        for (name, h) in &limit_headers {
                            r.headers
                                .entry((*name).to_owned())
                                .or_insert_with(|| RefOr::T(h.clone()));
                        }
                    }
                }
                op.responses
                    .responses
                    .entry("429".to_owned())
                    .or_insert_with(|| RefOr::T(limited.clone()));
            }
        }
    }
}
