//! Transfer manifests (转移联单): draft, the steps of the core's state machine (submit, dispatch, receive,
//! confirm disposal, cancel), reads and receipt alerts. Each step takes the manifest's row lock first, so two
//! steps on one manifest take turns and the second meets the first's result.

pub use super::manifest_commands::{Draft, Received, StepCommand};
use super::{Actor, AppError, Env};
use crate::event;
use crate::expect_kind;
use crate::store::containers as rows;
use crate::store::manifests::{self as store_m, LineRow, ManifestRow, Receipt, StepChanges};
use crate::store::page::{Keyset, Page};
use crate::store::{self, Tx, events, pickups};
use serde_json::{Value, json};
use std::collections::BTreeSet;

use waste_core::access::Action as Access;
use waste_core::container::Step;
use waste_core::custody::Event;
use waste_core::manifest::{Acceptance, ManifestState, TransitionError, transition};
use waste_core::party::OrgKind;
use waste_core::shipment::{self, Loading, ReceiptLine};

/// A manifest with its lines.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub row: ManifestRow,
    pub lines: Vec<LineRow>,
}

fn detail(conn: &mut crate::db::AnyConnection, row: ManifestRow) -> Result<Manifest, AppError> {
    let lines = store_m::lines(conn, &row.id)?;
    Ok(Manifest { row, lines })
}

fn refusal(e: TransitionError) -> AppError {
    match e {
        TransitionError::InvalidTransition { state, action } => AppError::refused(
            "invalid_transition",
            format!("a manifest in state {state} cannot be {}", action.path()),
            json!({ "state": state.as_str(), "action": action.path() }),
        ),
        TransitionError::WrongParty {
            action, expected, ..
        } => AppError::Forbidden(
            format!("only the {expected:?} may {} this manifest", action.path()).to_lowercase(),
        ),
        TransitionError::NothingAccepted => {
            AppError::refused("nothing_accepted", e.to_string(), json!({}))
        }
    }
}

/// Whether the actor may draft manifests (asked before the body is read).
pub fn may_draft(actor: &Actor) -> Result<(), AppError> {
    actor.may(Access::DraftManifest)
}

