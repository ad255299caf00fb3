//! GB 34330-2017: is it solid (or liquid) waste, and under which clause.
//!
//! Order: scope (§1), then the exclusions of §6 and §7, then the source criteria of §4 ("is solid waste unless
//! covered by §6"). Nothing defaults to "not waste": a waste no criterion matches is `undetermined` (expert
//! identification, definition 3.1). The discharge exclusions of §7 are not granted on the user's word to a liquid
//! holding a first-class pollutant of GB 8978-1996 Table 1 or cyanide above a trace.

use crate::citation::{Explanation, WarningCode};
use crate::discharge::DischargeRules;
use crate::edition::Edition;
use crate::request::{AdsorbentUse, Fate, Origin, Waste};
use crate::substance::{Flag, SubstanceTable};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SolidWasteOutcome {
    SolidWaste,
    NotSolidWaste,
    NotLiquidWaste,
    OutOfScope,
    Undetermined,
}

impl SolidWasteOutcome {
    /// Whether the waste rules (catalogue, streams, storage) apply.
    pub fn is_waste(self) -> bool {
        matches!(self, Self::SolidWaste | Self::Undetermined)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClauseKind {
    Scope,
    Definition,
    Criterion,
    Route,
    Product,
    ExclusionSolid,
    ExclusionLiquid,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Clause {
    pub id: String,
    pub kind: ClauseKind,
    pub text_zh: String,
    pub text_en: String,
}

/// One edition of the identification standard, as data. Which edition applies on a date is read from
/// `editions.toml` (see `crate::edition`); a later edition with its clauses is another data file.
#[derive(Debug, Clone)]
pub struct IdentificationStandard {
    /// Printed name, e.g. `GB 34330-2017`.
    pub name: String,
    pub edition: String,
    pub effective_from: Date,
    clauses: HashMap<String, Clause>,
}

#[derive(Deserialize)]
struct RawStandard {
    standard: RawHead,
    clause: Vec<Clause>,
}
#[derive(Deserialize)]
struct RawHead {
    code: String,
    edition: String,
    effective_from: String,
}

use crate::edition::parse_date as date;

impl IdentificationStandard {
    pub fn parse(text: &str) -> Result<Self, String> {
        let raw: RawStandard =
            toml::from_str(text).map_err(|e| format!("identification standard: {e}"))?;
        let mut clauses = HashMap::new();
        for c in raw.clause {
            let id = c.id.clone();
            if clauses.insert(id.clone(), c).is_some() {
                return Err(format!(
                    "identification standard: clause {id} is listed twice"
                ));
            }
        }
        let std = Self {
            name: format!("{}-{}", raw.standard.code, raw.standard.edition),
            edition: raw.standard.edition,
            effective_from: date(&raw.standard.effective_from)?,
            clauses,
        };
        // Every clause the rules can cite must be in the data, so no decision cites a clause that is not there.
        for id in CITED {
            if std.clause(id).is_none() {
                return Err(format!(
                    "{}: the rules cite clause {id}, which the data lacks",
                    std.name
                ));
            }
        }
        Ok(std)
    }

    pub fn clause(&self, id: &str) -> Option<&Clause> {
        self.clauses.get(id)
    }

    pub fn clauses(&self) -> impl Iterator<Item = &Clause> {
        self.clauses.values()
    }

    fn text(&self, id: &str) -> &str {
        self.clause(id).map(|c| c.text_en.as_str()).unwrap_or("")
    }
}

/// Every clause `identify` can return.
pub const CITED: [&str; 19] = [
    "1", "4.1 a)", "4.1 b)", "4.1 c)", "4.1 d)", "4.1 h)", "4.1 i)", "4.2 b)", "4.2 c)", "4.2 g)",
    "4.2 l)", "4.3 l)", "6.1 a)", "6.1 b)", "6.1 d)", "7.1", "7.2", "7.3", "3.1",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identification {
    pub outcome: SolidWasteOutcome,
    /// The deciding clause as printed, e.g. `4.2 c)`; for `undetermined`, the definition clause 3.1.
    pub clause: String,
}

/// The source criterion (§4) for each origin. Exhaustive on purpose: a new origin must be given its clause.
fn source_clause(origin: Origin, adsorbent_use: Option<AdsorbentUse>) -> Option<&'static str> {
    match origin {
        Origin::OffSpecProduct => Some("4.1 a)"),
        Origin::ExpiredReagent | Origin::ExpiredDrug => Some("4.1 b)"),
        Origin::ContaminatedReagent | Origin::ContaminatedConsumables | Origin::OilyRagsOrPpe => {
            Some("4.1 c)")
        }
        Origin::EmptyPackaging
        | Origin::Sharps
        | Origin::Battery
        | Origin::PhotographicChemicals => Some("4.1 d)"),
        Origin::Glassware
        | Origin::MercuryDevice
        | Origin::MercuryLamp
        | Origin::ResearchSample => Some("4.1 h)"),
        Origin::UnusedReagent | Origin::NovelSubstance => Some("4.1 i)"),
        Origin::ExperimentResidue => Some("4.2 c)"),
        Origin::VesselCleaningResidue => Some("4.2 g)"),
        Origin::AnimalCarcass => Some("4.2 l)"),
        // Chromatography media and decolourising carbon are residues of purifying a product (4.2 b); fume-hood
        // carbon and filter media clean gas, odour or wastewater (4.3 l). Undeclared: the pollution-control clause.
        Origin::SpentAdsorbent => match adsorbent_use {
            Some(AdsorbentUse::Purification) => Some("4.2 b)"),
            Some(AdsorbentUse::PollutionControl) | None => Some("4.3 l)"),
        },
        Origin::Other => None,
    }
}

/// Decides whether `waste` is solid (or liquid) waste under `std`, explaining each step. `newer` is the edition in
/// force on the decision date when its clauses are not in the data (the decision then says which edition it used).
pub fn identify(
    std: &IdentificationStandard,
    newer: Option<&Edition>,
    discharge_rules: &DischargeRules,
    table: &SubstanceTable,
    waste: &Waste,
    ex: &mut Explanation,
) -> Identification {
    let name = std.name.as_str();
    if let Some(by) = newer {
        ex.say(
            WarningCode::EditionSuperseded,
            "edition_clauses",
            vec![
                ("newer", by.issued_as.clone()),
                ("since", by.in_force_from.to_string()),
                ("used", name.to_owned()),
            ],
            format!("{} is in force since {}; this decision uses the {name} clauses: the {} clause mapping is not in the data (not verified)", by.issued_as, by.in_force_from, by.issued_as),
        );
    }
    let decided = |outcome, clause: &str| Identification {
        outcome,
        clause: clause.to_owned(),
    };

    // §1 scope.
    if waste.radioactive {
        ex.step(
            "scope: radioactive waste",
            format!("{name} 1"),
            "out of scope",
        );
        ex.say(WarningCode::OtherRegime, "radioactive", vec![], "radioactive waste is managed under the radioactive-waste rules, not as hazardous waste");
        return decided(SolidWasteOutcome::OutOfScope, "1");
    }
    ex.step("scope: not radioactive", format!("{name} 1"), "in scope");

    // §6 exclusions (the fate the user declares).
    let exclusion = match waste.fate {
        Fate::ReuseAsIs => Some("6.1 a)"),
        Fate::ReturnToProcess => Some("6.1 b)"),
        Fate::KeptForAnalysis => Some("6.1 d)"),
        Fate::Discard
        | Fate::DischargeMeetsStandard
        | Fate::TreatThenDischarge
        | Fate::NeutralizeThenDischarge => None,
    };
    if let Some(clause) = exclusion {
        ex.step(
            format!("exclusion: {}", std.text(clause)),
            format!("{name} {clause}"),
            "not managed as solid waste",
        );
        ex.say(WarningCode::ClaimNeedsEvidence, "claim_fate", vec![("clause", format!("{name} {clause}"))], format!("the exclusion {name} {clause} rests on the declared fate; keep the record that shows it"));
        return decided(SolidWasteOutcome::NotSolidWaste, clause);
    }
    ex.step(
        "exclusions of section 6",
        format!("{name} 6.1"),
        "none applies to a discarded waste",
    );

    // §7 exclusions for liquids that are discharged.
    let discharge = match waste.fate {
        Fate::DischargeMeetsStandard => Some("7.1"),
        Fate::TreatThenDischarge => Some("7.2"),
        Fate::NeutralizeThenDischarge => {
            let acid_or_base = waste
                .components
                .iter()
                .filter_map(|c| c.substance)
                .any(|id| table.get(id).has(Flag::Acid) || table.get(id).has(Flag::Base));
            if acid_or_base {
                Some("7.3")
            } else {
                ex.step(
                    "exclusion 7.3: neutralised waste acid or alkali",
                    format!("{name} 7.3"),
                    "no acid or base among the components",
                );
                ex.say(WarningCode::ExclusionNotApplied, "neutralised_only", vec![("clause", format!("{name} 7.3"))], format!("{name} 7.3 covers only neutralised waste acid or alkali; no component is an acid or a base, so the waste stays waste"));
                None
            }
        }
        Fate::Discard | Fate::ReuseAsIs | Fate::ReturnToProcess | Fate::KeptForAnalysis => None,
    };
    let discharge = match discharge {
        Some(clause) => match discharge_rules.block(table, waste) {
            Some(block) => {
                let mut why = Vec::new();
                if !block.first_class.is_empty() {
                    let list: Vec<String> = block
                        .first_class
                        .iter()
                        .map(|f| format!("{} ({}, limit {})", f.component, f.pollutant, f.limit))
                        .collect();
                    why.push(format!(
                        "first-class pollutants of {} {}: {}",
                        discharge_rules.name,
                        discharge_rules.table,
                        list.join(", ")
                    ));
                }
                if !block.cyanide.is_empty() {
                    why.push(format!(
                        "cyanide above a trace ({}; total cyanide limit {})",
                        block.cyanide.join(", "),
                        discharge_rules.cyanide_limit
                    ));
                }
                let why = why.join("; ");
                ex.step(
                    format!("exclusion: {}", std.text(clause)),
                    format!(
                        "{name} {clause}; {} {} and {}",
                        discharge_rules.name, discharge_rules.table, discharge_rules.clause
                    ),
                    format!("not granted: the liquid contains {why}"),
                );
                ex.say(WarningCode::ExclusionNotApplied, "discharge_not_granted", vec![("clause", format!("{name} {clause}")), ("discharge", format!("{} {}", discharge_rules.name, discharge_rules.table))], format!("{name} {clause} is not granted on the declaration: the liquid contains {why}. Neutralising or dilution removes none of it, and {} {} applies at the outlet of the workshop or its treatment facility ({}). It stays waste; the exclusion needs a measurement of the treated effluent, sampled there by an accredited laboratory, showing every listed pollutant at or below its limit", discharge_rules.name, discharge_rules.table, discharge_rules.clause));
                None
            }
            None => Some(clause),
        },
        None => None,
    };
    if let Some(clause) = discharge {
        ex.step(
            format!("exclusion: {}", std.text(clause)),
            format!("{name} {clause}"),
            "not managed as liquid waste",
        );
        let concerns: Vec<&str> = waste
            .components
            .iter()
            .filter_map(|c| c.substance.map(|id| table.get(id)))
            .filter(|s| {
                [Flag::HeavyMetal, Flag::Halogenated, Flag::Fluoride]
                    .iter()
                    .any(|f| s.has(*f))
            })
            .map(|s| s.name_en.as_str())
            .collect();
        let mut msg = format!(
            "the exclusion {name} {clause} rests on the claim that the discharge meets the applicable discharge standard; keep the measurement that shows it"
        );
        if !concerns.is_empty() {
            msg.push_str(&format!(
                " (the waste contains {}, which discharge standards limit strictly)",
                concerns.join(", ")
            ));
        }
        ex.say(
            WarningCode::ClaimNeedsEvidence,
            "claim_discharge",
            vec![("clause", format!("{name} {clause}"))],
            msg,
        );
        return decided(SolidWasteOutcome::NotLiquidWaste, clause);
    }

    // §4 source criteria.
    match source_clause(waste.origin, waste.adsorbent_use) {
        Some(clause) => {
            let result = if waste.origin == Origin::SpentAdsorbent && waste.adsorbent_use.is_none()
            {
                "solid waste (use not declared: taken as pollution-control media; chromatography media are residues of purification, 4.2 b), with adsorbent_use \"purification\")"
            } else {
                "solid waste"
            };
            ex.step(
                format!("source criterion: {}", std.text(clause)),
                format!("{name} {clause}"),
                result,
            );
            decided(SolidWasteOutcome::SolidWaste, clause)
        }
        None => {
            ex.step(
                "source criteria of sections 4 and 5",
                format!("{name} 4"),
                "no criterion matches the declared origin",
            );
            ex.say(WarningCode::IdentificationRequired, "origin_other", vec![("std", name.to_owned())], format!("no {name} criterion matches origin \"other\": the waste is undetermined and needs expert identification; it is handled as waste meanwhile"));
            decided(SolidWasteOutcome::Undetermined, "3.1")
        }
    }
}
