//! Custody: pickups by transfer stations, transfer manifests run by the core's state machine, the audit of
//! every custody chain, receipt alerts, and oversight for education bureaus.

use super::respond;
use crate::auth::{AuthUser, parse_date};
use crate::body::{Stored, idempotency_key, idempotent, parse_json, request_hash};
use crate::db::{AnyConnection, write_tx};
use crate::error::ApiError;
use crate::schema::{
    containers, contracts, manifest_lines, manifests, organizations, pickup_lines, pickups,
};
use crate::state::{AppState, new_id, now, today};
use crate::store::containers::Row as ContainerRow;
use crate::store::events;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use utoipa::ToSchema;
use waste_core::container::Status;
use waste_core::manifest::{
    Acceptance, Action, ManifestNumber, ManifestState, Party, TransitionError, transition,
};
use waste_core::party::{OrgKind, Role};
use waste_core::storage::SiteKind;

fn kg(field: &str, s: &str) -> Result<Decimal, ApiError> {
    let d = Decimal::from_str(s.trim())
        .map_err(|_| ApiError::invalid(field, format!("'{s}' is not a decimal number of kg")))?;
    if d <= Decimal::ZERO || d > Decimal::from(10_000) {
        return Err(ApiError::invalid(
            field,
            "must be above 0 and at most 10000 kg",
        ));
    }
    Ok(d.normalize())
}

fn org_kind(c: &mut AnyConnection, id: &str) -> Result<Option<(OrgKind, String)>, ApiError> {
    let row: Option<(String, String)> = organizations::table
        .filter(organizations::id.eq(id))
        .select((organizations::kind, organizations::region_code))
        .first(c)
        .optional()?;
    Ok(row.and_then(|(k, r)| OrgKind::parse(&k).map(|k| (k, r))))
}

