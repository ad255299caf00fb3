//! The single collection stream of a laboratory chemical waste, after the university collection scheme quoted in
//! `standards-data/data/streams.toml` (liquids split into strongly oxidising and not; then cyanide, mercury,
//! halogenated and other organic, heavy metal, acid, alkaline, other inorganic salts; solids by kind).
//!
//! "Strongly oxidising" reads concentrations: a strong oxidiser decides the stream only at or above its threshold
//! fraction (`[[oxidizer_threshold]]`, a policy setting). Mercury and cyanide keep their streams whatever the
//! oxidiser. A liquid with an unknown component gets no stream: it cannot be poured into a shared container safely.

use crate::cas::CasNumber;
use crate::citation::{Confidence, Explanation, WarningCode};
use crate::request::{ConsumableMaterial, Form, LabKind, Origin, Waste};
use crate::substance::{Flag, Substance, SubstanceId, SubstanceTable};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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

/// Stream data: names and container colour from `streams.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct StreamInfo {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub form: String,
    pub colour: Option<String>,
}

/// The fraction at or above which a strong oxidiser makes a liquid "strongly oxidising", with its basis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threshold {
    pub fraction: Decimal,
    pub confidence: Confidence,
    pub basis: String,
}

/// A mixture whose oxidising power no single component's threshold shows (acid piranha: concentrated sulfuric
/// acid with hydrogen peroxide), from `[[oxidizing_mixture]]` in `streams.toml`: it is strongly oxidising when every
/// part is present at or above its fraction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OxidizingMixture {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub parts: Vec<MixturePart>,
    /// How the mixture's oxidising nature is sourced, and where.
    pub confidence: Confidence,
    pub basis: String,
    /// How the parts' fractions (what "concentrated" means) are sourced: a policy setting unless a source gives them.
    pub fractions_confidence: Confidence,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MixturePart {
    pub cas: CasNumber,
    pub name: String,
    pub at_least: Decimal,
}

/// Per-substance thresholds (by CAS) and the default for every other strong oxidiser, and the oxidising mixtures.
#[derive(Debug, Clone)]
pub struct OxidizerPolicy {
    pub default: Threshold,
    by_cas: HashMap<String, Threshold>,
    pub mixtures: Vec<OxidizingMixture>,
}

impl OxidizerPolicy {
    pub fn threshold(&self, s: &Substance) -> &Threshold {
        self.by_cas.get(s.cas.as_str()).unwrap_or(&self.default)
    }

    /// The smallest threshold in the data (a mixture's parts included): a trace below it can never decide a
    /// stream.
    pub fn smallest(&self) -> Decimal {
        self.by_cas
            .values()
            .map(|t| t.fraction)
            .chain(
                self.mixtures
                    .iter()
                    .flat_map(|m| m.parts.iter().map(|p| p.at_least)),
            )
            .fold(self.default.fraction, Decimal::min)
    }
}

#[derive(Debug, Clone)]
pub struct StreamTable {
    entries: Vec<(Stream, StreamInfo)>,
    pub oxidizers: OxidizerPolicy,
}

