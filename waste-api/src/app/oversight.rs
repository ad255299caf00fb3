//! Read-only oversight: the education bureau's overview of its schools, and the audit of every custody chain.

use super::{Actor, AppError, Env};
use crate::db::AnyConnection;
use crate::store::organizations;
use crate::store::oversight::{self as q, SchoolRow};
use crate::store::page::{Keyset, Page};
use time::Date;
use waste_core::access::Action;
use waste_core::storage::SiteKind;

/// One school's figures.
#[derive(Debug, Clone)]
pub struct SchoolFigures {
    pub school: SchoolRow,
    pub open_containers: i64,
    pub overdue_containers: i64,
    pub valid_disposal_contract: bool,
    pub last_pickup: Option<String>,
    pub manifests_not_closed: i64,
    /// Its storage sites: last inspection, open findings, over the warning share of 3 t or short of containment
    /// (GB 18597-2023 8.3.5, 6.2.2, 8.2.2).
    pub storage_sites: Vec<super::sites::SiteSummary>,
}

/// The overview, as of a day.
#[derive(Debug, Clone)]
pub struct Overview {
    pub as_of: Date,
    pub schools: Page<SchoolFigures>,
}

/// Per school of the bureau's division: containers at the school and overdue ones, whether a valid disposal
/// contract exists, the last pickup, manifests not closed. Each figure is one grouped query over the page.
pub fn schools(
    conn: &mut AnyConnection,
    env: &Env,
    actor: &Actor,
    page: &Keyset,
) -> Result<Overview, AppError> {
    actor.may(Action::Oversee)?;
    let day = env.clock.today();
    // A clock is overdue when its deadline (start + limit) has passed: the latest overdue start date.
    let policy = env.std.storage.policy(SiteKind::Lab);
    let mut overdue_before = day;
    while waste_core::storage::add_months(overdue_before, policy.limit_months) >= day {
        overdue_before -= time::Duration::days(1);
    }
    let region = organizations::region(conn, &actor.org_id)?;
    // A bureau sees the schools of its division: its code without the trailing zero pairs.
    let mut prefix = region.as_str();
    while prefix.ends_with("00") {
        prefix = &prefix[..prefix.len() - 2];
    }
    let found = q::schools(conn, prefix, page)?;
    let ids: Vec<String> = found.iter().map(|s| s.id.clone()).collect();
    let open = q::containers_at(conn, &ids, None)?;
    let overdue = q::containers_at(conn, &ids, Some(&overdue_before.to_string()))?;
    let contracted = q::with_contract(conn, &ids, &day.to_string())?;
    let last = q::last_pickup(conn, &ids)?;
    let not_closed = q::manifests_not_closed(conn, &ids)?;
    let mut sites = super::sites::school_summaries(conn, env, &ids)?;
    let schools = page.page(found, |s| s.id.clone()).map(|s| SchoolFigures {
        storage_sites: sites.remove(&s.id).unwrap_or_default(),
        open_containers: open.get(&s.id).copied().unwrap_or(0),
        overdue_containers: overdue.get(&s.id).copied().unwrap_or(0),
        valid_disposal_contract: contracted.contains(&s.id),
        last_pickup: last.get(&s.id).cloned().flatten(),
        manifests_not_closed: not_closed.get(&s.id).copied().unwrap_or(0),
        school: s,
    });
    Ok(Overview {
        as_of: day,
        schools,
    })
}
