//! Queries for the records: every container an organisation generated or held, read into the core's typed
//! history (`waste_core::records::ledger::ContainerHistory`). No rule decisions here.

use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::{
    additions, containers, events, manifest_lines, manifests, organizations, paper_entries,
    pickup_lines, pickups, users,
};
use diesel::prelude::*;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use waste_core::Standards;
use waste_core::catalogue::HwCode;
use waste_core::container::Unit;
use waste_core::party::OrgKind;
use waste_core::records::ledger::{
    Addition, ContainerDescription, ContainerHistory, Disposal, Party, Pickup, Receipt, Shipment,
    Step, WasteDescription,
};
use waste_core::stream::Stream;

/// Ids per `IN (...)` list: well under both backends' bound-parameter limits.
const CHUNK: usize = 1000;

fn dec(s: &str) -> Result<Decimal, StoreError> {
    Decimal::from_str(s).map_err(|e| StoreError::Internal(format!("stored decimal '{s}': {e}")))
}

fn at(s: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map_err(|e| StoreError::Internal(format!("stored time '{s}': {e}")))
}

/// An organisation as the records name it.
#[derive(Debug, Clone)]
pub struct OrgRow {
    pub party: Party,
    pub created_at: String,
}

pub fn organization(c: &mut AnyConnection, id: &str) -> Result<Option<OrgRow>, StoreError> {
    Ok(organizations(c, &[id.to_owned()])?.remove(id))
}

fn organizations(
    c: &mut AnyConnection,
    ids: &[String],
) -> Result<HashMap<String, OrgRow>, StoreError> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(String, String, String, Option<String>, String)> = organizations::table
            .filter(organizations::id.eq_any(chunk))
            .select((
                organizations::id,
                organizations::kind,
                organizations::name,
                organizations::license_number,
                organizations::created_at,
            ))
            .load(c)?;
        for (id, kind, name, licence, created_at) in rows {
            let kind = OrgKind::parse(&kind).ok_or_else(|| {
                StoreError::Internal(format!("stored organisation kind '{kind}'"))
            })?;
            out.insert(
                id.clone(),
                OrgRow {
                    party: Party {
                        id,
                        name,
                        kind,
                        licence_number: licence,
                    },
                    created_at,
                },
            );
        }
    }
    Ok(out)
}

/// Every container `org` generated, collected, or shipped on a manifest.
fn container_ids(c: &mut AnyConnection, org: &str) -> Result<Vec<String>, StoreError> {
    let mut ids: BTreeSet<String> = containers::table
        .filter(containers::organization_id.eq(org))
        .filter(containers::additions_count.gt(0))
        .select(containers::id)
        .load::<String>(c)?
        .into_iter()
        .collect();
    ids.extend(
        pickup_lines::table
            .inner_join(pickups::table.on(pickups::id.eq(pickup_lines::pickup_id)))
            .filter(pickups::station_id.eq(org))
            .select(pickup_lines::container_id)
            .load::<String>(c)?,
    );
    ids.extend(
        manifest_lines::table
            .inner_join(manifests::table)
            .filter(manifests::shipper_id.eq(org))
            .filter(manifests::dispatched_at.is_not_null())
            .select(manifest_lines::container_id)
            .load::<String>(c)?,
    );
    Ok(ids.into_iter().collect())
}

#[derive(Queryable)]
struct ContainerRow {
    id: String,
    organization_id: String,
    lab: String,
    capacity_l: String,
    material: String,
    stream: Option<String>,
    code: Option<String>,
    hazards: String,
    digital_id: Option<String>,
    sealed_at: Option<String>,
}

#[derive(Queryable)]
struct ManifestLineRow {
    container_id: String,
    manifest_id: String,
    shipped_weight_kg: String,
    received_weight_kg: Option<String>,
    accepted: Option<bool>,
    number: String,
    shipper_id: String,
    receiver_id: String,
    dispatched_at: Option<String>,
    received_at: Option<String>,
    disposal_method: Option<String>,
    disposed_at: Option<String>,
}

