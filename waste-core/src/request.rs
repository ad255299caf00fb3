//! The classification request: the wire shape (`WasteRequest`) and the parsed domain value (`Waste`).
//! Bad input is refused here, once, with the field it concerns; after this nothing handles raw strings.

use crate::cas::CasNumber;
use crate::substance::{SubstanceId, SubstanceTable};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    Liquid,
    Solid,
    SemiSolid,
    GasInContainer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    ExpiredReagent,
    UnusedReagent,
    OffSpecProduct,
    ContaminatedReagent,
    ExperimentResidue,
    VesselCleaningResidue,
    SpentAdsorbent,
    ContaminatedConsumables,
    EmptyPackaging,
    Glassware,
    Sharps,
    MercuryDevice,
    /// Mercury-containing lamps (fluorescent tubes), separate from thermometers and switches (900-023-29).
    MercuryLamp,
    Battery,
    ExpiredDrug,
    PhotographicChemicals,
    AnimalCarcass,
    ResearchSample,
    NovelSubstance,
    /// Oily rags and labour-protection articles (exemption list 2021 item 24 when not collected separately).
    OilyRagsOrPpe,
    Other,
}

impl Origin {
    pub const ALL: [Origin; 21] = [
        Origin::ExpiredReagent,
        Origin::UnusedReagent,
        Origin::OffSpecProduct,
        Origin::ContaminatedReagent,
        Origin::ExperimentResidue,
        Origin::VesselCleaningResidue,
        Origin::SpentAdsorbent,
        Origin::ContaminatedConsumables,
        Origin::EmptyPackaging,
        Origin::Glassware,
        Origin::Sharps,
        Origin::MercuryDevice,
        Origin::MercuryLamp,
        Origin::Battery,
        Origin::ExpiredDrug,
        Origin::PhotographicChemicals,
        Origin::AnimalCarcass,
        Origin::ResearchSample,
        Origin::NovelSubstance,
        Origin::OilyRagsOrPpe,
        Origin::Other,
    ];

    /// Origins whose decision depends on what the waste is made of: a request without components is refused.
    pub fn needs_components(self) -> bool {
        matches!(
            self,
            Origin::ExpiredReagent
                | Origin::UnusedReagent
                | Origin::OffSpecProduct
                | Origin::ContaminatedReagent
                | Origin::ExperimentResidue
                | Origin::VesselCleaningResidue
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fate {
    #[default]
    Discard,
    ReuseAsIs,
    ReturnToProcess,
    /// Kept as a sample for laboratory analysis or research (GB 34330-2017 6.1 d).
    KeptForAnalysis,
    DischargeMeetsStandard,
    TreatThenDischarge,
    NeutralizeThenDischarge,
}

impl Fate {
    pub fn is_discharge(self) -> bool {
        matches!(
            self,
            Fate::DischargeMeetsStandard | Fate::TreatThenDischarge | Fate::NeutralizeThenDischarge
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabKind {
    #[default]
    Chemical,
    Biological,
    /// Infectious medical laboratory or hospital laboratory (excluded from 900-047-49; HW01 applies).
    Medical,
}

/// The wire shape of a classification request (CONTRACTS.md). Decimal fractions travel as strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WasteRequest {
    #[serde(default)]
    pub description: String,
    pub form: Form,
    pub origin: Origin,
    #[serde(default)]
    pub fate: Fate,
    #[serde(default)]
    pub lab_kind: LabKind,
    #[serde(default)]
    pub radioactive: bool,
    #[serde(default)]
    pub cleaned_per_lab_rules: bool,
    /// False when the waste is not collected separately from ordinary refuse (exemption list conditions).
    #[serde(default = "yes")]
    pub sorted_collection: bool,
    #[serde(default)]
    pub components: Vec<ComponentRequest>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub cas: Option<String>,
    #[serde(default, with = "rust_decimal::serde::str_option")]
    pub fraction: Option<Decimal>,
}

/// A refused input: the field it concerns (a JSON path such as `components[1].cas`) and a sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{field}: {message}")]
pub struct InputError {
    pub field: String,
    pub message: String,
}

impl InputError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

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
        if req.components.is_empty() && req.origin.needs_components() {
            return Err(InputError::new(
                "components",
                format!(
                    "origin {:?} needs at least one component (name or CAS)",
                    req.origin
                )
                .to_lowercase(),
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
            components,
        })
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

/// Parses a JSON request, naming the field of any error (e.g. `origin: unknown variant ...`).
pub fn parse_request(json: &str) -> Result<WasteRequest, InputError> {
    let de = &mut serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        InputError::new(field, e.into_inner().to_string())
    })
}
