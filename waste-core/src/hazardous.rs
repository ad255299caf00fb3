//! Is the waste hazardous, under which National Catalogue code, with which characteristics?
//!
//! Order (the catalogue's lab-relevant entries, most specific first): infectious medical labs (HW01); discarded
//! chemicals listed in the Catalogue of
//! Hazardous Chemicals (900-999-49); R&D substances of unknown effect (900-017-14); expired drugs (900-002-03);
//! mercury devices (900-024-29 / 900-023-29); photographic chemicals (900-019-16); Cd-Ni batteries (900-044-49);
//! laboratory waste (900-047-49) and its cleaned-labware exclusion. HW06 codes name industrial use and are never
//! assigned to a laboratory. Hazard that cannot be settled is `needs_identification` (Art.6), never "not hazardous".

use crate::catalogue::{Catalogue, HwCode};
use crate::citation::{Explanation, WarningCode};
use crate::hazard::HazardSet;
use crate::identification::{Identification, SolidWasteOutcome};
use crate::medical::{MedicalRules, Route};
use crate::request::{Form, LabKind, Origin, Waste};
use crate::substance::{Flag, Substance, SubstanceTable};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HazardOutcome {
    Hazardous,
    NotHazardous,
    Exempt,
    NeedsIdentification,
    NotApplicable,
}

impl HazardOutcome {
    /// Order of concern, for "never less hazardous" checks: not applicable < not hazardous < exempt <
    /// needs identification < hazardous.
    pub fn rank(self) -> u8 {
        match self {
            Self::NotApplicable => 0,
            Self::NotHazardous => 1,
            Self::Exempt => 2,
            Self::NeedsIdentification => 3,
            Self::Hazardous => 4,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HazardDecision {
    pub outcome: HazardOutcome,
    pub code: Option<HwCode>,
    pub hazards: HazardSet,
    /// The deciding entry: a code, an article (`Art.6`) or an exemption item.
    pub clause: String,
}

/// Every code the rules can assign; `Standards::parse` checks each is in the catalogue data.
pub const ASSIGNED: [&str; 16] = [
    "841-001-01",
    "841-002-01",
    "841-003-01",
    "841-004-01",
    "841-005-01",
    "900-002-03",
    "900-017-14",
    "900-019-16",
    "900-023-29",
    "900-024-29",
    "900-039-49",
    "900-041-49",
    "900-044-49",
    "900-047-49",
    "900-052-31",
    "900-999-49",
];

const LAB_CODE: &str = "900-047-49";

/// What the components tell.
struct Contents<'a> {
    known: Vec<&'a Substance>,
    unknown: bool,
    /// Every component is known and the fractions account for the whole waste.
    fully_declared: bool,
    indicated: HazardSet,
}

impl Contents<'_> {
    fn any(&self, f: Flag) -> bool {
        self.known.iter().any(|s| s.has(f))
    }
    /// No component is unknown (there may be none at all).
    fn all_known(&self) -> bool {
        !self.unknown && !self.known.is_empty()
    }
}

/// The articles of the catalogue edition in use that the decision cites, by role (from `editions.toml`).
#[derive(Debug, Clone, Copy)]
pub struct Articles<'a> {
    /// What is listed (Art.2 in 2021 and 2025).
    pub listing: &'a str,
    /// Waste of unclear hazard is identified by the identification standards (Art.6 in 2021 and 2025).
    pub unclear_hazard: &'a str,
}

struct Ctx<'a> {
    cat: &'a Catalogue,
    name: &'a str,
    articles: Articles<'a>,
    contents: Contents<'a>,
}