/// The histories of every container `org` generated or held, for its ledger and reports.
pub fn histories(
    c: &mut AnyConnection,
    std: &Standards,
    org: &str,
) -> Result<Vec<ContainerHistory>, StoreError> {
    let ids = container_ids(c, org)?;
    let mut rows = Vec::new();
    let mut adds: Vec<(String, String, String, String, String)> = Vec::new();
    let mut picks: Vec<(String, String, String, String, String)> = Vec::new();
    let mut lines: Vec<ManifestLineRow> = Vec::new();
    let mut acts: Vec<(String, String, String)> = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        rows.extend(
            containers::table
                .filter(containers::id.eq_any(chunk))
                .select((
                    containers::id,
                    containers::organization_id,
                    containers::lab,
                    containers::capacity_l,
                    containers::material,
                    containers::stream,
                    containers::code,
                    containers::hazards,
                    containers::digital_id,
                    containers::sealed_at,
                ))
                .load::<ContainerRow>(c)?,
        );
        adds.extend(
            additions::table
                .filter(additions::container_id.eq_any(chunk))
                .order((additions::container_id, additions::seq))
                .select((
                    additions::container_id,
                    additions::quantity,
                    additions::unit,
                    additions::added_by,
                    additions::added_at,
                ))
                .load::<(String, String, String, String, String)>(c)?,
        );
        picks.extend(
            pickup_lines::table
                .inner_join(pickups::table.on(pickups::id.eq(pickup_lines::pickup_id)))
                .filter(pickup_lines::container_id.eq_any(chunk))
                .select((
                    pickup_lines::container_id,
                    pickups::station_id,
                    pickup_lines::gross_weight_kg,
                    pickups::picked_by,
                    pickups::picked_at,
                ))
                .load(c)?,
        );
        lines.extend(
            manifest_lines::table
                .inner_join(manifests::table)
                .filter(manifest_lines::container_id.eq_any(chunk))
                .filter(manifests::dispatched_at.is_not_null())
                .order(manifests::dispatched_at)
                .select((
                    manifest_lines::container_id,
                    manifests::id,
                    manifest_lines::shipped_weight_kg,
                    manifest_lines::received_weight_kg,
                    manifest_lines::accepted,
                    manifests::number,
                    manifests::shipper_id,
                    manifests::receiver_id,
                    manifests::dispatched_at,
                    manifests::received_at,
                    manifests::disposal_method,
                    manifests::disposed_at,
                ))
                .load::<ManifestLineRow>(c)?,
        );
        // Who took each step, from the container's custody chain.
        let aggregates: Vec<String> = chunk.iter().map(|id| format!("container:{id}")).collect();
        acts.extend(
            events::table
                .filter(events::aggregate.eq_any(&aggregates))
                .filter(events::kind.eq_any([
                    "sealed",
                    "dispatched",
                    "received",
                    "returned",
                    "disposed",
                ]))
                .select((events::aggregate, events::kind, events::actor))
                .load::<(String, String, String)>(c)?,
        );
    }
    let manifest_ids: Vec<String> = lines
        .iter()
        .map(|l| l.manifest_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut entered: HashMap<String, String> = HashMap::new();
    for chunk in manifest_ids.chunks(CHUNK) {
        entered.extend(
            paper_entries::table
                .filter(paper_entries::manifest_id.eq_any(chunk))
                .select((paper_entries::manifest_id, paper_entries::entered_at))
                .load::<(String, String)>(c)?,
        );
    }
    // Names of the parties and of the people who acted.
    let mut org_ids: BTreeSet<String> = rows.iter().map(|r| r.organization_id.clone()).collect();
    org_ids.extend(picks.iter().map(|p| p.1.clone()));
    org_ids.extend(
        lines
            .iter()
            .flat_map(|l| [l.shipper_id.clone(), l.receiver_id.clone()]),
    );
    let orgs = organizations(c, &org_ids.into_iter().collect::<Vec<_>>())?;
    let mut user_ids: BTreeSet<String> = adds.iter().map(|a| a.3.clone()).collect();
    user_ids.extend(picks.iter().map(|p| p.3.clone()));
    user_ids.extend(
        acts.iter()
            .filter_map(|a| a.2.strip_prefix("user:").map(str::to_owned)),
    );
    let mut names: HashMap<String, String> = HashMap::new();
    for chunk in user_ids.into_iter().collect::<Vec<_>>().chunks(CHUNK) {
        names.extend(
            users::table
                .filter(users::id.eq_any(chunk))
                .select((users::id, users::name))
                .load::<(String, String)>(c)?,
        );
    }
    let name_of = |user_id: &str| {
        names
            .get(user_id)
            .cloned()
            .unwrap_or_else(|| user_id.to_owned())
    };
    let actor_of = |container: &str, kind: &str| {
        let agg = format!("container:{container}");
        acts.iter()
            .rev()
            .find(|a| a.0 == agg && a.1 == kind)
            .map(|a| name_of(a.2.strip_prefix("user:").unwrap_or(&a.2)))
            .unwrap_or_default()
    };
    let party = |id: &str| {
        orgs.get(id).map(|o| o.party.clone()).ok_or_else(|| {
            StoreError::Internal(format!("organisation {id} of a stored row is missing"))
        })
    };

    let mut by_container: BTreeMap<String, Vec<Addition>> = BTreeMap::new();
    for (cid, quantity, unit, by, added_at) in &adds {
        let unit = match unit.as_str() {
            "L" => Unit::L,
            "kg" => Unit::Kg,
            other => return Err(StoreError::Internal(format!("stored unit '{other}'"))),
        };
        by_container.entry(cid.clone()).or_default().push(Addition {
            at: at(added_at)?,
            quantity: dec(quantity)?,
            unit,
            by: name_of(by),
        });
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let stream = r.stream.as_deref().and_then(Stream::parse);
        let name = stream
            .and_then(|s| std.streams.info(s))
            .map(|i| format!("{} {}", i.name_zh, i.name_en))
            .unwrap_or_else(|| "unclassified".into());
        let pickup = match picks.iter().find(|p| p.0 == r.id) {
            Some((_, station, gross, by, picked_at)) => Some(Pickup {
                at: at(picked_at)?,
                station: party(station)?,
                gross_weight_kg: dec(gross)?,
                by: name_of(by),
            }),
            None => None,
        };
        let mut shipments = Vec::new();
        for l in lines.iter().filter(|l| l.container_id == r.id) {
            let received_kg = match &l.received_weight_kg {
                Some(w) => Some(dec(w)?),
                None => None,
            };
            shipments.push(Shipment {
                manifest_number: l.number.clone(),
                shipper: party(&l.shipper_id)?,
                receiver: party(&l.receiver_id)?,
                dispatched: match &l.dispatched_at {
                    Some(t) => Some(Step {
                        at: at(t)?,
                        by: actor_of(&r.id, "dispatched"),
                    }),
                    None => None,
                },
                shipped_weight_kg: dec(&l.shipped_weight_kg)?,
                receipt: match (&l.received_at, l.accepted) {
                    (Some(t), Some(accepted)) => Some(Receipt {
                        at: at(t)?,
                        received_weight_kg: received_kg,
                        accepted,
                        by: actor_of(&r.id, if accepted { "received" } else { "returned" }),
                    }),
                    _ => None,
                },
                disposal: match (&l.disposed_at, &l.disposal_method) {
                    (Some(t), Some(method)) => Some(Disposal {
                        at: at(t)?,
                        method: method.clone(),
                        by: actor_of(&r.id, "disposed"),
                    }),
                    _ => None,
                },
                entered_at: match entered.get(&l.manifest_id) {
                    Some(t) => Some(at(t)?),
                    None => None,
                },
            });
        }
        out.push(ContainerHistory {
            digital_id: r.digital_id.clone(),
            generator: party(&r.organization_id)?,
            lab: r.lab.clone(),
            waste: WasteDescription {
                name,
                category: r
                    .code
                    .as_deref()
                    .and_then(|c| HwCode::parse(c).ok())
                    .map(|c| c.category()),
                code: r.code.clone(),
                hazards: r
                    .hazards
                    .split(',')
                    .filter(|h| !h.is_empty())
                    .map(str::to_owned)
                    .collect(),
            },
            container: ContainerDescription {
                material: r.material.clone(),
                capacity_l: dec(&r.capacity_l)?,
            },
            additions: by_container.remove(&r.id).unwrap_or_default(),
            sealed: match &r.sealed_at {
                Some(t) => Some(Step {
                    at: at(t)?,
                    by: actor_of(&r.id, "sealed"),
                }),
                None => None,
            },
            pickup,
            shipments,
            container_id: r.id,
        });
    }
    Ok(out)
}

