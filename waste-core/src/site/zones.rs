//! Incompatible wastes in one zone (GB 18597-2023 6.1.2): pairs of containers whose wastes react.

use super::Rulebook;
use super::{PlacedContainer, SiteRules};
use crate::compatibility::{self, Consequence, Reaction};
use serde::{Deserialize, Serialize};

/// Two containers in one zone whose wastes react (EPA-600/2-80-076 chart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ZoneConflict {
    /// The zone; `None` is the site's undivided area.
    pub zone: Option<String>,
    pub container: String,
    pub other: String,
    pub reactions: Vec<Reaction>,
    pub consequences: Vec<Consequence>,
    pub citation: String,
}

impl SiteRules {
    pub(super) fn conflict(
        &self,
        std: &impl Rulebook,
        a: &PlacedContainer,
        b: &PlacedContainer,
    ) -> Option<ZoneConflict> {
        if a.zone != b.zone {
            return None;
        }
        let found =
            compatibility::reactions(std.reactivity(), std.substances(), &a.contents, &b.contents);
        if found.is_empty() {
            return None;
        }
        Some(ZoneConflict {
            zone: a.zone.clone(),
            container: a.id.clone(),
            other: b.id.clone(),
            consequences: compatibility::consequences(&found),
            reactions: found,
            citation: format!(
                "{}; GB 18597-2023 4.3; {}",
                self.zones.clause,
                std.reactivity().title
            ),
        })
    }

    /// Every pair of containers in one zone holding wastes that react with each other (GB 18597-2023 6.1.2).
    pub fn zone_conflicts(
        &self,
        std: &impl Rulebook,
        containers: &[PlacedContainer],
    ) -> Vec<ZoneConflict> {
        let mut out = Vec::new();
        for (i, a) in containers.iter().enumerate() {
            for b in &containers[i + 1..] {
                out.extend(self.conflict(std, a, b));
            }
        }
        out
    }
}
