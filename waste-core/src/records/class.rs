//! The management class of a generating site (HJ 1259-2022 4.2.1), the annual amount it rests on (4.2.3), and
//! what the site must file when (7.2), with alerts ahead of each due date.

use super::rules::RecordRules;
use crate::storage::add_months;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use time::{Date, Month};

/// 4.2.1 classes, in increasing order of supervision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ManagementClass {
    /// 登记管理: under 10 t a year.
    Registration,
    /// 简化管理: 10 t a year and more, under 100 t.
    Simplified,
    /// 重点监管: 100 t a year and more, or an own utilisation/disposal facility, or a hazardous-waste licence.
    Key,
}

impl ManagementClass {
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Registration => "登记管理",
            Self::Simplified => "简化管理",
            Self::Key => "重点监管",
        }
    }
}

/// What the system knows about a site for 4.2.1 / 4.2.3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteProfile {
    /// When the site started operating (the service uses the date the organisation was registered in it).
    pub operating_since: Date,
    /// Tonnes generated per calendar year, as the ledger records them.
    pub yearly_tonnes: BTreeMap<i32, Decimal>,
    /// The annual figure of the EIA document or permit, for a site in operation under a year (4.2.3).
    pub permit_figure_t: Option<Decimal>,
    /// Has its own utilisation or disposal facility.
    pub own_facility: bool,
    /// Holds a hazardous-waste licence (经营许可证).
    pub holds_licence: bool,
}

/// Which 4.2.3 rule gave the annual amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum AmountBasis {
    /// Three years or more in operation: the largest of the last three calendar years.
    LargestOfLastYears { years: Vec<i32> },
    /// One to three years: the largest year so far (the current one included).
    LargestSoFar { years: Vec<i32> },
    /// Under one year: the EIA or permit figure.
    PermitFigure,
    /// Under one year and no EIA or permit figure recorded: what the ledger holds so far. Record the figure to
    /// follow 4.2.3 exactly.
    RecordedSoFar,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClassDecision {
    pub class: ManagementClass,
    pub class_zh: &'static str,
    pub annual_amount_t: Decimal,
    pub basis: AmountBasis,
    pub full_years_in_operation: u32,
    /// Why this class, in words.
    pub reason: String,
    /// The same in Chinese.
    pub reason_zh: String,
    pub citation: String,
    pub amount_citation: String,
}

fn full_years(since: Date, as_of: Date) -> u32 {
    let mut n = 0;
    while n < 200 && add_months(since, 12 * (n + 1)) <= as_of {
        n += 1;
    }
    n
}

/// The annual amount of 4.2.3 and the rule that gave it.
pub fn annual_amount(
    rules: &RecordRules,
    p: &SiteProfile,
    as_of: Date,
) -> (Decimal, AmountBasis, u32) {
    let n = full_years(p.operating_since, as_of);
    let of = |y: &i32| p.yearly_tonnes.get(y).copied().unwrap_or(Decimal::ZERO);
    let max_of = |years: &[i32]| years.iter().map(of).max().unwrap_or(Decimal::ZERO);
    let history = rules.full_history_years.value;
    if n >= history {
        let years: Vec<i32> = (as_of.year() - history as i32..as_of.year()).collect();
        (
            max_of(&years),
            AmountBasis::LargestOfLastYears {
                years: years.clone(),
            },
            n,
        )
    } else if n >= 1 {
        let years: Vec<i32> = (p.operating_since.year()..=as_of.year()).collect();
        (
            max_of(&years),
            AmountBasis::LargestSoFar {
                years: years.clone(),
            },
            n,
        )
    } else if let Some(t) = p.permit_figure_t {
        (t, AmountBasis::PermitFigure, n)
    } else {
        // Under a year: every recorded year lies within the last twelve months, so their sum is the amount.
        let sum = p
            .yearly_tonnes
            .iter()
            .filter(|(y, _)| **y >= p.operating_since.year())
            .map(|(_, t)| *t)
            .sum();
        (sum, AmountBasis::RecordedSoFar, n)
    }
}

