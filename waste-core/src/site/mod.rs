//! Storage sites (GB 18597-2023): the kinds of place where waste waits, and the rules that apply to the containers
//! actually there: the 3 t ceiling of a storage point (8.3.5), liquid spill containment (6.2.2), incompatible
//! wastes kept in separate zones (6.1.2), the storage clock of the site's kind, and the periodic self-inspection
//! (8.2.2) with its findings and follow-up. Settings and clause texts come from `sites.toml`.

mod capacity;
mod containment;
mod inspection;
mod status;
mod todo;
mod zones;

pub use capacity::{OverCeiling, QuantityLevel, QuantityStatus};
pub use containment::{ContainmentCheck, ContainmentLevel};
pub use inspection::{
    Answer, CheckedItem, Finding, FindingInput, FollowUp, Inspection, InspectionDue,
    InspectionError, InspectionStatus,
};
pub use status::{Admission, SiteStatus, SiteWarning, SiteWarningCode};
pub use todo::{TodoCode, TodoItem};
pub use zones::ZoneConflict;

use crate::citation::Confidence;
use crate::compatibility::ReactivityMatrix;
use crate::party::OrgKind;
use crate::storage::{self, StorageClock, StorageRules};
use crate::substance::SubstanceId;
use crate::substance::SubstanceTable;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use time::Date;

/// The other rules a site's status reads: the storage ceiling and the chemistry of its zones. `Standards` is
/// one; a trait here, so that the rules of sites need not name the whole set of standards that holds them.
pub trait Rulebook {
    fn storage(&self) -> &StorageRules;
    fn reactivity(&self) -> &ReactivityMatrix;
    fn substances(&self) -> &SubstanceTable;
}

/// The kinds of storage site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    /// A laboratory's satellite point, where containers are filled.
    LabPoint,
    /// A school's storage point (贮存点, GB 18597-2023 8.3): at most 3 t at any time.
    StoragePoint,
    /// A storage facility (贮存设施, GB 18597-2023 6).
    StorageFacility,
    /// The warehouse of a collection station.
    StationWarehouse,
}

impl SiteKind {
    pub const ALL: [SiteKind; 4] = [
        Self::LabPoint,
        Self::StoragePoint,
        Self::StorageFacility,
        Self::StationWarehouse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::LabPoint => "lab_point",
            Self::StoragePoint => "storage_point",
            Self::StorageFacility => "storage_facility",
            Self::StationWarehouse => "station_warehouse",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What the data says about one kind of site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindRule {
    pub kind: SiteKind,
    pub name_zh: String,
    pub name_en: String,
    /// The storage-time policy (storage.toml) of waste kept here.
    pub clock: storage::SiteKind,
    /// Whether the storage-point ceiling (GB 18597-2023 8.3.5) applies.
    pub ceiling: bool,
    pub inspection_interval_days: i64,
    pub facility_title_zh: String,
    pub facility_title_en: String,
    pub confidence: Confidence,
    /// The kinds of organisation that keep this kind of site (a setting).
    pub kept_by: Vec<OrgKind>,
}

/// A clause as the rules apply it: its number, its text and how sure we are of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseText {
    pub clause: String,
    pub text: String,
    pub confidence: Confidence,
}

/// One question of the self-inspection checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub key: String,
    pub zh: String,
    pub en: String,
    pub clause: String,
    #[serde(default)]
    pub text: Option<String>,
    pub confidence: Confidence,
}

/// The site rules, parsed once from `sites.toml`.
#[derive(Debug, Clone)]
pub struct SiteRules {
    kinds: BTreeMap<SiteKind, KindRule>,
    pub ceiling: ClauseText,
    pub containment: ClauseText,
    /// 1/10 of the liquids stored (6.2.2).
    pub liquid_share: Decimal,
    pub zones: ClauseText,
    pub inspection: ClauseText,
    pub due_soon_days: i64,
    pub checklist: Vec<ChecklistItem>,
}

