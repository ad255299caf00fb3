//! What every request meets at the door, before and after its handler: the rate limits' answer and headers, a
//! deadline for the request body, and the security headers of every answer.

use crate::error::ApiError;
use crate::limits::{Admission, Standing};
use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue,
    RETRY_AFTER, X_CONTENT_TYPE_OPTIONS,
};
use actix_web::web::Bytes;
use futures_core::Stream;
use serde_json::json;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

/// The bearer token of a request, if it carries one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 200)
}

/// 429 `rate_limited` (the `Retry-After` header is added with the other limit headers).
pub fn rate_limited(limit: u32, retry_after_s: u64) -> ApiError {
    ApiError::Invalid {
        status: actix_web::http::StatusCode::TOO_MANY_REQUESTS,
        code: "rate_limited",
        message: format!("too many requests: at most {limit} a minute; retry in {retry_after_s} s"),
        details: json!({ "limit_per_minute": limit, "retry_after_s": retry_after_s }),
    }
}

/// 408 `request_timeout`: the body did not arrive in time.
pub fn body_timed_out(after: Duration) -> ApiError {
    ApiError::Invalid {
        status: actix_web::http::StatusCode::REQUEST_TIMEOUT,
        code: "request_timeout",
        message: format!(
            "the request body did not arrive within {} s",
            after.as_secs()
        ),
        details: json!({ "timeout_s": after.as_secs() }),
    }
}

fn set(headers: &mut HeaderMap, name: HeaderName, value: impl ToString) {
    if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
        headers.insert(name, v);
    }
}

/// `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds) and, on a refusal, `Retry-After`.
pub fn limit_headers(headers: &mut HeaderMap, admission: Admission) {
    let (standing, retry) = match admission {
        Admission::Admitted(Some(s)) => (s, None),
        Admission::Admitted(None) => return,
        Admission::Refused {
            limit,
            retry_after_s,
        } => (
            Standing {
                limit,
                remaining: 0,
                reset_s: retry_after_s,
            },
            Some(retry_after_s),
        ),
    };
    set(
        headers,
        HeaderName::from_static("ratelimit-limit"),
        standing.limit,
    );
    set(
        headers,
        HeaderName::from_static("ratelimit-remaining"),
        standing.remaining,
    );
    set(
        headers,
        HeaderName::from_static("ratelimit-reset"),
        standing.reset_s,
    );
    if let Some(r) = retry {
        set(headers, RETRY_AFTER, r);
    }
}

/// `X-Content-Type-Options: nosniff` on every answer; a Content-Security-Policy that runs nothing on an SVG
/// (a label or sign opened directly is a document of its own); `Cache-Control: no-store` on the JSON API, whose
/// answers may carry a token. Headers a handler set are kept.
pub fn security_headers(path: &str, headers: &mut HeaderMap) {
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    let svg = headers
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"image/svg+xml"));
    if svg && !headers.contains_key(CONTENT_SECURITY_POLICY) {
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
        );
    }
    if path.starts_with("/api/") && !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// A request body that must arrive before a deadline: past it the stream ends with an error (so the handler's
/// extractor stops waiting) and `timed_out` is set, for the door to answer 408.
pub struct TimedPayload {
    inner: Payload,
    deadline: Pin<Box<actix_web::rt::time::Sleep>>,
    timed_out: Arc<AtomicBool>,
}

impl TimedPayload {
    /// Wraps `inner`; the returned flag tells whether the deadline passed before the body ended.
    pub fn wrap(inner: Payload, after: Duration) -> (Payload, Arc<AtomicBool>) {
        let timed_out = Arc::new(AtomicBool::new(false));
        let stream = TimedPayload {
            inner,
            deadline: Box::pin(actix_web::rt::time::sleep(after)),
            timed_out: timed_out.clone(),
        };
        let boxed: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(stream);
        (Payload::from(boxed), timed_out)
    }
}

impl Stream for TimedPayload {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Poll::Ready(item) = Pin::new(&mut this.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        if this.deadline.as_mut().poll(cx).is_ready() {
            this.timed_out.store(true, Ordering::Release);
            return Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the request body did not arrive in time",
            )))));
        }
        Poll::Pending
    }
}