/// Drafts a manifest (Transfer Measures Art.10) for sealed containers the shipper holds, each on one open
/// manifest at most, with its weight from the pickup or as given. It is numbered when submitted (Art.15).
pub fn draft(tx: &mut Tx, env: &Env, actor: &Actor, cmd: Draft) -> Result<Manifest, AppError> {
    may_draft(actor)?;
    expect_kind(
        tx,
        &cmd.receiver_id,
        OrgKind::DisposalFirm,
        "receiver_id",
        "receiver",
    )?;
    expect_kind(
        tx,
        &cmd.carrier_id,
        OrgKind::Carrier,
        "carrier_id",
        "carrier",
    )?;
    // A bound on open drafts per organisation (`WASTE_MAX_OPEN_DRAFTS`): drafts hold containers and rows, and
    // cost nothing to make.
    let open = store_m::open_drafts(tx, &actor.org_id)?;
    if open >= i64::from(env.max_open_drafts) {
        return Err(AppError::refused(
            "too_many_drafts",
            format!(
                "the organisation already has {open} manifest drafts open (at most {}): submit or cancel some first",
                env.max_open_drafts
            ),
            json!({ "open_drafts": open, "limit": env.max_open_drafts }),
        ));
    }
    let id = env.clock.new_id();
    let mut lines = Vec::new();
    for cid in &cmd.container_ids {
        // The container's row lock first: two manifests drafted at once for one container take turns here
        // and the second sees the first's line.
        rows::lock(tx, cid)?;
        let (_, code) = shippable(tx, actor, cid)?;
        let weight = match (cmd.weights_kg.get(cid), pickups::weight_of(tx, cid)?) {
            (Some(w), _) => w.to_string(),
            (None, Some(w)) => w,
            (None, None) => {
                return Err(AppError::invalid(
                    format!("weights_kg.{cid}"),
                    "the container was not weighed at a pickup: give its weight (Transfer Measures Art.10)",
                ));
            }
        };
        lines.push(LineRow {
            manifest_id: id.clone(),
            container_id: cid.clone(),
            code,
            shipped_weight_kg: weight,
            received_weight_kg: None,
            accepted: None,
            reason: None,
            discrepancy: None,
        });
    }
    let at = env.clock.stamp();
    let row = ManifestRow {
        id: id.clone(),
        // The number is drawn at submission (Art.15), so a draft cancelled never spends one of the region's
        // serials; until then the column holds a provisional value that no number can equal.
        number: store_m::provisional_number(&id),
        shipper_id: actor.org_id.clone(),
        carrier_id: cmd.carrier_id.clone(),
        receiver_id: cmd.receiver_id.clone(),
        status: ManifestState::Draft.as_str().to_owned(),
        acceptance: None,
        version: 0,
        created_by: actor.id.clone(),
        created_at: at.clone(),
        submitted_at: None,
        dispatched_at: None,
        delivered_on: None,
        receipt_deadline: None,
        received_at: None,
        received_late: None,
        disposal_method: None,
        disposed_at: None,
        cancelled_at: None,
        vehicle_plate: None,
        transport_permit_no: None,
    };
    store_m::insert(tx, &row, &lines)?;
    for l in &lines {
        event(
            tx,
            format!("container:{}", l.container_id),
            "manifested",
            actor,
            &at,
            json!({ "manifest_id": id }),
        )?;
    }
    let list: Vec<Value> = lines
        .iter()
        .map(|l| json!({ "container_id": l.container_id, "code": l.code, "shipped_weight_kg": l.shipped_weight_kg }))
        .collect();
    event(
        tx,
        format!("manifest:{id}"),
        "drafted",
        actor,
        &at,
        json!({ "number": null, "shipper_id": actor.org_id, "carrier_id": cmd.carrier_id, "receiver_id": cmd.receiver_id, "lines": list }),
    )?;
    Ok(Manifest { row, lines })
}

