//! Waste containers: capacity, fill limit, material, additions and sealing. The core decides whether an
//! addition may go in; the service records what was decided.

mod addition;
mod policy;
mod quantity;
mod status;

pub use addition::{
    Accepted, Addition, Admitted, Codes, Refusal, admit, admit_code, apply, check, merge_contents,
    merge_hazards,
};
pub use policy::{ContainerPolicy, MaterialRule};
pub use quantity::{MAX_QUANTITY, Quantity, QuantityError, Unit};
pub use status::{Status, Step, StepRefused};

use crate::stream::Stream;
use crate::substance::SubstanceId;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ContainerMaterial))]
#[serde(rename_all = "snake_case")]
pub enum Material {
    Glass,
    Hdpe,
    Pp,
    Ptfe,
    Metal,
}

impl Material {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Glass => "glass",
            Self::Hdpe => "hdpe",
            Self::Pp => "pp",
            Self::Ptfe => "ptfe",
            Self::Metal => "metal",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Glass, Self::Hdpe, Self::Pp, Self::Ptfe, Self::Metal]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// What a container holds now, as the service reads it back.
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    pub capacity_l: Decimal,
    pub material: Material,
    pub sealed: bool,
    /// Set by the first addition.
    pub stream: Option<Stream>,
    pub filled_l: Decimal,
    /// Every substance added so far (each once).
    pub contents: Vec<SubstanceId>,
    /// Whether any liquid went in: the liquid fill limit then applies.
    pub holds_liquid: bool,
}

impl Container {
    pub fn new(capacity_l: Decimal, material: Material) -> Self {
        Self {
            capacity_l,
            material,
            sealed: false,
            stream: None,
            filled_l: Decimal::ZERO,
            contents: Vec::new(),
            holds_liquid: false,
        }
    }
}
