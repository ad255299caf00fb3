//! The single collection stream of a laboratory chemical waste, after the university collection scheme quoted in
//! `standards-data/data/streams.toml` (liquids split into strongly oxidising and not; then cyanide, mercury,
//! halogenated and other organic, heavy metal, acid, alkaline, other inorganic salts; solids by kind).
//!
//! "Strongly oxidising" reads concentrations: a strong oxidiser decides the stream only at or above its threshold
//! fraction (`[[oxidizer_threshold]]`, a policy setting). Mercury and cyanide keep their streams whatever the
//! oxidiser. A liquid with an unknown component gets no stream: it cannot be poured into a shared container safely.

mod liquid;
mod table;
mod waste;

pub use liquid::{Part, StreamChoice, liquid_stream};
pub use table::{
    MixturePart, OxidizerPolicy, OxidizingMixture, StreamInfo, StreamTable, Threshold,
};
pub use waste::{STREAM_SOURCE, stream_of};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = WasteStream))]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    OxidizingLiquid,
    HalogenatedOrganic,
    CyanideOrganic,
    NonHalogenatedOrganic,
    CyanideInorganic,
    Mercury,
    HeavyMetal,
    Acid,
    Alkaline,
    InorganicSalt,
    OriginalReagent,
    EmptyReagentBottle,
    Glassware,
    PlasticConsumables,
    Sharps,
    ContaminatedSolid,
    /// Medical waste (HW01), one stream per category of the Medical Waste Classification Catalogue (2021).
    MedicalInfectious,
    MedicalSharps,
    MedicalPathological,
    MedicalChemical,
    MedicalPharmaceutical,
}

impl Stream {
    pub const ALL: [Stream; 21] = [
        Stream::OxidizingLiquid,
        Stream::HalogenatedOrganic,
        Stream::CyanideOrganic,
        Stream::NonHalogenatedOrganic,
        Stream::CyanideInorganic,
        Stream::Mercury,
        Stream::HeavyMetal,
        Stream::Acid,
        Stream::Alkaline,
        Stream::InorganicSalt,
        Stream::OriginalReagent,
        Stream::EmptyReagentBottle,
        Stream::Glassware,
        Stream::PlasticConsumables,
        Stream::Sharps,
        Stream::ContaminatedSolid,
        Stream::MedicalInfectious,
        Stream::MedicalSharps,
        Stream::MedicalPathological,
        Stream::MedicalChemical,
        Stream::MedicalPharmaceutical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stream::OxidizingLiquid => "oxidizing_liquid",
            Stream::HalogenatedOrganic => "halogenated_organic",
            Stream::CyanideOrganic => "cyanide_organic",
            Stream::NonHalogenatedOrganic => "non_halogenated_organic",
            Stream::CyanideInorganic => "cyanide_inorganic",
            Stream::Mercury => "mercury",
            Stream::HeavyMetal => "heavy_metal",
            Stream::Acid => "acid",
            Stream::Alkaline => "alkaline",
            Stream::InorganicSalt => "inorganic_salt",
            Stream::OriginalReagent => "original_reagent",
            Stream::EmptyReagentBottle => "empty_reagent_bottle",
            Stream::Glassware => "glassware",
            Stream::PlasticConsumables => "plastic_consumables",
            Stream::Sharps => "sharps",
            Stream::ContaminatedSolid => "contaminated_solid",
            Stream::MedicalInfectious => "medical_infectious",
            Stream::MedicalSharps => "medical_sharps",
            Stream::MedicalPathological => "medical_pathological",
            Stream::MedicalChemical => "medical_chemical",
            Stream::MedicalPharmaceutical => "medical_pharmaceutical",
        }
    }

    pub fn parse(s: &str) -> Option<Stream> {
        Stream::ALL.into_iter().find(|x| x.as_str() == s)
    }
}
