//! The three weighings of a container reconciled (issue 12, item 6): the school's estimate at sealing (litres
//! filled × the assumed density), the station's gross weight at the pickup (or the shipper's weight on the
//! manifest when nobody collected it) and the firm's received weight. The core decides what is flagged
//! (`waste_core::pickup::WeighingRules`, a setting in manifest.toml).

use super::{AppError, Env};
use crate::db::AnyConnection;
use crate::store::{self, weighings as q};
use std::collections::BTreeMap;
use waste_core::pickup::Weighings;

fn reconcile(env: &Env, r: &q::Recorded, shipped: Option<&str>) -> Result<Weighings, AppError> {
    let dec = |s: Option<&str>| s.map(store::decimal).transpose();
    let estimate = dec(r.filled_l.as_deref())?.map(|l| env.std.containers.kg_of_litres(l));
    let gross = dec(r.gross_kg.as_deref().or(shipped))?;
    let received = dec(r.received_kg.as_deref())?;
    Ok(env.std.weighings.reconcile(estimate, gross, received))
}

/// The weighings of each line of a manifest, by container id.
pub fn of_manifest(
    conn: &mut AnyConnection,
    env: &Env,
    m: &super::manifests::Manifest,
) -> Result<BTreeMap<String, Weighings>, AppError> {
    let ids: Vec<String> = m.lines.iter().map(|l| l.container_id.clone()).collect();
    let recorded = q::of_containers(conn, &ids)?;
    let mut out = BTreeMap::new();
    for l in &m.lines {
        let mut r = recorded.get(&l.container_id).cloned().unwrap_or_default();
        if l.received_weight_kg.is_some() {
            r.received_kg.clone_from(&l.received_weight_kg);
        }
        out.insert(
            l.container_id.clone(),
            reconcile(env, &r, Some(&l.shipped_weight_kg))?,
        );
    }
    Ok(out)
}

/// How many containers of each school (`ids`) have a flagged weighing.
pub fn flagged_by_school(
    conn: &mut AnyConnection,
    env: &Env,
    ids: &[String],
) -> Result<BTreeMap<String, i64>, AppError> {
    let mut out = BTreeMap::new();
    for r in q::of_schools(conn, ids)?.values() {
        if reconcile(env, r, None)?.flagged {
            *out.entry(r.school_id.clone()).or_insert(0) += 1;
        }
    }
    Ok(out)
}