impl Ctx<'_> {
    fn listed(&self, code: &str, why: &str, ex: &mut Explanation) -> HazardDecision {
        let (hazards, code_v) = match self.cat.code(code) {
            Some(entry) => (
                entry
                    .hazards
                    .applicable(self.contents.indicated, self.contents.all_known()),
                Some(entry.code.clone()),
            ),
            None => (self.contents.indicated, HwCode::parse(code).ok()),
        };
        ex.step(
            why,
            format!("{} {code}", self.name),
            format!("hazardous, {code}"),
        );
        HazardDecision {
            outcome: HazardOutcome::Hazardous,
            code: code_v,
            hazards,
            clause: code.to_owned(),
        }
    }

    fn needs_identification(&self, why: &str, ex: &mut Explanation) -> HazardDecision {
        let art = self.articles.unclear_hazard;
        ex.step(
            why,
            format!("{} {art}", self.name),
            "needs identification (GB 5085)",
        );
        HazardDecision {
            outcome: HazardOutcome::NeedsIdentification,
            code: None,
            hazards: self.contents.indicated,
            clause: art.to_owned(),
        }
    }

    fn not_hazardous(&self, why: &str, clause: &str, ex: &mut Explanation) -> HazardDecision {
        ex.step(why, format!("{} {clause}", self.name), "not hazardous");
        HazardDecision {
            outcome: HazardOutcome::NotHazardous,
            code: None,
            hazards: HazardSet::EMPTY,
            clause: clause.to_owned(),
        }
    }

    /// Benign when fully declared, otherwise identification: the end of every path that found no listing.
    fn unlisted(&self, ex: &mut Explanation) -> HazardDecision {
        let c = &self.contents;
        if c.known.iter().any(|s| !s.is_benign()) {
            ex.say(WarningCode::IdentificationRequired, "hazard_no_entry", vec![], "a component has hazard characteristics but no catalogue entry covers this waste: identify it per GB 5085 and collect it as hazardous meanwhile");
            self.needs_identification(
                "a component has hazard characteristics; no entry applies",
                ex,
            )
        } else if c.unknown {
            self.needs_identification("a component is unknown, so hazard cannot be ruled out", ex)
        } else if c.fully_declared {
            self.not_hazardous(
                "every component is known and none has a hazard characteristic; no entry applies",
                self.articles.listing,
                ex,
            )
        } else {
            ex.say(WarningCode::IncompleteComposition, "incomplete", vec![], "the declared components do not account for the whole waste: declare every component with fractions summing to 1 before it can be found not hazardous");
            self.needs_identification(
                "the composition is not fully declared, so hazard cannot be ruled out",
                ex,
            )
        }
    }

    /// 900-047-49: laboratory waste liquids with cyanide, fluoride, heavy metals, mineral oil, solvents or
    /// formaldehyde; waste acids and bases; residues and samples with hazardous characteristics.
    fn lab_waste(&self, ex: &mut Explanation) -> HazardDecision {
        let c = &self.contents;
        let scope = [
            Flag::Cyanide,
            Flag::Fluoride,
            Flag::HeavyMetal,
            Flag::Mercury,
            Flag::MineralOil,
            Flag::Solvent,
            Flag::Formaldehyde,
            Flag::Acid,
            Flag::Base,
        ];
        let in_scope =
            scope.iter().any(|f| c.any(*f)) || c.known.iter().any(|s| !s.hazards.is_empty());
        if in_scope {
            if c.any(Flag::Solvent) {
                ex.say(WarningCode::IndustrialCodeNotAssigned, "industrial_solvent", vec![], "900-401-06/900-402-06/900-404-06 name solvents used in industrial production; laboratory solvent waste takes 900-047-49");
            }
            return self.listed(
                LAB_CODE,
                "laboratory waste with listed contents or hazardous characteristics",
                ex,
            );
        }
        self.unlisted(ex)
    }

    /// Discarded reagents: 900-999-49 when a component is in the Catalogue of Hazardous Chemicals.
    fn reagent(&self, waste: &Waste, ex: &mut Explanation) -> HazardDecision {
        if waste.form == Form::GasInContainer {
            return self.gas(ex);
        }
        if self.contents.known.iter().any(|s| s.hazardous_chemical) {
            return self.listed(
                "900-999-49",
                "discarded chemical listed in the Catalogue of Hazardous Chemicals (2015)",
                ex,
            );
        }
        self.unlisted(ex)
    }

    /// A gas in a container (cylinder, lecture bottle). 900-999-49 takes discarded chemicals of the Catalogue of
    /// Hazardous Chemicals except those listed only as pressurised gases: a gas whose substance carries a hazard
    /// characteristic besides its pressure (chlorine: toxic and oxidising) is listed for that hazard too and takes
    /// 900-999-49 with it; a gas whose only hazard is pressure (nitrogen, argon, helium, carbon dioxide: no
    /// characteristic in the substance table) is outside 900-999-49 and, no other entry naming it, needs
    /// identification. An unknown gas needs identification.
    fn gas(&self, ex: &mut Explanation) -> HazardDecision {
        let c = &self.contents;
        if c.unknown || c.known.is_empty() {
            ex.say(WarningCode::IdentificationRequired, "gas_listing", vec![], "900-999-49 excludes chemicals listed only as pressurised gases; whether this gas is listed otherwise must be checked");
            return self.needs_identification(
                "gas in a container of an undeclared or unknown gas: the pressurised-gas exclusion of 900-999-49 cannot be settled",
                ex,
            );
        }
        let beyond_pressure: Vec<String> = c
            .known
            .iter()
            .filter(|s| s.hazardous_chemical && !s.hazards.is_empty())
            .map(|s| {
                let hz: Vec<&str> = s.hazards.iter().map(|h| h.name_en()).collect();
                format!("{} ({})", s.name_en, hz.join(", "))
            })
            .collect();
        if !beyond_pressure.is_empty() {
            let why = format!(
                "gas in a container listed in the Catalogue of Hazardous Chemicals (2015) with hazards besides pressure: {}; the exclusion of chemicals listed only as pressurised gases does not apply",
                beyond_pressure.join("; ")
            );
            return self.listed("900-999-49", &why, ex);
        }
        let pressure_only: Vec<&str> = c
            .known
            .iter()
            .filter(|s| s.hazardous_chemical)
            .map(|s| s.name_en.as_str())
            .collect();
        if !pressure_only.is_empty() {
            ex.say(WarningCode::IdentificationRequired, "gas_pressure_only", vec![("gas", pressure_only.join(", "))], format!("{}: its only hazard is pressure, so it falls outside 900-999-49 (chemicals listed only as pressurised gases are excluded) and no other entry names it; return the cylinder to its supplier, or have it identified", pressure_only.join(", ")));
            return self.needs_identification(
                &format!(
                    "gas in a container whose only hazard is pressure ({}): excluded from 900-999-49; no other entry applies",
                    pressure_only.join(", ")
                ),
                ex,
            );
        }
        self.unlisted(ex)
    }

    /// Catalogue 2021 HW49 900-044-49 (cadmium-nickel batteries), HW31 900-052-31, HW29 900-024-29. The element
    /// flags come from the components' formulas too, so a cell described by its data sheet (cadmium hydroxide,
    /// nickel hydroxide, potassium hydroxide) is recognised.
    fn battery(&self, ex: &mut Explanation) -> HazardDecision {
        let c = &self.contents;
        if let Some(cd) = c.known.iter().find(|s| s.has(Flag::Cadmium)) {
            let why = format!("cadmium-nickel battery (cadmium in {})", cd.name_en);
            return self.listed("900-044-49", &why, ex);
        }
        if c.any(Flag::Lead) {
            return self.listed("900-052-31", "lead-acid battery", ex);
        }
        if c.any(Flag::Mercury) {
            return self.listed("900-024-29", "mercuric-oxide cell", ex);
        }
        if c.known.is_empty() && !c.unknown {
            ex.say(WarningCode::IdentificationRequired, "battery", vec![], "declare the battery chemistry: cadmium-nickel, lead-acid and mercuric-oxide batteries are listed, others are not");
            return self.needs_identification("battery of undeclared chemistry", ex);
        }
        self.unlisted(ex)
    }

    /// HW01 by what the waste is (Medical Waste Classification Catalogue 2021, `medical.rs`), or the chemical rules
    /// for what is not one of its five categories. `None`: the chemical rules decide.
    fn medical(
        &self,
        rules: &MedicalRules,
        waste: &Waste,
        ex: &mut Explanation,
    ) -> Option<HazardDecision> {
        let all_chemical = self.contents.all_known();
        let culture_medium = self
            .contents
            .known
            .iter()
            .any(|s| rules.is_culture_medium(s.cas.as_str()));
        match rules.route(waste, all_chemical, culture_medium) {
            Route::Chemical => {
                if waste.lab_kind == LabKind::Biological && waste.infectious == Some(false) {
                    ex.step(
                        "biological laboratory waste declared not infectious",
                        format!("{} [biological_lab]", rules.name),
                        "not medical waste: the chemical rules decide",
                    );
                }
                None
            }
            Route::Unsettled(why) => {
                ex.say(WarningCode::IdentificationRequired, "medical_unsettled", vec![], format!("{why}: the waste's category cannot be settled; identify it, and collect it apart meanwhile"));
                Some(self.needs_identification(&why, ex))
            }
            Route::Medical(p) => {
                match waste.lab_kind {
                    LabKind::Medical => ex.say(WarningCode::OtherRegime, "medical", vec![], "waste of an infectious medical or hospital laboratory is medical waste (HW01), managed under the medical-waste regulations and excluded from 900-047-49"),
                    LabKind::Biological | LabKind::Chemical => ex.say(WarningCode::OtherRegime, "medical_biological", vec![], "infectious waste of a biological laboratory is managed as medical waste (HW01): hand it to the medical-waste handler, never into a chemical waste container"),
                }
                if p.inactivate {
                    ex.say(WarningCode::InactivateBeforeCollection, "inactivate", vec![], "cultures, culture media, strains and specimens are autoclaved (or otherwise disinfected) where they are produced, then collected as infectious waste (Medical Waste Classification Catalogue 2021, Table 1, collection of infectious waste)");
                }
                if waste.lab_kind == LabKind::Biological {
                    ex.step(
                        "biological laboratory waste that is, or may be, infectious",
                        format!(
                            "{} [biological_lab] [{}]",
                            rules.name,
                            match rules.biological_confidence {
                                crate::citation::Confidence::Confirmed => "C",
                                crate::citation::Confidence::Secondary => "S",
                                crate::citation::Confidence::Unconfirmed => "UNCONFIRMED policy",
                            }
                        ),
                        "managed as medical waste (HW01)",
                    );
                }
                let why = format!(
                    "medical waste, {} {} ({}): {}",
                    p.category.name_zh, p.category.name_en, rules.name, p.why
                );
                Some(self.listed(&p.category.code, &why, ex))
            }
        }
    }

    /// 900-041-49 oily rags and PPE; exempt in all stages when not collected separately (exemption list item 24).
    fn rags(&self, waste: &Waste, ex: &mut Explanation) -> HazardDecision {
        let mut d = self.listed("900-041-49", "oily rags and labour-protection articles", ex);
        if !waste.sorted_collection {
            ex.step(
                "exemption: oily rags and PPE not collected separately",
                format!("{} exemption list item 24", self.name),
                "exempt in all stages",
            );
            d.outcome = HazardOutcome::Exempt;
            d.clause = "exemption list item 24".to_owned();
        }
        d
    }
}

