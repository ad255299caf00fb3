//! The classification request: the wire shape (`WasteRequest`) and the parsed domain value (`Waste`).
//! Bad input is refused here, once, with the field it concerns; after this nothing handles raw strings.

use crate::cas::CasNumber;
use crate::substance::{SubstanceId, SubstanceTable};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = WasteForm))]
#[serde(rename_all = "snake_case")]
pub enum Form {
    Liquid,
    Solid,
    SemiSolid,
    GasInContainer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = WasteOrigin))]
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

    /// The wire name, as the API spells it (`experiment_residue`).
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::ExpiredReagent => "expired_reagent",
            Origin::UnusedReagent => "unused_reagent",
            Origin::OffSpecProduct => "off_spec_product",
            Origin::ContaminatedReagent => "contaminated_reagent",
            Origin::ExperimentResidue => "experiment_residue",
            Origin::VesselCleaningResidue => "vessel_cleaning_residue",
            Origin::SpentAdsorbent => "spent_adsorbent",
            Origin::ContaminatedConsumables => "contaminated_consumables",
            Origin::EmptyPackaging => "empty_packaging",
            Origin::Glassware => "glassware",
            Origin::Sharps => "sharps",
            Origin::MercuryDevice => "mercury_device",
            Origin::MercuryLamp => "mercury_lamp",
            Origin::Battery => "battery",
            Origin::ExpiredDrug => "expired_drug",
            Origin::PhotographicChemicals => "photographic_chemicals",
            Origin::AnimalCarcass => "animal_carcass",
            Origin::ResearchSample => "research_sample",
            Origin::NovelSubstance => "novel_substance",
            Origin::OilyRagsOrPpe => "oily_rags_or_ppe",
            Origin::Other => "other",
        }
    }

    /// Origins whose decision depends on what the waste is made of: a request without components is refused,
    /// unless the decision does not depend on them (radioactive waste, a medical laboratory's waste).
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = WasteFate))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LabKind {
    #[default]
    Chemical,
    Biological,
    /// Infectious medical laboratory or hospital laboratory (excluded from 900-047-49; HW01 applies).
    Medical,
}

/// What a biological or medical laboratory's waste is, in the words of the Medical Waste Classification Catalogue
/// (2021) Table 1 (`standards-data/data/medical-waste-2021.toml` gives each its category and basis).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BiologicalMaterial {
    /// Discarded blood, serum, plasma, secretions and their containers (blood collection tubes).
    Blood,
    /// Specimens (swabs, samples of body fluids or tissue for testing) and their containers.
    Specimen,
    /// Cultures and culture media (agar plates, broths), strain and virus preservation fluids.
    Culture,
    /// Items other than sharps soiled with blood, body fluids or cultures (gloves, gauze, tips, tubes).
    ContaminatedArticle,
    /// Needles, lancets, blades, slides and other sharps.
    Sharps,
    /// Human waste tissue.
    Tissue,
    /// Experimental animal carcasses.
    AnimalCarcass,
    /// Discarded drugs.
    Pharmaceutical,
    /// Discarded chemicals (declared chemical waste of the laboratory).
    Chemical,
}

impl BiologicalMaterial {
    pub const ALL: [BiologicalMaterial; 9] = [
        BiologicalMaterial::Blood,
        BiologicalMaterial::Specimen,
        BiologicalMaterial::Culture,
        BiologicalMaterial::ContaminatedArticle,
        BiologicalMaterial::Sharps,
        BiologicalMaterial::Tissue,
        BiologicalMaterial::AnimalCarcass,
        BiologicalMaterial::Pharmaceutical,
        BiologicalMaterial::Chemical,
    ];

