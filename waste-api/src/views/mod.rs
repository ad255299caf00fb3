//! Answer shapes: what the JSON API returns, shared with the web pages where they coincide. Built from the use
//! cases' outcomes; no queries and no decisions here.

pub mod bottles;
pub mod containers;
pub mod custody;
pub mod parties;
pub mod pickups;
pub mod print;
pub mod revisions;
pub mod sites;
pub mod webhooks;

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

/// A string schema for the document only (the wire carries a plain string): a pattern, or a list of values, that
/// says exactly what the service accepts, so a generated client checks it before sending.
macro_rules! string_schema {
    ($(#[$doc:meta])* $name:ident, $description:literal, pattern = $pattern:literal) => {
        $(#[$doc])*
        pub struct $name;
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .pattern(Some($pattern))
                    .description(Some($description))
                    .into()
            }
        }
        impl ToSchema for $name {}
    };
    ($(#[$doc:meta])* $name:ident, $description:literal, pattern = $pattern:literal, max = $max:literal) => {
        $(#[$doc])*
        pub struct $name;
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .pattern(Some($pattern))
                    .max_length(Some($max))
                    .description(Some($description))
                    .into()
            }
        }
        impl ToSchema for $name {}
    };
    ($(#[$doc:meta])* $name:ident, $description:literal, values = [$($v:literal),+]) => {
        $(#[$doc])*
        pub struct $name;
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($v),+]))
                    .description(Some($description))
                    .into()
            }
        }
        impl ToSchema for $name {}
    };
}

string_schema!(
    /// The category (the last two digits) is one the 2021 catalogue has: HW01-HW40, HW45-HW50.
    WasteCode,
    "A National Catalogue of Hazardous Wastes (2021) code, e.g. \"900-047-49\".",
    pattern = r"^[0-9]{3}-[0-9]{3}-(0[1-9]|[1-3][0-9]|40|4[5-9]|50)$"
);
string_schema!(
    /// GB/T 2260: the first two digits are a province's.
    RegionCode,
    "A 6-digit administrative division code (GB/T 2260) of an existing province, e.g. \"220102\".",
    pattern = r"^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4}$"
);
string_schema!(
    /// Above 0 and at most 10,000 kg (`app::kg`), at most 6 decimals in the document.
    Kilograms,
    "A weight in kg as a decimal string, above 0 and at most 10000, e.g. \"6.2\".",
    pattern = r"^([1-9][0-9]{0,3}(\.[0-9]{1,6})?|10000(\.0{1,6})?|0\.(?=[0-9]*[1-9])[0-9]{1,6})$"
);
string_schema!(
    /// Above 0 and at most 1,000 m.
    Metres,
    "A distance in metres as a decimal string, above 0 and at most 1000, e.g. \"3\".",
    pattern = r"^([1-9][0-9]{0,2}(\.[0-9]{1,6})?|1000(\.0{1,6})?|0\.(?=[0-9]*[1-9])[0-9]{1,6})$"
);
string_schema!(
    ZoneName,
    "A zone's name: up to 40 characters, not blank (surrounding spaces are dropped).",
    pattern = r"\S",
    max = 40
);
string_schema!(
    SignTypeName,
    "zone (a zone's sign) or facility (the site's sign).",
    values = ["zone", "facility"]
);
string_schema!(
    SiteKindName,
    "What the storage site is.",
    values = [
        "lab_point",
        "storage_point",
        "storage_facility",
        "station_warehouse"
    ]
);
string_schema!(
    RequestStates,
    "One or more request states separated by commas.",
    pattern = r"^(requested|scheduled|declined|cancelled|collected)(,(requested|scheduled|declined|cancelled|collected))*$"
);
string_schema!(
    AlertCursor,
    "The `next_after` of the previous page: `<clock start date>|<container id>`.",
    pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[|].+$"
);