/// The hazardous decision for a waste already identified by GB 34330.
#[allow(clippy::too_many_arguments)]
pub fn decide(
    cat: &Catalogue,
    articles: Articles<'_>,
    table: &SubstanceTable,
    medical: &MedicalRules,
    waste: &Waste,
    ident: &Identification,
    ex: &mut Explanation,
) -> HazardDecision {
    let known: Vec<&Substance> = waste
        .components
        .iter()
        .filter_map(|c| c.substance.map(|id| table.get(id)))
        .collect();
    let indicated = known
        .iter()
        .fold(HazardSet::EMPTY, |acc, s| acc.union(s.hazards));
    let unknown = waste.components.iter().any(|c| c.substance.is_none());
    // On an article (bottle, labware, consumable) the components are its contamination and the article is the
    // rest: every component known is a full declaration, whatever the fractions sum to.
    let fully_declared = if waste.is_article() {
        !unknown && !known.is_empty()
    } else {
        waste.fully_declared()
    };
    let contents = Contents {
        unknown,
        fully_declared,
        known,
        indicated,
    };
    let ctx = Ctx {
        cat,
        name: &cat.name,
        articles,
        contents,
    };
    match ident.outcome {
        SolidWasteOutcome::NotSolidWaste
        | SolidWasteOutcome::NotLiquidWaste
        | SolidWasteOutcome::OutOfScope => {
            ex.step(
                "hazardous-waste catalogue",
                format!("{} {}", cat.name, articles.listing),
                "not applicable: not a waste under GB 34330",
            );
            return HazardDecision {
                outcome: HazardOutcome::NotApplicable,
                code: None,
                hazards: HazardSet::EMPTY,
                clause: articles.listing.to_owned(),
            };
        }
        SolidWasteOutcome::Undetermined => {
            return ctx.needs_identification("the waste itself is undetermined under GB 34330", ex);
        }
        SolidWasteOutcome::SolidWaste => {}
    }
    if let Some(d) = ctx.medical(medical, waste, ex) {
        return d;
    }
    match waste.origin {
        Origin::ExpiredReagent
        | Origin::UnusedReagent
        | Origin::OffSpecProduct
        | Origin::ContaminatedReagent => ctx.reagent(waste, ex),
        Origin::NovelSubstance => {
            // Unknown effects: every listed characteristic is kept.
            let mut d = ctx.listed(
                "900-017-14",
                "substance from research, development or teaching with unknown effects",
                ex,
            );
            if let Some(entry) = cat.code("900-017-14") {
                d.hazards = entry.hazards.listed();
            }
            d
        }
        Origin::ExpiredDrug => ctx.listed("900-002-03", "expired or off-spec drug", ex),
        Origin::MercuryDevice => {
            ctx.listed("900-024-29", "mercury thermometer, gauge or switch", ex)
        }
        Origin::MercuryLamp => ctx.listed("900-023-29", "mercury lamp", ex),
        Origin::PhotographicChemicals => {
            ctx.listed("900-019-16", "spent developer, fixer or film", ex)
        }
        Origin::Battery => ctx.battery(ex),
        Origin::AnimalCarcass => {
            ex.say(WarningCode::IdentificationRequired, "carcass", vec![], "experimental animal carcasses are commonly managed as medical waste (HW01 841-003-01, pathological); confirm with the local authority");
            ctx.needs_identification(
                "animal carcass from a non-medical laboratory: no entry settles it",
                ex,
            )
        }
        Origin::OilyRagsOrPpe => ctx.rags(waste, ex),
        Origin::SpentAdsorbent
            if ctx
                .contents
                .known
                .iter()
                .any(|s| s.cas.as_str() == "7440-44-0") =>
        {
            ctx.listed(
                "900-039-49",
                "spent activated carbon from gas or VOC treatment or decolourising",
                ex,
            )
        }
        Origin::ContaminatedConsumables
        | Origin::EmptyPackaging
        | Origin::Glassware
        | Origin::Sharps => {
            if waste.cleaned_per_lab_rules {
                return ctx.not_hazardous("labware or reagent packaging cleaned per the laboratory's rules is excluded from 900-047-49", LAB_CODE, ex);
            }
            if waste.components.is_empty() {
                ex.say(WarningCode::AssumedContaminated, "assumed_contaminated", vec![], "no contents declared: the item is taken as contaminated with hazardous chemicals (900-047-49); declare the contents or mark it cleaned per the lab's rules");
                return ctx.listed(
                    LAB_CODE,
                    "disposable labware or packaging contaminated with laboratory chemicals",
                    ex,
                );
            }
            ctx.lab_waste(ex)
        }
        Origin::SpentAdsorbent
        | Origin::ExperimentResidue
        | Origin::VesselCleaningResidue
        | Origin::ResearchSample
        | Origin::Other => ctx.lab_waste(ex),
    }
}