    /// The wire name (`contaminated_article`), the id `medical-waste-2021.toml` uses.
    pub fn as_str(self) -> &'static str {
        match self {
            BiologicalMaterial::Blood => "blood",
            BiologicalMaterial::Specimen => "specimen",
            BiologicalMaterial::Culture => "culture",
            BiologicalMaterial::ContaminatedArticle => "contaminated_article",
            BiologicalMaterial::Sharps => "sharps",
            BiologicalMaterial::Tissue => "tissue",
            BiologicalMaterial::AnimalCarcass => "animal_carcass",
            BiologicalMaterial::Pharmaceutical => "pharmaceutical",
            BiologicalMaterial::Chemical => "chemical",
        }
    }

    pub fn parse(s: &str) -> Option<BiologicalMaterial> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Biological by nature: blood, specimens, cultures, soiled articles, sharps, tissue, carcasses (not drugs or
    /// chemicals). Such a waste needs no chemical component to be classified.
    pub fn is_biological(self) -> bool {
        match self {
            BiologicalMaterial::Blood
            | BiologicalMaterial::Specimen
            | BiologicalMaterial::Culture
            | BiologicalMaterial::ContaminatedArticle
            | BiologicalMaterial::Sharps
            | BiologicalMaterial::Tissue
            | BiologicalMaterial::AnimalCarcass => true,
            BiologicalMaterial::Pharmaceutical | BiologicalMaterial::Chemical => false,
        }
    }
}

/// What a contaminated consumable is made of: it decides between the plastic-consumables stream and the stream of
/// other contaminated solids (laboratory collection scheme, `streams.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsumableMaterial {
    /// Pipette tips, tubes, plastic dishes and plates.
    Plastic,
    /// Glass TLC plates, slides and other glass consumables that are not sharps.
    Glass,
    /// Filter paper, weighing paper, wipes.
    Paper,
    /// Disposable gloves and other protective articles.
    Gloves,
    Other,
}

impl ConsumableMaterial {
    pub const ALL: [ConsumableMaterial; 5] = [
        ConsumableMaterial::Plastic,
        ConsumableMaterial::Glass,
        ConsumableMaterial::Paper,
        ConsumableMaterial::Gloves,
        ConsumableMaterial::Other,
    ];
}

/// What a spent adsorbent was used for: it decides the GB 34330-2017 source criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AdsorbentUse {
    /// Cleaning gas, odour or wastewater (fume-hood carbon, filter media): 4.3 l).
    PollutionControl,
    /// Purifying a product (chromatography silica or alumina, decolourising carbon): a residue of purification,
    /// 4.2 b).
    Purification,
}

impl AdsorbentUse {
    pub const ALL: [AdsorbentUse; 2] = [AdsorbentUse::PollutionControl, AdsorbentUse::Purification];
}

/// The wire shape of a classification request. Decimal fractions travel as strings (no precision lost).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Only for origin `contaminated_consumables`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material: Option<ConsumableMaterial>,
    /// Only for origin `spent_adsorbent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adsorbent_use: Option<AdsorbentUse>,
    /// The infectivity flag: `true` when the waste is, or may be, infectious (it carries pathogens, patients'
    /// blood or body fluids, or cultures); `false` when declared not infectious (no biological agent, or already
    /// inactivated). Only for lab_kind `biological` or `medical`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infectious: Option<bool>,
    /// What a biological or medical laboratory's waste is (Medical Waste Classification Catalogue 2021). Only for
    /// lab_kind `biological` or `medical`. Biological by nature, it needs no component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biological: Option<BiologicalMaterial>,
    #[serde(default)]
    pub components: Vec<ComponentRequest>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ComponentRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub cas: Option<String>,
    /// Mass fraction of the whole waste, a decimal string from 0 to 1, e.g. "0.35".
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "0.35"))]
    #[serde(default, with = "fraction_str")]
    pub fraction: Option<Decimal>,
}

/// A component's fraction on the wire: a decimal string, or absent / null for "not given". An empty or blank
/// string is refused, never read as "not given": a form that sent an empty field would otherwise make a single
/// component the whole waste.
mod fraction_str {
    use rust_decimal::Decimal;
    use serde::Serializer;
    use serde::de::{self, Deserializer, Visitor};
    use std::fmt;
    use std::str::FromStr;