/// 4.2.1: the class from the annual amount, or key whatever the amount for a site with its own facility or a
/// licence.
pub fn management_class(rules: &RecordRules, p: &SiteProfile, as_of: Date) -> ClassDecision {
    let (amount, basis, years) = annual_amount(rules, p, as_of);
    let th = &rules.classes.value;
    let (class, reason, reason_zh) = if p.own_facility {
        (
            ManagementClass::Key,
            "has its own utilisation or disposal facility".to_owned(),
            "有自己的利用或处置设施".to_owned(),
        )
    } else if p.holds_licence {
        (
            ManagementClass::Key,
            "holds a hazardous-waste licence".to_owned(),
            "持有危险废物经营许可证".to_owned(),
        )
    } else if amount >= th.key_from_t {
        (
            ManagementClass::Key,
            format!("{amount} t a year is {} t or more", th.key_from_t),
            format!("年产生量 {amount} 吨，达到 {} 吨及以上", th.key_from_t),
        )
    } else if amount >= th.simplified_from_t {
        (
            ManagementClass::Simplified,
            format!(
                "{amount} t a year is {} t or more and under {} t",
                th.simplified_from_t, th.key_from_t
            ),
            format!(
                "年产生量 {amount} 吨，达到 {} 吨、不足 {} 吨",
                th.simplified_from_t, th.key_from_t
            ),
        )
    } else {
        (
            ManagementClass::Registration,
            format!("{amount} t a year is under {} t", th.simplified_from_t),
            format!("年产生量 {amount} 吨，不足 {} 吨", th.simplified_from_t),
        )
    };
    ClassDecision {
        class,
        class_zh: class.name_zh(),
        annual_amount_t: amount.normalize(),
        basis,
        full_years_in_operation: years,
        reason,
        reason_zh,
        citation: rules.classes.source.clone(),
        amount_citation: rules.full_history_years.source.clone(),
    }
}

/// A filing the class asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Filing {
    /// The year's management plan (管理计划).
    AnnualPlan,
    /// The declaration of the year before (年度申报).
    AnnualDeclaration,
    QuarterlyDeclaration,
    MonthlyDeclaration,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deadline {
    pub filing: Filing,
    /// The period filed for: `2026`, `2026-Q3`, `2026-10`.
    pub covers: String,
    #[serde(serialize_with = "super::ser_date")]
    pub due: Date,
    pub citation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadlineAlert {
    pub deadline: Deadline,
    pub days_left: i64,
}

fn date(year: i32, month: u8, day: u8) -> Option<Date> {
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

/// Every due date falling in `year` for a site of `class`, in date order.
pub fn calendar(rules: &RecordRules, class: ManagementClass, year: i32) -> Vec<Deadline> {
    let d = &rules.declaration.value;
    let cite = rules.declaration.source.clone();
    let mut out = Vec::new();
    if let Some(due) = date(year, d.annual_month, d.annual_day) {
        out.push(Deadline {
            filing: Filing::AnnualPlan,
            covers: year.to_string(),
            due,
            citation: cite.clone(),
        });
        out.push(Deadline {
            filing: Filing::AnnualDeclaration,
            covers: (year - 1).to_string(),
            due,
            citation: cite.clone(),
        });
    }
    match class {
        ManagementClass::Registration => {}
        ManagementClass::Simplified => {
            // Due in the first month of each quarter, for the quarter before.
            for (month, covered_year, q) in
                [(1, year - 1, 4), (4, year, 1), (7, year, 2), (10, year, 3)]
            {
                if let Some(due) = date(year, month, d.quarterly_day) {
                    out.push(Deadline {
                        filing: Filing::QuarterlyDeclaration,
                        covers: format!("{covered_year}-Q{q}"),
                        due,
                        citation: cite.clone(),
                    });
                }
            }
        }
        ManagementClass::Key => {
            for month in 1..=12u8 {
                let (cy, cm) = if month == 1 {
                    (year - 1, 12)
                } else {
                    (year, month - 1)
                };
                if let Some(due) = date(year, month, d.monthly_day) {
                    out.push(Deadline {
                        filing: Filing::MonthlyDeclaration,
                        covers: format!("{cy}-{cm:02}"),
                        due,
                        citation: cite.clone(),
                    });
                }
            }
        }
    }
    out.sort_by_key(|x| (x.due, x.filing as u8));
    out
}

/// The due dates coming up within their alert lead time (annual filings and periodic declarations have their
/// own lead, a setting), as of `today`; a date falling today is still open.
pub fn alerts(rules: &RecordRules, class: ManagementClass, today: Date) -> Vec<DeadlineAlert> {
    let lead = &rules.alerts.value;
    [today.year(), today.year() + 1]
        .into_iter()
        .flat_map(|y| calendar(rules, class, y))
        .filter_map(|deadline| {
            let days_left = (deadline.due - today).whole_days();
            let window = match deadline.filing {
                Filing::AnnualPlan | Filing::AnnualDeclaration => lead.annual_days_before,
                Filing::QuarterlyDeclaration | Filing::MonthlyDeclaration => {
                    lead.periodic_days_before
                }
            };
            (0..=window).contains(&days_left).then_some(DeadlineAlert {
                deadline,
                days_left,
            })
        })
        .collect()
}
