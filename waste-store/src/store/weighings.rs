//! The weighings of containers: the fill at sealing (the school's estimate), the gross weight at the pickup and
//! the received weight on a manifest.

use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::{containers, manifest_lines, pickup_lines};
use diesel::prelude::*;
use std::collections::BTreeMap;

/// One container's recorded weighings, as stored (decimal text).
#[derive(Debug, Clone, Default)]
pub struct Recorded {
    pub school_id: String,
    pub filled_l: Option<String>,
    pub gross_kg: Option<String>,
    pub received_kg: Option<String>,
}

/// The weighings of `ids`, by container id.
pub fn of_containers(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<BTreeMap<String, Recorded>, StoreError> {
    let mut out: BTreeMap<String, Recorded> = containers::table
        .filter(containers::id.eq_any(ids))
        .select((
            containers::id,
            containers::organization_id,
            containers::filled_l,
        ))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(id, school_id, filled)| {
            (
                id,
                Recorded {
                    school_id,
                    filled_l: Some(filled),
                    ..Default::default()
                },
            )
        })
        .collect();
    fill(conn, &mut out)?;
    Ok(out)
}

/// The weighings of every container of the schools `ids` that was picked up.
pub fn of_schools(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<BTreeMap<String, Recorded>, StoreError> {
    let mut out: BTreeMap<String, Recorded> = pickup_lines::table
        .inner_join(containers::table)
        .filter(containers::organization_id.eq_any(ids))
        .select((
            containers::id,
            containers::organization_id,
            containers::filled_l,
        ))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(id, school_id, filled)| {
            (
                id,
                Recorded {
                    school_id,
                    filled_l: Some(filled),
                    ..Default::default()
                },
            )
        })
        .collect();
    fill(conn, &mut out)?;
    Ok(out)
}

fn fill(conn: &mut AnyConnection, out: &mut BTreeMap<String, Recorded>) -> Result<(), StoreError> {
    let ids: Vec<String> = out.keys().cloned().collect();
    for chunk in ids.chunks(500) {
        let gross = pickup_lines::table
            .filter(pickup_lines::container_id.eq_any(chunk))
            .select((pickup_lines::container_id, pickup_lines::gross_weight_kg))
            .load::<(String, String)>(conn)?;
        for (id, g) in gross {
            if let Some(r) = out.get_mut(&id) {
                r.gross_kg = Some(g);
            }
        }
        let received = manifest_lines::table
            .filter(manifest_lines::container_id.eq_any(chunk))
            .filter(manifest_lines::received_weight_kg.is_not_null())
            .order(manifest_lines::manifest_id.asc())
            .select((
                manifest_lines::container_id,
                manifest_lines::received_weight_kg,
            ))
            .load::<(String, Option<String>)>(conn)?;
        for (id, w) in received {
            if let Some(r) = out.get_mut(&id) {
                r.received_kg = w;
            }
        }
    }
    Ok(())
}
