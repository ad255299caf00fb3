//! What a sign says: the facility and zone signs' content, its required fields and its digest.

use super::{SignRules, SignType};
use crate::hazard::Hazard;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The storage-facility sign of one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacilitySign {
    pub title_zh: String,
    pub title_en: String,
    pub unit_name: String,
    pub facility_name: String,
    pub facility_code: String,
    pub responsible: String,
    pub contact: String,
    pub location: Option<String>,
}

/// A waste as the zone sign names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneWaste {
    pub name: String,
    pub code: Option<String>,
    pub hazards: Vec<Hazard>,
}

/// The storage-zone sign of one zone of a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneSign {
    pub facility_name: String,
    pub zone_name: String,
    /// Every zone of the site, for the plan; this sign's zone is marked "you are here".
    pub zones: Vec<String>,
    pub wastes: Vec<ZoneWaste>,
    pub emergency: Option<String>,
    pub responsible: String,
    pub contact: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum SignError {
    #[error("the {sign} sign lacks: {}", .missing.join(", "))]
    Incomplete { sign: String, missing: Vec<String> },
    #[error("zone '{zone}' is not among the site's zones")]
    ZoneNotInPlan { zone: String },
}

pub(super) fn filled(s: &str) -> bool {
    !s.trim().is_empty()
}

impl FacilitySign {
    fn has(&self, field: &str) -> bool {
        match field {
            "title" => filled(&self.title_zh),
            "symbol" => true,
            "unit_name" => filled(&self.unit_name),
            "facility_name" => filled(&self.facility_name),
            "facility_code" => filled(&self.facility_code),
            "responsible" => filled(&self.responsible),
            "contact" => filled(&self.contact),
            "location" => self.location.as_deref().is_some_and(filled),
            _ => false,
        }
    }

    /// Required fields (per the data) that are empty.
    pub fn missing(&self, rules: &SignRules) -> Vec<String> {
        rules
            .fields(SignType::Facility)
            .filter(|f| f.required && !self.has(&f.field))
            .map(|f| f.field.clone())
            .collect()
    }

    /// A digest of the content: a printed sign is current while the digest of the sign the site needs now is the
    /// one printed.
    pub fn digest(&self) -> String {
        digest(self)
    }
}

impl ZoneSign {
    fn has(&self, field: &str) -> bool {
        match field {
            "title" => true,
            "facility_name" => filled(&self.facility_name),
            "zone_plan" => true,
            "zone_name" => filled(&self.zone_name),
            "wastes" => !self.wastes.is_empty(),
            "emergency" => self.emergency.as_deref().is_some_and(filled),
            "responsible" => filled(&self.responsible),
            "contact" => filled(&self.contact),
            _ => false,
        }
    }

    pub fn missing(&self, rules: &SignRules) -> Vec<String> {
        rules
            .fields(SignType::Zone)
            .filter(|f| f.required && !self.has(&f.field))
            .map(|f| f.field.clone())
            .collect()
    }

    pub fn digest(&self) -> String {
        digest(self)
    }
}

fn digest<T: Serialize>(v: &T) -> String {
    // Serialising plain structs of strings cannot fail; an empty body would only make every sign look outdated.
    let bytes = serde_json::to_vec(v).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes))
}

impl ZoneWaste {
    /// The wastes of a zone as its sign lists them: one row per name and code, hazard characteristics merged,
    /// sorted, so that the sign (and its digest) does not depend on the order the containers arrived in.
    pub fn collect(wastes: impl IntoIterator<Item = ZoneWaste>) -> Vec<ZoneWaste> {
        let mut rows: BTreeMap<(String, Option<String>), Vec<Hazard>> = BTreeMap::new();
        for w in wastes {
            let name = w.name.trim().to_owned();
            if name.is_empty() {
                continue;
            }
            let hazards = rows.entry((name, w.code)).or_default();
            for h in w.hazards {
                if !hazards.contains(&h) {
                    hazards.push(h);
                }
            }
        }
        rows.into_iter()
            .map(|((name, code), mut hazards)| {
                hazards.sort();
                ZoneWaste {
                    name,
                    code,
                    hazards,
                }
            })
            .collect()
    }
}
