//! The paper fallback of the HW Transfer Measures Art.20: a manifest run on paper while the electronic system
//! was unavailable is entered afterwards by its shipper, with its real dates, marked back-filled, and flagged
//! when it comes in more than 10 working days after its completion. It passes the same checks as a manifest run
//! in the system (containers the shipper holds, sealed and on no other manifest; a contract and a licence valid
//! on the day it left; a reason for every refused container), with the state machine's order checked on the
//! dates instead.

use super::manifests::StepCommand;
use super::{Actor, AppError, Env, kg};
use crate::event;
use crate::expect_kind;
use crate::store::containers as rows;
use crate::store::manifests::{self as store_m, LineRow, ManifestRow};
use crate::store::records as store_r;
use crate::store::{Tx, contracts, organizations};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use time::Date;
use waste_core::access::Action as Access;
use waste_core::calendar::Zone;
use waste_core::container::Step;
use waste_core::manifest::{ManifestNumber, ManifestState};
use waste_core::party::OrgKind;
use waste_core::records::RecordRules;
use waste_core::records::paper::{
    PaperDates, PaperEntryCheck, PaperOutcomeError, check_paper_entry, paper_outcome,
};
use waste_core::shipment::{self, ReceiptLine};

/// One container line of the paper manifest.
#[derive(Debug, Clone)]
pub struct PaperLine {
    pub container_id: String,
    pub shipped_weight_kg: Decimal,
    pub received_weight_kg: Decimal,
    pub accepted: bool,
    pub reason: Option<String>,
}

/// A paper manifest as its shipper enters it.
#[derive(Debug, Clone)]
pub struct PaperManifest {
    /// The number printed on the paper manifest (Art.15).
    pub number: ManifestNumber,
    pub receiver_id: String,
    pub carrier_id: String,
    pub dates: PaperDates,
    /// The receiver's method, when the paper manifest records its utilisation or disposal.
    pub method: Option<String>,
    pub lines: Vec<PaperLine>,
}

/// The lines as given: (container id, shipped kg, received kg, accepted, reason).
pub type LineInput = (String, String, String, bool, Option<String>);

