//! Read-only oversight: the education bureau's overview of its schools, and the audit of every custody chain.

use super::container_state::{ContainerState, clock_of, clock_start, state_of};
use super::{Actor, AppError, Env};
use crate::db::AnyConnection;
use crate::store::organizations;
use crate::store::oversight::{self as q, SchoolRow};
use crate::store::page::{Keyset, Page};
use std::collections::BTreeMap;
use time::Date;
use waste_core::access::Action;
use waste_core::party::OrgKind;
use waste_core::storage::StorageStatus;

/// One school's figures.
#[derive(Debug, Clone)]
pub struct SchoolFigures {
    pub school: SchoolRow,
    pub open_containers: i64,
    pub overdue_containers: i64,
    /// Its own contract with a disposal firm counts today, or that of a transfer station it ships through.
    pub valid_disposal_contract: bool,
    /// The station whose contract covers it (id, name), when the school has none of its own.
    pub disposal_contract_via: Option<(String, String)>,
    pub last_pickup: Option<String>,
    pub manifests_not_closed: i64,
    /// Its users without a training record current today (the governance plan: 100% trained before work).
    pub people_untrained: i64,
    /// Containers whose three weighings differ beyond the tolerance (manifest.toml `[weighings]`).
    pub weighings_flagged: i64,
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
    let prefix = division(conn, actor)?;
    let found = q::schools(conn, &prefix, page)?;
    let mut figures = figures(conn, env, &found)?;
    let schools = page
        .page(found, |s| s.id.clone())
        .map(|s| figures.remove(&s.id).unwrap_or_else(|| empty_figures(s)));
    Ok(Overview {
        as_of: day,
        schools,
    })
}

/// The region prefix of the bureau's division (an administrator: every school).
fn division(conn: &mut AnyConnection, actor: &Actor) -> Result<String, AppError> {
    if actor.may(Action::SeeAll).is_ok() {
        return Ok(String::new());
    }
    let region = organizations::region(conn, &actor.org_id)?;
    Ok(waste_core::party::division_prefix(&region))
}

fn empty_figures(s: SchoolRow) -> SchoolFigures {
    SchoolFigures {
        school: s,
        open_containers: 0,
        overdue_containers: 0,
        valid_disposal_contract: false,
        disposal_contract_via: None,
        last_pickup: None,
        manifests_not_closed: 0,
        people_untrained: 0,
        weighings_flagged: 0,
        storage_sites: Vec::new(),
    }
}

/// The figures of `found`, one grouped query each.
fn figures(
    conn: &mut AnyConnection,
    env: &Env,
    found: &[SchoolRow],
) -> Result<BTreeMap<String, SchoolFigures>, AppError> {
    let day = env.clock.today();
    let ids: Vec<String> = found.iter().map(|s| s.id.clone()).collect();
    let open = q::containers_at(conn, &ids)?;
    let overdue = overdue_at(conn, env, &ids, day)?;
    let contracted = q::with_contract(conn, &ids, day)?;
    // A school that ships through a transfer station is covered by the station's contract (the station is the
    // shipper on the manifest); its own, when it has one, is named first.
    let stations = q::stations_of(conn, &ids)?;
    let station_ids: Vec<String> = stations.values().flatten().cloned().collect();
    let stations_contracted = q::with_contract(conn, &station_ids, day)?;
    let mut via = BTreeMap::new();
    for (school, of) in &stations {
        if contracted.contains(school) {
            continue;
        }
        if let Some(st) = of.iter().find(|st| stations_contracted.contains(*st)) {
            via.insert(
                school.clone(),
                (st.clone(), organizations::summary(conn, st)?.name),
            );
        }
    }
    let last = q::last_pickup(conn, &ids)?;
    let not_closed = q::manifests_not_closed(conn, &ids)?;
    let untrained = crate::store::chain::untrained(conn, &ids, &day.to_string())?;
    let mut sites = super::sites::school_summaries(conn, env, &ids)?;
    let flagged = super::weighings::flagged_by_school(conn, env, &ids)?;
    Ok(found
        .iter()
        .map(|s| {
            (
                s.id.clone(),
                SchoolFigures {
                    storage_sites: sites.remove(&s.id).unwrap_or_default(),
                    open_containers: open.get(&s.id).copied().unwrap_or(0),
                    overdue_containers: overdue.get(&s.id).copied().unwrap_or(0),
                    valid_disposal_contract: contracted.contains(&s.id) || via.contains_key(&s.id),
                    disposal_contract_via: via.remove(&s.id),
                    last_pickup: last.get(&s.id).cloned().flatten(),
                    manifests_not_closed: not_closed.get(&s.id).copied().unwrap_or(0),
                    people_untrained: untrained.get(&s.id).copied().unwrap_or(0),
                    weighings_flagged: flagged.get(&s.id).copied().unwrap_or(0),
                    school: s.clone(),
                },
            )
        })
        .collect())
}

/// Per school, its containers whose own storage status is overdue on `day`: the clock each runs on is the one
/// its own page shows (`SiteRules::clock_for`: its holder's site, else its holder), from the same start day.
fn overdue_at(
    conn: &mut AnyConnection,
    env: &Env,
    ids: &[String],
    day: Date,
) -> Result<BTreeMap<String, i64>, AppError> {
    let rows = q::clocks_at(conn, ids)?;
    let site_ids: Vec<String> = rows
        .iter()
        .filter_map(|r| r.site_id.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let sites = q::sites_of(conn, &site_ids)?;
    let mut out = BTreeMap::new();
    for r in rows {
        let Some(start) = clock_start(r.clock_started_on.as_deref(), r.started_on.as_deref())
        else {
            continue;
        };
        let site = r
            .site_id
            .as_ref()
            .and_then(|s| sites.get(s))
            .map(|(o, k)| (o.as_str(), k.as_str()));
        let kind = clock_of(
            conn,
            env.std,
            &r.organization_id,
            r.custodian_id.as_deref(),
            site,
        )?;
        let clock = env.std.storage.clock(kind, start, day);
        if clock.status == StorageStatus::Overdue {
            *out.entry(r.organization_id).or_insert(0) += 1;
        }
    }
    Ok(out)
}

/// One school of the bureau's division, read-only: its figures and the containers it owns, newest first.
pub struct SchoolView {
    pub figures: SchoolFigures,
    pub containers: Vec<ContainerState>,
}

pub fn school(
    conn: &mut AnyConnection,
    env: &Env,
    actor: &Actor,
    id: &str,
) -> Result<SchoolView, AppError> {
    actor.may(Action::Oversee)?;
    let prefix = division(conn, actor)?;
    let row = organizations::by_id(conn, id)?
        .filter(|o| o.kind == OrgKind::School.as_str() && o.region_code.starts_with(&prefix))
        .ok_or(AppError::NotFound("school"))?;
    let s = SchoolRow {
        id: row.id,
        name: row.name,
        region_code: row.region_code,
    };
    let figures = figures(conn, env, std::slice::from_ref(&s))?
        .remove(&s.id)
        .unwrap_or_else(|| empty_figures(s.clone()));
    let today = env.clock.today();
    let mut containers = Vec::new();
    let mut page = Keyset {
        limit: 500,
        after: None,
    };
    for _ in 0..4 {
        let rows = crate::store::containers::list(conn, id, None, &page)?;
        let full = rows.len() as i64 == page.limit;
        page.after = rows.last().map(|r| r.id.clone());
        for r in rows {
            containers.push(state_of(conn, env.std, r, today)?);
        }
        if !full {
            break;
        }
    }
    containers.reverse();
    Ok(SchoolView {
        figures,
        containers,
    })
}