impl StreamTable {
    pub fn parse(text: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Raw {
            stream: Vec<StreamInfo>,
            oxidizer_policy: RawPolicy,
            #[serde(default)]
            oxidizer_threshold: Vec<RawThreshold>,
            #[serde(default)]
            oxidizing_mixture: Vec<RawMixture>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawMixture {
            id: String,
            name_en: String,
            name_zh: String,
            confidence: Confidence,
            basis: String,
            /// For readers of the data: where the basis was read.
            #[serde(rename = "sources")]
            _sources: Vec<String>,
            fractions_confidence: Confidence,
            /// For readers of the data: why the fractions are what they are.
            #[serde(rename = "fractions_basis")]
            _fractions_basis: String,
            part: Vec<RawPart>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawPart {
            cas: String,
            name: String,
            at_least: Decimal,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawPolicy {
            default_threshold: Decimal,
            confidence: Confidence,
            basis: String,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawThreshold {
            cas: String,
            /// For readers of the data.
            #[serde(rename = "name")]
            _name: String,
            threshold: Decimal,
            confidence: Confidence,
            basis: String,
        }
        let raw: Raw = toml::from_str(text).map_err(|e| format!("streams: {e}"))?;
        let valid = |f: Decimal| f > Decimal::ZERO && f <= Decimal::ONE;
        if !valid(raw.oxidizer_policy.default_threshold) {
            return Err("streams: default_threshold must be in (0, 1]".into());
        }
        let mut by_cas = HashMap::new();
        for t in raw.oxidizer_threshold {
            let cas = CasNumber::parse(&t.cas).map_err(|e| format!("streams: {e}"))?;
            if !valid(t.threshold) {
                return Err(format!("streams: threshold of {cas} must be in (0, 1]"));
            }
            let th = Threshold {
                fraction: t.threshold,
                confidence: t.confidence,
                basis: t.basis,
            };
            if by_cas.insert(cas.as_str().to_owned(), th).is_some() {
                return Err(format!("streams: threshold of {cas} is listed twice"));
            }
        }
        let mut mixtures: Vec<OxidizingMixture> = Vec::new();
        for m in raw.oxidizing_mixture {
            if mixtures.iter().any(|x| x.id == m.id) {
                return Err(format!(
                    "streams: oxidizing mixture '{}' is listed twice",
                    m.id
                ));
            }
            if m.part.len() < 2 {
                return Err(format!(
                    "streams: oxidizing mixture '{}' needs at least two parts",
                    m.id
                ));
            }
            let mut parts: Vec<MixturePart> = Vec::new();
            for p in m.part {
                let cas = CasNumber::parse(&p.cas).map_err(|e| format!("streams: {e}"))?;
                if !valid(p.at_least) {
                    return Err(format!(
                        "streams: mixture '{}': at_least of {cas} must be in (0, 1]",
                        m.id
                    ));
                }
                if parts.iter().any(|x| x.cas == cas) {
                    return Err(format!("streams: mixture '{}' lists {cas} twice", m.id));
                }
                parts.push(MixturePart {
                    cas,
                    name: p.name,
                    at_least: p.at_least,
                });
            }
            mixtures.push(OxidizingMixture {
                id: m.id,
                name_en: m.name_en,
                name_zh: m.name_zh,
                parts,
                confidence: m.confidence,
                basis: m.basis,
                fractions_confidence: m.fractions_confidence,
            });
        }
        let oxidizers = OxidizerPolicy {
            default: Threshold {
                fraction: raw.oxidizer_policy.default_threshold,
                confidence: raw.oxidizer_policy.confidence,
                basis: raw.oxidizer_policy.basis,
            },
            by_cas,
            mixtures,
        };
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
        Ok(Self { entries, oxidizers })
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

/// A known component of a liquid with its declared fraction.
#[derive(Debug, Clone, Copy)]
pub struct Part<'a> {
    pub substance: &'a Substance,
    pub fraction: Option<Decimal>,
}

/// The stream of a liquid, the component that decided it and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamChoice {
    pub stream: Stream,
    /// The deciding component's name; `None` for the default (other inorganic salts).
    pub decided_by: Option<String>,
    pub reason: String,
    /// Strong oxidisers at or above their threshold that did not decide the stream (mercury or cyanide did).
    pub also_oxidizing: Vec<String>,
    /// The oxidising mixtures found in a liquid that went to the oxidising stream (described with their basis).
    pub mixtures: Vec<String>,
}

/// A strong oxidiser's share of the liquid compared with its threshold.
struct OxidizerLoad<'a> {
    substance: &'a Substance,
    /// The declared fraction, or the most it can be when undeclared.
    fraction: Decimal,
    declared: bool,
    threshold: &'a Threshold,
}

impl OxidizerLoad<'_> {
    fn strong(&self) -> bool {
        self.fraction >= self.threshold.fraction
    }
    fn describe(&self) -> String {
        let f = if self.declared {
            self.fraction.normalize().to_string()
        } else {
            format!("undeclared (at most {})", self.fraction.normalize())
        };
        let cmp = if self.strong() { ">=" } else { "<" };
        format!(
            "{} {f} {cmp} strongly-oxidising threshold {} [{}]",
            self.substance.name_en,
            self.threshold.fraction.normalize(),
            tag(self.threshold.confidence)
        )
    }
}

/// Each strong oxidiser's fraction, same substances added; an undeclared fraction counts as the most it can be
/// (1 minus the declared fractions; a lone component is the whole liquid).
fn oxidizer_loads<'a>(policy: &'a OxidizerPolicy, parts: &[Part<'a>]) -> Vec<OxidizerLoad<'a>> {
    let declared: Decimal = parts.iter().filter_map(|p| p.fraction).sum();
    let rest = (Decimal::ONE - declared).max(Decimal::ZERO);
    let mut by_id: Vec<(SubstanceId, OxidizerLoad<'a>)> = Vec::new();
    for p in parts {
        let s = p.substance;
        if !(s.has(Flag::Oxidizer) || s.has(Flag::OxidizingAcid)) {
            continue;
        }
        let (f, declared_here) = match p.fraction {
            Some(f) => (f, true),
            None if parts.len() == 1 => (Decimal::ONE, true),
            None => (rest, false),
        };
        match by_id.iter_mut().find(|(id, _)| *id == s.id) {
            Some((_, load)) => {
                load.fraction = (load.fraction + f).min(Decimal::ONE);
                load.declared &= declared_here;
            }
            None => by_id.push((
                s.id,
                OxidizerLoad {
                    substance: s,
                    fraction: f,
                    declared: declared_here,
                    threshold: policy.threshold(s),
                },
            )),
        }
    }
    by_id.into_iter().map(|(_, l)| l).collect()
}

fn tag(c: Confidence) -> &'static str {
    match c {
        Confidence::Confirmed => "C",
        Confidence::Secondary => "S",
        Confidence::Unconfirmed => "UNCONFIRMED policy",
    }
}

/// The oxidising mixtures the liquid makes, each described with its parts' fractions and its basis. A part's
/// fraction adds every component of that substance; an undeclared one counts as the most it can be (as for single
/// oxidisers), so an undeclared piranha is never taken for a plain acid.
fn mixtures_present(policy: &OxidizerPolicy, parts: &[Part<'_>]) -> Vec<String> {
    let declared: Decimal = parts.iter().filter_map(|p| p.fraction).sum();
    let rest = (Decimal::ONE - declared).max(Decimal::ZERO);
    let mut found = Vec::new();
    for m in &policy.mixtures {
        let mut described = Vec::new();
        let mut all = true;
        for want in &m.parts {
            let here: Vec<&Part<'_>> = parts
                .iter()
                .filter(|p| p.substance.cas == want.cas)
                .collect();
            if here.is_empty() {
                all = false;
                break;
            }
            let mut f = Decimal::ZERO;
            let mut undeclared = false;
            for p in &here {
                // A lone undeclared component is the whole liquid: nothing is declared, so the rest is 1.
                match p.fraction {
                    Some(x) => f += x,
                    None => {
                        f += rest;
                        undeclared = true;
                    }
                }
            }
            let f = f.min(Decimal::ONE);
            if f < want.at_least {
                all = false;
                break;
            }
            let shown = if undeclared {
                format!("undeclared (at most {})", f.normalize())
            } else {
                f.normalize().to_string()
            };
            described.push(format!(
                "{} {shown} >= {}",
                want.name,
                want.at_least.normalize()
            ));
        }
        if all {
            found.push(format!(
                "oxidising mixture {} ({}; fractions [{}]): {} [{}]",
                m.name_en,
                described.join(", "),
                tag(m.fractions_confidence),
                m.basis,
                tag(m.confidence)
            ));
        }
    }
    found
}

/// The liquid precedence. `None` when no component is known. Components declared at fraction 0 are absent.
pub fn liquid_stream(policy: &OxidizerPolicy, parts: &[Part<'_>]) -> Option<StreamChoice> {
    let parts: Vec<Part<'_>> = parts
        .iter()
        .copied()
        .filter(|p| p.fraction != Some(Decimal::ZERO))
        .collect();
    if parts.is_empty() {
        return None;
    }
    let first = |f: &dyn Fn(&Substance) -> bool| parts.iter().find(|p| f(p.substance));
    let loads = oxidizer_loads(policy, &parts);
    let strong: Vec<&OxidizerLoad<'_>> = loads.iter().filter(|l| l.strong()).collect();
    let weak: Vec<String> = loads
        .iter()
        .filter(|l| !l.strong())
        .map(|l| format!("{}: does not decide", l.describe()))
        .collect();
    let with_weak = |reason: String| {
        if weak.is_empty() {
            reason
        } else {
            format!("{reason}; {}", weak.join("; "))
        }
    };
    let choice = |stream, by: &Substance, why: &str| StreamChoice {
        stream,
        decided_by: Some(by.name_en.clone()),
        reason: with_weak(format!("{}: {why}", by.name_en)),
        also_oxidizing: Vec::new(),
        mixtures: Vec::new(),
    };
    // An oxidiser below its threshold decides nothing through its oxidising or organic nature: a trace of an
    // organic peroxide does not make an aqueous metal or cyanide liquid organic. (Its acid or base nature still
    // counts: 2 % nitric acid alone is an acid waste.)
    let weak_ids: Vec<SubstanceId> = loads
        .iter()
        .filter(|l| !l.strong())
        .map(|l| l.substance.id)
        .collect();
    // A mixture (acid piranha) is strongly oxidising though no single part reaches its threshold; its parts then
    // decide nothing through their acid nature: it must not go to the plain acid stream.
    let mixtures = mixtures_present(policy, &parts);
    let organic_here = |s: &Substance| organic(s) && !weak_ids.contains(&s.id);
    let organic_part = first(&organic_here);
    let cyanide = first(&|s| s.has(Flag::Cyanide));
    let mercury = first(&|s| s.has(Flag::Mercury));

    let mut picked = if let Some(c) = cyanide {
        // Cyanide keeps its stream: it must stay alkaline, away from the acidic oxidising stream.
        if organic_part.is_some() {
            choice(
                Stream::CyanideOrganic,
                c.substance,
                "releases cyanide, in an organic liquid",
            )
        } else {
            choice(Stream::CyanideInorganic, c.substance, "releases cyanide")
        }
    } else if let Some(m) = mercury {
        // Mercury keeps its stream: it must never reach incineration with an oxidising or organic stream.
        choice(Stream::Mercury, m.substance, "contains mercury")
    } else if let Some(o) = strong.first() {
        StreamChoice {
            stream: Stream::OxidizingLiquid,
            decided_by: Some(o.substance.name_en.clone()),
            reason: with_weak(o.describe()),
            also_oxidizing: Vec::new(),
            mixtures: Vec::new(),
        }
    } else if let Some(m) = mixtures.first() {
        StreamChoice {
            stream: Stream::OxidizingLiquid,
            decided_by: Some(m.clone()),
            reason: with_weak(m.clone()),
            also_oxidizing: Vec::new(),
            mixtures: Vec::new(),
        }
    } else if let Some(o) = organic_part {
        if let Some(h) = first(&|s| s.has(Flag::Halogenated) && organic_here(s)) {
            choice(
                Stream::HalogenatedOrganic,
                h.substance,
                "halogenated organic",
            )
        } else if let Some(h) = first(&|s| s.has(Flag::Halogenated)) {
            choice(
                Stream::HalogenatedOrganic,
                h.substance,
                "halogen-bearing component in an organic liquid",
            )
        } else {
            choice(Stream::NonHalogenatedOrganic, o.substance, "organic")
        }
    } else if let Some(h) = first(&|s| s.has(Flag::HeavyMetal)) {
        choice(Stream::HeavyMetal, h.substance, "heavy metal")
    } else if let Some(a) = first(&|s| s.has(Flag::Acid)) {
        choice(Stream::Acid, a.substance, "acid")
    } else if let Some(b) = first(&|s| s.has(Flag::Base)) {
        choice(Stream::Alkaline, b.substance, "base")
    } else {
        StreamChoice {
            stream: Stream::InorganicSalt,
            decided_by: None,
            reason: with_weak("no oxidiser above its threshold, cyanide, mercury, organic, heavy metal, acid or base: other inorganic salts".to_owned()),
            also_oxidizing: Vec::new(),
            mixtures: Vec::new(),
        }
    };
    if matches!(
        picked.stream,
        Stream::CyanideOrganic | Stream::CyanideInorganic | Stream::Mercury
    ) {
        picked.also_oxidizing = strong.iter().map(|l| l.describe()).collect();
        picked.also_oxidizing.extend(mixtures.iter().cloned());
    }
    if picked.stream == Stream::OxidizingLiquid {
        picked.mixtures = mixtures;
    }
    Some(picked)
}

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