/// Takes a step of the manifest's state machine as the party the actor's organisation is on it: the core
/// decides whether the step is allowed from this state for this party, the access table whether the actor's
/// role may take it for that party, and the step's own checks (contract and licence, load, receipt lines).
pub fn step(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    id: &str,
    cmd: StepCommand,
) -> Result<Manifest, AppError> {
    store_m::lock(tx, id)?;
    let m = store_m::visible(tx, id, &store::Scope::Org(actor.org_id.clone()))?
        .ok_or(AppError::NotFound("manifest"))?;
    let party = m.party_of(&actor.org_id);
    let acceptance = m
        .acceptance
        .as_deref()
        .and_then(|a| serde_json::from_value::<Acceptance>(json!(a)).ok());
    let action = cmd.action();
    let state = m.state()?;
    let next = transition(state, action, party, acceptance).map_err(refusal)?;
    let p = party.ok_or(AppError::NotFound("manifest"))?;
    let day = env.clock.today();
    actor.may_on(Access::ManifestStep(p), day)?;
    let at = env.clock.stamp();
    let lines = store_m::lines(tx, &m.id)?;
    let listed: BTreeSet<String> = lines.iter().map(|l| l.container_id.clone()).collect();
    let mut payload = json!({ "from": state.as_str(), "to": next.as_str() });
    let mut changes = StepChanges {
        status: Some(next.as_str().into()),
        version: Some(m.version + 1),
        ..Default::default()
    };
    match &cmd {
        StepCommand::Submit => {
            let codes: BTreeSet<String> = lines.iter().map(|l| l.code.clone()).collect();
            if let Some(refusal) =
                super::coverage::covered(tx, &m.shipper_id, &m.receiver_id, &codes, day)?.refusal
            {
                return Err(refusal);
            }
            let number = super::serials::draw_number(tx, &m.shipper_id, day.year())?;
            payload["number"] = json!(number);
            changes.number = Some(number);
            changes.submitted_at = Some(at.clone());
        }
        StepCommand::Cancel => {
            super::serials::may_cancel(tx, env, &m)?;
            changes.cancelled_at = Some(at.clone());
        }
        StepCommand::Dispatch { loaded, vehicle } => {
            shipment::check_load(&listed, loaded).map_err(|e| AppError::rule(e.code(), &e))?;
            for l in &lines {
                rows::lock(tx, &l.container_id)?;
                let row =
                    rows::by_id(tx, &l.container_id)?.ok_or(AppError::NotFound("container"))?;
                let missing = super::containers::label_missing(tx, env.std, &row)?;
                let status = row.status()?;
                let loading = Loading {
                    status,
                    held_by_shipper: row.custodian_id.as_deref() == Some(m.shipper_id.as_str()),
                    labelled: missing.is_empty(),
                    code: row.code.as_deref(),
                    declared_code: &l.code,
                };
                if !shipment::ready_to_load(loading) {
                    return Err(AppError::refused(
                        "container_not_ready",
                        format!(
                            "container {} is not sealed and labelled as the manifest says (Art.13)",
                            l.container_id
                        ),
                        json!({ "container_id": l.container_id, "status": row.status, "missing": missing }),
                    ));
                }
                let to = status.after(Step::Dispatch).map_err(AppError::internal)?;
                rows::set_status(tx, &l.container_id, status, to, Some(&m.carrier_id), None)?;
                event(
                    tx,
                    format!("container:{}", l.container_id),
                    "dispatched",
                    actor,
                    &at,
                    json!({ "manifest_id": m.id, "carrier_id": m.carrier_id }),
                )?;
            }
            changes.dispatched_at = Some(at.clone());
            changes.vehicle_plate.clone_from(&vehicle.plate);
            changes.transport_permit_no.clone_from(&vehicle.permit_no);
            payload["vehicle_plate"] = json!(vehicle.plate);
            payload["transport_permit_no"] = json!(vehicle.permit_no);
        }
        StepCommand::Receive {
            delivered_on,
            lines: given,
        } => {
            let check: Vec<ReceiptLine> = given
                .iter()
                .map(|l| ReceiptLine {
                    container_id: &l.container_id,
                    accepted: l.accepted,
                    reason: l.reason.as_deref(),
                })
                .collect();
            shipment::check_receipt(&listed, &check)
                .map_err(|e| AppError::invalid(e.field, e.message))?;
            let delivered_on = delivered_on.unwrap_or(day);
            if delivered_on > day {
                return Err(AppError::invalid("delivered_on", "is in the future"));
            }
            let dispatched_on = m
                .dispatched_at
                .as_deref()
                .and_then(|s| env.clock.date_of_stamp(s))
                .unwrap_or(delivered_on);
            let timing = env
                .std
                .manifest
                .receipt_timing(&env.std.calendar, dispatched_on, delivered_on, day)
                .map_err(|e| AppError::invalid("delivered_on", e.to_string()))?;
            let (due, late) = (timing.deadline, timing.late);
            let mut out = Vec::new();
            for l in given {
                let shipped = lines
                    .iter()
                    .find(|x| x.container_id == l.container_id)
                    .map(|x| x.shipped_weight_kg.clone())
                    .unwrap_or_default();
                let rec = env
                    .std
                    .manifest
                    .reconcile(store::decimal(&shipped)?, l.weight_kg);
                store_m::record_receipt(
                    tx,
                    &m.id,
                    &l.container_id,
                    &Receipt {
                        received_weight_kg: Some(l.weight_kg.to_string()),
                        accepted: Some(l.accepted),
                        reason: l.reason.clone(),
                        discrepancy: Some(rec.discrepancy),
                    },
                )?;
                // A rejected container goes back into the shipper's custody, visibly.
                let (container_step, holder, kind) = if l.accepted {
                    (Step::Accept, &m.receiver_id, "received")
                } else {
                    (Step::Reject, &m.shipper_id, "returned")
                };
                rows::lock(tx, &l.container_id)?;
                let row =
                    rows::by_id(tx, &l.container_id)?.ok_or(AppError::NotFound("container"))?;
                let from = row.status()?;
                let to = from.after(container_step).map_err(|e| {
                    AppError::refused(
                        "container_not_ready",
                        e.to_string(),
                        json!({ "container_id": l.container_id }),
                    )
                })?;
                rows::set_status(tx, &l.container_id, from, to, Some(holder), None)?;
                event(
                    tx,
                    format!("container:{}", l.container_id),
                    kind,
                    actor,
                    &at,
                    json!({ "manifest_id": m.id, "received_weight_kg": l.weight_kg.to_string(), "discrepancy": rec.discrepancy, "reason": l.reason }),
                )?;
                out.push(json!({ "container_id": l.container_id, "accepted": l.accepted, "received_weight_kg": l.weight_kg.to_string(), "shipped_weight_kg": shipped, "discrepancy": rec.discrepancy, "allowed_kg": rec.allowed_kg.to_string() }));
            }
            let acc = Acceptance::of(given.iter().map(|l| l.accepted))
                .ok_or_else(|| AppError::invalid("lines", "empty"))?;
            let acc_text = serde_json::to_value(acc)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            payload["acceptance"] = json!(acc_text);
            payload["lines"] = json!(out);
            payload["delivered_on"] = json!(delivered_on.to_string());
            payload["late"] = json!(late);
            if !due.uncovered_years.is_empty() {
                payload["calendar_warning"] = json!(format!(
                    "no holiday data for {:?}: weekends only",
                    due.uncovered_years
                ));
            }
            changes.acceptance = Some(acc_text);
            changes.received_at = Some(at.clone());
            changes.delivered_on = Some(delivered_on.to_string());
            changes.receipt_deadline = Some(due.date.to_string());
            changes.received_late = Some(late);
        }
        StepCommand::ConfirmDisposal { method } => {
            for l in lines.iter().filter(|l| l.accepted == Some(true)) {
                rows::lock(tx, &l.container_id)?;
                let row =
                    rows::by_id(tx, &l.container_id)?.ok_or(AppError::NotFound("container"))?;
                let from = row.status()?;
                let to = from.after(Step::Dispose).map_err(|e| {
                    AppError::refused(
                        "container_not_ready",
                        e.to_string(),
                        json!({ "container_id": l.container_id }),
                    )
                })?;
                rows::set_status(tx, &l.container_id, from, to, None, None)?;
                event(
                    tx,
                    format!("container:{}", l.container_id),
                    "disposed",
                    actor,
                    &at,
                    json!({ "manifest_id": m.id, "method": method }),
                )?;
            }
            payload["method"] = json!(method);
            changes.disposed_at = Some(at.clone());
            changes.disposal_method = Some(method.clone());
        }
    }
    store_m::apply_step(tx, &m.id, m.version, &changes)?;
    event(
        tx,
        format!("manifest:{}", m.id),
        action.path(),
        actor,
        &at,
        payload,
    )?;
    let row = store_m::visible(tx, id, &store::Scope::Org(actor.org_id.clone()))?
        .ok_or(AppError::NotFound("manifest"))?;
    detail(tx, row)
}

