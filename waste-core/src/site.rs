//! Storage sites (GB 18597-2023): the kinds of place where waste waits, and the rules that apply to the containers
//! actually there: the 3 t ceiling of a storage point (8.3.5), liquid spill containment (6.2.2), incompatible
//! wastes kept in separate zones (6.1.2), the storage clock of the site's kind, and the periodic self-inspection
//! (8.2.2) with its findings and follow-up. Settings and clause texts come from `sites.toml`.

use crate::citation::Confidence;
use crate::compatibility::{self, Consequence, Reaction};
use crate::party::OrgKind;
use crate::standards::Standards;
use crate::storage::{self, StorageClock, StorageRules};
use crate::substance::SubstanceId;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use time::{Date, Duration};

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

// ---------- GB 18597-2023 8.3.5: quantity on hand ----------

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

// ---------- GB 18597-2023 6.2.2: liquid spill containment ----------

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

// ---------- GB 18597-2023 6.1.2: incompatible wastes in one zone ----------

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
    fn conflict(
        &self,
        std: &Standards,
        a: &PlacedContainer,
        b: &PlacedContainer,
    ) -> Option<ZoneConflict> {
        if a.zone != b.zone {
            return None;
        }
        let found =
            compatibility::reactions(&std.reactivity, &std.substances, &a.contents, &b.contents);
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
                self.zones.clause, std.reactivity.title
            ),
        })
    }

    /// Every pair of containers in one zone holding wastes that react with each other (GB 18597-2023 6.1.2).
    pub fn zone_conflicts(
        &self,
        std: &Standards,
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

// ---------- the whole site, and a container arriving ----------

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
    pub fn status(&self, std: &Standards, site: &Site) -> SiteStatus {
        let on_hand: Decimal = site.containers.iter().map(|c| c.mass_kg).sum();
        let quantity = self.quantity(&std.storage, site.kind, on_hand);
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
        std: &Standards,
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
        let quantity = self.check_quantity(&std.storage, site.kind, on_hand, incoming.mass_kg)?;
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

// ---------- self-inspection (GB 18597-2023 8.2.2) ----------

/// One answer to a checklist question, as submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = InspectionAnswer))]
pub struct Answer {
    pub item: String,
    pub ok: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// A finding as submitted: what is wrong, under which checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = FindingInput))]
pub struct FindingInput {
    pub item: String,
    pub description: String,
}

/// An answered checklist question with the clause it checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckedItem {
    pub item: String,
    pub ok: bool,
    pub note: Option<String>,
    pub clause: String,
}

/// Something found wrong; open until followed up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub item: String,
    pub description: String,
    pub clause: String,
}

/// An inspection the rules accepted: every checklist item answered once, a finding for every failed item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    pub inspected_on: Date,
    pub inspector: String,
    pub items: Vec<CheckedItem>,
    pub findings: Vec<Finding>,
    pub citation: String,
}

