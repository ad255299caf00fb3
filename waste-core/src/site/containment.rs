//! Liquid spill containment (GB 18597-2023 6.2.2): what the liquids at a site need against what the site has.

use super::{PlacedContainer, SiteRules};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContainmentLevel {
    /// No liquid waste at the site: the clause asks for nothing.
    NoLiquids,
    Ok,
    Short,
}

/// The containment check with its figures, so that the answer shows how it was reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContainmentCheck {
    /// The declared containment volume (0 when none was declared).
    pub available_l: Decimal,
    pub declared: bool,
    /// The capacity of the largest liquid container.
    pub largest_container_l: Decimal,
    /// The liquid waste stored (sum of the fill of liquid containers).
    pub liquids_l: Decimal,
    /// `liquid_share × liquids_l`.
    pub share_of_liquids_l: Decimal,
    pub liquid_share: Decimal,
    /// The larger of the two.
    pub required_l: Decimal,
    /// How much is missing; 0 when enough.
    pub shortfall_l: Decimal,
    pub level: ContainmentLevel,
    pub citation: String,
}

impl SiteRules {
    /// The containment the liquids at the site need, against what the site has (GB 18597-2023 6.2.2: at least the
    /// larger of the largest liquid container and 1/10 of the liquid waste stored), from the containers there.
    pub fn containment(
        &self,
        containment_l: Option<Decimal>,
        containers: &[PlacedContainer],
    ) -> ContainmentCheck {
        let liquid: Vec<&PlacedContainer> = containers.iter().filter(|c| c.liquid).collect();
        let largest = liquid
            .iter()
            .map(|c| c.capacity_l)
            .max()
            .unwrap_or(Decimal::ZERO);
        let liquids: Decimal = liquid.iter().map(|c| c.filled_l).sum();
        let share_of = (liquids * self.liquid_share).normalize();
        let required = largest.max(share_of).normalize();
        let available = containment_l.unwrap_or(Decimal::ZERO).normalize();
        let shortfall = (required - available).max(Decimal::ZERO).normalize();
        let level = if liquid.is_empty() {
            ContainmentLevel::NoLiquids
        } else if shortfall > Decimal::ZERO {
            ContainmentLevel::Short
        } else {
            ContainmentLevel::Ok
        };
        ContainmentCheck {
            available_l: available,
            declared: containment_l.is_some(),
            largest_container_l: largest.normalize(),
            liquids_l: liquids.normalize(),
            share_of_liquids_l: share_of,
            liquid_share: self.liquid_share,
            required_l: if liquid.is_empty() {
                Decimal::ZERO
            } else {
                required
            },
            shortfall_l: if liquid.is_empty() {
                Decimal::ZERO
            } else {
                shortfall
            },
            level,
            citation: self.containment.clause.clone(),
        }
    }
}