/// Whether a manifest of this number is already recorded (numbers are unique: Transfer Measures Art.15).
pub fn manifest_number_taken(conn: &mut AnyConnection, number: &str) -> Result<bool, StoreError> {
    let n: i64 = manifests::table
        .filter(manifests::number.eq(number))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Since when the current holder has held a container: the pickup for a station, else the seal.
pub fn held_since(
    conn: &mut AnyConnection,
    container: &str,
) -> Result<Option<OffsetDateTime>, StoreError> {
    let picked: Option<String> = pickup_lines::table
        .inner_join(pickups::table.on(pickups::id.eq(pickup_lines::pickup_id)))
        .filter(pickup_lines::container_id.eq(container))
        .select(pickups::picked_at)
        .first(conn)
        .optional()?;
    let sealed: Option<Option<String>> = containers::table
        .filter(containers::id.eq(container))
        .select(containers::sealed_at)
        .first(conn)
        .optional()?;
    picked.or(sealed.flatten()).map(|t| at(&t)).transpose()
}

/// A `paper_entries` row: when a paper manifest was entered and whether within the Art.20 window.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = paper_entries)]
pub struct PaperEntryRow {
    pub manifest_id: String,
    pub entered_at: String,
    pub entered_by: String,
    pub completed_on: String,
    pub entry_deadline: String,
    pub late: bool,
}

pub fn insert_paper_entry(
    tx: &mut crate::store::Tx,
    row: &PaperEntryRow,
) -> Result<(), StoreError> {
    diesel::insert_into(paper_entries::table)
        .values(row)
        .execute(tx.conn())?;
    Ok(())
}
