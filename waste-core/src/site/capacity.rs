//! The 3 t ceiling of a storage point (GB 18597-2023 8.3.5): the quantity on hand and whether more may join it.

use super::{SiteKind, SiteRules};
use crate::storage::{self, StorageRules};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuantityLevel {
    /// The ceiling does not apply to this kind of site.
    NotApplicable,
    Ok,
    /// At or above the warning share of the ceiling.
    NearCeiling,
    /// Above the ceiling (only reported for data already stored: a move or addition over it is refused).
    OverCeiling,
}

/// The quantity on hand at a site against the storage-point ceiling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuantityStatus {
    pub on_hand_kg: Decimal,
    /// The ceiling, when it applies to the site's kind.
    pub max_kg: Option<Decimal>,
    /// `on_hand_kg / max_kg`, rounded to 4 decimal places for display (the level compares exact figures).
    pub share: Option<Decimal>,
    /// From this share of the ceiling on, the site is reported as nearly full (storage.toml, a setting).
    pub warn_share: Decimal,
    pub level: QuantityLevel,
    pub citation: String,
}

/// A move or an addition that would take a storage point over its ceiling.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error(
    "the storage point holds {on_hand_kg} kg; adding {adding_kg} kg would make {after_kg} kg, above its ceiling of {max_kg} kg ({citation})"
)]
pub struct OverCeiling {
    pub on_hand_kg: Decimal,
    pub adding_kg: Decimal,
    pub after_kg: Decimal,
    pub max_kg: Decimal,
    pub citation: String,
}

impl SiteRules {
    /// Where `on_hand_kg` stands against the ceiling of a site of this kind (GB 18597-2023 8.3.5).
    pub fn quantity(
        &self,
        storage: &StorageRules,
        kind: SiteKind,
        on_hand_kg: Decimal,
    ) -> QuantityStatus {
        let on_hand_kg = on_hand_kg.normalize();
        let citation = self.ceiling.clause.clone();
        if !self.kind(kind).ceiling {
            return QuantityStatus {
                on_hand_kg,
                max_kg: None,
                share: None,
                warn_share: storage.storage_point_warn_fraction,
                level: QuantityLevel::NotApplicable,
                citation,
            };
        }
        let max = storage.storage_point_max_kg;
        let share = if max > Decimal::ZERO {
            (on_hand_kg / max).round_dp(4).normalize()
        } else {
            Decimal::ONE
        };
        let level = match storage.on_hand(on_hand_kg).status {
            storage::OnHandStatus::Over => QuantityLevel::OverCeiling,
            storage::OnHandStatus::Warning => QuantityLevel::NearCeiling,
            storage::OnHandStatus::Ok => QuantityLevel::Ok,
        };
        QuantityStatus {
            on_hand_kg,
            max_kg: Some(max.normalize()),
            share: Some(share),
            warn_share: storage.storage_point_warn_fraction,
            level,
            citation,
        }
    }

    /// Whether `adding_kg` may join `on_hand_kg` at a site of this kind: refused when it would take a storage
    /// point over its ceiling (GB 18597-2023 8.3.5), otherwise the status after it.
    pub fn check_quantity(
        &self,
        storage: &StorageRules,
        kind: SiteKind,
        on_hand_kg: Decimal,
        adding_kg: Decimal,
    ) -> Result<QuantityStatus, OverCeiling> {
        let after = (on_hand_kg + adding_kg).normalize();
        let status = self.quantity(storage, kind, after);
        if status.level == QuantityLevel::OverCeiling {
            return Err(OverCeiling {
                on_hand_kg: on_hand_kg.normalize(),
                adding_kg: adding_kg.normalize(),
                after_kg: after,
                max_kg: storage.storage_point_max_kg.normalize(),
                citation: status.citation,
            });
        }
        Ok(status)
    }
}
