//! The classification request: the wire shape (`WasteRequest`) and the parsed domain value (`Waste`).
//! Bad input is refused here, once, with the field it concerns; after this nothing handles raw strings.

mod kinds;
mod waste;
mod wire;

pub use kinds::{
    AdsorbentUse, BiologicalMaterial, ConsumableMaterial, Fate, Form, LabKind, Origin,
};
pub use waste::{Component, MAX_COMPONENTS, MAX_TEXT, Resolution, Waste};
pub use wire::{
    ComponentRequest, MAX_REQUEST_BYTES, WasteRequest, accepted_values, parse_request,
    with_accepted_values,
};

use serde::Serialize;

/// A refused input: the field it concerns (a JSON path such as `components[1].cas`) and a sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{field}: {message}")]
pub struct InputError {
    pub field: String,
    pub message: String,
}

impl InputError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
