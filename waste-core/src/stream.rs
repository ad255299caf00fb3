//! The single collection stream of a laboratory chemical waste (REFERENCE.md section 11).
//!
//! Precedence, documented in `standards-data/data/streams.toml`: packaged items by origin; liquids first
//! strongly oxidising, then cyanide, mercury, halogenated organic, other organic, heavy metal, acid, alkaline,
//! other inorganic salts. A liquid with an unknown component gets no stream: it cannot be poured into a shared
//! container safely.

use crate::citation::{Explanation, WarningCode};
use crate::request::{Form, LabKind, Origin, Waste};
use crate::substance::{Flag, Substance, SubstanceTable};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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
}

impl Stream {
    pub const ALL: [Stream; 16] = [
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
        }
    }

    pub fn parse(s: &str) -> Option<Stream> {
        Stream::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Stream data: names and container colour from `streams.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct StreamInfo {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub form: String,
    pub colour: Option<String>,
}

#[derive(Debug, Clone)]
pub struct StreamTable {
    entries: Vec<(Stream, StreamInfo)>,
}

impl StreamTable {
    pub fn parse(text: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Raw {
            stream: Vec<StreamInfo>,
        }
        let raw: Raw = toml::from_str(text).map_err(|e| format!("streams: {e}"))?;
        let mut entries = Vec::new();
        for info in raw.stream {
            let s = Stream::parse(&info.id)
                .ok_or_else(|| format!("streams: unknown stream '{}'", info.id))?;
            entries.push((s, info));
        }
        for s in Stream::ALL {
            if !entries.iter().any(|(x, _)| *x == s) {
                return Err(format!("streams: no data for stream {}", s.as_str()));
            }
        }
        Ok(Self { entries })
    }

    pub fn info(&self, s: Stream) -> Option<&StreamInfo> {
        self.entries.iter().find(|(x, _)| *x == s).map(|(_, i)| i)
    }
}

const RULE: &str = "collection stream";
/// Streams come from a university collection scheme quoted by secondary sources (see streams.toml).
pub const STREAM_SOURCE: &str =
    "laboratory collection scheme [S] (standards-data/data/streams.toml)";

/// Whether a component makes a liquid an "organic waste liquid": a solvent, mineral oil, formaldehyde, or any
/// organic substance with a hazard characteristic (benign organics such as glucose or Tris buffer do not).
fn organic(s: &Substance) -> bool {
    s.has(Flag::Solvent)
        || s.has(Flag::MineralOil)
        || s.has(Flag::Formaldehyde)
        || (s.has(Flag::Organic) && !s.hazards.is_empty())
}

/// The liquid precedence. `None` when no component is known.
pub fn liquid_stream(known: &[&Substance]) -> Option<Stream> {
    if known.is_empty() {
        return None;
    }
    let any = |f: &dyn Fn(&Substance) -> bool| known.iter().any(|s| f(s));
    let is_organic = any(&organic);
    Some(
        if any(&|s| s.has(Flag::Oxidizer) || s.has(Flag::OxidizingAcid)) {
            Stream::OxidizingLiquid
        } else if any(&|s| s.has(Flag::Cyanide)) {
            if is_organic {
                Stream::CyanideOrganic
            } else {
                Stream::CyanideInorganic
            }
        } else if any(&|s| s.has(Flag::Mercury)) {
            Stream::Mercury
        } else if is_organic {
            if any(&|s| s.has(Flag::Halogenated)) {
                Stream::HalogenatedOrganic
            } else {
                Stream::NonHalogenatedOrganic
            }
        } else if any(&|s| s.has(Flag::HeavyMetal)) {
            Stream::HeavyMetal
        } else if any(&|s| s.has(Flag::Acid)) {
            Stream::Acid
        } else if any(&|s| s.has(Flag::Base)) {
            Stream::Alkaline
        } else {
            Stream::InorganicSalt
        },
    )
}

/// The stream of a waste that the hazardous decision found to be a laboratory chemical waste.
pub fn stream_of(table: &SubstanceTable, waste: &Waste, ex: &mut Explanation) -> Option<Stream> {
    if waste.lab_kind == LabKind::Medical {
        ex.step(
            RULE,
            STREAM_SOURCE,
            "none: medical waste is collected separately",
        );
        return None;
    }
    if waste.form == Form::GasInContainer {
        ex.warn(WarningCode::OtherRegime, "gas in a container (cylinder or lecture bottle) is not poured into a collection stream: return it to the supplier or hand it over on its own");
        ex.step(RULE, STREAM_SOURCE, "none: gas in a container");
        return None;
    }
    let known: Vec<&Substance> = waste
        .components
        .iter()
        .filter_map(|c| c.substance.map(|id| table.get(id)))
        .collect();
    let unknown = waste.components.iter().any(|c| c.substance.is_none());
    let by_origin = match waste.origin {
        Origin::ExpiredReagent
        | Origin::UnusedReagent
        | Origin::ContaminatedReagent
        | Origin::ExpiredDrug => Some(Stream::OriginalReagent),
        Origin::EmptyPackaging => Some(Stream::EmptyReagentBottle),
        Origin::Glassware => Some(Stream::Glassware),
        Origin::Sharps => Some(Stream::Sharps),
        Origin::ContaminatedConsumables => Some(Stream::PlasticConsumables),
        Origin::MercuryDevice | Origin::MercuryLamp => Some(Stream::Mercury),
        Origin::SpentAdsorbent | Origin::OilyRagsOrPpe => Some(Stream::ContaminatedSolid),
        Origin::Battery | Origin::AnimalCarcass => None,
        Origin::OffSpecProduct
        | Origin::ExperimentResidue
        | Origin::VesselCleaningResidue
        | Origin::ResearchSample
        | Origin::NovelSubstance
        | Origin::PhotographicChemicals
        | Origin::Other => {
            let stream = match waste.form {
                Form::Liquid if unknown => {
                    ex.warn(WarningCode::NoStream, "a component is unknown: no stream can be chosen safely; collect this waste in its own container until it is identified");
                    None
                }
                Form::Liquid => liquid_stream(&known),
                Form::Solid | Form::SemiSolid if known.iter().any(|s| s.has(Flag::Mercury)) => {
                    Some(Stream::Mercury)
                }
                Form::Solid | Form::SemiSolid => Some(Stream::ContaminatedSolid),
                Form::GasInContainer => None,
            };
            let result = stream.map_or("none".to_owned(), |s| s.as_str().to_owned());
            ex.step(
                format!("{RULE}: by form and components"),
                STREAM_SOURCE,
                result,
            );
            return stream;
        }
    };
    let result = by_origin.map_or(
        "none: not a laboratory chemical waste stream".to_owned(),
        |s| s.as_str().to_owned(),
    );
    ex.step(format!("{RULE}: by origin"), STREAM_SOURCE, result);
    by_origin
}