/// A manifest the actor's organisation is a party to (any, for administrators; one a party of which is in its
/// division, for an authority's auditor).
pub fn get(
    conn: &mut crate::db::AnyConnection,
    actor: &Actor,
    id: &str,
) -> Result<Manifest, AppError> {
    let scope = actor.scope(conn)?;
    let row = store_m::visible(conn, id, &scope)?.ok_or(AppError::NotFound("manifest"))?;
    detail(conn, row)
}

/// Manifests the actor's organisation is a party to, optionally in one state.
pub fn list(
    conn: &mut crate::db::AnyConnection,
    actor: &Actor,
    state: Option<ManifestState>,
    page: &Keyset,
) -> Result<Page<ManifestRow>, AppError> {
    let scope = actor.scope(conn)?;
    let rows = store_m::list(conn, &scope, state, page)?;
    Ok(page.page(rows, |r| r.id.clone()))
}

/// The manifest's custody chain.
pub fn events(
    conn: &mut crate::db::AnyConnection,
    actor: &Actor,
    id: &str,
) -> Result<Vec<Event>, AppError> {
    let scope = actor.scope(conn)?;
    store_m::visible(conn, id, &scope)?.ok_or(AppError::NotFound("manifest"))?;
    Ok(events::chain(conn, &format!("manifest:{id}"))?)
}

