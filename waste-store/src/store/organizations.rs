//! Organisations as the use cases read them.

use super::Scope;
use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::{licences, organizations};
use diesel::prelude::*;
use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};
use waste_core::party::OrgKind;

/// The two facts about an organisation that never change once registered: its name and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub name: String,
    pub kind: OrgKind,
}

/// Organisations by id, kept once read: every addition's answer carries the label, which names the organisation,
/// and no endpoint edits an organisation's name or kind (ids are UUIDs, so one process serving several databases cannot mix
/// them up). Saves one statement per addition.
static SUMMARIES: LazyLock<RwLock<HashMap<String, Summary>>> = LazyLock::new(Default::default);

/// Name and kind of an organisation; `NotFound("organisation")` when there is none.
pub fn summary(conn: &mut AnyConnection, id: &str) -> Result<Summary, StoreError> {
    if let Some(s) = SUMMARIES.read().ok().and_then(|m| m.get(id).cloned()) {
        return Ok(s);
    }
    let Some((name, kind)) = organizations::table
        .filter(organizations::id.eq(id))
        .select((organizations::name, organizations::kind))
        .first::<(String, String)>(conn)
        .optional()?
    else {
        return Err(StoreError::NotFound("organisation"));
    };
    let kind = OrgKind::parse(&kind)
        .ok_or_else(|| StoreError::Internal(format!("stored organisation kind '{kind}'")))?;
    let s = Summary { name, kind };
    if let Ok(mut m) = SUMMARIES.write() {
        if m.len() >= 100_000 {
            m.clear();
        }
        m.insert(id.to_owned(), s.clone());
    }
    Ok(s)
}

/// The unified social credit code, when registered (the first segment of a label's digital id).
pub fn credit_code(conn: &mut AnyConnection, id: &str) -> Result<Option<String>, StoreError> {
    Ok(organizations::table
        .filter(organizations::id.eq(id))
        .select(organizations::credit_code)
        .first(conn)?)
}

/// The region code (6 digits) of an organisation.
pub fn region(conn: &mut AnyConnection, id: &str) -> Result<String, StoreError> {
    organizations::table
        .filter(organizations::id.eq(id))
        .select(organizations::region_code)
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound("organisation"))
}

/// An `organizations` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organizations)]
pub struct OrgRow {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub credit_code: Option<String>,
    pub region_code: String,
    pub license_number: Option<String>,
    /// JSON list of waste codes.
    pub license_waste_codes: Option<String>,
    pub license_valid_until: Option<String>,
    pub created_at: String,
    pub contact: Option<String>,
}

/// A `licences` row: one version of an organisation's licence.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = licences)]
pub struct LicenceRow {
    pub id: String,
    pub organization_id: String,
    pub number: String,
    /// JSON list of waste codes.
    pub waste_codes: String,
    /// None: since registration.
    pub valid_from: Option<String>,
    pub valid_until: String,
    /// `registration`, or the recording user's id.
    pub recorded_by: String,
    pub recorded_at: String,
}

pub fn insert_licence(conn: &mut AnyConnection, row: &LicenceRow) -> Result<(), StoreError> {
    diesel::insert_into(licences::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Every licence version of an organisation, in the order recorded.
pub fn licences(conn: &mut AnyConnection, org: &str) -> Result<Vec<LicenceRow>, StoreError> {
    Ok(licences::table
        .filter(licences::organization_id.eq(org))
        .order((licences::recorded_at.asc(), licences::id.asc()))
        .select(LicenceRow::as_select())
        .load(conn)?)
}

/// The licence shown as the organisation's (the newest version recorded).
pub fn set_current_licence(
    conn: &mut AnyConnection,
    org: &str,
    l: &LicenceRow,
) -> Result<(), StoreError> {
    diesel::update(organizations::table.filter(organizations::id.eq(org)))
        .set((
            organizations::license_number.eq(Some(&l.number)),
            organizations::license_waste_codes.eq(Some(&l.waste_codes)),
            organizations::license_valid_until.eq(Some(&l.valid_until)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_contact(conn: &mut AnyConnection, org: &str, contact: &str) -> Result<(), StoreError> {
    diesel::update(organizations::table.filter(organizations::id.eq(org)))
        .set(organizations::contact.eq(Some(contact)))
        .execute(conn)?;
    Ok(())
}

pub fn insert(conn: &mut AnyConnection, row: &OrgRow) -> Result<(), StoreError> {
    diesel::insert_into(organizations::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn credit_code_taken(conn: &mut AnyConnection, credit: &str) -> Result<bool, StoreError> {
    let n: i64 = organizations::table
        .filter(organizations::credit_code.eq(credit))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<OrgRow>, StoreError> {
    Ok(organizations::table
        .filter(organizations::id.eq(id))
        .select(OrgRow::as_select())
        .first(conn)
        .optional()?)
}

/// Organisations in id order, of `scope`.
pub fn list(
    conn: &mut AnyConnection,
    scope: &Scope,
    page: &super::page::Keyset,
) -> Result<Vec<OrgRow>, StoreError> {
    let mut q = organizations::table
        .select(OrgRow::as_select())
        .order(organizations::id.asc())
        .limit(page.limit)
        .into_boxed();
    match scope {
        Scope::All => {}
        Scope::Division(p) => q = q.filter(organizations::region_code.like(format!("{p}%"))),
        Scope::Org(o) => q = q.filter(organizations::id.eq(o.to_owned())),
    }
    if let Some(a) = &page.after {
        q = q.filter(organizations::id.gt(a.clone()));
    }
    Ok(q.load(conn)?)
}

/// An organisation as the administrator's list shows it.
#[derive(Debug, Clone, Queryable)]
pub struct Listed {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub credit_code: Option<String>,
    pub region_code: String,
    pub license_number: Option<String>,
    pub license_valid_until: Option<String>,
}

/// Every organisation by name (at most 1 000), or the one `id`.
pub fn listing(conn: &mut AnyConnection, id: Option<&str>) -> Result<Vec<Listed>, StoreError> {
    let mut q = organizations::table
        .select((
            organizations::id,
            organizations::kind,
            organizations::name,
            organizations::credit_code,
            organizations::region_code,
            organizations::license_number,
            organizations::license_valid_until,
        ))
        .order(organizations::name.asc())
        .limit(1000)
        .into_boxed();
    if let Some(id) = id {
        q = q.filter(organizations::id.eq(id.to_owned()));
    }
    Ok(q.load::<Listed>(conn)?)
}

/// How many organisations are registered.
pub fn count(conn: &mut AnyConnection) -> Result<usize, StoreError> {
    let n: i64 = organizations::table.count().get_result(conn)?;
    Ok(usize::try_from(n).unwrap_or(0))
}
