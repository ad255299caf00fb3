//! The safety card of a substance in stock (issue 31, item 5): what the service's own data says, each part with
//! its source, and, for what no data here has a source for (GHS pictograms and hazard statements, first aid,
//! spill and fire measures), a plain statement that it is not in the data, pointing to the supplier's safety data
//! sheet, rather than words no source confirms.

use super::{ControlledLists, Listing};
use crate::compatibility::{Consequence, ReactivityMatrix};
use crate::hazard::Hazard;
use crate::substance::Substance;
use serde::Serialize;

/// A reactivity group the substance must be kept apart from, with what mixing gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeepApart {
    pub group: u16,
    pub group_name: String,
    pub group_name_zh: String,
    pub consequences: Vec<Consequence>,
}

/// A part of a card no data here has a source for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = UnsourcedPart))]
#[serde(rename_all = "snake_case")]
pub enum Unsourced {
    GhsPictograms,
    FirstAid,
    SpillMeasures,
    FireMeasures,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SafetyCard {
    pub name_zh: String,
    pub name_en: String,
    pub cas: String,
    /// The controlled-chemical entries naming it, each with its list and entry.
    pub listings: Vec<Listing>,
    /// Hazard characteristics (T, C, I, R) as the substance table has them.
    pub hazards: Vec<Hazard>,
    pub hazards_source: String,
    /// Its reactivity groups' incompatibilities (EPA-600/2-80-076 chart).
    pub keep_apart: Vec<KeepApart>,
    pub keep_apart_source: String,
    pub unsourced: Vec<Unsourced>,
}

/// The card of `s`.
pub fn safety_card(
    s: &Substance,
    lists: &ControlledLists,
    matrix: &ReactivityMatrix,
) -> SafetyCard {
    let mut keep_apart: Vec<KeepApart> = Vec::new();
    for own in &s.groups {
        for (other, _) in matrix.groups() {
            let cell = matrix.cell(own.0, other);
            if cell.is_empty() {
                continue;
            }
            match keep_apart.iter_mut().find(|k| k.group == other) {
                Some(k) => {
                    for c in cell.to_vec() {
                        if !k.consequences.contains(&c) {
                            k.consequences.push(c);
                        }
                    }
                }
                None => keep_apart.push(KeepApart {
                    group: other,
                    group_name: matrix.group_name(other).to_owned(),
                    group_name_zh: matrix.group_name_zh(other).to_owned(),
                    consequences: cell.to_vec(),
                }),
            }
        }
    }
    keep_apart.sort_by_key(|k| k.group);
    SafetyCard {
        name_zh: s.name_zh.clone(),
        name_en: s.name_en.clone(),
        cas: s.cas.to_string(),
        listings: lists.of(s),
        hazards: s.hazards.iter().collect(),
        hazards_source: "substance table (standards-data/substances.csv), hazard characteristics per the National Catalogue's T/C/I/R".into(),
        keep_apart,
        keep_apart_source: matrix.title.clone(),
        unsourced: vec![
            Unsourced::GhsPictograms,
            Unsourced::FirstAid,
            Unsourced::SpillMeasures,
            Unsourced::FireMeasures,
        ],
    }
}
