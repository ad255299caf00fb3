//! Pickup requests (school → transfer station) and the containers each lists.

use super::Tx;
use super::page::Keyset;
use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::{pickup_request_items, pickup_requests};
use diesel::prelude::*;
use waste_core::pickup::RequestState;

/// A `pickup_requests` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pickup_requests)]
pub struct RequestRow {
    pub id: String,
    pub school_id: String,
    pub state: String,
    /// Raised by every step, so that a writer that did not lock the row cannot overwrite a step.
    pub version: i32,
    pub requested_by: String,
    pub requested_at: String,
    pub preferred_from: String,
    pub preferred_until: String,
    pub contact: String,
    pub note: Option<String>,
    pub station_id: Option<String>,
    pub slot_from: Option<String>,
    pub slot_until: Option<String>,
    pub scheduled_at: Option<String>,
    pub decline_reason: Option<String>,
    pub declined_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub pickup_id: Option<String>,
    pub collected_at: Option<String>,
    pub updated_at: String,
}

impl RequestRow {
    pub fn state(&self) -> Result<RequestState, StoreError> {
        RequestState::parse(&self.state)
            .ok_or_else(|| StoreError::Internal(format!("stored request state '{}'", self.state)))
    }
}

/// What a step changes (None leaves a column as it is).
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = pickup_requests)]
pub struct StepChanges {
    pub state: Option<String>,
    pub version: Option<i32>,
    pub station_id: Option<String>,
    pub slot_from: Option<String>,
    pub slot_until: Option<String>,
    pub scheduled_at: Option<String>,
    pub decline_reason: Option<String>,
    pub declined_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub pickup_id: Option<String>,
    pub collected_at: Option<String>,
    pub updated_at: Option<String>,
}

pub fn insert(tx: &mut Tx, r: &RequestRow, containers: &[String]) -> Result<(), StoreError> {
    diesel::insert_into(pickup_requests::table)
        .values(r)
        .execute(tx.conn())?;
    for c in containers {
        diesel::insert_into(pickup_request_items::table)
            .values((
                pickup_request_items::request_id.eq(&r.id),
                pickup_request_items::container_id.eq(c),
            ))
            .execute(tx.conn())?;
    }
    Ok(())
}

/// Takes the request's row lock until the transaction ends (PostgreSQL; SQLite serialises writers already).
pub fn lock(tx: &mut Tx, id: &str) -> Result<(), StoreError> {
    crate::prepared::lock_row!(tx, "pickup_requests", id)
}

pub fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<RequestRow>, StoreError> {
    Ok(pickup_requests::table
        .filter(pickup_requests::id.eq(id))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()?)
}

/// The containers a request lists, in id order.
pub fn containers(conn: &mut AnyConnection, id: &str) -> Result<Vec<String>, StoreError> {
    Ok(pickup_request_items::table
        .filter(pickup_request_items::request_id.eq(id))
        .select(pickup_request_items::container_id)
        .order(pickup_request_items::container_id.asc())
        .load(conn)?)
}

/// The open request (requested or scheduled) that lists `container`, if any.
pub fn open_request_of(
    conn: &mut AnyConnection,
    container: &str,
) -> Result<Option<String>, StoreError> {
    let open = vec![
        RequestState::Requested.as_str(),
        RequestState::Scheduled.as_str(),
    ];
    Ok(pickup_request_items::table
        .inner_join(pickup_requests::table)
        .filter(pickup_request_items::container_id.eq(container))
        .filter(pickup_requests::state.eq_any(open))
        .select(pickup_requests::id)
        .first(conn)
        .optional()?)
}

/// Applies a step guarded by the version read; a lost guard is a 409.
pub fn apply_step(
    tx: &mut Tx,
    id: &str,
    version: i32,
    changes: &StepChanges,
) -> Result<(), StoreError> {
    let n = diesel::update(
        pickup_requests::table
            .filter(pickup_requests::id.eq(id))
            .filter(pickup_requests::version.eq(version)),
    )
    .set(changes)
    .execute(tx.conn())?;
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::refused(
            "conflict",
            "a concurrent action on this pickup request won; reload",
            serde_json::json!({}),
        ))
    }
}

/// Whose requests a list shows.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Every request (administrators).
    All,
    /// The requests of the schools of a division (an authority's auditor): the region prefix.
    Division(String),
    /// A school's own requests.
    School(String),
    /// A station: requests not yet scheduled of the schools of its service area (the region prefix of
    /// `waste_core::pickup::service_area`; None: no school's) and those it scheduled.
    Station(String, Option<String>),
}

impl Scope {
    /// A station's scope: the open requests of its service area (`waste_core::pickup::service_area` of its
    /// region) and its own.
    pub fn station(conn: &mut AnyConnection, station: &str) -> Result<Scope, StoreError> {
        let region = super::organizations::region(conn, station)?;
        Ok(Scope::Station(
            station.to_owned(),
            waste_core::pickup::service_area(&region),
        ))
    }
}

/// Requests in `scope`, in id order, optionally in some states.
pub fn list(
    conn: &mut AnyConnection,
    scope: &Scope,
    states: &[RequestState],
    page: &Keyset,
) -> Result<Vec<RequestRow>, StoreError> {
    let mut q = pickup_requests::table
        .select(RequestRow::as_select())
        .order(pickup_requests::id.asc())
        .limit(page.limit)
        .into_boxed();
    match scope {
        Scope::All => {}
        Scope::Division(p) => {
            q = q.filter(pickup_requests::school_id.eq_any(super::division_ids(format!("{p}%"))))
        }
        Scope::School(s) => q = q.filter(pickup_requests::school_id.eq(s.clone())),
        Scope::Station(s, area) => {
            // A station registered without a division code matches no school: '#' starts no region code.
            let pattern = format!("{}%", area.as_deref().unwrap_or("#"));
            q = q.filter(
                pickup_requests::state
                    .eq(RequestState::Requested.as_str())
                    .and(pickup_requests::school_id.eq_any(super::division_ids(pattern)))
                    .or(pickup_requests::station_id.eq(s.clone())),
            )
        }
    }
    if !states.is_empty() {
        let names: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
        q = q.filter(pickup_requests::state.eq_any(names));
    }
    if let Some(a) = &page.after {
        q = q.filter(pickup_requests::id.gt(a.clone()));
    }
    Ok(q.load(conn)?)
}
