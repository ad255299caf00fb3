//! Builds the HTTP server from a bound listener, so tests can use port 0.

use crate::error::ApiError;
use crate::http::api::system;
use crate::state::AppState;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Server, ServiceResponse};
use actix_web::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{App, HttpResponse, HttpServer, ResponseError, web};
use std::net::TcpListener;
use std::time::Instant;
use utoipa_swagger_ui::SwaggerUi;

/// Every error response made outside the handlers (unknown route, wrong method, oversized or unreadable body,
/// bad query) is rewritten into the error envelope, so clients always get one shape.
fn envelope<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = res.response().headers().get(CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes().starts_with(b"application/json") || v.as_bytes().starts_with(b"text/html")
    });
    if is_json {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let detail = res
        .response()
        .error()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let err = match status.as_u16() {
        404 => ApiError::NotFound("route"),
        405 => ApiError::Invalid {
            status,
            code: "method_not_allowed",
            message: "this method is not allowed here".into(),
            details: serde_json::json!({}),
        },
        413 => ApiError::TooLarge(crate::body::MAX_BODY),
        400..=499 => ApiError::Invalid {
            status,
            code: "bad_request",
            message: if detail.is_empty() {
                "bad request".into()
            } else {
                detail
            },
            details: serde_json::json!({}),
        },
        _ => ApiError::Internal(detail),
    };
    let (req, _) = res.into_parts();
    let resp: HttpResponse<BoxBody> = err.error_response();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, resp)
            .map_into_right_body::<B>()
            .map_body(|_, b: EitherBody<B, BoxBody>| b),
    ))
}

/// A NUL character in the path or the query. PostgreSQL cannot hold one in text (SQLite can), so a `%00` would
/// reach the database as a 500 on one backend and be stored on the other; it is refused at the door instead.
fn nul_in_url(uri: &actix_web::http::Uri) -> bool {
    uri.path_and_query()
        .is_some_and(|pq| pq.as_str().contains("%00"))
}

/// A request body in a `Content-Encoding` other than `identity`. actix inflates gzip, deflate, brotli and zstd
/// bodies before the size limit sees them, so a 33 KB zstd body of zeros grew to gigabytes before its 413; no
/// client of this API needs to compress a body of at most `MAX_BODY` bytes, so encoded bodies are refused (415)
/// before anything reads them.
fn encoded_body(headers: &actix_web::http::header::HeaderMap) -> Option<ApiError> {
    let values: Vec<&[u8]> = headers
        .get_all(actix_web::http::header::CONTENT_ENCODING)
        .map(|v| v.as_bytes())
        .collect();
    let identity = values.iter().all(|v| {
        v.split(|b| *b == b',')
            .all(|part| part.trim_ascii().eq_ignore_ascii_case(b"identity"))
    });
    (!identity).then(|| ApiError::Invalid {
        status: actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
        code: "unsupported_content_encoding",
        message: "request bodies are not accepted compressed: send them without Content-Encoding"
            .into(),
        details: serde_json::json!({ "header": "Content-Encoding" }),
    })
}

