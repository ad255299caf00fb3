//! Contracts between shippers and disposal firms, and the firms' licences.

use super::{Scope, parse_date, text_list};
use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::contracts;
use diesel::prelude::*;
use waste_core::shipment::{ContractTerms, Licence, LicenceVersion};

/// The contracts between `shipper` and `firm` as the core weighs them (`shipment::counting`).
pub fn terms(
    conn: &mut AnyConnection,
    shipper: &str,
    firm: &str,
) -> Result<Vec<ContractTerms>, StoreError> {
    let rows: Vec<ContractRow> = contracts::table
        .filter(contracts::shipper_id.eq(shipper))
        .filter(contracts::disposal_firm_id.eq(firm))
        .select(ContractRow::as_select())
        .load(conn)?;
    Ok(rows.iter().filter_map(ContractRow::terms).collect())
}

/// Every licence version of a firm (`shipment::licence_on` picks the one of a day).
pub fn licence_versions(
    conn: &mut AnyConnection,
    firm: &str,
) -> Result<Vec<LicenceVersion>, StoreError> {
    Ok(super::organizations::licences(conn, firm)?
        .into_iter()
        .map(|l| LicenceVersion {
            licence: Licence {
                number: Some(l.number),
                waste_codes: text_list(&l.waste_codes).into_iter().collect(),
                valid_until: parse_date(&l.valid_until),
            },
            valid_from: l.valid_from.as_deref().and_then(parse_date),
        })
        .collect())
}

/// A `contracts` row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = contracts)]
pub struct ContractRow {
    pub id: String,
    pub shipper_id: String,
    pub disposal_firm_id: String,
    pub valid_from: String,
    pub valid_until: String,
    /// JSON list.
    pub waste_codes: String,
    pub created_at: String,
    /// The user who recorded it.
    pub recorded_by: Option<String>,
    /// The party that recorded it (None: an administrator); the other party confirms.
    pub recorded_for: Option<String>,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<String>,
    /// Ended early: no longer counts from this day.
    pub ended_on: Option<String>,
    pub ended_by: Option<String>,
}

impl ContractRow {
    /// The row as the core weighs it; None for a row whose dates do not parse (it counts for nothing).
    pub fn terms(&self) -> Option<ContractTerms> {
        Some(ContractTerms {
            waste_codes: text_list(&self.waste_codes).into_iter().collect(),
            valid_from: parse_date(&self.valid_from)?,
            valid_until: parse_date(&self.valid_until)?,
            ended_on: self.ended_on.as_deref().and_then(parse_date),
            confirmed: self.confirmed_at.is_some(),
        })
    }
}

pub fn by_id(conn: &mut AnyConnection, id: &str) -> Result<Option<ContractRow>, StoreError> {
    Ok(contracts::table
        .filter(contracts::id.eq(id))
        .select(ContractRow::as_select())
        .first(conn)
        .optional()?)
}

/// Records the other party's confirmation, once: false when it was already confirmed.
pub fn confirm(conn: &mut AnyConnection, id: &str, by: &str, at: &str) -> Result<bool, StoreError> {
    let n = diesel::update(
        contracts::table
            .filter(contracts::id.eq(id))
            .filter(contracts::confirmed_at.is_null()),
    )
    .set((
        contracts::confirmed_by.eq(Some(by)),
        contracts::confirmed_at.eq(Some(at)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Ends a contract early, once: false when it was already ended.
pub fn end(conn: &mut AnyConnection, id: &str, on: &str, by: &str) -> Result<bool, StoreError> {
    let n = diesel::update(
        contracts::table
            .filter(contracts::id.eq(id))
            .filter(contracts::ended_on.is_null()),
    )
    .set((
        contracts::ended_on.eq(Some(on)),
        contracts::ended_by.eq(Some(by)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn insert(conn: &mut AnyConnection, row: &ContractRow) -> Result<(), StoreError> {
    diesel::insert_into(contracts::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Contracts in id order, of `scope` (an organisation's: those it is a party to; a division's: those a party of
/// which is in it).
pub fn list(
    conn: &mut AnyConnection,
    scope: &Scope,
    page: &super::page::Keyset,
) -> Result<Vec<ContractRow>, StoreError> {
    let mut q = contracts::table
        .select(ContractRow::as_select())
        .order(contracts::id.asc())
        .limit(page.limit)
        .into_boxed();
    match scope {
        Scope::All => {}
        Scope::Division(p) => {
            let pattern = format!("{p}%");
            q = q.filter(
                contracts::shipper_id
                    .eq_any(super::division_ids(pattern.clone()))
                    .or(contracts::disposal_firm_id.eq_any(super::division_ids(pattern))),
            );
        }
        Scope::Org(o) => {
            q = q.filter(
                contracts::shipper_id
                    .eq(o.to_owned())
                    .or(contracts::disposal_firm_id.eq(o.to_owned())),
            );
        }
    }
    if let Some(a) = &page.after {
        q = q.filter(contracts::id.gt(a.clone()));
    }
    Ok(q.load(conn)?)
}
