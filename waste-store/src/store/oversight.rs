//! The grouped figures of an education bureau's overview, one query each over a page of schools.

use super::contracts::ContractRow;
use super::page::Keyset;
use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::{
    containers, contracts, manifests, organizations, pickup_requests, pickups,
    storage_sites as sites,
};
use diesel::dsl::{count_star, max};
use diesel::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use waste_core::container::Status;
use waste_core::manifest::ManifestState;
use waste_core::party::OrgKind;

/// A school as the overview lists it.
#[derive(Debug, Clone, Queryable)]
pub struct SchoolRow {
    pub id: String,
    pub name: String,
    pub region_code: String,
}

/// Schools whose region code starts with `prefix`, in id order.
pub fn schools(
    conn: &mut AnyConnection,
    prefix: &str,
    page: &Keyset,
) -> Result<Vec<SchoolRow>, StoreError> {
    let mut q = organizations::table
        .filter(organizations::kind.eq(OrgKind::School.as_str()))
        .filter(organizations::region_code.like(format!("{prefix}%")))
        .select((
            organizations::id,
            organizations::name,
            organizations::region_code,
        ))
        .order(organizations::id.asc())
        .limit(page.limit)
        .into_boxed();
    if let Some(a) = &page.after {
        q = q.filter(organizations::id.gt(a.clone()));
    }
    Ok(q.load(conn)?)
}

const AT_SCHOOL: [Status; 3] = [Status::Open, Status::Sealed, Status::Returned];

fn at_school() -> Vec<&'static str> {
    AT_SCHOOL.iter().map(|s| s.as_str()).collect()
}

/// Containers still at each school.
pub fn containers_at(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<BTreeMap<String, i64>, StoreError> {
    Ok(containers::table
        .filter(containers::organization_id.eq_any(ids))
        .filter(containers::status.eq_any(at_school()))
        .group_by(containers::organization_id)
        .select((containers::organization_id, count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}

/// A container still at a school, with what its storage clock depends on.
#[derive(Debug, Clone, Queryable)]
pub struct ClockRow {
    pub organization_id: String,
    pub custodian_id: Option<String>,
    pub site_id: Option<String>,
    pub clock_started_on: Option<String>,
    pub started_on: Option<String>,
}

/// The containers still at the schools `ids` whose clock has started.
pub fn clocks_at(conn: &mut AnyConnection, ids: &[String]) -> Result<Vec<ClockRow>, StoreError> {
    Ok(containers::table
        .filter(containers::organization_id.eq_any(ids))
        .filter(containers::status.eq_any(at_school()))
        .filter(
            containers::clock_started_on
                .is_not_null()
                .or(containers::started_on.is_not_null()),
        )
        .select((
            containers::organization_id,
            containers::custodian_id,
            containers::site_id,
            containers::clock_started_on,
            containers::started_on,
        ))
        .load(conn)?)
}

/// The organisation and kind of each of the sites `ids`.
pub fn sites_of(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<BTreeMap<String, (String, String)>, StoreError> {
    Ok(sites::table
        .filter(sites::id.eq_any(ids))
        .select((sites::id, sites::organization_id, sites::kind))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(id, org, kind)| (id, (org, kind)))
        .collect())
}

/// The schools among `ids` with a contract that counts on `day` (`shipment::ContractTerms::counts_on`).
pub fn with_contract(
    conn: &mut AnyConnection,
    ids: &[String],
    day: time::Date,
) -> Result<BTreeSet<String>, StoreError> {
    let text = day.to_string();
    Ok(contracts::table
        .filter(contracts::shipper_id.eq_any(ids))
        .filter(contracts::valid_from.le(&text))
        .filter(contracts::valid_until.ge(&text))
        .select(ContractRow::as_select())
        .load::<ContractRow>(conn)?
        .into_iter()
        .filter(|c| c.terms().is_some_and(|t| t.counts_on(day)))
        .map(|c| c.shipper_id)
        .collect())
}

/// The transfer stations each school ships through: those that collected from it, or hold a request of it that
/// was neither declined nor cancelled.
pub fn stations_of(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<BTreeMap<String, BTreeSet<String>>, StoreError> {
    let collected: Vec<(String, String)> = pickups::table
        .filter(pickups::school_id.eq_any(ids))
        .select((pickups::school_id, pickups::station_id))
        .distinct()
        .load(conn)?;
    let asked: Vec<(String, Option<String>)> = pickup_requests::table
        .filter(pickup_requests::school_id.eq_any(ids))
        .filter(pickup_requests::state.ne_all(["declined", "cancelled"]))
        .filter(pickup_requests::station_id.is_not_null())
        .select((pickup_requests::school_id, pickup_requests::station_id))
        .distinct()
        .load(conn)?;
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let asked = asked.into_iter().filter_map(|(s, st)| st.map(|st| (s, st)));
    for (school, station) in collected.into_iter().chain(asked) {
        out.entry(school).or_default().insert(station);
    }
    Ok(out)
}

/// The time of each school's last pickup.
pub fn last_pickup(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<BTreeMap<String, Option<String>>, StoreError> {
    Ok(pickups::table
        .filter(pickups::school_id.eq_any(ids))
        .group_by(pickups::school_id)
        .select((pickups::school_id, max(pickups::picked_at)))
        .load::<(String, Option<String>)>(conn)?
        .into_iter()
        .collect())
}

/// Manifests each school shipped that are neither disposed of nor cancelled.
pub fn manifests_not_closed(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<BTreeMap<String, i64>, StoreError> {
    Ok(manifests::table
        .filter(manifests::shipper_id.eq_any(ids))
        .filter(manifests::status.ne_all([
            ManifestState::Disposed.as_str(),
            ManifestState::Cancelled.as_str(),
        ]))
        .group_by(manifests::shipper_id)
        .select((manifests::shipper_id, count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect())
}
