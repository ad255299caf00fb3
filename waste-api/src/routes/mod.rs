//! HTTP handlers, one module per area.

pub mod classify;
pub mod containers;
pub mod custody;
pub mod parties;
pub mod records;
pub mod system;

use crate::body::Stored;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Keyset pagination: `?limit=50&after=<last id of the previous page>`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// 1 to 200, default 50.
    pub limit: Option<u32>,
    /// The `next_after` of the previous page.
    pub after: Option<String>,
}

impl Page {
    pub fn limit(&self) -> i64 {
        i64::from(self.limit.unwrap_or(50).clamp(1, 200))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<String>,
}

impl<T: ToSchema> Paged<T> {
    /// A page of at most `limit` items: `next_after` is the last item's id when the page is full.
    pub fn of(items: Vec<T>, limit: i64, id: impl Fn(&T) -> &str) -> Self {
        let next_after = (items.len() as i64 == limit)
            .then(|| items.last().map(|i| id(i).to_owned()))
            .flatten();
        Paged { items, next_after }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// Replays or returns a stored JSON response.
pub fn respond(s: Stored) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(s.status).unwrap_or(StatusCode::OK))
        .content_type("application/json")
        .body(s.body)
}

/// The error envelope, for the OpenAPI document.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}
