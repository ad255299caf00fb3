//! The records rules as data (`standards-data/data/hj1259.toml`): class thresholds, batch-code prefixes, the
//! litre density setting, declaration due dates, alert lead times and the paper-fallback window.

use crate::citation::Confidence;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::OnceLock;

/// A ledger stage and its HJ 1259-2022 Appendix B batch-code prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 产生: the container's first addition (HWCS).
    Generation,
    /// 入库: into storage (HWRK).
    StorageIn,
    /// 出库: out of storage (HWCK).
    StorageOut,
    /// 自行利用 (HWZXLY). Schools have no own facility; kept so the prefix table is complete.
    OwnUtilisation,
    /// 自行处置 (HWZXCZ).
    OwnDisposal,
    /// 委外利用: utilised off site by a licensed receiver (HWWWLY).
    OffsiteUtilisation,
    /// 委外处置: disposed of off site by a licensed receiver (HWWWCZ).
    OffsiteDisposal,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Self::Generation,
        Self::StorageIn,
        Self::StorageOut,
        Self::OwnUtilisation,
        Self::OwnDisposal,
        Self::OffsiteUtilisation,
        Self::OffsiteDisposal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Generation => "generation",
            Self::StorageIn => "storage_in",
            Self::StorageOut => "storage_out",
            Self::OwnUtilisation => "own_utilisation",
            Self::OwnDisposal => "own_disposal",
            Self::OffsiteUtilisation => "offsite_utilisation",
            Self::OffsiteDisposal => "offsite_disposal",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What an off-site receiver does with the waste, from its method code's letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MethodKind {
    Utilisation,
    Disposal,
}

