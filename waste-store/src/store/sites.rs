//! Storage sites: the rows of a site, its inspections and findings, and the signs printed for it; the containers
//! standing at a site.

use super::Tx;
use super::page::Keyset;
use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::{containers, site_findings, site_inspections, site_signs, storage_sites};
use diesel::prelude::*;

/// A `storage_sites` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = storage_sites)]
pub struct SiteRow {
    pub id: String,
    pub organization_id: String,
    pub kind: String,
    pub name: String,
    pub location: String,
    pub containment_l: Option<String>,
    pub responsible: String,
    pub contact: String,
    pub facility_code: String,
    /// Zone names, JSON.
    pub zones: String,
    pub created_by: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = site_inspections)]
pub struct InspectionRow {
    pub id: String,
    pub site_id: String,
    pub inspected_on: String,
    pub inspector: String,
    /// The answered checklist, JSON.
    pub items: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = site_findings)]
pub struct FindingRow {
    pub id: String,
    pub inspection_id: String,
    pub site_id: String,
    pub item: String,
    pub description: String,
    pub clause: String,
    pub followed_up_on: Option<String>,
    pub follow_up_by: Option<String>,
    pub follow_up_action: Option<String>,
    pub followed_up_at: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = site_signs)]
pub struct SignRow {
    pub id: String,
    pub site_id: String,
    pub sign: String,
    pub zone: Option<String>,
    pub digest: String,
    pub printed_by: String,
    pub printed_at: String,
}

/// A container standing at a site, as the site rules need it.
#[derive(Debug, Clone, Queryable)]
pub struct Placed {
    pub id: String,
    pub digital_id: Option<String>,
    pub zone: Option<String>,
    pub capacity_l: String,
    pub holds_liquid: bool,
    pub filled_l: String,
    pub contents: String,
    pub code: Option<String>,
    pub hazards: String,
    pub stream: Option<String>,
    pub status: String,
}

pub fn insert(tx: &mut Tx, row: &SiteRow) -> Result<(), StoreError> {
    diesel::insert_into(storage_sites::table)
        .values(row)
        .execute(tx.conn())?;
    Ok(())
}

/// Serialises writers that change what stands at a site (PostgreSQL; SQLite has one writer): the 3 t check and
/// the write that follows it must see the same site.
pub fn lock(tx: &mut Tx, id: &str) -> Result<(), StoreError> {
    crate::prepared::lock_row!(tx, "storage_sites", id)
}

pub fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<SiteRow>, StoreError> {
    Ok(storage_sites::table
        .filter(storage_sites::id.eq(id))
        .select(SiteRow::as_select())
        .first(conn)
        .optional()?)
}

/// The sites of one organisation (all organisations with None), in id order.
pub fn list(
    conn: &mut AnyConnection,
    scope: &super::Scope,
    page: &Keyset,
) -> Result<Vec<SiteRow>, StoreError> {
    let mut q = storage_sites::table
        .select(SiteRow::as_select())
        .order(storage_sites::id.asc())
        .into_boxed();
    match scope {
        super::Scope::All => {}
        super::Scope::Division(p) => {
            q = q.filter(
                storage_sites::organization_id.eq_any(super::division_ids(format!("{p}%"))),
            );
        }
        super::Scope::Org(o) => q = q.filter(storage_sites::organization_id.eq(o.to_owned())),
    }
    if let Some(a) = &page.after {
        q = q.filter(storage_sites::id.gt(a.clone()));
    }
    Ok(q.limit(page.limit).load(conn)?)
}

/// Every site of these organisations.
pub fn of_organizations(
    conn: &mut AnyConnection,
    orgs: &[String],
) -> Result<Vec<SiteRow>, StoreError> {
    Ok(storage_sites::table
        .filter(storage_sites::organization_id.eq_any(orgs))
        .select(SiteRow::as_select())
        .order(storage_sites::id.asc())
        .load(conn)?)
}

/// The containers standing at a site: open or sealed, not yet picked up.
pub fn placed(conn: &mut AnyConnection, site: &str) -> Result<Vec<Placed>, StoreError> {
    Ok(containers::table
        .filter(containers::site_id.eq(site))
        .filter(containers::status.eq_any(["open", "sealed"]))
        .order(containers::id.asc())
        .select((
            containers::id,
            containers::digital_id,
            containers::zone,
            containers::capacity_l,
            containers::holds_liquid,
            containers::filled_l,
            containers::contents,
            containers::code,
            containers::hazards,
            containers::stream,
            containers::status,
        ))
        .load(conn)?)
}

