//! Records the law asks for: the HJ 1259-2022 management ledger, the management class and declaration calendar,
//! the annual report, and the paper fallback of the Transfer Measures Art.20. Rules data:
//! `standards-data/data/hj1259.toml`; rule text: `docs/records.md`.

pub mod annual;
pub mod class;
pub mod ledger;
pub mod paper;
pub mod rules;

pub use annual::{AnnualReport, annual_report};
pub use class::{ClassDecision, ManagementClass, SiteProfile, alerts, calendar, management_class};
pub use ledger::{ContainerHistory, LedgerRecord, Period, ledger};
pub use paper::{PaperDates, PaperEntryCheck, check_paper_entry};
pub use rules::{RecordRules, Stage};

/// Dates travel as `YYYY-MM-DD` strings.
pub(crate) fn ser_date<S: serde::Serializer>(d: &time::Date, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

/// The tag `SOURCES.md` uses for a confidence.
pub(crate) fn confidence_tag(c: crate::citation::Confidence) -> &'static str {
    match c {
        crate::citation::Confidence::Confirmed => "C",
        crate::citation::Confidence::Secondary => "S",
        crate::citation::Confidence::Unconfirmed => "UNCONFIRMED",
    }
}