impl SiteRules {
    pub fn parse(text: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Raw {
            kind: Vec<K>,
            ceiling: Ceiling,
            containment: Containment,
            zones: ClauseText,
            inspection: Insp,
        }
        #[derive(Deserialize)]
        struct K {
            kind: String,
            name_zh: String,
            name_en: String,
            clock: storage::SiteKind,
            ceiling: bool,
            inspection_interval_days: i64,
            facility_title_zh: String,
            facility_title_en: String,
            confidence: Confidence,
            kept_by: Vec<OrgKind>,
        }
        #[derive(Deserialize)]
        struct Ceiling {
            clause: String,
            text: String,
            confidence: Confidence,
        }
        #[derive(Deserialize)]
        struct Containment {
            clause: String,
            text: String,
            confidence: Confidence,
            liquid_share: String,
        }
        #[derive(Deserialize)]
        struct Insp {
            clause: String,
            text: String,
            confidence: Confidence,
            due_soon_days: i64,
            item: Vec<ChecklistItem>,
        }
        let raw: Raw = toml::from_str(text).map_err(|e| format!("sites: {e}"))?;
        let share = |s: &str, what: &str| {
            let d = Decimal::from_str(s).map_err(|e| format!("sites: {what} '{s}': {e}"))?;
            if d > Decimal::ZERO && d <= Decimal::ONE {
                Ok(d)
            } else {
                Err(format!("sites: {what} {d} is not in (0, 1]"))
            }
        };
        let mut kinds = BTreeMap::new();
        for k in raw.kind {
            let kind = SiteKind::parse(&k.kind)
                .ok_or_else(|| format!("sites: unknown site kind '{}'", k.kind))?;
            if k.inspection_interval_days <= 0 {
                return Err(format!("sites: {} has no inspection interval", k.kind));
            }
            if k.kept_by.is_empty() {
                return Err(format!(
                    "sites: {} is kept by no kind of organisation",
                    k.kind
                ));
            }
            kinds.insert(
                kind,
                KindRule {
                    kind,
                    name_zh: k.name_zh,
                    name_en: k.name_en,
                    clock: k.clock,
                    ceiling: k.ceiling,
                    inspection_interval_days: k.inspection_interval_days,
                    facility_title_zh: k.facility_title_zh,
                    facility_title_en: k.facility_title_en,
                    confidence: k.confidence,
                    kept_by: k.kept_by,
                },
            );
        }
        for k in SiteKind::ALL {
            if !kinds.contains_key(&k) {
                return Err(format!("sites: no rule for site kind {}", k.as_str()));
            }
        }
        let mut keys = BTreeSet::new();
        for item in &raw.inspection.item {
            if !keys.insert(item.key.clone()) {
                return Err(format!("sites: checklist item '{}' twice", item.key));
            }
        }
        if raw.inspection.item.is_empty() || raw.inspection.due_soon_days < 0 {
            return Err("sites: the inspection needs items and due_soon_days >= 0".into());
        }
        Ok(Self {
            kinds,
            ceiling: ClauseText {
                clause: raw.ceiling.clause,
                text: raw.ceiling.text,
                confidence: raw.ceiling.confidence,
            },
            liquid_share: share(&raw.containment.liquid_share, "containment.liquid_share")?,
            containment: ClauseText {
                clause: raw.containment.clause,
                text: raw.containment.text,
                confidence: raw.containment.confidence,
            },
            zones: raw.zones,
            due_soon_days: raw.inspection.due_soon_days,
            checklist: raw.inspection.item,
            inspection: ClauseText {
                clause: raw.inspection.clause,
                text: raw.inspection.text,
                confidence: raw.inspection.confidence,
            },
        })
    }

    pub fn kind(&self, kind: SiteKind) -> &KindRule {
        // Every kind is present: `parse` refuses data without one.
        &self.kinds[&kind]
    }

    /// The kinds of site an organisation of kind `org` keeps (`kept_by`), in the data's order of kinds.
    pub fn kinds_for(&self, org: OrgKind) -> Vec<SiteKind> {
        SiteKind::ALL
            .into_iter()
            .filter(|k| self.kind(*k).kept_by.contains(&org))
            .collect()
    }

    /// Which storage clock a container runs on (GB 18597-2023; the policies of `storage.toml`): that of the kind
    /// of site it stands at (`clock` of `sites.toml`), when that site belongs to whoever holds the container now;
    /// standing at no site of its holder (just collected, not yet placed, or at another's site), its holder's
    /// (`StorageRules::site_of`). The one choice a container's own status and the bureau's figures both read.
    pub fn clock_for(&self, holders_site: Option<SiteKind>, holder: OrgKind) -> storage::SiteKind {
        match holders_site {
            Some(k) => self.kind(k).clock,
            None => StorageRules::site_of(holder),
        }
    }

    /// The storage clock of waste that arrived on `started_on` at a site of this kind.
    pub fn clock(
        &self,
        storage: &StorageRules,
        kind: SiteKind,
        started_on: Date,
        today: Date,
    ) -> StorageClock {
        storage.clock(self.kind(kind).clock, started_on, today)
    }
}

/// A container placed at a site, as the site rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedContainer {
    /// Shown in findings (the container id or its digital identification code).
    pub id: String,
    /// The zone of the site it stands in; `None` is the site's one undivided area.
    pub zone: Option<String>,
    pub capacity_l: Decimal,
    /// Whether it holds liquid waste (GB 18597-2023 6.2.2 counts liquid containers only).
    pub liquid: bool,
    pub filled_l: Decimal,
    pub mass_kg: Decimal,
    pub contents: Vec<SubstanceId>,
}

/// A site and what stands there.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub kind: SiteKind,
    /// The volume of the site's spill containment; `None` when none was declared.
    pub containment_l: Option<Decimal>,
    pub containers: Vec<PlacedContainer>,
}
