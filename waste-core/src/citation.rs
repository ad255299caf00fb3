//! Explaining decisions: how sure we are of a rule's text, the trace of rules tried, and warnings.

use serde::{Deserialize, Serialize};

/// How the rule's text was confirmed (see `standards-data/SOURCES.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Confidence {
    /// Read in the full official text.
    #[serde(rename = "C")]
    Confirmed,
    /// From a secondary source (summary, excerpt, quotation).
    #[serde(rename = "S")]
    Secondary,
    /// No source found: an assumption, kept as a policy setting.
    #[serde(rename = "UNCONFIRMED")]
    Unconfirmed,
}

/// One rule that was tried, with its source and what it gave. A classification's trace lists them in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TraceStep {
    pub rule: String,
    pub citation: String,
    pub result: String,
}

/// Something the user must know about a decision, with a stable code scripts can match on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ClassificationWarning))]
pub struct Warning {
    pub code: WarningCode,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// The decision date falls after the standard edition used was superseded.
    EditionSuperseded,
    /// A component is not in the substance table.
    UnknownSubstance,
    /// A component was resolved by its name because its CAS number is not in the table.
    ResolvedByName,
    /// The declared components do not account for the whole waste.
    IncompleteComposition,
    /// The exclusion rests on the user's claim; evidence must be kept.
    ClaimNeedsEvidence,
    /// An exclusion was asked for but its condition does not hold, so it was not applied.
    ExclusionNotApplied,
    /// A catalogue code names industrial use and is not assigned to laboratory waste.
    IndustrialCodeNotAssigned,
    /// Hazard cannot be settled from the data: identify per the identification standards (GB 5085).
    IdentificationRequired,
    /// No collection stream can be chosen safely: collect the waste on its own.
    NoStream,
    /// The waste is managed under other rules (medical waste, radioactive waste, gas cylinders).
    OtherRegime,
    /// The waste is taken to be contaminated because no contents were declared.
    AssumedContaminated,
    /// A mercury or cyanide liquid is also strongly oxidising: it keeps its stream and must be labelled so.
    AlsoOxidizing,
}

/// Collects the trace and warnings of one decision.
#[derive(Debug, Default, Clone)]
pub struct Explanation {
    pub trace: Vec<TraceStep>,
    pub warnings: Vec<Warning>,
}

impl Explanation {
    pub fn step(
        &mut self,
        rule: impl Into<String>,
        citation: impl Into<String>,
        result: impl Into<String>,
    ) {
        self.trace.push(TraceStep {
            rule: rule.into(),
            citation: citation.into(),
            result: result.into(),
        });
    }
    pub fn warn(&mut self, code: WarningCode, message: impl Into<String>) {
        self.warnings.push(Warning {
            code,
            message: message.into(),
        });
    }
}
