//! The stream of a whole laboratory waste: by its origin, else by its form and components.

use super::Stream;
use super::liquid::{Part, liquid_stream};
use super::table::StreamTable;
use crate::citation::{Explanation, WarningCode};
use crate::request::{ConsumableMaterial, Form, LabKind, Origin, Waste};
use crate::substance::{Flag, SubstanceTable};
use rust_decimal::Decimal;

const RULE: &str = "collection stream";
/// Streams come from a university collection scheme quoted by secondary sources (see streams.toml).
pub const STREAM_SOURCE: &str =
    "laboratory collection scheme [S] (standards-data/data/streams.toml)";

/// The stream of a laboratory waste that remains waste (hazardous, to be identified, or a liquid that is not
/// hazardous but still needs a container).
pub fn stream_of(
    table: &SubstanceTable,
    streams: &StreamTable,
    waste: &Waste,
    ex: &mut Explanation,
) -> Option<Stream> {
    if waste.lab_kind == LabKind::Medical {
        ex.step(
            RULE,
            STREAM_SOURCE,
            "none: medical waste is collected separately",
        );
        return None;
    }
    if waste.form == Form::GasInContainer {
        ex.say(WarningCode::OtherRegime, "gas_cylinder", vec![], "gas in a container (cylinder or lecture bottle) is not poured into a collection stream: return it to the supplier or hand it over on its own");
        ex.step(RULE, STREAM_SOURCE, "none: gas in a container");
        return None;
    }
    let parts: Vec<Part<'_>> = waste
        .components
        .iter()
        .filter_map(|c| {
            c.substance.map(|id| Part {
                substance: table.get(id),
                fraction: c.fraction,
            })
        })
        .collect();
    let unknown = waste.components.iter().any(|c| c.substance.is_none());
    let (by_origin, why) = match waste.origin {
        Origin::ExpiredReagent
        | Origin::UnusedReagent
        | Origin::ContaminatedReagent
        | Origin::ExpiredDrug => (Some(Stream::OriginalReagent), "by origin"),
        Origin::EmptyPackaging => (Some(Stream::EmptyReagentBottle), "by origin"),
        Origin::Glassware => (Some(Stream::Glassware), "by origin"),
        Origin::Sharps => (Some(Stream::Sharps), "by origin"),
        Origin::ContaminatedConsumables => match waste.material {
            Some(ConsumableMaterial::Plastic) => (
                Some(Stream::PlasticConsumables),
                "by origin and material: plastic consumables",
            ),
            Some(ConsumableMaterial::Glass) => (
                Some(Stream::ContaminatedSolid),
                "by origin and material: glass plates and slides are not plastic consumables",
            ),
            Some(ConsumableMaterial::Paper) => (
                Some(Stream::ContaminatedSolid),
                "by origin and material: filter and weighing paper are not plastic consumables",
            ),
            Some(ConsumableMaterial::Gloves) => (
                Some(Stream::ContaminatedSolid),
                "by origin and material: gloves are protective articles, not plastic consumables",
            ),
            Some(ConsumableMaterial::Other) | None => (
                Some(Stream::ContaminatedSolid),
                "by origin: material not declared as plastic, so other contaminated solids",
            ),
        },
        Origin::MercuryDevice | Origin::MercuryLamp => (Some(Stream::Mercury), "by origin"),
        Origin::SpentAdsorbent | Origin::OilyRagsOrPpe => {
            (Some(Stream::ContaminatedSolid), "by origin")
        }
        Origin::Battery | Origin::AnimalCarcass => (None, "by origin"),
        Origin::OffSpecProduct
        | Origin::ExperimentResidue
        | Origin::VesselCleaningResidue
        | Origin::ResearchSample
        | Origin::NovelSubstance
        | Origin::PhotographicChemicals
        | Origin::Other => {
            let (stream, result) = match waste.form {
                Form::Liquid if unknown => {
                    ex.say(WarningCode::NoStream, "unknown_component", vec![], "a component is unknown: no stream can be chosen safely; collect this waste in its own container until it is identified");
                    (None, "none: a component is unknown".to_owned())
                }
                Form::Liquid => match liquid_stream(&streams.oxidizers, &parts) {
                    Some(c) => {
                        if !c.mixtures.is_empty() {
                            ex.say(WarningCode::OxidizingMixture, "oxidizing_mixture", vec![], format!("{}: strongly oxidising though no single component reaches its threshold; collect it on its own in a vented container (never tightly closed, at most half full), never with organic waste or in the plain acid stream", c.mixtures.join("; ")));
                        }
                        if !c.also_oxidizing.is_empty() {
                            ex.say(WarningCode::AlsoOxidizing, "also_oxidizing", vec![("stream", c.stream.as_str().to_owned())], format!("the liquid is also strongly oxidising ({}): it keeps the {} stream, but label it as oxidising and never add organic waste to its container", c.also_oxidizing.join("; "), c.stream.as_str()));
                        }
                        (
                            Some(c.stream),
                            format!("{}, decided by {}", c.stream.as_str(), c.reason),
                        )
                    }
                    None => (None, "none: no component is known".to_owned()),
                },
                Form::Solid | Form::SemiSolid => match parts
                    .iter()
                    .find(|p| p.substance.has(Flag::Mercury) && p.fraction != Some(Decimal::ZERO))
                {
                    Some(m) => (
                        Some(Stream::Mercury),
                        format!(
                            "mercury, decided by {}: contains mercury",
                            m.substance.name_en
                        ),
                    ),
                    None => (
                        Some(Stream::ContaminatedSolid),
                        "contaminated_solid: a solid residue".to_owned(),
                    ),
                },
                Form::GasInContainer => (None, "none: gas in a container".to_owned()),
            };
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
    ex.step(format!("{RULE}: {why}"), STREAM_SOURCE, result);
    by_origin
}
