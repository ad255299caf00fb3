//! What a discharge claim (GB 34330-2017 7.1–7.3) cannot rest on the user's word for: the first-class pollutants of
//! GB 8978-1996 Table 1 and cyanide above a trace. Data: `standards-data/data/gb8978-1996.toml`.

use crate::cas::CasNumber;
use crate::citation::Confidence;
use crate::request::Waste;
use crate::substance::{Flag, SubstanceTable};
use rust_decimal::Decimal;
use serde::Deserialize;

/// One first-class pollutant and how a component is recognised as carrying it.
#[derive(Debug, Clone)]
pub struct Pollutant {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// The Table 1 maximum as printed, e.g. `0.05 mg/L`.
    pub limit: String,
    flags: Vec<Flag>,
    cas: Vec<CasNumber>,
}

#[derive(Debug, Clone)]
pub struct DischargeRules {
    /// E.g. `GB 8978-1996`.
    pub name: String,
    /// E.g. `Table 1`.
    pub table: String,
    /// The sampling clause, `4.2.1.1`.
    pub clause: String,
    pub pollutants: Vec<Pollutant>,
    /// Cyanide above this total fraction (or of undeclared fraction) blocks the exclusions. A setting.
    pub cyanide_trace: Decimal,
    /// The discharge limit for total cyanide as the data gives it, with its source.
    pub cyanide_limit: String,
    pub cyanide_source: String,
    pub cyanide_confidence: Confidence,
}

/// A component that carries a first-class pollutant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub component: String,
    pub pollutant: String,
    pub limit: String,
}

