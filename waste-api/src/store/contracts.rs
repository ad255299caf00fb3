//! Contracts between shippers and disposal firms, and the firms' licences.

use super::{parse_date, text_list};
use crate::app::AppError;
use crate::db::AnyConnection;
use crate::schema::{contracts, organizations};
use diesel::prelude::*;
use std::collections::BTreeSet;
use waste_core::shipment::Licence;

/// The waste codes of each contract between `shipper` and `firm` valid on `day` (YYYY-MM-DD).
pub fn valid_code_lists(
    conn: &mut AnyConnection,
    shipper: &str,
    firm: &str,
    day: &str,
) -> Result<Vec<BTreeSet<String>>, AppError> {
    let rows: Vec<String> = contracts::table
        .filter(contracts::shipper_id.eq(shipper))
        .filter(contracts::disposal_firm_id.eq(firm))
        .filter(contracts::valid_from.le(day))
        .filter(contracts::valid_until.ge(day))
        .select(contracts::waste_codes)
        .load(conn)?;
    Ok(rows
        .iter()
        .map(|r| text_list(r).into_iter().collect())
        .collect())
}

/// A firm's licence as registered.
pub fn licence(conn: &mut AnyConnection, firm: &str) -> Result<Licence, AppError> {
    let (number, codes, until): (Option<String>, Option<String>, Option<String>) =
        organizations::table
            .filter(organizations::id.eq(firm))
            .select((
                organizations::license_number,
                organizations::license_waste_codes,
                organizations::license_valid_until,
            ))
            .first(conn)?;
    Ok(Licence {
        number,
        waste_codes: codes
            .as_deref()
            .map(text_list)
            .unwrap_or_default()
            .into_iter()
            .collect(),
        valid_until: until.as_deref().and_then(parse_date),
    })
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
}

pub fn insert(conn: &mut AnyConnection, row: &ContractRow) -> Result<(), AppError> {
    diesel::insert_into(contracts::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Contracts in id order: every one, or those `party` is a party to.
pub fn list(
    conn: &mut AnyConnection,
    party: Option<&str>,
    page: &super::page::Keyset,
) -> Result<Vec<ContractRow>, AppError> {
    let mut q = contracts::table
        .select(ContractRow::as_select())
        .order(contracts::id.asc())
        .limit(page.limit)
        .into_boxed();
    if let Some(o) = party {
        q = q.filter(
            contracts::shipper_id
                .eq(o.to_owned())
                .or(contracts::disposal_firm_id.eq(o.to_owned())),
        );
    }
    if let Some(a) = &page.after {
        q = q.filter(contracts::id.gt(a.clone()));
    }
    Ok(q.load(conn)?)
}
