//! The whole site as it stands, and a container arriving: quantity, containment and zones with their warnings.

use super::Rulebook;
use super::capacity::{OverCeiling, QuantityLevel, QuantityStatus};
use super::containment::{ContainmentCheck, ContainmentLevel};
use super::zones::ZoneConflict;
use super::{PlacedContainer, Site, SiteRules};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SiteWarningCode {
    /// A storage point at or above the warning share of its ceiling (GB 18597-2023 8.3.5).
    NearCeiling,
    /// A storage point above its ceiling (data stored before the rule).
    OverCeiling,
    /// Spill containment short of what the liquids need (GB 18597-2023 6.2.2).
    ContainmentShort,
    /// Incompatible wastes in one zone (GB 18597-2023 6.1.2).
    IncompatibleInZone,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteWarning {
    pub code: SiteWarningCode,
    pub message: String,
    pub citation: String,
}

/// Where a site stands: quantity, containment and zones, with a warning for each problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteStatus {
    pub quantity: QuantityStatus,
    pub containment: ContainmentCheck,
    pub zone_conflicts: Vec<ZoneConflict>,
    pub warnings: Vec<SiteWarning>,
}

/// A container accepted at a site: the site's state with it, and what the arrival broke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Admission {
    pub quantity: QuantityStatus,
    pub containment: ContainmentCheck,
    /// Containers in the arriving container's zone whose wastes react with it.
    pub zone_conflicts: Vec<ZoneConflict>,
    pub warnings: Vec<SiteWarning>,
}

impl SiteRules {
    fn warnings(
        &self,
        q: &QuantityStatus,
        c: &ContainmentCheck,
        conflicts: &[ZoneConflict],
    ) -> Vec<SiteWarning> {
        let mut w = Vec::new();
        match (q.level, q.max_kg, q.share) {
            (QuantityLevel::NearCeiling, Some(max), Some(share)) => w.push(SiteWarning {
                code: SiteWarningCode::NearCeiling,
                message: format!(
                    "the storage point holds {} kg, {}% of its ceiling of {max} kg (warning from {}%)",
                    q.on_hand_kg,
                    (share * Decimal::ONE_HUNDRED).round_dp(1).normalize(),
                    (q.warn_share * Decimal::ONE_HUNDRED).normalize()
                ),
                citation: q.citation.clone(),
            }),
            (QuantityLevel::OverCeiling, Some(max), _) => w.push(SiteWarning {
                code: SiteWarningCode::OverCeiling,
                message: format!(
                    "the storage point holds {} kg, above its ceiling of {max} kg: clear it now",
                    q.on_hand_kg
                ),
                citation: q.citation.clone(),
            }),
            _ => {}
        }
        if c.level == ContainmentLevel::Short {
            w.push(SiteWarning {
                code: SiteWarningCode::ContainmentShort,
                message: format!(
                    "spill containment {} L{} is short of the {} L required (the larger of the largest liquid container, {} L, and {} × {} L of liquids = {} L): {} L missing",
                    c.available_l,
                    if c.declared { "" } else { " (none declared)" },
                    c.required_l,
                    c.largest_container_l,
                    c.liquid_share,
                    c.liquids_l,
                    c.share_of_liquids_l,
                    c.shortfall_l
                ),
                citation: c.citation.clone(),
            });
        }
        for z in conflicts {
            let codes: Vec<&str> = z.consequences.iter().map(|c| c.as_str()).collect();
            w.push(SiteWarning {
                code: SiteWarningCode::IncompatibleInZone,
                message: format!(
                    "{} and {} stand in {} and hold wastes that react ({}): keep them in separate zones",
                    z.container,
                    z.other,
                    z.zone
                        .as_deref()
                        .map(|s| format!("zone '{s}'"))
                        .unwrap_or_else(|| "the same undivided area".into()),
                    codes.join(" ")
                ),
                citation: z.citation.clone(),
            });
        }
        w
    }

    /// The site as it stands.
    pub fn status(&self, std: &impl Rulebook, site: &Site) -> SiteStatus {
        let on_hand: Decimal = site.containers.iter().map(|c| c.mass_kg).sum();
        let quantity = self.quantity(std.storage(), site.kind, on_hand);
        let containment = self.containment(site.containment_l, &site.containers);
        let zone_conflicts = self.zone_conflicts(std, &site.containers);
        let warnings = self.warnings(&quantity, &containment, &zone_conflicts);
        SiteStatus {
            quantity,
            containment,
            zone_conflicts,
            warnings,
        }
    }

    /// Whether `incoming` may be placed at `site` (a move, a new container, or an addition to a container there,
    /// given as the container after the addition). Refused only when it would take a storage point over its
    /// ceiling (8.3.5); a containment shortfall (6.2.2) or an incompatible neighbour in its zone (6.1.2) is a
    /// warning the user must act on. A container already at the site (same id) is counted once, as `incoming`.
    pub fn admit(
        &self,
        std: &impl Rulebook,
        site: &Site,
        incoming: &PlacedContainer,
    ) -> Result<Admission, OverCeiling> {
        let others: Vec<PlacedContainer> = site
            .containers
            .iter()
            .filter(|c| c.id != incoming.id)
            .cloned()
            .collect();
        let on_hand: Decimal = others.iter().map(|c| c.mass_kg).sum();
        let quantity = self.check_quantity(std.storage(), site.kind, on_hand, incoming.mass_kg)?;
        let before = self.containment(site.containment_l, &others);
        let mut after_set = others.clone();
        after_set.push(incoming.clone());
        let containment = self.containment(site.containment_l, &after_set);
        let zone_conflicts: Vec<ZoneConflict> = others
            .iter()
            .filter_map(|o| self.conflict(std, incoming, o))
            .collect();
        let mut warnings = self.warnings(&quantity, &containment, &zone_conflicts);
        if before.level == ContainmentLevel::Short && containment.level == ContainmentLevel::Short {
            // Already short before: still reported, the arrival did not cause it.
            for w in &mut warnings {
                if w.code == SiteWarningCode::ContainmentShort {
                    w.message.push_str(" (already short before this container)");
                }
            }
        }
        Ok(Admission {
            quantity,
            containment,
            zone_conflicts,
            warnings,
        })
    }
}
