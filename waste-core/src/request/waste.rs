//! The parsed domain value (`Waste`): every field checked, every component resolved through the substance table.

use super::InputError;
use super::kinds::{
    AdsorbentUse, BiologicalMaterial, ConsumableMaterial, Fate, Form, LabKind, Origin,
};
use super::wire::WasteRequest;
use crate::cas::CasNumber;
use crate::substance::{SubstanceId, SubstanceTable};
use rust_decimal::Decimal;

pub const MAX_COMPONENTS: usize = 50;
pub const MAX_TEXT: usize = 2000;

/// A component after parsing: either a substance of the table, or an unknown one (kept, never dropped).
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub substance: Option<SubstanceId>,
    pub resolution: Resolution,
    pub name: Option<String>,
    pub cas: Option<CasNumber>,
    pub fraction: Option<Decimal>,
}

/// How a component was matched to the substance table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    Cas,
    Name,
    /// The CAS is valid but not in the table; the name matched.
    NameWithUnknownCas,
    Unknown,
}

/// A waste ready for the rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Waste {
    pub description: String,
    pub form: Form,
    pub origin: Origin,
    pub fate: Fate,
    pub lab_kind: LabKind,
    pub radioactive: bool,
    pub cleaned_per_lab_rules: bool,
    pub sorted_collection: bool,
    pub material: Option<ConsumableMaterial>,
    pub adsorbent_use: Option<AdsorbentUse>,
    pub infectious: Option<bool>,
    pub biological: Option<BiologicalMaterial>,
    pub components: Vec<Component>,
}

