//! Organisations as the use cases read them.

use crate::app::AppError;
use crate::db::AnyConnection;
use crate::schema::organizations;
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
/// and no endpoint edits an organisation (ids are UUIDs, so one process serving several databases cannot mix
/// them up). Saves one statement per addition.
static SUMMARIES: LazyLock<RwLock<HashMap<String, Summary>>> = LazyLock::new(Default::default);

/// Name and kind of an organisation; `NotFound("organisation")` when there is none.
pub fn summary(conn: &mut AnyConnection, id: &str) -> Result<Summary, AppError> {
    if let Some(s) = SUMMARIES.read().ok().and_then(|m| m.get(id).cloned()) {
        return Ok(s);
    }
    let Some((name, kind)) = organizations::table
        .filter(organizations::id.eq(id))
        .select((organizations::name, organizations::kind))
        .first::<(String, String)>(conn)
        .optional()?
    else {
        return Err(AppError::NotFound("organisation"));
    };
    let kind = OrgKind::parse(&kind)
        .ok_or_else(|| AppError::Internal(format!("stored organisation kind '{kind}'")))?;
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
pub fn credit_code(conn: &mut AnyConnection, id: &str) -> Result<Option<String>, AppError> {
    Ok(organizations::table
        .filter(organizations::id.eq(id))
        .select(organizations::credit_code)
        .first(conn)?)
}