/// Serves on `listener`, over TLS when `tls` is given (`crate::tls::load`).
pub fn run(
    listener: TcpListener,
    state: AppState,
    workers: usize,
    tls: Option<rustls::ServerConfig>,
) -> std::io::Result<Server> {
    let data = web::Data::new(state);
    let body_timeout = data.guards.body_timeout;
    let server = HttpServer::new(move || {
        let metrics = data.metrics.clone();
        let limiter = data.limiter.clone();
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(crate::body::MAX_BODY))
            .app_data(web::QueryConfig::default().error_handler(|e, _| ApiError::invalid("query", e.to_string()).into()))
            .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound("resource").into()))
            .wrap(ErrorHandlers::new().default_handler_client(envelope).default_handler_server(envelope))
            .wrap_fn(move |req, srv| {
                use actix_web::dev::Service;
                let started = Instant::now();
                let method = req.method().to_string();
                let request_id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .filter(|v| !v.is_empty() && v.len() <= 100)
                    .map(str::to_owned)
                    .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
                let path = req.path().to_owned();
                let metrics = metrics.clone();
                let limiter = limiter.clone();
                let addr = req.peer_addr().map(|a| a.ip());
                let admission = limiter.admit(
                    addr,
                    crate::edge::bearer(req.headers()).map(crate::auth::hash_token).as_deref(),
                );
                let refusal = if let crate::limits::Admission::Refused { limit, retry_after_s } = admission {
                    Some(crate::edge::rate_limited(limit, retry_after_s))
                } else if nul_in_url(req.uri()) {
                    Some(ApiError::malformed(
                        "the URL contains %00 (the NUL character), which no id, date or cursor contains",
                    ))
                } else {
                    encoded_body(req.headers())
                };
                // A body has `body_timeout` to arrive; a slower one is cut off and answered 408.
                let mut req = req;
                let timed_out = {
                    use actix_web::HttpMessage;
                    let (payload, flag) = crate::edge::TimedPayload::wrap(req.take_payload(), body_timeout);
                    req.set_payload(payload);
                    flag
                };
                let (fut, refused) = match refusal {
                    None => (Some(srv.call(req)), None),
                    Some(e) => (None, Some(req.error_response(e))),
                };
                async move {
                    let mut res = match (fut, refused) {
                        (Some(fut), _) => fut.await?.map_into_boxed_body(),
                        (None, Some(refused)) => refused,
                        (None, None) => unreachable!("one of the two is set above"),
                    };
                    if timed_out.load(std::sync::atomic::Ordering::Acquire) {
                        let (req, _) = res.into_parts();
                        let resp = crate::edge::body_timed_out(body_timeout).error_response();
                        res = ServiceResponse::new(req, resp);
                        res.response_mut().head_mut().set_connection_type(actix_web::http::ConnectionType::Close);
                    }
                    if res.status() == actix_web::http::StatusCode::UNAUTHORIZED {
                        limiter.failed_authentication(addr);
                    }
                    crate::edge::limit_headers(res.headers_mut(), admission);
                    crate::edge::security_headers(&path, res.headers_mut());
                    let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".into());
                    let status = res.status().as_u16();
                    let secs = started.elapsed().as_secs_f64();
                    metrics.observe(&route, &method, status, secs);
                    if let Ok(v) = HeaderValue::from_str(&request_id) {
                        res.headers_mut().insert(HeaderName::from_static("x-request-id"), v);
                    }
                    tracing::info!(request_id = %request_id, method = %method, path = %path, route = %route, status, ms = secs * 1000.0, "request");
                    Ok(res)
                }
            })
            .service(system::healthz)
            .service(system::readyz)
            .service(system::metrics)
            .service(openapi_json)
            .service(web::redirect("/docs", "/docs/"))
            .service(SwaggerUi::new("/docs/{_:.*}").external_url_unchecked("/openapi.json", crate::openapi::document().clone()))
            // Each front door in a scope of its own, told apart by the path's first segment: actix-web tries the
            // routes in order and matches every path with parameters by a regular expression, so an API request
            // went through all the pages' routes first (a twentieth of the service's CPU per addition). A scope
            // whose guard passes answers the request (with the default service when none of its routes match),
            // so the routes above, which neither front door owns, come first.
            .service(web::scope("").guard(actix_web::guard::fn_guard(|g| !is_api(g.head().uri.path()))).configure(crate::http::web::configure))
            .service(web::scope("").guard(actix_web::guard::fn_guard(|g| is_api(g.head().uri.path()))).configure(crate::http::api::configure))
            .default_service(web::to(unrouted))
    })
    .workers(workers)
    .client_request_timeout(body_timeout);
    let server = match tls {
        Some(config) => server.listen_rustls_0_23(listener, config)?,
        None => server.listen(listener)?,
    };
    Ok(server.run())
}

/// Whether a path is the JSON API's (every API route starts with `/api/`). The router matches the decoded path,
/// so the prefix is compared decoded too (`/%61pi/` is the API's).
fn is_api(path: &str) -> bool {
    percent_encoding::percent_decode_str(path)
        .take(5)
        .eq(*b"/api/")
}

/// The OpenAPI 3.1 document of every endpoint.
#[actix_web::get("/openapi.json")]
async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(crate::openapi::document())
}

/// No route took the request: 405 with `Allow` when the document declares the path with other methods (the
/// same for every path, whichever front door serves it), otherwise 404.
async fn unrouted(req: actix_web::HttpRequest) -> HttpResponse {
    match crate::openapi::allowed_methods(req.path()) {
        Some(methods) => {
            let mut res = ApiError::Invalid {
                status: actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
                code: "method_not_allowed",
                message: format!("this path answers {} only", methods.join(", ")),
                details: serde_json::json!({ "allow": methods }),
            }
            .error_response();
            if let Ok(v) = HeaderValue::from_str(&methods.join(", ")) {
                res.headers_mut().insert(actix_web::http::header::ALLOW, v);
            }
            res
        }
        None => ApiError::NotFound("route").error_response(),
    }
}
