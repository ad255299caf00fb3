//! Quantities with their unit, as an addition declares them.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Unit {
    #[serde(rename = "L")]
    L,
    #[serde(rename = "kg")]
    Kg,
}

/// Inputs larger than this are refused as absurd (no laboratory container holds 10 m³).
pub const MAX_QUANTITY: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

/// A positive quantity with its unit. Only constructor: [`Quantity::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quantity {
    pub amount: Decimal,
    pub unit: Unit,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("quantity must be greater than zero, got {0}")]
    NotPositive(Decimal),
    #[error("quantity {0} is larger than any laboratory container ({MAX_QUANTITY})")]
    Absurd(Decimal),
}

impl Quantity {
    pub fn new(amount: Decimal, unit: Unit) -> Result<Self, QuantityError> {
        if amount <= Decimal::ZERO {
            return Err(QuantityError::NotPositive(amount));
        }
        if amount > MAX_QUANTITY {
            return Err(QuantityError::Absurd(amount));
        }
        Ok(Self {
            amount: amount.normalize(),
            unit,
        })
    }
}