/// Why a discharge exclusion cannot be granted on the declaration alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub first_class: Vec<Finding>,
    /// The cyanide-bearing components, when their total is above the trace or not declared.
    pub cyanide: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    standard: RawStandard,
    pollutant: Vec<RawPollutant>,
    cyanide: RawCyanide,
}
/// The head of the file; its title, source and confidence are for readers of the data.
#[derive(Deserialize)]
struct RawStandard {
    code: String,
    edition: String,
    table: String,
    clause: String,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPollutant {
    id: String,
    name_zh: String,
    name_en: String,
    limit: String,
    flags: Vec<String>,
    cas: Vec<String>,
}
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCyanide {
    trace_fraction: Decimal,
    limit: String,
    source: String,
    confidence: Confidence,
}

impl DischargeRules {
    pub fn parse(text: &str) -> Result<Self, String> {
        let raw: RawFile = toml::from_str(text).map_err(|e| format!("gb8978: {e}"))?;
        let mut pollutants = Vec::new();
        for p in raw.pollutant {
            let flags = p
                .flags
                .iter()
                .map(|f| {
                    Flag::parse(f).ok_or_else(|| format!("gb8978: {}: unknown flag '{f}'", p.id))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let cas = p
                .cas
                .iter()
                .map(|c| CasNumber::parse(c).map_err(|e| format!("gb8978: {}: {e}", p.id)))
                .collect::<Result<Vec<_>, _>>()?;
            pollutants.push(Pollutant {
                id: p.id,
                name_zh: p.name_zh,
                name_en: p.name_en,
                limit: p.limit,
                flags,
                cas,
            });
        }
        if raw.cyanide.trace_fraction < Decimal::ZERO || raw.cyanide.trace_fraction >= Decimal::ONE
        {
            return Err("gb8978: cyanide trace_fraction must be in [0, 1)".into());
        }
        Ok(Self {
            name: format!("{}-{}", raw.standard.code, raw.standard.edition),
            table: raw.standard.table,
            clause: raw.standard.clause,
            pollutants,
            cyanide_trace: raw.cyanide.trace_fraction,
            cyanide_limit: raw.cyanide.limit,
            cyanide_source: raw.cyanide.source,
            cyanide_confidence: raw.cyanide.confidence,
        })
    }

    /// The first-class pollutants a component of `waste` carries, by flag or CAS. A fraction of exactly 0 is a
    /// declared absence.
    pub fn first_class(&self, table: &SubstanceTable, waste: &Waste) -> Vec<Finding> {
        let mut out = Vec::new();
        for c in &waste.components {
            let Some(id) = c.substance else { continue };
            if c.fraction == Some(Decimal::ZERO) {
                continue;
            }
            let s = table.get(id);
            for p in &self.pollutants {
                if p.flags.iter().any(|f| s.has(*f)) || p.cas.contains(&s.cas) {
                    out.push(Finding {
                        component: s.name_en.clone(),
                        pollutant: p.name_en.clone(),
                        limit: p.limit.clone(),
                    });
                }
            }
        }
        out
    }

    /// Whether the exclusions 7.1–7.3 must be refused: a first-class pollutant, or cyanide whose declared total is
    /// above the trace setting (a cyanide component without a fraction counts as above).
    pub fn block(&self, table: &SubstanceTable, waste: &Waste) -> Option<Block> {
        let first_class = self.first_class(table, waste);
        let mut cyanide = Vec::new();
        let mut total = Decimal::ZERO;
        let mut undeclared = false;
        for c in &waste.components {
            let Some(id) = c.substance else { continue };
            let s = table.get(id);
            if !s.has(Flag::Cyanide) || c.fraction == Some(Decimal::ZERO) {
                continue;
            }
            cyanide.push(s.name_en.clone());
            match c.fraction {
                Some(f) => total += f,
                // A lone component without a fraction is the whole waste.
                None => undeclared = true,
            }
        }
        if !(undeclared || total > self.cyanide_trace) {
            cyanide.clear();
        }
        (!first_class.is_empty() || !cyanide.is_empty()).then_some(Block {
            first_class,
            cyanide,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::Standards;
    use crate::request::{Waste, parse_request};

    fn waste(components: &str) -> Waste {
        let std = Standards::embedded();
        let json = format!(
            r#"{{"form":"liquid","origin":"experiment_residue","fate":"discharge_meets_standard","components":{components}}}"#
        );
        Waste::parse(parse_request(&json).expect("json"), &std.substances).expect("valid")
    }

    fn pollutants(components: &str) -> Vec<String> {
        let std = Standards::embedded();
        std.discharge
            .first_class(&std.substances, &waste(components))
            .into_iter()
            .map(|f| f.pollutant)
            .collect()
    }

    /// GB 8978-1996 Table 1: each compound is matched to the pollutants it carries, and only those.
    #[test]
    fn compounds_match_their_table_1_pollutants() {
        assert_eq!(
            pollutants(r#"[{"name":"mercury(II) chloride"}]"#),
            ["total mercury"]
        );
        assert_eq!(
            pollutants(r#"[{"name":"methylmercury chloride"}]"#),
            ["total mercury", "alkyl mercury"]
        );
        assert_eq!(
            pollutants(r#"[{"name":"potassium dichromate"}]"#),
            ["total chromium", "hexavalent chromium"]
        );
        assert_eq!(
            pollutants(r#"[{"name":"chromium(III) sulfate"}]"#),
            ["total chromium"]
        );
        assert!(pollutants(r#"[{"name":"copper(II) sulfate"}]"#).is_empty());
        // A declared fraction of 0 is a declared absence.
        assert!(
            pollutants(
                r#"[{"name":"lead(II) nitrate","fraction":"0"},{"name":"water","fraction":"1"}]"#
            )
            .is_empty()
        );
    }

    /// The cyanide trace is a setting (gb8978-1996.toml): at or below it the exclusions are not refused for
    /// cyanide; above it, or undeclared, they are.
    #[test]
    fn cyanide_blocks_above_the_trace_or_when_undeclared() {
        let std = Standards::embedded();
        let block = |c: &str| std.discharge.block(&std.substances, &waste(c));
        let at = std.discharge.cyanide_trace;
        let rest = rust_decimal::Decimal::ONE - at;
        assert!(
            block(&format!(
                r#"[{{"name":"potassium cyanide","fraction":"{at}"}},{{"name":"water","fraction":"{rest}"}}]"#
            ))
            .is_none()
        );
        assert!(
            block(r#"[{"name":"potassium cyanide","fraction":"0.01"},{"name":"water","fraction":"0.99"}]"#)
                .is_some_and(|b| b.cyanide == ["potassium cyanide"])
        );
        assert!(block(r#"[{"name":"potassium cyanide"},{"name":"water"}]"#).is_some());
    }
}
