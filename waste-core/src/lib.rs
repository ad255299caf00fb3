//! Pure rules for laboratory hazardous waste.
//!
//! No I/O: the rules data comes from `standards-data` (embedded text) and is parsed once into [`Standards`].
//! Every public decision carries its source (standard, edition, clause) so that it can be shown to an inspector.

pub mod access;
pub mod calendar;
pub mod cas;
pub mod catalogue;
pub mod citation;
pub mod classify;
pub mod compatibility;
pub mod container;
pub mod custody;
pub mod discharge;
pub mod edition;
pub mod formula;
pub mod hazard;
pub mod hazardous;
pub mod identification;
pub mod label;
pub mod manifest;
pub mod medical;
pub mod method;
pub mod party;
pub mod pickup;
pub mod reagent;
pub mod records;
pub mod request;
pub mod revision;
pub mod shipment;
pub mod sign;
pub mod site;
pub mod standards;
pub mod storage;
pub mod stream;
pub mod substance;
pub mod webhook;

pub use cas::CasNumber;
pub use classify::{Classification, classify, classify_json};
pub use hazard::{Hazard, HazardSet};
pub use request::{InputError, Waste, WasteRequest, parse_request};
pub use standards::Standards;
pub use stream::Stream;
