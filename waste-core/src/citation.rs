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
    /// The message's words for a page in another language: a catalogue key (`warn.<key>`) and the values its
    /// placeholders take. Not part of the JSON answer (which carries the code and the English message); a
    /// warning read back from storage has none and is worded by its code.
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub words: Words,
}

/// A sentence as a key and its values, for the pages' catalogues.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Words {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl WarningCode {
    pub const ALL: [WarningCode; 15] = [
        WarningCode::EditionSuperseded,
        WarningCode::UnknownSubstance,
        WarningCode::ResolvedByName,
        WarningCode::IncompleteComposition,
        WarningCode::ClaimNeedsEvidence,
        WarningCode::ExclusionNotApplied,
        WarningCode::IndustrialCodeNotAssigned,
        WarningCode::IdentificationRequired,
        WarningCode::NoStream,
        WarningCode::OtherRegime,
        WarningCode::AssumedContaminated,
        WarningCode::AlsoOxidizing,
        WarningCode::BeforeEarliestEdition,
        WarningCode::OxidizingMixture,
        WarningCode::InactivateBeforeCollection,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::EditionSuperseded => "edition_superseded",
            WarningCode::UnknownSubstance => "unknown_substance",
            WarningCode::ResolvedByName => "resolved_by_name",
            WarningCode::IncompleteComposition => "incomplete_composition",
            WarningCode::ClaimNeedsEvidence => "claim_needs_evidence",
            WarningCode::ExclusionNotApplied => "exclusion_not_applied",
            WarningCode::IndustrialCodeNotAssigned => "industrial_code_not_assigned",
            WarningCode::IdentificationRequired => "identification_required",
            WarningCode::NoStream => "no_stream",
            WarningCode::OtherRegime => "other_regime",
            WarningCode::AssumedContaminated => "assumed_contaminated",
            WarningCode::AlsoOxidizing => "also_oxidizing",
            WarningCode::BeforeEarliestEdition => "before_earliest_edition",
            WarningCode::OxidizingMixture => "oxidizing_mixture",
            WarningCode::InactivateBeforeCollection => "inactivate_before_collection",
        }
    }

    /// Whether the person classifying can act on it (declare more, keep evidence, label, collect apart). The
    /// others say how the data decided (an edition's clause mapping not yet in the data, a name matched
    /// instead of a CAS number, an industrial code not given to laboratory waste): they belong with the
    /// decision's details, not above its result.
    pub fn actionable(self) -> bool {
        !matches!(
            self,
            WarningCode::EditionSuperseded
                | WarningCode::ResolvedByName
                | WarningCode::IndustrialCodeNotAssigned
        )
    }
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
    /// The decision date is before the earliest edition in the data came into force: the edition applied was not
    /// in force on that date.
    BeforeEarliestEdition,
    /// The liquid is a mixture whose oxidising power no single component shows (acid piranha): collect it on its
    /// own, vented, never with organic waste.
    OxidizingMixture,
    /// Cultures and specimens are inactivated (autoclaved) where they are produced, before collection.
    InactivateBeforeCollection,
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
    /// A warning worded by its code alone on a page in another language.
    pub fn warn(&mut self, code: WarningCode, message: impl Into<String>) {
        self.say(code, "", Vec::new(), message);
    }

    /// A warning with its own words (`warn.<key>` with `args`) for a page in another language.
    pub fn say(
        &mut self,
        code: WarningCode,
        key: &'static str,
        args: Vec<(&'static str, String)>,
        message: impl Into<String>,
    ) {
        self.warnings.push(Warning {
            code,
            message: message.into(),
            words: Words { key, args },
        });
    }
}
