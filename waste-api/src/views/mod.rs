//! Answer shapes: what the JSON API returns, shared with the web pages where they coincide. Built from the use
//! cases' outcomes; no queries and no decisions here.

pub mod containers;
pub mod custody;
pub mod parties;
pub mod pickups;
pub mod print;
pub mod revisions;
pub mod sites;

use crate::store::page::Page;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T: ToSchema> {
    /// The page, oldest first.
    pub items: Vec<T>,
    /// Pass as `after` for the next page; null on the last page.
    pub next_after: Option<String>,
}

impl<T: ToSchema> From<Page<T>> for Paged<T> {
    fn from(p: Page<T>) -> Self {
        Paged {
            items: p.items,
            next_after: p.next_after,
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// A National Catalogue of Hazardous Wastes code, e.g. "900-047-49": a schema for the document only (the wire
/// carries a string).
pub struct WasteCode;

impl utoipa::PartialSchema for WasteCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(r"^[0-9]{3}-[0-9]{3}-[0-9]{2}$"))
            .description(Some(
                "A National Catalogue of Hazardous Wastes code, e.g. \"900-047-49\".",
            ))
            .into()
    }
}

impl ToSchema for WasteCode {}