impl PaperManifest {
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        number: &str,
        receiver_id: String,
        carrier_id: String,
        dispatched_on: &str,
        received_on: &str,
        disposed_on: Option<&str>,
        method: Option<&str>,
        lines: &[LineInput],
    ) -> Result<Self, AppError> {
        let number = ManifestNumber::parse(number.trim())
            .map_err(|e| AppError::invalid("number", e.to_string()))?;
        let date = |field: &'static str, s: &str| {
            crate::store::parse_date(s)
                .ok_or_else(|| AppError::invalid(field, "not a date (YYYY-MM-DD)"))
        };
        let dates = PaperDates {
            dispatched_on: date("dispatched_on", dispatched_on)?,
            received_on: date("received_on", received_on)?,
            disposed_on: disposed_on.map(|d| date("disposed_on", d)).transpose()?,
        };
        let method = match (dates.disposed_on, method) {
            (Some(_), Some(m)) => match StepCommand::confirm_disposal(m)? {
                StepCommand::ConfirmDisposal { method } => Some(method),
                _ => None,
            },
            (Some(_), None) => {
                return Err(AppError::invalid("method", "required with disposed_on"));
            }
            (None, Some(_)) => {
                return Err(AppError::invalid("disposed_on", "required with method"));
            }
            (None, None) => None,
        };
        if lines.is_empty() || lines.len() > 500 {
            return Err(AppError::invalid("lines", "list 1 to 500 containers"));
        }
        let lines = lines
            .iter()
            .enumerate()
            .map(|(i, (id, shipped, received, accepted, reason))| {
                Ok(PaperLine {
                    container_id: id.clone(),
                    shipped_weight_kg: kg(&format!("lines[{i}].shipped_weight_kg"), shipped)?,
                    received_weight_kg: kg(&format!("lines[{i}].received_weight_kg"), received)?,
                    accepted: *accepted,
                    reason: reason.clone(),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(Self {
            number,
            receiver_id,
            carrier_id,
            dates,
            method,
            lines,
        })
    }
}

/// What the entry recorded.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Entered {
    pub id: String,
    pub number: String,
    pub status: ManifestState,
    pub acceptance: String,
    pub back_filled: bool,
    pub paper_entry: PaperEntryCheck,
    /// Present when the entry came in after the Art.20 window.
    pub alert: Option<String>,
}

/// A paper date as stored: local noon of that day in the deployment's zone, so the ledger's local date is the
/// day on the paper.
fn noon(d: Date, zone: &Zone) -> String {
    waste_core::custody::format_at(zone.instant(d.midnight() + time::Duration::hours(12)))
}

/// Enters a paper manifest (Transfer Measures Art.20) for containers the shipper holds.
pub fn enter(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    cmd: PaperManifest,
) -> Result<Entered, AppError> {
    actor.may_on(Access::DraftManifest, env.clock.today())?;
    let rules = RecordRules::embedded();
    // The paper's dates are local dates: so is the day it is entered.
    let today = env.clock.today();
    let check = check_paper_entry(rules, &env.std.calendar, cmd.dates, today)
        .map_err(|e| AppError::invalid(e.field(), e.to_string()))?;
    let (state, acceptance) = paper_outcome(&cmd.dates, cmd.lines.iter().map(|l| l.accepted))
        .map_err(|e| match e {
            PaperOutcomeError::NoLines => AppError::invalid("lines", e.to_string()),
            PaperOutcomeError::NothingToDispose => AppError::invalid("disposed_on", e.to_string()),
        })?;
    let listed: BTreeSet<String> = cmd.lines.iter().map(|l| l.container_id.clone()).collect();
    if listed.len() != cmd.lines.len() {
        return Err(AppError::invalid("lines", "a container is listed twice"));
    }
    let receipt: Vec<ReceiptLine> = cmd
        .lines
        .iter()
        .map(|l| ReceiptLine {
            container_id: &l.container_id,
            accepted: l.accepted,
            reason: l.reason.as_deref(),
        })
        .collect();
    shipment::check_receipt(&listed, &receipt)
        .map_err(|e| AppError::invalid(e.field, e.message))?;
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
    if store_r::manifest_number_taken(tx, cmd.number.as_str())? {
        return Err(AppError::refused(
            "manifest_number_taken",
            format!("manifest {} is already recorded", cmd.number.as_str()),
            json!({ "number": cmd.number.as_str() }),
        ));
    }
    let id = env.clock.new_id();
    let mut lines = Vec::new();
    let mut codes = BTreeSet::new();
    for l in &cmd.lines {
        let cid = &l.container_id;
        rows::lock(tx, cid)?;
        let (row, code) = super::manifests::shippable(tx, actor, cid)?;
        let status = row.status()?;
        // The paper dates follow the container's own history: it left after it came into the shipper's hands.
        if let Some(since) = store_r::held_since(tx, cid)?
            && env.clock.zone().date_of(since) > cmd.dates.dispatched_on
        {
            return Err(AppError::invalid(
                "dispatched_on",
                format!(
                    "is before container {cid} came into your custody ({})",
                    env.clock.zone().date_of(since)
                ),
            ));
        }
        codes.insert(code.clone());
        let rec = env
            .std
            .manifest
            .reconcile(l.shipped_weight_kg, l.received_weight_kg);
        lines.push((
            status,
            LineRow {
                manifest_id: id.clone(),
                container_id: cid.clone(),
                code,
                shipped_weight_kg: l.shipped_weight_kg.to_string(),
                received_weight_kg: Some(l.received_weight_kg.to_string()),
                accepted: Some(l.accepted),
                reason: l.reason.clone(),
                discrepancy: Some(rec.discrepancy),
            },
        ));
    }
    // The number on the paper is one of the shipper's own city and of the year the waste left (Art.15).
    let region = organizations::region(tx, &actor.org_id)?;
    cmd.number
        .check_paper(&region, cmd.dates.dispatched_on.year())
        .map_err(|e| AppError::invalid("number", e.to_string()))?;
    // The contract and licence the shipment needed on the day it left (Art.10; Solid Waste Law Art.80).
    let left = cmd.dates.dispatched_on;
    let valid = shipment::counting(
        &contracts::terms(tx, &actor.org_id, &cmd.receiver_id)?,
        left,
    );
    let licence = shipment::licence_on(&contracts::licence_versions(tx, &cmd.receiver_id)?, left);
    shipment::check_contract_and_licence(&codes, &valid, &licence, left)
        .map_err(|e| AppError::rule(e.code(), &e))?;

    let at = env.clock.stamp();
    let dispatched_at = noon(cmd.dates.dispatched_on, env.clock.zone());
    let received_at = noon(cmd.dates.received_on, env.clock.zone());
    let disposed_at = cmd.dates.disposed_on.map(|d| noon(d, env.clock.zone()));
    let due = env
        .std
        .manifest
        .receipt_deadline(&env.std.calendar, cmd.dates.received_on);
    let acceptance_text = serde_json::to_value(acceptance)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let row = ManifestRow {
        id: id.clone(),
        number: cmd.number.as_str().to_owned(),
        shipper_id: actor.org_id.clone(),
        carrier_id: cmd.carrier_id.clone(),
        receiver_id: cmd.receiver_id.clone(),
        status: state.as_str().to_owned(),
        acceptance: Some(acceptance_text.clone()),
        version: 0,
        created_by: actor.id.clone(),
        created_at: at.clone(),
        submitted_at: Some(dispatched_at.clone()),
        dispatched_at: Some(dispatched_at.clone()),
        delivered_on: Some(cmd.dates.received_on.to_string()),
        receipt_deadline: Some(due.date.to_string()),
        received_at: Some(received_at.clone()),
        received_late: Some(false),
        disposal_method: cmd.method.clone(),
        disposed_at: disposed_at.clone(),
        cancelled_at: None,
        vehicle_plate: None,
        transport_permit_no: None,
    };
    let line_rows: Vec<LineRow> = lines.iter().map(|(_, l)| l.clone()).collect();
    store_m::insert(tx, &row, &line_rows)?;
    // Each container takes the steps it took on paper, in order, through its status machine.
    for (from, l) in &lines {
        let cid = &l.container_id;
        let accepted = l.accepted == Some(true);
        let dispatched = from.after(Step::Dispatch).map_err(AppError::internal)?;
        let (step, holder, kind) = if accepted {
            (Step::Accept, &cmd.receiver_id, "received")
        } else {
            (Step::Reject, &actor.org_id, "returned")
        };
        let received = dispatched.after(step).map_err(AppError::internal)?;
        rows::set_status(tx, cid, *from, received, Some(holder), None)?;
        let paper =
            json!({ "manifest_id": id, "number": cmd.number.as_str(), "back_filled": true });
        let with = |k: &str, v: Value| {
            let mut p = paper.clone();
            p[k] = v;
            p
        };
        event(
            tx,
            format!("container:{cid}"),
            "dispatched",
            actor,
            &at,
            with("on", json!(cmd.dates.dispatched_on.to_string())),
        )?;
        event(
            tx,
            format!("container:{cid}"),
            kind,
            actor,
            &at,
            with("on", json!(cmd.dates.received_on.to_string())),
        )?;
        if let (true, Some(method), Some(d)) = (accepted, &cmd.method, cmd.dates.disposed_on) {
            let disposed = received.after(Step::Dispose).map_err(AppError::internal)?;
            rows::set_status(tx, cid, received, disposed, None, None)?;
            let mut p = with("on", json!(d.to_string()));
            p["method"] = json!(method);
            event(tx, format!("container:{cid}"), "disposed", actor, &at, p)?;
        }
    }
    store_r::insert_paper_entry(
        tx,
        &store_r::PaperEntryRow {
            manifest_id: id.clone(),
            entered_at: at.clone(),
            entered_by: actor.id.clone(),
            completed_on: check.completed_on.to_string(),
            entry_deadline: check.entry_deadline.to_string(),
            late: check.late,
        },
    )?;
    let list: Vec<Value> = line_rows
        .iter()
        .map(|l| json!({ "container_id": l.container_id, "code": l.code, "shipped_weight_kg": l.shipped_weight_kg, "received_weight_kg": l.received_weight_kg, "accepted": l.accepted, "reason": l.reason }))
        .collect();
    event(
        tx,
        format!("manifest:{id}"),
        "back_filled",
        actor,
        &at,
        json!({
            "number": cmd.number.as_str(), "shipper_id": actor.org_id, "carrier_id": cmd.carrier_id,
            "receiver_id": cmd.receiver_id, "lines": list, "status": state.as_str(), "acceptance": acceptance_text,
            "dispatched_on": cmd.dates.dispatched_on.to_string(), "received_on": cmd.dates.received_on.to_string(),
            "disposed_on": cmd.dates.disposed_on.map(|d| d.to_string()), "method": cmd.method,
            "completed_on": check.completed_on.to_string(), "entry_deadline": check.entry_deadline.to_string(),
            "late": check.late, "citation": check.citation,
        }),
    )?;
    let alert = check.late.then(|| {
        format!(
            "entered on {} after the deadline {} ({}: within {} working days of completion)",
            check.entered_on,
            check.entry_deadline,
            check.citation,
            rules.paper_fallback_working_days.value
        )
    });
    Ok(Entered {
        id,
        number: cmd.number.as_str().to_owned(),
        status: state,
        acceptance: acceptance_text,
        back_filled: true,
        paper_entry: check,
        alert,
    })
}