    pub fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        rust_decimal::serde::str_option::serialize(v, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        d.deserialize_option(Fraction)
    }

    struct Fraction;

    impl<'de> Visitor<'de> for Fraction {
        type Value = Option<Decimal>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a decimal string from 0 to 1, e.g. \"0.35\"")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_str(self)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            if t.is_empty() {
                return Err(E::custom(
                    "an empty fraction is not accepted: give a decimal string from 0 to 1 (e.g. \"0.35\"), or leave the field out when the fraction is not known",
                ));
            }
            Decimal::from_str(t)
                .or_else(|_| Decimal::from_scientific(t))
                .map(Some)
                .map_err(|_| E::custom(format!("'{v}' is not a decimal number: give a decimal string from 0 to 1, e.g. \"0.35\"")))
        }
    }
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

/// Largest request text accepted, in bytes. A classification request is a few hundred bytes; 64 KiB holds
/// `MAX_COMPONENTS` components with long names many times over.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// Parses a JSON request, naming the field of any error (e.g. `origin: unknown variant ...`). A leading UTF-8
/// byte-order mark (what Windows Notepad writes) is accepted; content after the JSON object is refused; an enum
/// field's error lists the accepted values.
pub fn parse_request(json: &str) -> Result<WasteRequest, InputError> {
    if json.len() > MAX_REQUEST_BYTES {
        return Err(InputError::new(
            "body",
            format!(
                "the request is {} bytes, more than the {} bytes accepted",
                json.len(),
                MAX_REQUEST_BYTES
            ),
        ));
    }
    let json = json.strip_prefix('\u{feff}').unwrap_or(json);
    let de = &mut serde_json::Deserializer::from_str(json);
    let req: WasteRequest = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        let message = with_accepted_values(&field, e.into_inner().to_string());
        InputError::new(field, message)
    })?;
    de.end().map_err(|e| {
        InputError::new(
            "body",
            format!("unexpected content after the JSON object ({e}); send exactly one object"),
        )
    })?;
    Ok(req)
}

/// The accepted values of each enum field of a classification request, by its JSON path (also when the request is
/// nested as `waste` in another body).
pub fn accepted_values(field: &str) -> Option<&'static [String]> {
    let field = field.strip_prefix("waste.").unwrap_or(field);
    fn names<T: Serialize>(all: &[T]) -> Vec<String> {
        all.iter()
            .filter_map(|v| match serde_json::to_value(v) {
                Ok(serde_json::Value::String(s)) => Some(s),
                _ => None,
            })
            .collect()
    }
    static TABLE: std::sync::OnceLock<Vec<(&'static str, Vec<String>)>> =
        std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        vec![
            (
                "form",
                names(&[
                    Form::Liquid,
                    Form::Solid,
                    Form::SemiSolid,
                    Form::GasInContainer,
                ]),
            ),
            ("origin", names(&Origin::ALL)),
            (
                "fate",
                names(&[
                    Fate::Discard,
                    Fate::ReuseAsIs,
                    Fate::ReturnToProcess,
                    Fate::KeptForAnalysis,
                    Fate::DischargeMeetsStandard,
                    Fate::TreatThenDischarge,
                    Fate::NeutralizeThenDischarge,
                ]),
            ),
            (
                "lab_kind",
                names(&[LabKind::Chemical, LabKind::Biological, LabKind::Medical]),
            ),
            ("material", names(&ConsumableMaterial::ALL)),
            ("adsorbent_use", names(&AdsorbentUse::ALL)),
            ("biological", names(&BiologicalMaterial::ALL)),
        ]
    });
    table
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, v)| v.as_slice())
}

/// An enum field's error always lists the accepted values (serde lists them for an unknown name, not for a value
/// of the wrong type such as a number or null).
pub fn with_accepted_values(field: &str, message: String) -> String {
    match accepted_values(field) {
        Some(values) if !message.contains("expected one of") => {
            let list: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
            format!("{message}; accepted values: {}", list.join(", "))
        }
        _ => message,
    }
}
