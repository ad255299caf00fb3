//! Use cases for the records the law asks for: an organisation's HJ 1259-2022 ledger, its annual report and its
//! management class with the declaration calendar. The core decides; this reads the rows and asks it.

use super::{Actor, AppError, Env};
use crate::db::AnyConnection;
use crate::store::records as store;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use time::Date;
use waste_core::access::Action;
use waste_core::records::annual::AnnualReport;
use waste_core::records::class::{ClassDecision, Deadline, DeadlineAlert, SiteProfile};
use waste_core::records::{LedgerRecord, Period, RecordRules, Stage};

/// Who may read an organisation's records: its own users with a records role (the access table's
/// `ReadRecords`), and the administrator any organisation's. Another organisation's records are not found (their
/// existence is not revealed).
pub fn may_read(actor: &Actor, org_id: &str) -> Result<(), AppError> {
    if actor.is_admin() {
        return Ok(());
    }
    if actor.org_id != org_id {
        return Err(AppError::NotFound("organisation"));
    }
    actor.may(Action::ReadRecords)
}

fn keeper(c: &mut AnyConnection, org_id: &str) -> Result<store::OrgRow, AppError> {
    store::organization(c, org_id)?.ok_or(AppError::NotFound("organisation"))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Ledger {
    pub organization_id: String,
    pub organization: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub records: Vec<LedgerRecord>,
    /// HJ 1259-2022 6.4.
    pub retention: String,
    pub citation: String,
}

pub fn ledger(
    c: &mut AnyConnection,
    env: &Env,
    actor: &Actor,
    org_id: &str,
    period: Period,
) -> Result<Ledger, AppError> {
    may_read(actor, org_id)?;
    let org = keeper(c, org_id)?;
    let rules = RecordRules::embedded();
    let histories = store::histories(c, env.std, org_id)?;
    Ok(Ledger {
        organization_id: org_id.to_owned(),
        organization: org.party.name,
        from: period.from.map(|d| d.to_string()),
        to: period.to.map(|d| d.to_string()),
        records: waste_core::records::ledger(rules, env.clock.zone(), org_id, &histories, period),
        retention: format!(
            "kept at least {} years ({})",
            rules.ledger_retention_years.value, rules.ledger_retention_years.source
        ),
        citation: "HJ 1259-2022 6.2–6.4, Appendix B".into(),
    })
}

pub fn annual(
    c: &mut AnyConnection,
    env: &Env,
    actor: &Actor,
    org_id: &str,
    year: i32,
) -> Result<AnnualReport, AppError> {
    may_read(actor, org_id)?;
    keeper(c, org_id)?;
    let histories = store::histories(c, env.std, org_id)?;
    Ok(waste_core::records::annual_report(
        RecordRules::embedded(),
        env.clock.zone(),
        org_id,
        &histories,
        year,
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClassView {
    pub organization_id: String,
    /// Tonnes generated per calendar year, from the ledger: the year (a JSON key, so a string) to a decimal string.
    #[schema(value_type = std::collections::BTreeMap<String, String>)]
    pub yearly_tonnes: BTreeMap<i32, Decimal>,
    pub operating_since: String,
    pub decision: ClassDecision,
    /// Every due date of this year and the next.
    pub calendar: Vec<Deadline>,
    /// Due dates within their alert lead time.
    pub alerts: Vec<DeadlineAlert>,
    pub as_of: String,
}

pub fn management_class(
    c: &mut AnyConnection,
    env: &Env,
    actor: &Actor,
    org_id: &str,
) -> Result<ClassView, AppError> {
    may_read(actor, org_id)?;
    let today = env.clock.today();
    let org = keeper(c, org_id)?;
    let rules = RecordRules::embedded();
    let histories = store::histories(c, env.std, org_id)?;
    let mut yearly: BTreeMap<i32, Decimal> = BTreeMap::new();
    for r in waste_core::records::ledger(rules, env.clock.zone(), org_id, &histories, Period::ALL) {
        if r.stage != Stage::Generation {
            continue;
        }
        let year = r
            .date
            .get(..4)
            .and_then(|y| y.parse().ok())
            .unwrap_or(today.year());
        *yearly.entry(year).or_default() += r.amount.tonnes;
    }
    yearly.values_mut().for_each(|t| *t = t.normalize());
    // The system knows when the organisation was registered in it, not when the site began operating: the
    // earlier of the two the records show.
    let registered = env.clock.date_of_stamp(&org.created_at).unwrap_or(today);
    let first_year = yearly.keys().next().copied();
    let operating_since = match first_year.and_then(|y| Date::from_ordinal_date(y, 1).ok()) {
        Some(d) if d < registered => d,
        _ => registered,
    };
    let profile = SiteProfile {
        operating_since,
        yearly_tonnes: yearly.clone(),
        permit_figure_t: None,
        own_facility: false,
        holds_licence: org.party.licence_number.is_some(),
    };
    let decision = waste_core::records::management_class(rules, &profile, today);
    let mut calendar = waste_core::records::calendar(rules, decision.class, today.year());
    calendar.extend(waste_core::records::calendar(
        rules,
        decision.class,
        today.year() + 1,
    ));
    let alerts = waste_core::records::alerts(rules, decision.class, today);
    Ok(ClassView {
        organization_id: org_id.to_owned(),
        yearly_tonnes: yearly,
        operating_since: operating_since.to_string(),
        decision,
        calendar,
        alerts,
        as_of: today.to_string(),
    })
}
