//! The to-do list of a site: signs, inspections, findings and every warning of its status.

use super::SiteRules;
use super::inspection::{InspectionDue, InspectionStatus};
use super::status::{SiteStatus, SiteWarningCode};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TodoCode {
    SignNeverPrinted,
    SignOutdated,
    InspectionNever,
    InspectionOverdue,
    InspectionDueSoon,
    OpenFindings,
    NearCeiling,
    OverCeiling,
    ContainmentShort,
    IncompatibleInZone,
}

/// Something the people responsible for a site must do, with the clause that asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TodoItem {
    pub code: TodoCode,
    pub message: String,
    pub citation: String,
}

impl SiteRules {
    /// What the site needs done: signs not printed or outdated (GB 18597-2023 4.6, HJ 1276-2022), an inspection
    /// never made, overdue or due soon (8.2.2), findings not followed up, and every warning of its status.
    pub fn todo(
        &self,
        status: &SiteStatus,
        due: &InspectionDue,
        open_findings: usize,
        signs: &[(crate::sign::SignRecord, crate::sign::SignState)],
    ) -> Vec<TodoItem> {
        use crate::sign::{SignState, SignType};
        let sign_clause = self
            .checklist_item("sign_posted_current")
            .map(|i| i.clause.clone())
            .unwrap_or_else(|| "GB 18597-2023 4.6".into());
        let mut out = Vec::new();
        for (s, state) in signs {
            let what = match (s.sign, &s.zone) {
                (SignType::Facility, _) => "the facility sign".to_owned(),
                (SignType::Zone, Some(z)) => format!("the sign of zone '{z}'"),
                (SignType::Zone, None) => "the zone sign".to_owned(),
            };
            let (code, message) = match state {
                SignState::Current => continue,
                SignState::NeverPrinted => {
                    (TodoCode::SignNeverPrinted, format!("print and post {what}"))
                }
                SignState::Outdated => (
                    TodoCode::SignOutdated,
                    format!("{what} no longer matches the site: print and post it again"),
                ),
            };
            out.push(TodoItem {
                code,
                message,
                citation: sign_clause.clone(),
            });
        }
        let inspection = match due.status {
            InspectionStatus::Never => Some((
                TodoCode::InspectionNever,
                "no self-inspection recorded yet".to_owned(),
            )),
            InspectionStatus::Overdue => Some((
                TodoCode::InspectionOverdue,
                format!(
                    "self-inspection overdue by {} days (due {})",
                    -due.days_left.unwrap_or(0),
                    due.due_on.map(|d| d.to_string()).unwrap_or_default()
                ),
            )),
            InspectionStatus::DueSoon => Some((
                TodoCode::InspectionDueSoon,
                format!(
                    "self-inspection due on {}",
                    due.due_on.map(|d| d.to_string()).unwrap_or_default()
                ),
            )),
            InspectionStatus::Ok => None,
        };
        if let Some((code, message)) = inspection {
            out.push(TodoItem {
                code,
                message,
                citation: due.citation.clone(),
            });
        }
        if open_findings > 0 {
            out.push(TodoItem {
                code: TodoCode::OpenFindings,
                message: format!("{open_findings} inspection finding(s) not followed up"),
                citation: self.inspection.clause.clone(),
            });
        }
        for w in &status.warnings {
            let code = match w.code {
                SiteWarningCode::NearCeiling => TodoCode::NearCeiling,
                SiteWarningCode::OverCeiling => TodoCode::OverCeiling,
                SiteWarningCode::ContainmentShort => TodoCode::ContainmentShort,
                SiteWarningCode::IncompatibleInZone => TodoCode::IncompatibleInZone,
            };
            out.push(TodoItem {
                code,
                message: w.message.clone(),
                citation: w.citation.clone(),
            });
        }
        out
    }
}