/// A manifest whose receipt is late (Transfer Measures Art.18).
#[derive(Debug, Clone)]
pub struct LateReceipt {
    pub manifest: ManifestRow,
    pub deadline: Option<String>,
    /// Still in transit past the deadline, or received after it.
    pub still_in_transit: bool,
}

/// Manifests whose receipt is late: in transit more than 5 working days after dispatch, or confirmed after the
/// deadline. The cursor follows the scan (scanned manifests may be on time).
pub fn receipt_alerts(
    conn: &mut crate::db::AnyConnection,
    env: &Env,
    actor: &Actor,
    page: &Keyset,
) -> Result<Page<LateReceipt>, AppError> {
    receipt_alerts_of(conn, env, &actor.org_id, page)
}

/// `receipt_alerts` of organisation `org`: the webhooks' scan asks the same.
pub fn receipt_alerts_of(
    conn: &mut crate::db::AnyConnection,
    env: &Env,
    org: &str,
    page: &Keyset,
) -> Result<Page<LateReceipt>, AppError> {
    let day = env.clock.today();
    let scanned = page.page(store_m::receipt_candidates(conn, org, page)?, |r| {
        r.id.clone()
    });
    let mut items = Vec::new();
    for m in scanned.items {
        if m.status == ManifestState::InTransit.as_str() {
            let Some(d) = m
                .dispatched_at
                .as_deref()
                .and_then(|s| env.clock.date_of_stamp(s))
            else {
                continue;
            };
            let due = env.std.manifest.receipt_deadline(&env.std.calendar, d);
            if day > due.date {
                items.push(LateReceipt {
                    manifest: m,
                    deadline: Some(due.date.to_string()),
                    still_in_transit: true,
                });
            }
        } else if m.received_late == Some(true) {
            let deadline = m.receipt_deadline.clone();
            items.push(LateReceipt {
                manifest: m,
                deadline,
                still_in_transit: false,
            });
        }
    }
    Ok(Page {
        items,
        next_after: scanned.next_after,
    })
}

/// A container in the actor's custody that may go on a manifest: sealed (its status may take the shipment step),
/// on no open manifest, and with its waste code. Drafting a manifest and entering a paper one both ask this.
pub(super) fn shippable(
    tx: &mut Tx,
    actor: &Actor,
    cid: &str,
) -> Result<(rows::Row, String), AppError> {
    let row = rows::by_id(tx, cid)?
        .filter(|r| r.custodian_id.as_deref() == Some(actor.org_id.as_str()))
        .ok_or(AppError::NotFound("container in your custody"))?;
    if row.status()?.after(Step::Ship).is_err() {
        return Err(AppError::refused(
            "container_not_ready",
            format!(
                "container {cid} is {}: only sealed containers are shipped",
                row.status
            ),
            json!({ "container_id": cid, "status": row.status }),
        ));
    }
    if store_m::container_on_open_manifest(tx, cid)? {
        return Err(AppError::refused(
            "container_on_manifest",
            format!("container {cid} is already on a manifest"),
            json!({ "container_id": cid }),
        ));
    }
    let Some(code) = row.code.clone() else {
        return Err(AppError::refused(
            "label_incomplete",
            format!("container {cid} has no waste code"),
            json!({ "container_id": cid }),
        ));
    };
    Ok((row, code))
}