// ---------------------------------------------------------------- pickups

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPickup {
    pub school_id: String,
    pub containers: Vec<PickupLine>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PickupLine {
    pub container_id: String,
    /// Decimal string, kg, as weighed at pickup.
    pub gross_weight_kg: String,
}

/// A transfer-station operator collects sealed, labelled containers of one school; custody passes to the
/// station. A container is picked up once.
#[utoipa::path(post, path = "/api/v1/pickups", request_body = NewPickup,
    responses((status = 201, body = Object), (status = 403, body = super::ErrorEnvelope), (status = 404, body = super::ErrorEnvelope), (status = 409, body = super::ErrorEnvelope), (status = 422, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[post("/api/v1/pickups")]
pub async fn create_pickup(
    req: HttpRequest,
    user: AuthUser,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    user.require_any(&[Role::StationOperator])?;
    if user.org_kind != OrgKind::TransferStation {
        return Err(ApiError::Forbidden(
            "pickups are made by transfer stations".into(),
        ));
    }
    user.require_training(today())?;
    let new: NewPickup = parse_json(&body)?;
    if new.containers.is_empty() || new.containers.len() > 500 {
        return Err(ApiError::invalid("containers", "list 1 to 500 containers"));
    }
    let mut lines = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, l) in new.containers.iter().enumerate() {
        if !seen.insert(l.container_id.clone()) {
            return Err(ApiError::invalid(
                format!("containers[{i}].container_id"),
                "listed twice",
            ));
        }
        lines.push((
            l.container_id.clone(),
            kg(
                &format!("containers[{i}].gross_weight_kg"),
                &l.gross_weight_kg,
            )?,
        ));
    }
    let key = idempotency_key(&req)?;
    let hash = request_hash(req.path(), &body);
    let std = state.std;
    let out = state
        .write(move |c| {
            idempotent(c, &user.id, key.as_deref(), &hash, |c| {
                let c = c.conn();
                match org_kind(c, &new.school_id)? {
                    Some((OrgKind::School, _)) => {}
                    Some(_) => return Err(ApiError::invalid("school_id", "is not a school")),
                    None => return Err(ApiError::NotFound("school")),
                }
                let id = new_id();
                let at = now();
                let total: Decimal = lines.iter().map(|(_, w)| *w).sum();
                diesel::insert_into(pickups::table)
                    .values((
                        pickups::id.eq(&id),
                        pickups::station_id.eq(&user.org_id),
                        pickups::school_id.eq(&new.school_id),
                        pickups::picked_by.eq(&user.id),
                        pickups::picked_at.eq(&at),
                        pickups::total_gross_kg.eq(total.to_string()),
                    ))
                    .execute(c)?;
                for (i, (cid, w)) in lines.iter().enumerate() {
                    let row: Option<ContainerRow> = containers::table
                        .filter(containers::id.eq(cid))
                        .filter(containers::organization_id.eq(&new.school_id))
                        .select(ContainerRow::as_select())
                        .first(c)
                        .optional()?;
                    let Some(row) = row else { return Err(ApiError::NotFound("container of that school")) };
                    if row.custodian_id.as_deref() != Some(new.school_id.as_str()) || row.status != Status::Sealed.as_str() {
                        return Err(ApiError::conflict(
                            "container_not_ready",
                            format!("containers[{i}] is {} and not in the school's custody: only sealed containers of the school are picked up, once", row.status),
                            json!({ "container_id": cid, "status": row.status }),
                        ));
                    }
                    let missing = crate::app::containers::label_missing(c, std, &row)?;
                    if !missing.is_empty() {
                        return Err(ApiError::conflict("label_incomplete", format!("containers[{i}] has no complete label"), json!({ "container_id": cid, "missing": missing })));
                    }
                    diesel::insert_into(pickup_lines::table)
                        .values((pickup_lines::container_id.eq(cid), pickup_lines::pickup_id.eq(&id), pickup_lines::gross_weight_kg.eq(w.to_string())))
                        .execute(c)?;
                    let n = diesel::update(containers::table.filter(containers::id.eq(cid)).filter(containers::status.eq(Status::Sealed.as_str())))
                        .set((containers::status.eq(Status::PickedUp.as_str()), containers::custodian_id.eq(Some(&user.org_id))))
                        .execute(c)?;
                    if n != 1 {
                        return Err(ApiError::conflict("conflict", "a concurrent change won; retry", json!({ "container_id": cid })));
                    }
                    events::append_now(c, &format!("container:{cid}"), "picked_up", &user.actor(), json!({ "pickup_id": id, "station_id": user.org_id, "gross_weight_kg": w.to_string() }))?;
                }
                let list: Vec<Value> = lines.iter().map(|(cid, w)| json!({ "container_id": cid, "gross_weight_kg": w.to_string() })).collect();
                events::append_now(c, &format!("pickup:{id}"), "picked_up", &user.actor(), json!({ "school_id": new.school_id, "station_id": user.org_id, "containers": list }))?;
                let body = json!({ "id": id, "school_id": new.school_id, "station_id": user.org_id, "picked_at": at, "total_gross_kg": total.to_string(), "containers": list });
                Ok(Stored::created(body.to_string()))
            })
        })
        .await?;
    Ok(respond(out))
}

// ---------------------------------------------------------------- manifests

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewManifest {
    pub receiver_id: String,
    pub carrier_id: String,
    pub container_ids: Vec<String>,
    /// Weights (kg) of containers that were not weighed at a pickup, by container id (Art.10: the shipper weighs).
    #[serde(default)]
    pub weights_kg: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ManifestLine {
    pub container_id: String,
    pub code: String,
    pub shipped_weight_kg: String,
    pub received_weight_kg: Option<String>,
    pub accepted: Option<bool>,
    pub reason: Option<String>,
    /// The received weight differs from the shipped weight beyond the tolerance (manifest.toml).
    pub discrepancy: Option<bool>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ManifestView {
    pub id: String,
    /// 14 digits: year, province, city, serial (Transfer Measures Art.15).
    pub number: String,
    pub status: String,
    pub acceptance: Option<String>,
    pub shipper_id: String,
    pub carrier_id: String,
    pub receiver_id: String,
    pub created_at: String,
    pub submitted_at: Option<String>,
    pub dispatched_at: Option<String>,
    pub delivered_on: Option<String>,
    /// 5 working days after delivery (Art.18).
    pub receipt_deadline: Option<String>,
    pub received_at: Option<String>,
    pub received_late: Option<bool>,
    pub disposal_method: Option<String>,
    pub disposed_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub lines: Vec<ManifestLine>,
}

type MRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i32,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<bool>,
    Option<String>,
    Option<String>,
    Option<String>,
);

struct Manifest {
    id: String,
    number: String,
    shipper: String,
    carrier: String,
    receiver: String,
    status: ManifestState,
    acceptance: Option<String>,
    version: i32,
    row: MRow,
}

fn load_manifest(
    c: &mut AnyConnection,
    id: &str,
    org: &str,
    all: bool,
) -> Result<Manifest, ApiError> {
    let mut q = manifests::table
        .filter(manifests::id.eq(id))
        .select((
            manifests::id,
            manifests::number,
            manifests::shipper_id,
            manifests::carrier_id,
            manifests::receiver_id,
            manifests::status,
            manifests::acceptance,
            manifests::version,
            manifests::created_at,
            manifests::submitted_at,
            manifests::dispatched_at,
            manifests::delivered_on,
            manifests::receipt_deadline,
            manifests::received_at,
            manifests::received_late,
            manifests::disposal_method,
            manifests::disposed_at,
            manifests::cancelled_at,
        ))
        .into_boxed();
    if !all {
        q = q.filter(
            manifests::shipper_id
                .eq(org.to_owned())
                .or(manifests::carrier_id.eq(org.to_owned()))
                .or(manifests::receiver_id.eq(org.to_owned())),
        );
    }
    let row: MRow = q
        .first(c)
        .optional()?
        .ok_or(ApiError::NotFound("manifest"))?;
    Ok(Manifest {
        id: row.0.clone(),
        number: row.1.clone(),
        shipper: row.2.clone(),
        carrier: row.3.clone(),
        receiver: row.4.clone(),
        status: ManifestState::parse(&row.5)
            .ok_or_else(|| ApiError::Internal("stored manifest status".into()))?,
        acceptance: row.6.clone(),
        version: row.7,
        row,
    })
}

type LRow = (
    String,
    String,
    String,
    Option<String>,
    Option<bool>,
    Option<String>,
    Option<bool>,
);

fn lines_of(c: &mut AnyConnection, id: &str) -> Result<Vec<ManifestLine>, ApiError> {
    let rows: Vec<LRow> = manifest_lines::table
        .filter(manifest_lines::manifest_id.eq(id))
        .order(manifest_lines::container_id.asc())
        .select((
            manifest_lines::container_id,
            manifest_lines::code,
            manifest_lines::shipped_weight_kg,
            manifest_lines::received_weight_kg,
            manifest_lines::accepted,
            manifest_lines::reason,
            manifest_lines::discrepancy,
        ))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|r| ManifestLine {
            container_id: r.0,
            code: r.1,
            shipped_weight_kg: r.2,
            received_weight_kg: r.3,
            accepted: r.4,
            reason: r.5,
            discrepancy: r.6,
        })
        .collect())
}

fn manifest_view(c: &mut AnyConnection, m: &Manifest) -> Result<ManifestView, ApiError> {
    let r = &m.row;
    Ok(ManifestView {
        id: m.id.clone(),
        number: m.number.clone(),
        status: m.status.as_str().into(),
        acceptance: m.acceptance.clone(),
        shipper_id: m.shipper.clone(),
        carrier_id: m.carrier.clone(),
        receiver_id: m.receiver.clone(),
        created_at: r.8.clone(),
        submitted_at: r.9.clone(),
        dispatched_at: r.10.clone(),
        delivered_on: r.11.clone(),
        receipt_deadline: r.12.clone(),
        received_at: r.13.clone(),
        received_late: r.14,
        disposal_method: r.15.clone(),
        disposed_at: r.16.clone(),
        cancelled_at: r.17.clone(),
        lines: lines_of(c, &m.id)?,
    })
}

#[derive(QueryableByName)]
struct Last {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    last: i32,
}

/// The next serial of a region (province + city) and year, from one atomic upsert (unique per region and year).
fn next_serial(c: &mut AnyConnection, region: &str, year: i32) -> Result<i32, ApiError> {
    use diesel::sql_types::{Integer, Text};
    const UPSERT: &str = "INSERT INTO manifest_serials (region, year, last) VALUES ({1}, {2}, 1) ON CONFLICT (region, year) DO UPDATE SET last = manifest_serials.last + 1 RETURNING last";
    let row: Last = match c {
        AnyConnection::Postgresql(pg) => {
            diesel::sql_query(UPSERT.replace("{1}", "$1").replace("{2}", "$2"))
                .bind::<Text, _>(region)
                .bind::<Integer, _>(year)
                .get_result(pg)?
        }
        AnyConnection::Sqlite(sq) => {
            diesel::sql_query(UPSERT.replace("{1}", "?").replace("{2}", "?"))
                .bind::<Text, _>(region)
                .bind::<Integer, _>(year)
                .get_result(sq)?
        }
    };
    Ok(row.last)
}

/// Draft a transfer manifest for containers in the shipper's custody (a transfer station's operator, or a
/// school's safety officer shipping directly).
#[utoipa::path(post, path = "/api/v1/manifests", request_body = NewManifest,
    responses((status = 201, body = ManifestView), (status = 403, body = super::ErrorEnvelope), (status = 404, body = super::ErrorEnvelope), (status = 409, body = super::ErrorEnvelope), (status = 422, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[post("/api/v1/manifests")]
pub async fn create_manifest(
    req: HttpRequest,
    user: AuthUser,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    match user.org_kind {
        OrgKind::TransferStation => user.require_any(&[Role::StationOperator])?,
        OrgKind::School => user.require_any(&[Role::SafetyOfficer])?,
        _ => {
            return Err(ApiError::Forbidden(
                "manifests are drafted by transfer stations and schools".into(),
            ));
        }
    }
    let new: NewManifest = parse_json(&body)?;
    if new.container_ids.is_empty() || new.container_ids.len() > 500 {
        return Err(ApiError::invalid(
            "container_ids",
            "list 1 to 500 containers",
        ));
    }
    let ids: BTreeSet<String> = new.container_ids.iter().cloned().collect();
    if ids.len() != new.container_ids.len() {
        return Err(ApiError::invalid(
            "container_ids",
            "a container is listed twice",
        ));
    }
    let mut weights = BTreeMap::new();
    for (k, v) in &new.weights_kg {
        weights.insert(k.clone(), kg(&format!("weights_kg.{k}"), v)?);
    }
    let key = idempotency_key(&req)?;
    let hash = request_hash(req.path(), &body);
    let out = state
        .write(move |c| {
            idempotent(c, &user.id, key.as_deref(), &hash, |c| {
                let c = c.conn();
                match org_kind(c, &new.receiver_id)? {
                    Some((OrgKind::DisposalFirm, _)) => {}
                    Some(_) => return Err(ApiError::invalid("receiver_id", "must be a disposal firm")),
                    None => return Err(ApiError::NotFound("receiver")),
                }
                match org_kind(c, &new.carrier_id)? {
                    Some((OrgKind::Carrier, _)) => {}
                    Some(_) => return Err(ApiError::invalid("carrier_id", "must be a carrier")),
                    None => return Err(ApiError::NotFound("carrier")),
                }
                let (_, region) = org_kind(c, &user.org_id)?.ok_or(ApiError::NotFound("shipper"))?;
                let id = new_id();
                let mut lines = Vec::new();
                for cid in &new.container_ids {
                    // Take the container's row lock first (a no-op write), so that on PostgreSQL two manifests
                    // drafted at once for one container serialise here and the second sees the first's line.
                    diesel::update(containers::table.filter(containers::id.eq(cid)).filter(containers::custodian_id.eq(&user.org_id)))
                        .set(containers::custodian_id.eq(Some(&user.org_id)))
                        .execute(c)?;
                    let row: Option<ContainerRow> = containers::table.filter(containers::id.eq(cid)).filter(containers::custodian_id.eq(&user.org_id)).select(ContainerRow::as_select()).first(c).optional()?;
                    let Some(row) = row else { return Err(ApiError::NotFound("container in your custody")) };
                    if !(row.status == Status::Sealed.as_str() || row.status == Status::PickedUp.as_str()) {
                        return Err(ApiError::conflict("container_not_ready", format!("container {cid} is {}: only sealed containers are shipped", row.status), json!({ "container_id": cid, "status": row.status })));
                    }
                    let open: i64 = manifest_lines::table
                        .inner_join(manifests::table)
                        .filter(manifest_lines::container_id.eq(cid))
                        .filter(manifests::status.ne_all([ManifestState::Cancelled.as_str()]))
                        .count()
                        .get_result(c)?;
                    if open > 0 {
                        return Err(ApiError::conflict("container_on_manifest", format!("container {cid} is already on a manifest"), json!({ "container_id": cid })));
                    }
                    let Some(code) = row.code.clone() else {
                        return Err(ApiError::conflict("label_incomplete", format!("container {cid} has no waste code"), json!({ "container_id": cid })));
                    };
                    let picked: Option<String> = pickup_lines::table.filter(pickup_lines::container_id.eq(cid)).select(pickup_lines::gross_weight_kg).first(c).optional()?;
                    let weight = match (weights.get(cid), picked) {
                        (Some(w), _) => w.to_string(),
                        (None, Some(w)) => w,
                        (None, None) => return Err(ApiError::invalid(format!("weights_kg.{cid}"), "the container was not weighed at a pickup: give its weight (Transfer Measures Art.10)")),
                    };
                    lines.push((cid.clone(), code, weight));
                }
                let year = today().year();
                let serial = next_serial(c, &region[..4], year)?;
                let number = ManifestNumber::new(year, &region, u32::try_from(serial).unwrap_or(0)).map_err(|e| ApiError::conflict("manifest_number", e.to_string(), json!({})))?;
                let at = now();
                diesel::insert_into(manifests::table)
                    .values((
                        manifests::id.eq(&id),
                        manifests::number.eq(number.as_str()),
                        manifests::shipper_id.eq(&user.org_id),
                        manifests::carrier_id.eq(&new.carrier_id),
                        manifests::receiver_id.eq(&new.receiver_id),
                        manifests::status.eq(ManifestState::Draft.as_str()),
                        manifests::version.eq(0),
                        manifests::created_by.eq(&user.id),
                        manifests::created_at.eq(&at),
                    ))
                    .execute(c)?;
                for (cid, code, w) in &lines {
                    diesel::insert_into(manifest_lines::table)
                        .values((manifest_lines::manifest_id.eq(&id), manifest_lines::container_id.eq(cid), manifest_lines::code.eq(code), manifest_lines::shipped_weight_kg.eq(w)))
                        .execute(c)?;
                    events::append_now(c, &format!("container:{cid}"), "manifested", &user.actor(), json!({ "manifest_id": id, "number": number.as_str() }))?;
                }
                let list: Vec<Value> = lines.iter().map(|(cid, code, w)| json!({ "container_id": cid, "code": code, "shipped_weight_kg": w })).collect();
                events::append_now(c, &format!("manifest:{id}"), "drafted", &user.actor(), json!({ "number": number.as_str(), "shipper_id": user.org_id, "carrier_id": new.carrier_id, "receiver_id": new.receiver_id, "lines": list }))?;
                let m = load_manifest(c, &id, &user.org_id, false)?;
                let v = manifest_view(c, &m)?;
                Ok(Stored::created(serde_json::to_string(&v).map_err(|e| ApiError::Internal(e.to_string()))?))
            })
        })
        .await?;
    Ok(respond(out))
}

#[utoipa::path(get, path = "/api/v1/manifests/{id}", responses((status = 200, body = ManifestView), (status = 404, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/manifests/{id}")]
pub async fn get_manifest(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<ManifestView>, ApiError> {
    let id = path.into_inner();
    let all = user.is_admin() || user.org_kind == OrgKind::Authority;
    Ok(web::Json(
        state
            .db(move |c| {
                let m = load_manifest(c, &id, &user.org_id, all)?;
                manifest_view(c, &m)
            })
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListManifests {
    pub status: Option<String>,
    pub limit: Option<u32>,
    pub after: Option<String>,
}

/// Manifests the caller's organisation is a party to.
#[utoipa::path(get, path = "/api/v1/manifests", params(ListManifests), responses((status = 200, body = Object)), security(("bearer" = [])))]
#[get("/api/v1/manifests")]
pub async fn list_manifests(
    user: AuthUser,
    q: web::Query<ListManifests>,
    state: web::Data<AppState>,
) -> Result<web::Json<Value>, ApiError> {
    let limit = i64::from(q.limit.unwrap_or(50).clamp(1, 200));
    if let Some(s) = &q.status
        && ManifestState::parse(s).is_none()
    {
        return Err(ApiError::invalid(
            "status",
            "one of draft, submitted, in_transit, received, disposed, cancelled",
        ));
    }
    let (status, after) = (q.status.clone(), q.after.clone());
    let all = user.is_admin() || user.org_kind == OrgKind::Authority;
    let rows = state
        .db(move |c| {
            let mut query = manifests::table
                .select((
                    manifests::id,
                    manifests::number,
                    manifests::status,
                    manifests::shipper_id,
                    manifests::receiver_id,
                    manifests::acceptance,
                ))
                .order(manifests::id.asc())
                .limit(limit)
                .into_boxed();
            if !all {
                let o = user.org_id.clone();
                query = query.filter(
                    manifests::shipper_id
                        .eq(o.clone())
                        .or(manifests::carrier_id.eq(o.clone()))
                        .or(manifests::receiver_id.eq(o)),
                );
            }
            if let Some(s) = status {
                query = query.filter(manifests::status.eq(s));
            }
            if let Some(a) = after {
                query = query.filter(manifests::id.gt(a));
            }
            Ok(query.load::<(String, String, String, String, String, Option<String>)>(c)?)
        })
        .await?;
    let next_after = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.0.clone()))
        .flatten();
    let items: Vec<Value> = rows.into_iter().map(|r| json!({ "id": r.0, "number": r.1, "status": r.2, "shipper_id": r.3, "receiver_id": r.4, "acceptance": r.5 })).collect();
    Ok(web::Json(
        json!({ "items": items, "next_after": next_after }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispatchBody {
    /// The containers actually loaded; they must be exactly those on the manifest (Art.13).
    pub container_ids: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiveBody {
    pub lines: Vec<ReceiveLine>,
    /// Day of arrival (defaults to today); the receipt deadline counts 5 working days from it.
    pub delivered_on: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiveLine {
    pub container_id: String,
    pub received_weight_kg: String,
    pub accepted: bool,
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisposalBody {
    /// Disposal or utilisation method code, e.g. "D10" (incineration) or "R2".
    pub method: String,
}

fn party_of(m: &Manifest, org: &str) -> Option<Party> {
    if m.shipper == org {
        Some(Party::Shipper)
    } else if m.carrier == org {
        Some(Party::Carrier)
    } else if m.receiver == org {
        Some(Party::Receiver)
    } else {
        None
    }
}

fn role_for(p: Party) -> &'static [Role] {
    match p {
        Party::Shipper => &[Role::StationOperator, Role::SafetyOfficer],
        Party::Carrier => &[Role::Driver],
        Party::Receiver => &[Role::DisposalOperator],
    }
}

fn refusal(e: TransitionError) -> ApiError {
    match e {
        TransitionError::InvalidTransition { state, action } => ApiError::conflict(
            "invalid_transition",
            format!("a manifest in state {state} cannot be {}", action.path()),
            json!({ "state": state.as_str(), "action": action.path() }),
        ),
        TransitionError::WrongParty {
            action, expected, ..
        } => ApiError::Forbidden(
            format!("only the {expected:?} may {} this manifest", action.path()).to_lowercase(),
        ),
        TransitionError::NothingAccepted => {
            ApiError::conflict("nothing_accepted", e.to_string(), json!({}))
        }
    }
}

/// Checks the contract and licence a shipment needs at submission (Transfer Measures Art.10; Solid Waste Law Art.80).
fn check_contract_and_licence(
    c: &mut AnyConnection,
    m: &Manifest,
    day: &str,
) -> Result<(), ApiError> {
    let codes: BTreeSet<String> = lines_of(c, &m.id)?.into_iter().map(|l| l.code).collect();
    let rows: Vec<String> = contracts::table
        .filter(contracts::shipper_id.eq(&m.shipper))
        .filter(contracts::disposal_firm_id.eq(&m.receiver))
        .filter(contracts::valid_from.le(day))
        .filter(contracts::valid_until.ge(day))
        .select(contracts::waste_codes)
        .load(c)?;
    let covered = rows.iter().any(|r| {
        let list: BTreeSet<String> = serde_json::from_str::<Vec<String>>(r)
            .unwrap_or_default()
            .into_iter()
            .collect();
        codes.is_subset(&list)
    });
    if !covered {
        return Err(ApiError::conflict(
            "no_valid_contract",
            "no contract between the shipper and the disposal firm is valid today for every waste code on the manifest",
            json!({ "waste_codes": codes, "citation": "Transfer Measures Art.10; governance plan: schools must contract a disposal firm" }),
        ));
    }
    let (number, lc, until): (Option<String>, Option<String>, Option<String>) =
        organizations::table
            .filter(organizations::id.eq(&m.receiver))
            .select((
                organizations::license_number,
                organizations::license_waste_codes,
                organizations::license_valid_until,
            ))
            .first(c)?;
    let licensed: BTreeSet<String> = lc
        .as_deref()
        .and_then(|s| serde_json::from_str::<Vec<String>>(s).ok())
        .unwrap_or_default()
        .into_iter()
        .collect();
    let valid = until.as_deref().is_some_and(|u| u >= day);
    if number.is_none() || !valid || !codes.is_subset(&licensed) {
        let missing: Vec<&String> = codes.difference(&licensed).collect();
        return Err(ApiError::conflict(
            "license_does_not_cover",
            "the disposal firm's licence has expired or does not cover every waste code on the manifest",
            json!({ "valid_until": until, "not_covered": missing, "citation": "Solid Waste Law Art.80" }),
        ));
    }
    Ok(())
}

async fn act(
    user: AuthUser,
    id: String,
    action: Action,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<web::Json<ManifestView>, ApiError> {
    let std = state.std;
    // Parse the body first: malformed input is refused before anything is read or written.
    let dispatch: Option<DispatchBody> = (action == Action::Dispatch)
        .then(|| parse_json(&body))
        .transpose()?;
    let receive: Option<ReceiveBody> = (action == Action::Receive)
        .then(|| parse_json(&body))
        .transpose()?;
    let disposal: Option<DisposalBody> = (action == Action::ConfirmDisposal)
        .then(|| parse_json(&body))
        .transpose()?;
    if let Some(d) = &disposal {
        let m = d.method.trim();
        let ok = (2..=4).contains(&m.len())
            && m.as_bytes()[0].is_ascii_uppercase()
            && m[1..].bytes().all(|b| b.is_ascii_digit());
        if !ok {
            return Err(ApiError::invalid(
                "method",
                "a disposal or utilisation method code such as D10 or R2",
            ));
        }
    }
    let delivered = match receive.as_ref().and_then(|r| r.delivered_on.clone()) {
        Some(d) => Some(
            parse_date(&d)
                .ok_or_else(|| ApiError::invalid("delivered_on", "not a date (YYYY-MM-DD)"))?,
        ),
        None => None,
    };
    let v = state
        .write(move |c| {
            write_tx(c, |c| {
                let m = load_manifest(c, &id, &user.org_id, false)?;
                let party = party_of(&m, &user.org_id);
                let acceptance = m.acceptance.as_deref().and_then(|a| serde_json::from_value::<Acceptance>(json!(a)).ok());
                let next = transition(m.status, action, party, acceptance).map_err(refusal)?;
                let p = party.ok_or(ApiError::NotFound("manifest"))?;
                user.require_any(role_for(p))?;
                user.require_training(today())?;
                let at = now();
                let day = today();
                let lines = lines_of(c, &m.id)?;
                let mut payload = json!({ "from": m.status.as_str(), "to": next.as_str() });
                let mut update_late: Option<bool> = None;
                let mut deadline: Option<String> = None;
                match action {
                    Action::Submit => check_contract_and_licence(c, &m, &day.to_string())?,
                    Action::Cancel => {}
                    Action::Dispatch => {
                        let loaded: BTreeSet<String> = dispatch.as_ref().map(|d| d.container_ids.iter().cloned().collect()).unwrap_or_default();
                        let listed: BTreeSet<String> = lines.iter().map(|l| l.container_id.clone()).collect();
                        if loaded != listed {
                            return Err(ApiError::conflict(
                                "load_mismatch",
                                "the containers loaded are not exactly those on the manifest (Transfer Measures Art.13)",
                                json!({ "missing": listed.difference(&loaded).collect::<Vec<_>>(), "unexpected": loaded.difference(&listed).collect::<Vec<_>>() }),
                            ));
                        }
                        for l in &lines {
                            let row: ContainerRow = containers::table.filter(containers::id.eq(&l.container_id)).select(ContainerRow::as_select()).first(c)?;
                            let missing = crate::app::containers::label_missing(c, std, &row)?;
                            let ready = (row.status == Status::Sealed.as_str() || row.status == Status::PickedUp.as_str()) && row.custodian_id.as_deref() == Some(m.shipper.as_str());
                            if !ready || !missing.is_empty() || row.code.as_deref() != Some(l.code.as_str()) {
                                return Err(ApiError::conflict("container_not_ready", format!("container {} is not sealed and labelled as the manifest says (Art.13)", l.container_id), json!({ "container_id": l.container_id, "status": row.status, "missing": missing })));
                            }
                            diesel::update(containers::table.filter(containers::id.eq(&l.container_id))).set((containers::status.eq(Status::InTransit.as_str()), containers::custodian_id.eq(Some(&m.carrier)))).execute(c)?;
                            events::append_now(c, &format!("container:{}", l.container_id), "dispatched", &user.actor(), json!({ "manifest_id": m.id, "carrier_id": m.carrier }))?;
                        }
                    }
                    Action::Receive => {
                        let r = receive.as_ref().ok_or_else(|| ApiError::invalid("lines", "required"))?;
                        let listed: BTreeSet<String> = lines.iter().map(|l| l.container_id.clone()).collect();
                        let given: BTreeSet<String> = r.lines.iter().map(|l| l.container_id.clone()).collect();
                        if given != listed || r.lines.len() != listed.len() {
                            return Err(ApiError::invalid("lines", "give exactly one line for every container on the manifest"));
                        }
                        let delivered_on = delivered.unwrap_or(day);
                        if delivered_on > day {
                            return Err(ApiError::invalid("delivered_on", "is in the future"));
                        }
                        let due = std.manifest.receipt_deadline(&std.calendar, delivered_on);
                        let late = day > due.date;
                        update_late = Some(late);
                        deadline = Some(due.date.to_string());
                        let mut out = Vec::new();
                        for (i, l) in r.lines.iter().enumerate() {
                            let received = kg(&format!("lines[{i}].received_weight_kg"), &l.received_weight_kg)?;
                            if l.reason.as_ref().is_some_and(|s| s.chars().count() > 500) {
                                return Err(ApiError::invalid(format!("lines[{i}].reason"), "longer than 500 characters"));
                            }
                            if !l.accepted && l.reason.as_deref().is_none_or(|s| s.trim().is_empty()) {
                                return Err(ApiError::invalid(format!("lines[{i}].reason"), "a rejected container needs a reason (Art.18)"));
                            }
                            let shipped = lines.iter().find(|x| x.container_id == l.container_id).map(|x| x.shipped_weight_kg.clone()).unwrap_or_default();
                            let rec = std.manifest.reconcile(Decimal::from_str(&shipped).unwrap_or_default(), received);
                            diesel::update(manifest_lines::table.filter(manifest_lines::manifest_id.eq(&m.id)).filter(manifest_lines::container_id.eq(&l.container_id)))
                                .set((
                                    manifest_lines::received_weight_kg.eq(Some(received.to_string())),
                                    manifest_lines::accepted.eq(Some(l.accepted)),
                                    manifest_lines::reason.eq(l.reason.clone()),
                                    manifest_lines::discrepancy.eq(Some(rec.discrepancy)),
                                ))
                                .execute(c)?;
                            // A rejected container goes back into the shipper's custody, visibly.
                            let (status, custodian, kind) = if l.accepted { (Status::Received.as_str(), &m.receiver, "received") } else { (Status::Returned.as_str(), &m.shipper, "returned") };
                            diesel::update(containers::table.filter(containers::id.eq(&l.container_id))).set((containers::status.eq(status), containers::custodian_id.eq(Some(custodian)))).execute(c)?;
                            events::append_now(c, &format!("container:{}", l.container_id), kind, &user.actor(), json!({ "manifest_id": m.id, "received_weight_kg": received.to_string(), "discrepancy": rec.discrepancy, "reason": l.reason }))?;
                            out.push(json!({ "container_id": l.container_id, "accepted": l.accepted, "received_weight_kg": received.to_string(), "shipped_weight_kg": shipped, "discrepancy": rec.discrepancy, "allowed_kg": rec.allowed_kg.to_string() }));
                        }
                        let acc = Acceptance::of(r.lines.iter().map(|l| l.accepted)).ok_or_else(|| ApiError::invalid("lines", "empty"))?;
                        let acc_text = serde_json::to_value(acc).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                        diesel::update(manifests::table.filter(manifests::id.eq(&m.id))).set(manifests::acceptance.eq(Some(&acc_text))).execute(c)?;
                        payload["acceptance"] = json!(acc_text);
                        payload["lines"] = json!(out);
                        payload["delivered_on"] = json!(delivered_on.to_string());
                        payload["late"] = json!(late);
                        if !due.uncovered_years.is_empty() {
                            payload["calendar_warning"] = json!(format!("no holiday data for {:?}: weekends only", due.uncovered_years));
                        }
                    }
                    Action::ConfirmDisposal => {
                        let method = disposal.as_ref().map(|d| d.method.trim().to_owned()).unwrap_or_default();
                        for l in lines.iter().filter(|l| l.accepted == Some(true)) {
                            diesel::update(containers::table.filter(containers::id.eq(&l.container_id))).set(containers::status.eq(Status::Disposed.as_str())).execute(c)?;
                            events::append_now(c, &format!("container:{}", l.container_id), "disposed", &user.actor(), json!({ "manifest_id": m.id, "method": method }))?;
                        }
                        payload["method"] = json!(method);
                    }
                }
                // The version guard makes two concurrent actions on one manifest collide: one wins, the other
                // gets 409 and its transaction (lines, containers, events) is rolled back.
                let stamp = Some(at.clone());
                let q = diesel::update(manifests::table.filter(manifests::id.eq(&m.id)).filter(manifests::version.eq(m.version)));
                let n = match action {
                    Action::Submit => q.set((manifests::status.eq(next.as_str()), manifests::version.eq(m.version + 1), manifests::submitted_at.eq(stamp))).execute(c)?,
                    Action::Dispatch => q.set((manifests::status.eq(next.as_str()), manifests::version.eq(m.version + 1), manifests::dispatched_at.eq(stamp))).execute(c)?,
                    Action::Receive => q
                        .set((
                            manifests::status.eq(next.as_str()),
                            manifests::version.eq(m.version + 1),
                            manifests::received_at.eq(stamp),
                            manifests::delivered_on.eq(Some(delivered.unwrap_or(day).to_string())),
                            manifests::receipt_deadline.eq(deadline),
                            manifests::received_late.eq(update_late),
                        ))
                        .execute(c)?,
                    Action::ConfirmDisposal => q
                        .set((manifests::status.eq(next.as_str()), manifests::version.eq(m.version + 1), manifests::disposed_at.eq(stamp), manifests::disposal_method.eq(disposal.as_ref().map(|d| d.method.trim().to_owned()))))
                        .execute(c)?,
                    Action::Cancel => q.set((manifests::status.eq(next.as_str()), manifests::version.eq(m.version + 1), manifests::cancelled_at.eq(stamp))).execute(c)?,
                };
                if n != 1 {
                    return Err(ApiError::conflict("conflict", "a concurrent action on this manifest won; reload", json!({})));
                }
                events::append_now(c, &format!("manifest:{}", m.id), action.path(), &user.actor(), payload)?;
                let m = load_manifest(c, &id, &user.org_id, false)?;
                manifest_view(c, &m)
            })
        })
        .await?;
    Ok(web::Json(v))
}

macro_rules! action_route {
    ($name:ident, $path:literal, $action:expr, $body:ty) => {
        #[utoipa::path(post, path = $path, request_body = $body,
            responses((status = 200, body = ManifestView), (status = 403, body = super::ErrorEnvelope), (status = 404, body = super::ErrorEnvelope), (status = 409, body = super::ErrorEnvelope), (status = 422, body = super::ErrorEnvelope)), security(("bearer" = [])))]
        #[post($path)]
        pub async fn $name(user: AuthUser, path: web::Path<String>, body: web::Bytes, state: web::Data<AppState>) -> Result<web::Json<ManifestView>, ApiError> {
            act(user, path.into_inner(), $action, body, state).await
        }
    };
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NoBody {}

action_route!(
    submit_manifest,
    "/api/v1/manifests/{id}/submit",
    Action::Submit,
    NoBody
);
action_route!(
    dispatch_manifest,
    "/api/v1/manifests/{id}/dispatch",
    Action::Dispatch,
    DispatchBody
);
action_route!(
    receive_manifest,
    "/api/v1/manifests/{id}/receive",
    Action::Receive,
    ReceiveBody
);
action_route!(
    confirm_disposal,
    "/api/v1/manifests/{id}/confirm-disposal",
    Action::ConfirmDisposal,
    DisposalBody
);
action_route!(
    cancel_manifest,
    "/api/v1/manifests/{id}/cancel",
    Action::Cancel,
    NoBody
);

/// The manifest's custody chain.
#[utoipa::path(get, path = "/api/v1/manifests/{id}/events", responses((status = 200, body = Object), (status = 404, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/manifests/{id}/events")]
pub async fn manifest_events(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<Value>, ApiError> {
    let id = path.into_inner();
    let all = user.is_admin() || user.org_kind == OrgKind::Authority;
    let items = state
        .db(move |c| {
            load_manifest(c, &id, &user.org_id, all)?;
            Ok(events::chain(c, &format!("manifest:{id}"))?)
        })
        .await?;
    Ok(web::Json(json!({ "items": items })))
}

// ---------------------------------------------------------------- audit, alerts, oversight

/// Walks every custody chain and reports the first broken link (administrators, auditors, authorities).
#[utoipa::path(get, path = "/api/v1/audit/verify", responses((status = 200, body = Object), (status = 403, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/audit/verify")]
pub async fn audit_verify(
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<web::Json<Value>, ApiError> {
    if !(user.is_admin() || user.has(Role::Auditor) || user.org_kind == OrgKind::Authority) {
        return Err(ApiError::Forbidden(
            "the audit is for administrators, auditors and authorities".into(),
        ));
    }
    let started = std::time::Instant::now();
    let result = state.db(|c| Ok(events::verify_all(c)?)).await?;
    let mut result = result;
    result["seconds"] = json!(started.elapsed().as_secs_f64());
    Ok(web::Json(result))
}

/// Manifests whose receipt is late: in transit more than 5 working days after dispatch, or confirmed after the
/// deadline (Transfer Measures Art.18), for the shipper, carrier or receiver.
#[utoipa::path(get, path = "/api/v1/alerts/receipts", params(super::Page), responses((status = 200, body = Object)), security(("bearer" = [])))]
#[get("/api/v1/alerts/receipts")]
pub async fn receipt_alerts(
    user: AuthUser,
    page: web::Query<super::Page>,
    state: web::Data<AppState>,
) -> Result<web::Json<Value>, ApiError> {
    let std = state.std;
    let day = today();
    let limit = page.limit();
    let after = page.after.clone();
    let rows = state
        .db(move |c| {
            let o = user.org_id.clone();
            let mut q = manifests::table
                .filter(
                    manifests::shipper_id
                        .eq(o.clone())
                        .or(manifests::carrier_id.eq(o.clone()))
                        .or(manifests::receiver_id.eq(o)),
                )
                .filter(
                    manifests::status
                        .eq(Status::InTransit.as_str())
                        .or(manifests::received_late.eq(true)),
                )
                .select((
                    manifests::id,
                    manifests::number,
                    manifests::status,
                    manifests::dispatched_at,
                    manifests::receipt_deadline,
                    manifests::received_late,
                ))
                .order(manifests::id.asc())
                .limit(limit)
                .into_boxed();
            if let Some(a) = after {
                q = q.filter(manifests::id.gt(a));
            }
            Ok(q.load::<(
                String,
                String,
                String,
                Option<String>,
                Option<String>,
                Option<bool>,
            )>(c)?)
        })
        .await?;
    // Scanned manifests may be on time, so the cursor follows the scan, not the alerts.
    let next_after = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| r.0.clone()))
        .flatten();
    let mut items = Vec::new();
    for (id, number, status, dispatched, deadline, late) in rows {
        if status == Status::InTransit.as_str() {
            let Some(d) = dispatched
                .as_deref()
                .and_then(|s| s.get(..10))
                .and_then(parse_date)
            else {
                continue;
            };
            let due = std.manifest.receipt_deadline(&std.calendar, d);
            if day > due.date {
                items.push(json!({ "manifest_id": id, "number": number, "status": status, "deadline": due.date.to_string(), "reason": "not received within 5 working days of dispatch", "citation": "Transfer Measures Art.18" }));
            }
        } else if late == Some(true) {
            items.push(json!({ "manifest_id": id, "number": number, "status": status, "deadline": deadline, "reason": "receipt confirmed after the deadline", "citation": "Transfer Measures Art.18" }));
        }
    }
    Ok(web::Json(
        json!({ "items": items, "next_after": next_after, "as_of": day.to_string() }),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OversightPage {
    /// 1 to 500 schools, default 100.
    pub limit: Option<u32>,
    pub after: Option<String>,
}

/// Per school under the authority's region: open and overdue containers, whether a valid disposal contract
/// exists, the last pickup, and manifests not closed (education bureaus, read-only). Keyset-paginated by school;
/// each figure is one grouped query over the page's schools, so the cost does not grow with the page's history.
#[utoipa::path(get, path = "/api/v1/oversight/schools", params(OversightPage), responses((status = 200, body = Object), (status = 403, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/oversight/schools")]
pub async fn oversight(
    user: AuthUser,
    page: web::Query<OversightPage>,
    state: web::Data<AppState>,
) -> Result<web::Json<Value>, ApiError> {
    if !(user.org_kind == OrgKind::Authority || user.is_admin()) {
        return Err(ApiError::Forbidden(
            "oversight is for education bureaus".into(),
        ));
    }
    let std = state.std;
    let day = today();
    let limit = i64::from(page.limit.unwrap_or(100).clamp(1, 500));
    let after = page.after.clone();
    // A clock is overdue when its deadline (start + limit) has passed: the latest overdue start date.
    let policy = std.storage.policy(SiteKind::Lab);
    let mut overdue_before = day;
    while waste_core::storage::add_months(overdue_before, policy.limit_months) >= day {
        overdue_before -= time::Duration::days(1);
    }
    let overdue_on_or_before = overdue_before.to_string();
    let (items, next) = state
        .db(move |c| {
            let (_, region) = org_kind(c, &user.org_id)?.ok_or(ApiError::NotFound("organisation"))?;
            // A bureau sees the schools of its division: its code without the trailing zero pairs.
            let mut prefix = region.as_str();
            while prefix.ends_with("00") {
                prefix = &prefix[..prefix.len() - 2];
            }
            let mut q = organizations::table
                .filter(organizations::kind.eq(OrgKind::School.as_str()))
                .filter(organizations::region_code.like(format!("{prefix}%")))
                .select((organizations::id, organizations::name, organizations::region_code))
                .order(organizations::id.asc())
                .limit(limit)
                .into_boxed();
            if let Some(a) = after {
                q = q.filter(organizations::id.gt(a));
            }
            let schools: Vec<(String, String, String)> = q.load(c)?;
            let ids: Vec<String> = schools.iter().map(|s| s.0.clone()).collect();
            let d = day.to_string();
            use diesel::dsl::{count_star, max};
            let open: BTreeMap<String, i64> = containers::table
                .filter(containers::organization_id.eq_any(&ids))
                .filter(containers::status.eq_any([Status::Open.as_str(), Status::Sealed.as_str(), Status::Returned.as_str()]))
                .group_by(containers::organization_id)
                .select((containers::organization_id, count_star()))
                .load::<(String, i64)>(c)?
                .into_iter()
                .collect();
            let overdue: BTreeMap<String, i64> = containers::table
                .filter(containers::organization_id.eq_any(&ids))
                .filter(containers::status.eq_any([Status::Open.as_str(), Status::Sealed.as_str(), Status::Returned.as_str()]))
                .filter(containers::started_on.le(&overdue_on_or_before))
                .group_by(containers::organization_id)
                .select((containers::organization_id, count_star()))
                .load::<(String, i64)>(c)?
                .into_iter()
                .collect();
            let with_contract: BTreeSet<String> = contracts::table
                .filter(contracts::shipper_id.eq_any(&ids))
                .filter(contracts::valid_from.le(&d))
                .filter(contracts::valid_until.ge(&d))
                .select(contracts::shipper_id)
                .load::<String>(c)?
                .into_iter()
                .collect();
            let last_pickup: BTreeMap<String, Option<String>> = pickups::table
                .filter(pickups::school_id.eq_any(&ids))
                .group_by(pickups::school_id)
                .select((pickups::school_id, max(pickups::picked_at)))
                .load::<(String, Option<String>)>(c)?
                .into_iter()
                .collect();
            let not_closed: BTreeMap<String, i64> = manifests::table
                .filter(manifests::shipper_id.eq_any(&ids))
                .filter(manifests::status.ne_all([ManifestState::Disposed.as_str(), ManifestState::Cancelled.as_str()]))
                .group_by(manifests::shipper_id)
                .select((manifests::shipper_id, count_star()))
                .load::<(String, i64)>(c)?
                .into_iter()
                .collect();
            let next = (schools.len() as i64 == limit).then(|| schools.last().map(|s| s.0.clone())).flatten();
            let items: Vec<Value> = schools
                .into_iter()
                .map(|(id, name, region)| {
                    json!({ "school_id": id, "name": name, "region_code": region,
                            "open_containers": open.get(&id).copied().unwrap_or(0), "overdue_containers": overdue.get(&id).copied().unwrap_or(0),
                            "valid_disposal_contract": with_contract.contains(&id), "last_pickup": last_pickup.get(&id).cloned().flatten(),
                            "manifests_not_closed": not_closed.get(&id).copied().unwrap_or(0) })
                })
                .collect();
            Ok((items, next))
        })
        .await?;
    Ok(web::Json(
        json!({ "items": items, "next_after": next, "as_of": day.to_string() }),
    ))
}