/// What was done about a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub done_on: Date,
    pub by: String,
    pub action: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum InspectionError {
    #[error("'{item}' is not a checklist item (known: {known})")]
    UnknownItem { item: String, known: String },
    #[error("checklist item '{item}' is answered twice")]
    DuplicateAnswer { item: String },
    #[error("checklist items not answered: {}", .items.join(", "))]
    Unanswered { items: Vec<String> },
    #[error("the inspector's name is empty")]
    NoInspector,
    #[error("the inspection date {date} is after today ({today})")]
    FutureDate { date: Date, today: Date },
    #[error("a finding needs a description")]
    EmptyFinding,
    #[error("a follow-up needs who did it and what was done")]
    EmptyFollowUp,
    #[error("the follow-up date {date} is before the inspection ({inspected_on}) or after today")]
    FollowUpDate { date: Date, inspected_on: Date },
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

impl SiteRules {
    pub fn checklist_item(&self, key: &str) -> Option<&ChecklistItem> {
        self.checklist.iter().find(|i| i.key == key)
    }

    fn known_items(&self) -> String {
        self.checklist
            .iter()
            .map(|i| i.key.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Accepts an inspection: every checklist item answered exactly once; a failed item without a finding of its
    /// own gets one from its note, so that nothing found wrong is lost.
    pub fn inspection(
        &self,
        inspected_on: Date,
        today: Date,
        inspector: &str,
        answers: &[Answer],
        findings: &[FindingInput],
    ) -> Result<Inspection, InspectionError> {
        if blank(inspector) {
            return Err(InspectionError::NoInspector);
        }
        if inspected_on > today {
            return Err(InspectionError::FutureDate {
                date: inspected_on,
                today,
            });
        }
        let mut seen = BTreeSet::new();
        let mut items = Vec::new();
        for a in answers {
            let item =
                self.checklist_item(&a.item)
                    .ok_or_else(|| InspectionError::UnknownItem {
                        item: a.item.clone(),
                        known: self.known_items(),
                    })?;
            if !seen.insert(a.item.as_str()) {
                return Err(InspectionError::DuplicateAnswer {
                    item: a.item.clone(),
                });
            }
            items.push(CheckedItem {
                item: a.item.clone(),
                ok: a.ok,
                note: a.note.clone().filter(|n| !blank(n)),
                clause: item.clause.clone(),
            });
        }
        let missing: Vec<String> = self
            .checklist
            .iter()
            .filter(|i| !seen.contains(i.key.as_str()))
            .map(|i| i.key.clone())
            .collect();
        if !missing.is_empty() {
            return Err(InspectionError::Unanswered { items: missing });
        }
        let mut out = Vec::new();
        for f in findings {
            let item =
                self.checklist_item(&f.item)
                    .ok_or_else(|| InspectionError::UnknownItem {
                        item: f.item.clone(),
                        known: self.known_items(),
                    })?;
            if blank(&f.description) {
                return Err(InspectionError::EmptyFinding);
            }
            out.push(Finding {
                item: f.item.clone(),
                description: f.description.trim().to_owned(),
                clause: item.clause.clone(),
            });
        }
        // Items are in checklist order for a stable record.
        items.sort_by_key(|c| self.checklist.iter().position(|i| i.key == c.item));
        for c in items.iter().filter(|c| !c.ok) {
            if out.iter().all(|f| f.item != c.item) {
                let en = self
                    .checklist_item(&c.item)
                    .map(|i| i.en.as_str())
                    .unwrap_or("");
                out.push(Finding {
                    item: c.item.clone(),
                    description: c
                        .note
                        .clone()
                        .unwrap_or_else(|| format!("not satisfied: {en}")),
                    clause: c.clause.clone(),
                });
            }
        }
        Ok(Inspection {
            inspected_on,
            inspector: inspector.trim().to_owned(),
            items,
            findings: out,
            citation: self.inspection.clause.clone(),
        })
    }

    /// Accepts the follow-up of a finding made on `inspected_on`.
    pub fn follow_up(
        &self,
        inspected_on: Date,
        today: Date,
        done_on: Date,
        by: &str,
        action: &str,
    ) -> Result<FollowUp, InspectionError> {
        if blank(by) || blank(action) {
            return Err(InspectionError::EmptyFollowUp);
        }
        if done_on < inspected_on || done_on > today {
            return Err(InspectionError::FollowUpDate {
                date: done_on,
                inspected_on,
            });
        }
        Ok(FollowUp {
            done_on,
            by: by.trim().to_owned(),
            action: action.trim().to_owned(),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InspectionStatus {
    /// Never inspected: due now.
    Never,
    Ok,
    DueSoon,
    Overdue,
}

/// When the next self-inspection of a site is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectionDue {
    #[serde(serialize_with = "ser_opt_date")]
    pub last_inspected_on: Option<Date>,
    #[serde(serialize_with = "ser_opt_date")]
    pub due_on: Option<Date>,
    /// Negative once overdue.
    pub days_left: Option<i64>,
    pub interval_days: i64,
    pub status: InspectionStatus,
    pub citation: String,
}

/// A date on the wire as `YYYY-MM-DD`, like every other date the API answers (not serde's `[year, ordinal]`).
fn ser_opt_date<S: serde::Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

impl SiteRules {
    /// The next inspection of a site of this kind last inspected on `last` (interval: a setting per kind; the
    /// duty of regular checks: GB 18597-2023 8.2.2).
    pub fn inspection_due(&self, kind: SiteKind, last: Option<Date>, today: Date) -> InspectionDue {
        let interval = self.kind(kind).inspection_interval_days;
        let citation = format!(
            "{} (interval {interval} days: a setting, UNCONFIRMED)",
            self.inspection.clause
        );
        let Some(last) = last else {
            return InspectionDue {
                last_inspected_on: None,
                due_on: None,
                days_left: None,
                interval_days: interval,
                status: InspectionStatus::Never,
                citation,
            };
        };
        let due = last + Duration::days(interval);
        let left = (due - today).whole_days();
        let status = if left < 0 {
            InspectionStatus::Overdue
        } else if left <= self.due_soon_days {
            InspectionStatus::DueSoon
        } else {
            InspectionStatus::Ok
        };
        InspectionDue {
            last_inspected_on: Some(last),
            due_on: Some(due),
            days_left: Some(left),
            interval_days: interval,
            status,
            citation,
        }
    }
}

// ---------- the to-do list of a site ----------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TodoCode {
    SignNeverPrinted,
    SignOutdated,
    InspectionNever,
    InspectionOverdue,
    InspectionDueSoon,
    OpenFindings,
    NearCeiling,
    OverCeiling,
    ContainmentShort,
    IncompatibleInZone,
}

/// Something the people responsible for a site must do, with the clause that asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TodoItem {
    pub code: TodoCode,
    pub message: String,
    pub citation: String,
}

impl SiteRules {
    /// What the site needs done: signs not printed or outdated (GB 18597-2023 4.6, HJ 1276-2022), an inspection
    /// never made, overdue or due soon (8.2.2), findings not followed up, and every warning of its status.
    pub fn todo(
        &self,
        status: &SiteStatus,
        due: &InspectionDue,
        open_findings: usize,
        signs: &[(crate::sign::SignRecord, crate::sign::SignState)],
    ) -> Vec<TodoItem> {
        use crate::sign::{SignState, SignType};
        let sign_clause = self
            .checklist_item("sign_posted_current")
            .map(|i| i.clause.clone())
            .unwrap_or_else(|| "GB 18597-2023 4.6".into());
        let mut out = Vec::new();
        for (s, state) in signs {
            let what = match (s.sign, &s.zone) {
                (SignType::Facility, _) => "the facility sign".to_owned(),
                (SignType::Zone, Some(z)) => format!("the sign of zone '{z}'"),
                (SignType::Zone, None) => "the zone sign".to_owned(),
            };
            let (code, message) = match state {
                SignState::Current => continue,
                SignState::NeverPrinted => {
                    (TodoCode::SignNeverPrinted, format!("print and post {what}"))
                }
                SignState::Outdated => (
                    TodoCode::SignOutdated,
                    format!("{what} no longer matches the site: print and post it again"),
                ),
            };
            out.push(TodoItem {
                code,
                message,
                citation: sign_clause.clone(),
            });
        }
        let inspection = match due.status {
            InspectionStatus::Never => Some((
                TodoCode::InspectionNever,
                "no self-inspection recorded yet".to_owned(),
            )),
            InspectionStatus::Overdue => Some((
                TodoCode::InspectionOverdue,
                format!(
                    "self-inspection overdue by {} days (due {})",
                    -due.days_left.unwrap_or(0),
                    due.due_on.map(|d| d.to_string()).unwrap_or_default()
                ),
            )),
            InspectionStatus::DueSoon => Some((
                TodoCode::InspectionDueSoon,
                format!(
                    "self-inspection due on {}",
                    due.due_on.map(|d| d.to_string()).unwrap_or_default()
                ),
            )),
            InspectionStatus::Ok => None,
        };
        if let Some((code, message)) = inspection {
            out.push(TodoItem {
                code,
                message,
                citation: due.citation.clone(),
            });
        }
        if open_findings > 0 {
            out.push(TodoItem {
                code: TodoCode::OpenFindings,
                message: format!("{open_findings} inspection finding(s) not followed up"),
                citation: self.inspection.clause.clone(),
            });
        }
        for w in &status.warnings {
            let code = match w.code {
                SiteWarningCode::NearCeiling => TodoCode::NearCeiling,
                SiteWarningCode::OverCeiling => TodoCode::OverCeiling,
                SiteWarningCode::ContainmentShort => TodoCode::ContainmentShort,
                SiteWarningCode::IncompatibleInZone => TodoCode::IncompatibleInZone,
            };
            out.push(TodoItem {
                code,
                message: w.message.clone(),
                citation: w.citation.clone(),
            });
        }
        out
    }
}
