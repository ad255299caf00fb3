//! What a waste is declared to be: its form, origin, fate, the kind of laboratory, and its materials.

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
