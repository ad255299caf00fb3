//! The classification of one waste: identification (GB 34330), hazardous decision (National Catalogue),
//! collection stream, warnings and the trace that explains them.

use crate::citation::{Confidence, Explanation, TraceStep, Warning, WarningCode};
use crate::hazard::Hazard;
use crate::hazardous::{self, HazardDecision, HazardOutcome};
use crate::identification::{self, Identification, SolidWasteOutcome};
use crate::request::{Form, InputError, LabKind, Resolution, Waste, parse_request};
use crate::standards::Standards;
use crate::stream::{self, Stream};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SolidWasteResult {
    pub outcome: SolidWasteOutcome,
    /// As printed in the standard, e.g. `4.2 c)`.
    pub clause: String,
    pub standard: String,
    /// The edition the decision applied, e.g. `2017`.
    pub edition: String,
    pub clause_text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The catalogue edition in force on the decision date, e.g. `National Catalogue of Hazardous Wastes (2025)`.
    pub standard: String,
    /// E.g. `2025`.
    pub edition: String,
    /// How the edition's text for the deciding code was confirmed (`C`, `S`, `UNCONFIRMED`); null without a code.
    pub code_confidence: Option<Confidence>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentResult {
    pub name: Option<String>,
    pub cas: Option<String>,
    /// Mass fraction of the whole waste, a decimal string from 0 to 1, e.g. "0.35".
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "0.35"))]
    #[serde(with = "rust_decimal::serde::str_option")]
    pub fraction: Option<Decimal>,
    /// The substance of the table it resolved to; null when unknown.
    pub substance: Option<SubstanceRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubstanceRef {
    pub cas: String,
    pub name_en: String,
    pub name_zh: String,
}

/// Classifies a parsed waste as of `on`: the date chooses the editions applied (catalogue 2021 before 2025-01-01,
/// 2025 from then; GB 34330-2017 with a warning once a newer edition without data is in force).
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
            Resolution::Unknown => ex.say(
                WarningCode::UnknownSubstance,
                "unknown_substance",
                vec![("name", label.to_string())],
                format!("components[{i}] '{label}' is not in the substance table: it is never taken as harmless"),
            ),
            Resolution::NameWithUnknownCas => ex.say(
                WarningCode::ResolvedByName,
                "resolved_by_name",
                vec![
                    ("name", label.to_string()),
                    (
                        "cas",
                        c.cas.as_ref().map(ToString::to_string).unwrap_or_default(),
                    ),
                ],
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

    let id_in_use = std.identification_on(on);
    let ident: Identification = identification::identify(
        id_in_use.standard,
        id_in_use.newer,
        &std.discharge,
        table,
        waste,
        &mut ex,
    );
    let cat_in_use = std.catalogue_on(on);
    let cat = cat_in_use.catalogue;
    if let Some(newer) = cat_in_use.newer {
        ex.say(
            WarningCode::EditionSuperseded,
            "edition_catalogue",
            vec![
                ("newer", newer.issued_as.clone()),
                ("since", newer.in_force_from.to_string()),
                ("used", cat.name.clone()),
            ],
            format!("{} is in force since {}; this decision uses {}: the newer edition is not in the data", newer.issued_as, newer.in_force_from, cat.name),
        );
    }
    if cat_in_use.before_earliest {
        ex.say(
            WarningCode::BeforeEarliestEdition,
            "edition_before_catalogue",
            vec![
                ("on", on.to_string()),
                ("used", cat.name.clone()),
                ("since", cat_in_use.edition.in_force_from.to_string()),
            ],
            format!("the decision date {on} is before {} came into force ({}), the earliest edition in the data: the edition in force on {on} is not in the data, so this decision is not valid for that date", cat.name, cat_in_use.edition.in_force_from),
        );
    }
    if id_in_use.before_earliest {
        ex.say(
            WarningCode::BeforeEarliestEdition,
            "edition_before_identification",
            vec![
                ("on", on.to_string()),
                ("used", id_in_use.standard.name.clone()),
                ("since", id_in_use.standard.effective_from.to_string()),
            ],
            format!("the decision date {on} is before {} took effect ({}), the earliest identification standard in the data: its clauses did not apply on {on}", id_in_use.standard.name, id_in_use.standard.effective_from),
        );
    }
    ex.step(
        "catalogue edition in force on the decision date",
        format!(
            "{} ({}), in force from {}",
            cat.name, cat_in_use.edition.issued_as, cat_in_use.edition.in_force_from
        ),
        format!("{} edition", cat.edition),
    );
    let decision: HazardDecision = hazardous::decide(
        cat,
        cat_in_use.articles,
        table,
        &std.medical,
        waste,
        &ident,
        &mut ex,
    );
    let medical = decision
        .code
        .as_ref()
        .and_then(|c| std.medical.by_code(c.as_str()))
        .filter(|_| decision.outcome == HazardOutcome::Hazardous);
    let stream = match decision.outcome {
        // Medical waste (HW01): the container of its category, never a chemical stream.
        HazardOutcome::Hazardous if medical.is_some() => {
            let c = medical.map(|c| (c.stream, c.collection_en.clone(), c.name_en.clone()));
            c.map(|(s, how, name)| {
                ex.step(
                    format!("collection stream: medical waste, {name}"),
                    format!("{} Table 1, collection", std.medical.name),
                    format!("{}: {how}", s.as_str()),
                );
                s
            })
        }
        HazardOutcome::Hazardous | HazardOutcome::NeedsIdentification => {
            stream::stream_of(table, &std.streams, waste, &mut ex)
        }
        // A laboratory liquid that is not hazardous still remains waste and needs a container (a sodium chloride
        // solution goes to the inorganic-salt stream).
        HazardOutcome::NotHazardous if waste.form == Form::Liquid && ident.outcome.is_waste() => {
            stream::stream_of(table, &std.streams, waste, &mut ex)
        }
        // Exempt waste is not managed as hazardous waste at that stage: it takes no hazardous-waste stream.
        HazardOutcome::Exempt | HazardOutcome::NotHazardous | HazardOutcome::NotApplicable => None,
    };
    if stream.is_none()
        && matches!(
            decision.outcome,
            HazardOutcome::Hazardous | HazardOutcome::NeedsIdentification
        )
        && waste.lab_kind != LabKind::Medical
    {
        ex.step(
            "collection",
            stream::STREAM_SOURCE,
            "no shared stream: collect on its own and label it",
        );
    }

    let code_entry = decision.code.as_ref().and_then(|c| cat.code(c.as_str()));
    let category = decision.code.as_ref().map(|c| c.category());
    let category_name = category
        .as_deref()
        .and_then(|c| cat.category(c))
        .map(|c| format!("{} {}", c.name_zh, c.name_en));
    Classification {
        solid_waste: SolidWasteResult {
            outcome: ident.outcome,
            clause_text: id_in_use
                .standard
                .clause(&ident.clause)
                .map(|c| c.text_en.clone())
                .unwrap_or_default(),
            clause: ident.clause,
            standard: id_in_use.standard.name.clone(),
            edition: id_in_use.standard.edition.clone(),
        },
        hazardous: HazardousResult {
            outcome: decision.outcome,
            code: decision.code.as_ref().map(ToString::to_string),
            category,
            category_name,
            hazards: decision.hazards.to_vec(),
            hazard_notation: code_entry.map(|e| e.hazards.to_string()),
            clause: decision.clause,
            standard: cat.name.clone(),
            edition: cat.edition.clone(),
            code_confidence: code_entry.map(|e| e.confidence),
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
