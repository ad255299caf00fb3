//! The classification of one waste: identification (GB 34330), hazardous decision (National Catalogue),
//! collection stream, warnings and the trace that explains them.

use crate::citation::{Explanation, TraceStep, Warning, WarningCode};
use crate::hazard::Hazard;
use crate::hazardous::{self, HazardDecision, HazardOutcome};
use crate::identification::{self, Identification, SolidWasteOutcome};
use crate::request::{InputError, Resolution, Waste, parse_request};
use crate::standards::Standards;
use crate::stream::{self, Stream};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub solid_waste: SolidWasteResult,
    pub hazardous: HazardousResult,
    /// One stream per waste; null when it is not a laboratory chemical waste or none can be chosen safely.
    pub stream: Option<Stream>,
    pub components: Vec<ComponentResult>,
    pub warnings: Vec<Warning>,
    pub trace: Vec<TraceStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SolidWasteResult {
    pub outcome: SolidWasteOutcome,
    /// As printed in the standard, e.g. `4.2 c)`.
    pub clause: String,
    pub standard: String,
    pub clause_text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HazardousResult {
    pub outcome: HazardOutcome,
    pub code: Option<String>,
    pub category: Option<String>,
    pub category_name: Option<String>,
    /// The characteristics that apply, a subset of the code's notation.
    pub hazards: Vec<Hazard>,
    /// The catalogue's notation for the code, e.g. `T/C/I/R` (`,` first definite, `/` one or more).
    pub hazard_notation: Option<String>,
    /// The deciding entry: a code, an article or an exemption item.
    pub clause: String,
    pub standard: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentResult {
    pub name: Option<String>,
    pub cas: Option<String>,
    #[serde(with = "rust_decimal::serde::str_option")]
    pub fraction: Option<Decimal>,
    /// The substance of the table it resolved to; null when unknown.
    pub substance: Option<SubstanceRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubstanceRef {
    pub cas: String,
    pub name_en: String,
    pub name_zh: String,
}

/// Classifies a parsed waste as of `on` (the date decides which edition warnings apply).
pub fn classify(std: &Standards, waste: &Waste, on: Date) -> Classification {
    let mut ex = Explanation::default();
    let table = &std.substances;
    let mut components = Vec::with_capacity(waste.components.len());
    for (i, c) in waste.components.iter().enumerate() {
        let label = c
            .name
            .clone()
            .or_else(|| c.cas.as_ref().map(ToString::to_string))
            .unwrap_or_default();
        match c.resolution {
            Resolution::Unknown => ex.warn(
                WarningCode::UnknownSubstance,
                format!("components[{i}] '{label}' is not in the substance table: it is never taken as harmless"),
            ),
            Resolution::NameWithUnknownCas => ex.warn(
                WarningCode::ResolvedByName,
                format!("components[{i}]: CAS {} is not in the substance table; matched by name '{label}'", c.cas.as_ref().map(ToString::to_string).unwrap_or_default()),
            ),
            Resolution::Cas | Resolution::Name => {}
        }
        components.push(ComponentResult {
            name: c.name.clone(),
            cas: c.cas.as_ref().map(ToString::to_string),
            fraction: c.fraction,
            substance: c.substance.map(|id| {
                let s = table.get(id);
                SubstanceRef {
                    cas: s.cas.to_string(),
                    name_en: s.name_en.clone(),
                    name_zh: s.name_zh.clone(),
                }
            }),
        });
    }

    let ident: Identification =
        identification::identify(&std.identification, table, waste, on, &mut ex);
    let decision: HazardDecision = hazardous::decide(&std.catalogue, table, waste, &ident, &mut ex);
    let stream = match decision.outcome {
        HazardOutcome::Hazardous | HazardOutcome::NeedsIdentification => {
            stream::stream_of(table, waste, &mut ex)
        }
        // Exempt waste is not managed as hazardous waste at that stage: it takes no hazardous-waste stream.
        HazardOutcome::Exempt | HazardOutcome::NotHazardous | HazardOutcome::NotApplicable => None,
    };
    if stream.is_none()
        && matches!(
            decision.outcome,
            HazardOutcome::Hazardous | HazardOutcome::NeedsIdentification
        )
        && waste.lab_kind != crate::request::LabKind::Medical
    {
        ex.step(
            "collection",
            stream::STREAM_SOURCE,
            "no shared stream: collect on its own and label it",
        );
    }

    let code_entry = decision
        .code
        .as_ref()
        .and_then(|c| std.catalogue.code(c.as_str()));
    let category = decision.code.as_ref().map(|c| c.category());
    let category_name = category
        .as_deref()
        .and_then(|c| std.catalogue.category(c))
        .map(|c| format!("{} {}", c.name_zh, c.name_en));
    Classification {
        solid_waste: SolidWasteResult {
            outcome: ident.outcome,
            clause_text: std
                .identification
                .clause(&ident.clause)
                .map(|c| c.text_en.clone())
                .unwrap_or_default(),
            clause: ident.clause,
            standard: std.identification.name.clone(),
        },
        hazardous: HazardousResult {
            outcome: decision.outcome,
            code: decision.code.as_ref().map(ToString::to_string),
            category,
            category_name,
            hazards: decision.hazards.to_vec(),
            hazard_notation: code_entry.map(|e| e.hazards.to_string()),
            clause: decision.clause,
            standard: std.catalogue.name.clone(),
        },
        stream,
        components,
        warnings: ex.warnings,
        trace: ex.trace,
    }
}

/// Parses a JSON request and classifies it: the one entry point for the CLI and the HTTP API.
pub fn classify_json(std: &Standards, json: &str, on: Date) -> Result<Classification, InputError> {
    let req = parse_request(json)?;
    let waste = Waste::parse(req, &std.substances)?;
    Ok(classify(std, &waste, on))
}