/// Places a container at a site and zone.
pub fn place(
    tx: &mut Tx,
    container: &str,
    site: Option<&str>,
    zone: Option<&str>,
) -> Result<(), StoreError> {
    diesel::update(containers::table.filter(containers::id.eq(container)))
        .set((containers::site_id.eq(site), containers::zone.eq(zone)))
        .execute(tx.conn())?;
    Ok(())
}

pub fn insert_inspection(
    tx: &mut Tx,
    row: &InspectionRow,
    findings: &[FindingRow],
) -> Result<(), StoreError> {
    diesel::insert_into(site_inspections::table)
        .values(row)
        .execute(tx.conn())?;
    for f in findings {
        diesel::insert_into(site_findings::table)
            .values(f)
            .execute(tx.conn())?;
    }
    Ok(())
}

/// The latest inspection of a site (by date, then by when it was recorded).
pub fn last_inspection(
    conn: &mut AnyConnection,
    site: &str,
) -> Result<Option<InspectionRow>, StoreError> {
    Ok(site_inspections::table
        .filter(site_inspections::site_id.eq(site))
        .order((
            site_inspections::inspected_on.desc(),
            site_inspections::recorded_at.desc(),
        ))
        .select(InspectionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Findings not followed up yet, oldest first.
pub fn open_findings(conn: &mut AnyConnection, site: &str) -> Result<Vec<FindingRow>, StoreError> {
    Ok(site_findings::table
        .filter(site_findings::site_id.eq(site))
        .filter(site_findings::followed_up_on.is_null())
        .order(site_findings::id.asc())
        .select(FindingRow::as_select())
        .load(conn)?)
}

pub fn finding(
    conn: &mut AnyConnection,
    site: &str,
    id: &str,
) -> Result<Option<FindingRow>, StoreError> {
    Ok(site_findings::table
        .filter(site_findings::site_id.eq(site))
        .filter(site_findings::id.eq(id))
        .select(FindingRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn inspection_date(conn: &mut AnyConnection, id: &str) -> Result<String, StoreError> {
    Ok(site_inspections::table
        .filter(site_inspections::id.eq(id))
        .select(site_inspections::inspected_on)
        .first(conn)?)
}

/// Records a follow-up; guarded on the finding still being open, so two follow-ups cannot both be recorded.
pub fn follow_up(
    tx: &mut Tx,
    id: &str,
    on: &str,
    by: &str,
    action: &str,
    at: &str,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        site_findings::table
            .filter(site_findings::id.eq(id))
            .filter(site_findings::followed_up_on.is_null()),
    )
    .set((
        site_findings::followed_up_on.eq(on),
        site_findings::follow_up_by.eq(by),
        site_findings::follow_up_action.eq(action),
        site_findings::followed_up_at.eq(at),
    ))
    .execute(tx.conn())?;
    Ok(n == 1)
}

pub fn insert_sign(tx: &mut Tx, row: &SignRow) -> Result<(), StoreError> {
    diesel::insert_into(site_signs::table)
        .values(row)
        .execute(tx.conn())?;
    Ok(())
}

/// The signs printed for a site, oldest first.
pub fn signs(conn: &mut AnyConnection, site: &str) -> Result<Vec<SignRow>, StoreError> {
    Ok(site_signs::table
        .filter(site_signs::site_id.eq(site))
        .order((site_signs::printed_at.asc(), site_signs::id.asc()))
        .select(SignRow::as_select())
        .load(conn)?)
}

/// Writes a site's editable fields (name, location, containment, responsible person, contact, zones).
pub fn update(tx: &mut Tx, row: &SiteRow) -> Result<(), StoreError> {
    let n = diesel::update(storage_sites::table.filter(storage_sites::id.eq(&row.id)))
        .set((
            storage_sites::name.eq(&row.name),
            storage_sites::location.eq(&row.location),
            storage_sites::containment_l.eq(&row.containment_l),
            storage_sites::responsible.eq(&row.responsible),
            storage_sites::contact.eq(&row.contact),
            storage_sites::zones.eq(&row.zones),
        ))
        .execute(tx.conn())?;
    if n == 1 {
        Ok(())
    } else {
        Err(StoreError::NotFound("storage site"))
    }
}