/// A rule value with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sourced<T> {
    pub value: T,
    pub source: String,
    pub confidence: Confidence,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClassThresholds {
    /// At or above this annual amount: 简化管理.
    pub simplified_from_t: Decimal,
    /// At or above this annual amount: 重点监管.
    pub key_from_t: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeclarationDates {
    pub annual_month: u8,
    pub annual_day: u8,
    pub quarterly_day: u8,
    pub monthly_day: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertLeads {
    pub annual_days_before: i64,
    pub periodic_days_before: i64,
}

#[derive(Debug, Clone)]
pub struct RecordRules {
    pub classes: Sourced<ClassThresholds>,
    /// 4.2.3: years of history needed before the three-year maximum applies.
    pub full_history_years: Sourced<u32>,
    pub serial_digits: Sourced<usize>,
    prefixes: BTreeMap<Stage, String>,
    methods: Vec<(char, MethodKind)>,
    pub method_default: Sourced<MethodKind>,
    /// kg per litre used to express a volume in tonnes until the waste is weighed.
    pub litre_density: Sourced<Decimal>,
    pub ledger_retention_years: Sourced<u32>,
    pub declaration: Sourced<DeclarationDates>,
    pub alerts: Sourced<AlertLeads>,
    /// Transfer Measures Art.20: working days allowed to enter a paper manifest.
    pub paper_fallback_working_days: Sourced<u32>,
}

impl RecordRules {
    pub fn parse(text: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Raw {
            classes: Classes,
            annual_amount: AnnualAmount,
            batch_code: BatchCode,
            method: Vec<Method>,
            method_default: MethodDefault,
            conversion: Conversion,
            retention: Retention,
            declaration: Declaration,
            alerts: Alerts,
            paper_fallback: Paper,
        }
        #[derive(Deserialize)]
        struct Classes {
            simplified_from_tonnes: String,
            key_from_tonnes: String,
            source: String,
            confidence: Confidence,
        }
        #[derive(Deserialize)]
        struct AnnualAmount {
            full_history_years: u32,
            source: String,
            confidence: Confidence,
        }
        #[derive(Deserialize)]
        struct BatchCode {
            serial_digits: usize,
            source: String,
            confidence: Confidence,
            prefix: Vec<Prefix>,
        }
        #[derive(Deserialize)]
        struct Prefix {
            stage: String,
            prefix: String,
        }
        #[derive(Deserialize)]
        struct Method {
            prefix: char,
            kind: MethodKind,
        }
        #[derive(Deserialize)]
        struct MethodDefault {
            kind: MethodKind,
            source: String,
            confidence: Confidence,
        }
        #[derive(Deserialize)]
        struct Conversion {
            litre_density_kg_per_l: String,
            source: String,
            confidence: Confidence,
        }
        #[derive(Deserialize)]
        struct Retention {
            ledger_years: u32,
            source: String,
            confidence: Confidence,
        }
        #[derive(Deserialize)]
        struct Declaration {
            annual_due_month: u8,
            annual_due_day: u8,
            quarterly_due_day: u8,
            monthly_due_day: u8,
            source: String,
            confidence: Confidence,
        }
        #[derive(Deserialize)]
        struct Alerts {
            annual_days_before: i64,
            periodic_days_before: i64,
            source: String,
            confidence: Confidence,
        }
        #[derive(Deserialize)]
        struct Paper {
            working_days: u32,
            source: String,
            confidence: Confidence,
        }
        let e = |m: String| format!("hj1259: {m}");
        let raw: Raw = toml::from_str(text).map_err(|x| e(x.to_string()))?;
        let dec = |s: &str, what: &str| {
            Decimal::from_str(s.trim()).map_err(|x| e(format!("{what} '{s}': {x}")))
        };
        let simplified = dec(
            &raw.classes.simplified_from_tonnes,
            "simplified_from_tonnes",
        )?;
        let key = dec(&raw.classes.key_from_tonnes, "key_from_tonnes")?;
        if !(Decimal::ZERO < simplified && simplified < key) {
            return Err(e(format!(
                "class thresholds must satisfy 0 < simplified ({simplified}) < key ({key})"
            )));
        }
        let mut prefixes = BTreeMap::new();
        for p in raw.batch_code.prefix {
            let stage =
                Stage::parse(&p.stage).ok_or_else(|| e(format!("unknown stage '{}'", p.stage)))?;
            if p.prefix.is_empty() || !p.prefix.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(e(format!(
                    "prefix '{}' is not upper-case letters",
                    p.prefix
                )));
            }
            if prefixes.insert(stage, p.prefix).is_some() {
                return Err(e(format!("stage '{}' has two prefixes", p.stage)));
            }
        }
        if let Some(missing) = Stage::ALL.into_iter().find(|s| !prefixes.contains_key(s)) {
            return Err(e(format!("no batch-code prefix for {}", missing.as_str())));
        }
        if !(1..=6).contains(&raw.batch_code.serial_digits) {
            return Err(e("serial_digits must be 1 to 6".into()));
        }
        let density = dec(
            &raw.conversion.litre_density_kg_per_l,
            "litre_density_kg_per_l",
        )?;
        if density <= Decimal::ZERO {
            return Err(e("the litre density must be positive".into()));
        }
        let d = &raw.declaration;
        // The annual date must exist in every year (no 29 February); the periodic day in every month.
        let annual_ok = time::Month::try_from(d.annual_due_month)
            .ok()
            .and_then(|m| time::Date::from_calendar_date(2023, m, d.annual_due_day).ok())
            .is_some();
        let periodic_ok = [d.quarterly_due_day, d.monthly_due_day]
            .iter()
            .all(|x| (1..=28).contains(x));
        if !annual_ok || !periodic_ok {
            return Err(e("declaration due dates out of range".into()));
        }
        if raw.alerts.annual_days_before < 0 || raw.alerts.periodic_days_before < 0 {
            return Err(e("alert lead times must not be negative".into()));
        }
        Ok(Self {
            classes: Sourced {
                value: ClassThresholds {
                    simplified_from_t: simplified,
                    key_from_t: key,
                },
                source: raw.classes.source,
                confidence: raw.classes.confidence,
            },
            full_history_years: Sourced {
                value: raw.annual_amount.full_history_years,
                source: raw.annual_amount.source,
                confidence: raw.annual_amount.confidence,
            },
            serial_digits: Sourced {
                value: raw.batch_code.serial_digits,
                source: raw.batch_code.source,
                confidence: raw.batch_code.confidence,
            },
            prefixes,
            methods: raw.method.into_iter().map(|m| (m.prefix, m.kind)).collect(),
            method_default: Sourced {
                value: raw.method_default.kind,
                source: raw.method_default.source,
                confidence: raw.method_default.confidence,
            },
            litre_density: Sourced {
                value: density,
                source: raw.conversion.source,
                confidence: raw.conversion.confidence,
            },
            ledger_retention_years: Sourced {
                value: raw.retention.ledger_years,
                source: raw.retention.source,
                confidence: raw.retention.confidence,
            },
            declaration: Sourced {
                value: DeclarationDates {
                    annual_month: d.annual_due_month,
                    annual_day: d.annual_due_day,
                    quarterly_day: d.quarterly_due_day,
                    monthly_day: d.monthly_due_day,
                },
                source: raw.declaration.source,
                confidence: raw.declaration.confidence,
            },
            alerts: Sourced {
                value: AlertLeads {
                    annual_days_before: raw.alerts.annual_days_before,
                    periodic_days_before: raw.alerts.periodic_days_before,
                },
                source: raw.alerts.source,
                confidence: raw.alerts.confidence,
            },
            paper_fallback_working_days: Sourced {
                value: raw.paper_fallback.working_days,
                source: raw.paper_fallback.source,
                confidence: raw.paper_fallback.confidence,
            },
        })
    }

    /// The embedded `hj1259.toml`, parsed on first use; checked by the test suite, so a failure is a build
    /// defect.
    pub fn embedded() -> &'static RecordRules {
        static CELL: OnceLock<RecordRules> = OnceLock::new();
        CELL.get_or_init(|| match RecordRules::parse(standards_data::HJ1259) {
            Ok(r) => r,
            Err(e) => panic!("embedded records data is invalid: {e}"),
        })
    }

    /// The Appendix B prefix of a stage (`parse` refuses data that lacks one).
    pub fn prefix(&self, stage: Stage) -> &str {
        self.prefixes
            .get(&stage)
            .map(String::as_str)
            .unwrap_or("HW")
    }

    /// Off-site utilisation or disposal, from the method code's first letter, and whether the letter was in
    /// the data (`false`: the default was taken and the record says so).
    pub fn method_kind(&self, method: &str) -> (MethodKind, bool) {
        let first = method.trim().chars().next();
        match self.methods.iter().find(|(p, _)| Some(*p) == first) {
            Some((_, kind)) => (*kind, true),
            None => (self.method_default.value, false),
        }
    }
}
