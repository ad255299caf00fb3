//! The periodic self-inspection (GB 18597-2023 8.2.2): answers, findings, follow-up and when the next is due.

use super::{ChecklistItem, SiteKind, SiteRules};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use time::{Date, Duration};

/// One answer to a checklist question, as submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = InspectionAnswer))]
pub struct Answer {
    pub item: String,
    pub ok: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// A finding as submitted: what is wrong, under which checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = FindingInput))]
pub struct FindingInput {
    pub item: String,
    pub description: String,
}

/// An answered checklist question with the clause it checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckedItem {
    pub item: String,
    pub ok: bool,
    pub note: Option<String>,
    pub clause: String,
}

/// Something found wrong; open until followed up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub item: String,
    pub description: String,
    pub clause: String,
}

/// An inspection the rules accepted: every checklist item answered once, a finding for every failed item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    pub inspected_on: Date,
    pub inspector: String,
    pub items: Vec<CheckedItem>,
    pub findings: Vec<Finding>,
    pub citation: String,
}

/// What was done about a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub done_on: Date,
    pub by: String,
    pub action: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum InspectionError {
    #[error("'{item}' is not a checklist item (known: {known})")]
    UnknownItem { item: String, known: String },
    #[error("checklist item '{item}' is answered twice")]
    DuplicateAnswer { item: String },
    #[error("checklist items not answered: {}", .items.join(", "))]
    Unanswered { items: Vec<String> },
    #[error("the inspector's name is empty")]
    NoInspector,
    #[error("the inspection date {date} is after today ({today})")]
    FutureDate { date: Date, today: Date },
    #[error("a finding needs a description")]
    EmptyFinding,
    #[error("a follow-up needs who did it and what was done")]
    EmptyFollowUp,
    #[error("the follow-up date {date} is before the inspection ({inspected_on}) or after today")]
    FollowUpDate { date: Date, inspected_on: Date },
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

impl SiteRules {
    pub fn checklist_item(&self, key: &str) -> Option<&ChecklistItem> {
        self.checklist.iter().find(|i| i.key == key)
    }

    fn known_items(&self) -> String {
        self.checklist
            .iter()
            .map(|i| i.key.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Accepts an inspection: every checklist item answered exactly once; a failed item without a finding of its
    /// own gets one from its note, so that nothing found wrong is lost.
    pub fn inspection(
        &self,
        inspected_on: Date,
        today: Date,
        inspector: &str,
        answers: &[Answer],
        findings: &[FindingInput],
    ) -> Result<Inspection, InspectionError> {
        if blank(inspector) {
            return Err(InspectionError::NoInspector);
        }
        if inspected_on > today {
            return Err(InspectionError::FutureDate {
                date: inspected_on,
                today,
            });
        }
        let mut seen = BTreeSet::new();
        let mut items = Vec::new();
        for a in answers {
            let item =
                self.checklist_item(&a.item)
                    .ok_or_else(|| InspectionError::UnknownItem {
                        item: a.item.clone(),
                        known: self.known_items(),
                    })?;
            if !seen.insert(a.item.as_str()) {
                return Err(InspectionError::DuplicateAnswer {
                    item: a.item.clone(),
                });
            }
            items.push(CheckedItem {
                item: a.item.clone(),
                ok: a.ok,
                note: a.note.clone().filter(|n| !blank(n)),
                clause: item.clause.clone(),
            });
        }
        let missing: Vec<String> = self
            .checklist
            .iter()
            .filter(|i| !seen.contains(i.key.as_str()))
            .map(|i| i.key.clone())
            .collect();
        if !missing.is_empty() {
            return Err(InspectionError::Unanswered { items: missing });
        }
        let mut out = Vec::new();
        for f in findings {
            let item =
                self.checklist_item(&f.item)
                    .ok_or_else(|| InspectionError::UnknownItem {
                        item: f.item.clone(),
                        known: self.known_items(),
                    })?;
            if blank(&f.description) {
                return Err(InspectionError::EmptyFinding);
            }
            out.push(Finding {
                item: f.item.clone(),
                description: f.description.trim().to_owned(),
                clause: item.clause.clone(),
            });
        }
        // Items are in checklist order for a stable record.
        items.sort_by_key(|c| self.checklist.iter().position(|i| i.key == c.item));
        for c in items.iter().filter(|c| !c.ok) {
            if out.iter().all(|f| f.item != c.item) {
                let en = self
                    .checklist_item(&c.item)
                    .map(|i| i.en.as_str())
                    .unwrap_or("");
                out.push(Finding {
                    item: c.item.clone(),
                    description: c
                        .note
                        .clone()
                        .unwrap_or_else(|| format!("not satisfied: {en}")),
                    clause: c.clause.clone(),
                });
            }
        }
        Ok(Inspection {
            inspected_on,
            inspector: inspector.trim().to_owned(),
            items,
            findings: out,
            citation: self.inspection.clause.clone(),
        })
    }

    /// Accepts the follow-up of a finding made on `inspected_on`.
    pub fn follow_up(
        &self,
        inspected_on: Date,
        today: Date,
        done_on: Date,
        by: &str,
        action: &str,
    ) -> Result<FollowUp, InspectionError> {
        if blank(by) || blank(action) {
            return Err(InspectionError::EmptyFollowUp);
        }
        if done_on < inspected_on || done_on > today {
            return Err(InspectionError::FollowUpDate {
                date: done_on,
                inspected_on,
            });
        }
        Ok(FollowUp {
            done_on,
            by: by.trim().to_owned(),
            action: action.trim().to_owned(),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InspectionStatus {
    /// Never inspected: due now.
    Never,
    Ok,
    DueSoon,
    Overdue,
}

/// When the next self-inspection of a site is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectionDue {
    #[serde(serialize_with = "ser_opt_date")]
    pub last_inspected_on: Option<Date>,
    #[serde(serialize_with = "ser_opt_date")]
    pub due_on: Option<Date>,
    /// Negative once overdue.
    pub days_left: Option<i64>,
    pub interval_days: i64,
    pub status: InspectionStatus,
    pub citation: String,
}

/// A date on the wire as `YYYY-MM-DD`, like every other date the API answers (not serde's `[year, ordinal]`).
fn ser_opt_date<S: serde::Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.collect_str(d),
        None => s.serialize_none(),
    }
}

impl SiteRules {
    /// The next inspection of a site of this kind last inspected on `last` (interval: a setting per kind; the
    /// duty of regular checks: GB 18597-2023 8.2.2).
    pub fn inspection_due(&self, kind: SiteKind, last: Option<Date>, today: Date) -> InspectionDue {
        let interval = self.kind(kind).inspection_interval_days;
        let citation = format!(
            "{} (interval {interval} days: a setting, UNCONFIRMED)",
            self.inspection.clause
        );
        let Some(last) = last else {
            return InspectionDue {
                last_inspected_on: None,
                due_on: None,
                days_left: None,
                interval_days: interval,
                status: InspectionStatus::Never,
                citation,
            };
        };
        let due = last + Duration::days(interval);
        let left = (due - today).whole_days();
        let status = if left < 0 {
            InspectionStatus::Overdue
        } else if left <= self.due_soon_days {
            InspectionStatus::DueSoon
        } else {
            InspectionStatus::Ok
        };
        InspectionDue {
            last_inspected_on: Some(last),
            due_on: Some(due),
            days_left: Some(left),
            interval_days: interval,
            status,
            citation,
        }
    }
}