impl Waste {
    /// Checks every field and resolves components through the substance table (CAS first, then name and
    /// synonyms). A name and a CAS that name two different substances are refused rather than guessed between.
    pub fn parse(req: WasteRequest, table: &SubstanceTable) -> Result<Waste, InputError> {
        if req.description.chars().count() > MAX_TEXT {
            return Err(InputError::new(
                "description",
                format!("longer than {MAX_TEXT} characters"),
            ));
        }
        if req.fate.is_discharge() && req.form != Form::Liquid {
            return Err(InputError::new(
                "fate",
                "a discharge fate applies only to liquid waste (form \"liquid\")",
            ));
        }
        if req.components.len() > MAX_COMPONENTS {
            return Err(InputError::new(
                "components",
                format!("more than {MAX_COMPONENTS} components"),
            ));
        }
        if req.lab_kind == LabKind::Chemical {
            if req.infectious.is_some() {
                return Err(InputError::new(
                    "infectious",
                    "applies only to lab_kind \"biological\" or \"medical\"",
                ));
            }
            if req.biological.is_some() {
                return Err(InputError::new(
                    "biological",
                    "applies only to lab_kind \"biological\" or \"medical\"",
                ));
            }
        }
        if req.infectious == Some(false)
            && req.biological.is_some_and(|m| {
                matches!(m, BiologicalMaterial::Blood | BiologicalMaterial::Specimen)
                    && req.lab_kind == LabKind::Medical
            })
        {
            return Err(InputError::new(
                "infectious",
                "blood and specimens of a medical laboratory are infectious waste (Medical Waste Classification Catalogue 2021, Table 1): they cannot be declared not infectious",
            ));
        }
        // The decision of a radioactive waste (GB 34330-2017 1), of a medical laboratory's waste (HW01), or of a
        // waste biological by nature (declared infectious, or blood, cultures, sharps...) does not depend on its
        // chemical composition.
        let biological_by_nature = req.infectious == Some(true)
            || req
                .biological
                .is_some_and(BiologicalMaterial::is_biological);
        let composition_decides =
            !req.radioactive && req.lab_kind != LabKind::Medical && !biological_by_nature;
        if req.components.is_empty() && req.origin.needs_components() && composition_decides {
            return Err(InputError::new(
                "components",
                if req.lab_kind == LabKind::Biological {
                    format!(
                        "origin \"{}\" needs at least one component (name or cas), unless the waste is biological by nature: declare \"biological\" (blood, specimen, culture, ...) or \"infectious\": true",
                        req.origin.as_str()
                    )
                } else {
                    format!(
                        "origin \"{}\" needs at least one component (name or cas)",
                        req.origin.as_str()
                    )
                },
            ));
        }
        if req.material.is_some() && req.origin != Origin::ContaminatedConsumables {
            return Err(InputError::new(
                "material",
                "applies only to origin \"contaminated_consumables\"",
            ));
        }
        if req.adsorbent_use.is_some() && req.origin != Origin::SpentAdsorbent {
            return Err(InputError::new(
                "adsorbent_use",
                "applies only to origin \"spent_adsorbent\"",
            ));
        }
        let mut components = Vec::with_capacity(req.components.len());
        let mut sum = Decimal::ZERO;
        for (i, c) in req.components.into_iter().enumerate() {
            let at = |f: &str| format!("components[{i}].{f}");
            let name = c
                .name
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty());
            if name.as_ref().is_some_and(|n| n.chars().count() > 200) {
                return Err(InputError::new(at("name"), "longer than 200 characters"));
            }
            let cas = match c.cas.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) => Some(
                    CasNumber::parse(s).map_err(|e| InputError::new(at("cas"), e.to_string()))?,
                ),
                None => None,
            };
            if name.is_none() && cas.is_none() {
                return Err(InputError::new(
                    format!("components[{i}]"),
                    "needs a name or a cas",
                ));
            }
            if let Some(f) = c.fraction {
                if f < Decimal::ZERO || f > Decimal::ONE {
                    return Err(InputError::new(
                        at("fraction"),
                        format!("{f} is outside [0, 1]"),
                    ));
                }
                sum += f;
            }
            let by_cas = cas.as_ref().and_then(|c| table.by_cas(c));
            let by_name = name.as_deref().and_then(|n| table.by_name(n));
            let resolution = match (by_cas, by_name, &cas) {
                (Some(_), _, _) => Resolution::Cas,
                (None, Some(_), None) => Resolution::Name,
                (None, Some(_), Some(_)) => Resolution::NameWithUnknownCas,
                (None, None, _) => Resolution::Unknown,
            };
            let substance = match (by_cas, by_name) {
                (Some(a), Some(b)) if a.id != b.id => {
                    return Err(InputError::new(
                        format!("components[{i}]"),
                        format!(
                            "cas {} is {} but name '{}' is {} ({})",
                            a.cas,
                            a.name_en,
                            name.unwrap_or_default(),
                            b.name_en,
                            b.cas
                        ),
                    ));
                }
                (Some(a), _) => Some(a.id),
                // A CAS the table does not know (a hydrate, a salt form) with a name it does: the name decides and
                // the classification says so in a warning.
                (None, Some(b)) => Some(b.id),
                (None, None) => None,
            };
            components.push(Component {
                substance,
                resolution,
                name,
                cas,
                fraction: c.fraction,
            });
        }
        if sum > Decimal::ONE {
            return Err(InputError::new(
                "components",
                format!("fractions sum to {sum}, above 1"),
            ));
        }
        Ok(Waste {
            description: req.description,
            form: req.form,
            origin: req.origin,
            fate: req.fate,
            lab_kind: req.lab_kind,
            radioactive: req.radioactive,
            cleaned_per_lab_rules: req.cleaned_per_lab_rules,
            sorted_collection: req.sorted_collection,
            material: req.material,
            adsorbent_use: req.adsorbent_use,
            infectious: req.infectious,
            biological: req.biological,
            components,
        })
    }

    /// Whether the components describe contamination on an article (a bottle, labware, a consumable) rather than
    /// the whole waste: the article itself is the rest, so the fractions need not sum to 1.
    pub fn is_article(&self) -> bool {
        matches!(
            self.origin,
            Origin::EmptyPackaging
                | Origin::Glassware
                | Origin::Sharps
                | Origin::ContaminatedConsumables
        )
    }

    /// True when every component is known and the declared fractions account for the whole waste (a single
    /// component without a fraction is the whole waste).
    pub fn fully_declared(&self) -> bool {
        if self.components.is_empty() || self.components.iter().any(|c| c.substance.is_none()) {
            return false;
        }
        if let [only] = self.components.as_slice() {
            return only.fraction.is_none_or(|f| f == Decimal::ONE);
        }
        let mut sum = Decimal::ZERO;
        for c in &self.components {
            match c.fraction {
                Some(f) => sum += f,
                None => return false,
            }
        }
        sum == Decimal::ONE
    }
}
