//! Corrections of a signed manifest (Transfer Measures Art.29): a party proposes changed weights, waste codes or
//! the disposal method with a reason; each other party approves or refuses; the last approval applies it to the
//! manifest's lines. The core decides (`waste_core::revision`); this records what it decided, with an event on the
//! manifest's chain for the proposal, each decision and the application, in the same transaction. Each use case
//! takes the manifest's row lock first, so two decisions on one revision take turns.

use super::{Actor, AppError, Env, kg};
use crate::db::AnyConnection;
use crate::store::manifests::{self as store_m, LineRow, ManifestRow};
use crate::store::revisions::{self as q, DecisionRow, LineCorrection, RevisionRow};
use crate::store::{self, Scope, Tx, chain as people};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use waste_core::access::Action as Access;
use waste_core::catalogue::HwCode;
use waste_core::manifest::{ManifestState, Party};
use waste_core::revision::{
    self as rule, Asked, AskedLine, Change, Current, CurrentLine, DecisionRefusal, Field,
    MethodCode, RevisionRefusal, RevisionState, Verdict,
};

/// One line of a proposal as given (weights as decimal strings); `None` leaves a value as it is.
#[derive(Debug, Clone, Default)]
pub struct LineInput {
    pub container_id: String,
    pub shipped_weight_kg: Option<String>,
    pub received_weight_kg: Option<String>,
    pub code: Option<String>,
}

/// A proposed revision, parsed before anything is read.
#[derive(Debug, Clone)]
pub struct Propose(Asked);

impl Propose {
    pub fn parse(
        lines: Vec<LineInput>,
        disposal_method: Option<&str>,
        reason: String,
    ) -> Result<Self, AppError> {
        if lines.len() > 500 {
            return Err(AppError::invalid("lines", "at most 500 lines"));
        }
        let mut asked = Vec::new();
        for (i, l) in lines.into_iter().enumerate() {
            let weight = |name: &str, v: Option<String>| {
                v.map(|s| kg(&format!("lines[{i}].{name}"), &s)).transpose()
            };
            let code = l
                .code
                .map(|c| {
                    HwCode::parse(c.trim())
                        .map_err(|e| AppError::invalid(format!("lines[{i}].code"), e.to_string()))
                })
                .transpose()?;
            asked.push(AskedLine {
                shipped_weight_kg: weight("shipped_weight_kg", l.shipped_weight_kg)?,
                received_weight_kg: weight("received_weight_kg", l.received_weight_kg)?,
                container_id: l.container_id,
                code,
            });
        }
        let disposal_method = disposal_method
            .map(|m| {
                MethodCode::parse(m).ok_or_else(|| {
                    AppError::invalid(
                        "disposal_method",
                        "a Basel Convention Annex IV operation code: D1 to D15 or R1 to R13",
                    )
                })
            })
            .transpose()?;
        Ok(Self(Asked {
            lines: asked,
            disposal_method,
            reason,
        }))
    }
}

/// A party's answer, parsed: a refusal gives its reason; a note is at most 500 characters.
#[derive(Debug, Clone)]
pub struct Decide {
    pub verdict: Verdict,
    pub note: Option<String>,
}

impl Decide {
    pub fn parse(verdict: Verdict, note: Option<String>) -> Result<Self, AppError> {
        let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        if note
            .as_ref()
            .is_some_and(|n| n.chars().count() > rule::REASON_MAX)
        {
            return Err(AppError::invalid("reason", "at most 500 characters"));
        }
        if verdict == Verdict::Refuse && note.is_none() {
            return Err(AppError::invalid(
                "reason",
                "give the reason for refusing the correction",
            ));
        }
        Ok(Self { verdict, note })
    }
}

/// A decision with the name and roles of who gave it.
#[derive(Debug, Clone)]
pub struct Decision {
    pub row: DecisionRow,
    pub name: String,
    pub roles: Vec<String>,
}

/// A revision with its changes, its proposer's name and roles, and its decisions.
#[derive(Debug, Clone)]
pub struct Revision {
    pub row: RevisionRow,
    pub changes: Vec<Change>,
    pub proposer_name: String,
    pub proposer_roles: Vec<String>,
    pub decisions: Vec<Decision>,
}

fn refusal(e: RevisionRefusal) -> AppError {
    match e.field() {
        Some(f) => AppError::invalid(f, e.to_string()),
        None => {
            let mut details = serde_json::to_value(&e).unwrap_or_else(|_| json!({}));
            details["clause"] = json!(rule::CITATION);
            AppError::refused(e.code(), e.to_string(), details)
        }
    }
}

fn decision_refusal(e: DecisionRefusal) -> AppError {
    match e {
        DecisionRefusal::NotAnApprover => AppError::Forbidden(e.to_string()),
        _ => AppError::rule(e.code(), &e),
    }
}

fn event(
    tx: &mut Tx,
    manifest_id: &str,
    kind: &str,
    actor: &Actor,
    at: &str,
    payload: Value,
) -> Result<(), AppError> {
    crate::event(
        tx,
        format!("manifest:{manifest_id}"),
        kind,
        actor,
        at,
        payload,
    )
}

/// Every part the organisation `org` has in `m`.
pub fn parties(m: &ManifestRow, org: &str) -> BTreeSet<Party> {
    m.parties_of(org)
}

/// The parts the actor acts for: those of their organisation the access table lets their roles sign for.
fn acting(actor: &Actor, m: &ManifestRow) -> Result<BTreeSet<Party>, AppError> {
    let all = parties(m, &actor.org_id);
    let mut first_denial = None;
    let mut out = BTreeSet::new();
    for p in all {
        match actor.may(Access::ReviseManifest(p)) {
            Ok(()) => {
                out.insert(p);
            }
            Err(e) => {
                first_denial.get_or_insert(e);
            }
        }
    }
    match (out.is_empty(), first_denial) {
        (false, _) => Ok(out),
        (true, Some(e)) => Err(e),
        (true, None) => Err(AppError::NotFound("manifest")),
    }
}

/// The manifest as the core reads it.
fn current(
    conn: &mut AnyConnection,
    m: &ManifestRow,
    pending: bool,
) -> Result<(Current, Vec<LineRow>), AppError> {
    let lines = store_m::lines(conn, &m.id)?;
    let mut cur = Vec::new();
    for l in &lines {
        cur.push(CurrentLine {
            container_id: l.container_id.clone(),
            code: l.code.clone(),
            shipped_weight_kg: store::decimal(&l.shipped_weight_kg)?,
            received_weight_kg: l
                .received_weight_kg
                .as_deref()
                .map(store::decimal)
                .transpose()?,
        });
    }
    Ok((
        Current {
            state: m.state()?,
            lines: cur,
            disposal_method: m.disposal_method.clone(),
            pending,
        },
        lines,
    ))
}

fn names(ps: &BTreeSet<Party>) -> Vec<&'static str> {
    ps.iter().map(|p| p.as_str()).collect()
}

/// Proposes a revision of a received or disposed manifest the actor's organisation is a party to. It needs the
/// approval of every other party; when there is none (one organisation is every party) it applies at once.
pub fn propose(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    manifest_id: &str,
    cmd: Propose,
) -> Result<Revision, AppError> {
    store_m::lock(tx, manifest_id)?;
    let m = store_m::visible(tx, manifest_id, &Scope::Org(actor.org_id.clone()))?
        .ok_or(AppError::NotFound("manifest"))?;
    acting(actor, &m)?;
    let today = env.clock.today();
    actor.require_training(today)?;
    let pending = q::has_pending(tx, &m.id)?;
    let (cur, _) = current(tx, &m, pending)?;
    let catalogue = env.std.catalogue_on(today).catalogue;
    let changes =
        rule::propose(&cur, &cmd.0, |c| catalogue.code(c.as_str()).is_some()).map_err(refusal)?;
    let proposer = parties(&m, &actor.org_id);
    let needed = rule::approvers(&proposer);
    let at = env.clock.stamp();
    let seq = i32::try_from(q::count(tx, &m.id)? + 1).map_err(AppError::internal)?;
    let row = RevisionRow {
        id: env.clock.new_id(),
        manifest_id: m.id.clone(),
        seq,
        status: RevisionState::Pending.as_str().to_owned(),
        reason: cmd.0.reason.trim().to_owned(),
        changes: serde_json::to_string(&changes).map_err(AppError::internal)?,
        needed: q::parties_text(&needed),
        proposed_by: actor.id.clone(),
        proposed_org: actor.org_id.clone(),
        proposed_parties: q::parties_text(&proposer),
        proposed_at: at.clone(),
        closed_at: None,
    };
    q::insert(tx, &row)?;
    event(
        tx,
        &m.id,
        "revision_proposed",
        actor,
        &at,
        json!({ "revision_id": row.id, "seq": seq, "reason": row.reason, "changes": changes,
                "parties": names(&proposer), "needed": names(&needed) }),
    )?;
    if needed.is_empty() {
        apply(tx, env, actor, &m, &row, &changes, &at)?;
    }
    one(tx, &row.id)
}

/// A party's approval or refusal of a pending revision; the last approval needed applies it, a refusal closes it
/// with nothing changed.
pub fn decide(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    revision_id: &str,
    cmd: Decide,
) -> Result<Revision, AppError> {
    let first = q::by_id(tx, revision_id)?.ok_or(AppError::NotFound("revision"))?;
    store_m::lock(tx, &first.manifest_id)?;
    let m = store_m::visible(tx, &first.manifest_id, &Scope::Org(actor.org_id.clone()))?
        .ok_or(AppError::NotFound("revision"))?;
    let acting = acting(actor, &m)?;
    actor.require_training(env.clock.today())?;
    // Read again under the manifest's lock: a decision given meanwhile is seen.
    let r = q::by_id(tx, revision_id)?.ok_or(AppError::NotFound("revision"))?;
    let approved: BTreeSet<Party> = q::decisions(tx, std::slice::from_ref(&r.id))?
        .iter()
        .filter(|d| d.approved)
        .filter_map(|d| Party::parse(&d.party))
        .collect();
    let decided = rule::decide(r.state()?, &r.needed(), &approved, &acting, cmd.verdict)
        .map_err(decision_refusal)?;
    let at = env.clock.stamp();
    for p in &decided.parties {
        q::insert_decision(
            tx,
            &DecisionRow {
                revision_id: r.id.clone(),
                party: p.as_str().to_owned(),
                approved: cmd.verdict == Verdict::Approve,
                user_id: actor.id.clone(),
                organization_id: actor.org_id.clone(),
                at: at.clone(),
                note: cmd.note.clone(),
            },
        )?;
    }
    let kind = match cmd.verdict {
        Verdict::Approve => "revision_approved",
        Verdict::Refuse => "revision_refused",
    };
    event(
        tx,
        &m.id,
        kind,
        actor,
        &at,
        json!({ "revision_id": r.id, "seq": r.seq, "parties": names(&decided.parties), "note": cmd.note }),
    )?;
    match decided.state {
        RevisionState::Applied => apply(tx, env, actor, &m, &r, &r.changes()?, &at)?,
        RevisionState::Refused => q::close(tx, &r.id, RevisionState::Refused, &at)?,
        RevisionState::Pending => {}
    }
    one(tx, &r.id)
}

/// Writes the corrected values (the weights reconciled again, Transfer Measures Art.18), closes the revision as
/// applied and records the application with every change, old and new, on the manifest's chain.
fn apply(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    m: &ManifestRow,
    r: &RevisionRow,
    changes: &[Change],
    at: &str,
) -> Result<(), AppError> {
    let (cur, lines) = current(tx, m, false)?;
    rule::still_applies(changes, &cur).map_err(refusal)?;
    let mut method = None;
    let mut fixes: BTreeMap<String, LineCorrection> = BTreeMap::new();
    for c in changes {
        match (&c.container_id, c.field) {
            (Some(cid), Field::ShippedWeightKg) => {
                fixes.entry(cid.clone()).or_default().shipped_weight_kg = Some(c.new.clone());
            }
            (Some(cid), Field::ReceivedWeightKg) => {
                fixes.entry(cid.clone()).or_default().received_weight_kg = Some(c.new.clone());
            }
            (Some(cid), Field::Code) => {
                fixes.entry(cid.clone()).or_default().code = Some(c.new.clone());
            }
            (None, Field::DisposalMethod) => method = Some(c.new.as_str()),
            _ => return Err(AppError::internal("a revision's change names no line")),
        }
    }
    for (cid, mut fix) in fixes {
        let line = lines
            .iter()
            .find(|l| l.container_id == cid)
            .ok_or_else(|| AppError::internal("a revision's line is not on the manifest"))?;
        let weighed = fix.shipped_weight_kg.is_some() || fix.received_weight_kg.is_some();
        let received = fix
            .received_weight_kg
            .clone()
            .or_else(|| line.received_weight_kg.clone());
        if weighed && let Some(received) = received {
            let shipped = fix
                .shipped_weight_kg
                .clone()
                .unwrap_or_else(|| line.shipped_weight_kg.clone());
            let rec = env
                .std
                .manifest
                .reconcile(store::decimal(&shipped)?, store::decimal(&received)?);
            fix.discrepancy = Some(rec.discrepancy);
        }
        q::correct_line(tx, &m.id, &cid, &fix)?;
    }
    q::correct_manifest(tx, &m.id, m.version, method)?;
    q::close(tx, &r.id, RevisionState::Applied, at)?;
    event(
        tx,
        &m.id,
        "revision_applied",
        actor,
        at,
        json!({ "revision_id": r.id, "seq": r.seq, "changes": changes }),
    )
}

fn roles(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Revisions with their changes, decisions and the names of the people who gave them.
fn detail(conn: &mut AnyConnection, rows: Vec<RevisionRow>) -> Result<Vec<Revision>, AppError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let decisions = q::decisions(conn, &ids)?;
    let mut who: Vec<String> = rows.iter().map(|r| r.proposed_by.clone()).collect();
    who.extend(decisions.iter().map(|d| d.user_id.clone()));
    let signers = people::signers(conn, &who)?;
    let name = |id: &str| -> (String, Vec<String>) {
        signers
            .iter()
            .find(|s| s.id == id)
            .map(|s| (s.name.clone(), roles(&s.roles)))
            .unwrap_or_else(|| (id.to_owned(), Vec::new()))
    };
    rows.into_iter()
        .map(|row| {
            let (proposer_name, proposer_roles) = name(&row.proposed_by);
            let decisions = decisions
                .iter()
                .filter(|d| d.revision_id == row.id)
                .map(|d| {
                    let (name, roles) = name(&d.user_id);
                    Decision {
                        row: d.clone(),
                        name,
                        roles,
                    }
                })
                .collect();
            Ok(Revision {
                changes: row.changes()?,
                row,
                proposer_name,
                proposer_roles,
                decisions,
            })
        })
        .collect()
}

fn one(conn: &mut AnyConnection, id: &str) -> Result<Revision, AppError> {
    let row = q::by_id(conn, id)?.ok_or(AppError::NotFound("revision"))?;
    detail(conn, vec![row])?
        .pop()
        .ok_or(AppError::NotFound("revision"))
}

/// The revisions of a manifest the actor may see (as `GET /api/v1/manifests/{id}`), oldest first.
pub fn list(
    conn: &mut AnyConnection,
    actor: &Actor,
    manifest_id: &str,
) -> Result<Vec<Revision>, AppError> {
    let scope = actor.scope(conn)?;
    store_m::visible(conn, manifest_id, &scope)?.ok_or(AppError::NotFound("manifest"))?;
    of_manifest(conn, manifest_id)
}

/// The revisions of a manifest the caller already opened (the manifest page, the printed manifest).
pub fn of_manifest(conn: &mut AnyConnection, manifest_id: &str) -> Result<Vec<Revision>, AppError> {
    let rows = q::of_manifest(conn, manifest_id)?;
    detail(conn, rows)
}

/// What the actor may do about the revisions of `m` on its page: propose one, and decide the pending one.
#[derive(Debug, Clone, Default)]
pub struct Offer {
    pub propose: bool,
    /// The pending revision whose approval awaits the actor's organisation.
    pub decide: Option<String>,
}

pub fn offer(m: &ManifestRow, revisions: &[Revision], actor: &Actor) -> Offer {
    let Ok(mine) = acting(actor, m) else {
        return Offer::default();
    };
    let pending = revisions
        .iter()
        .find(|r| r.row.status == RevisionState::Pending.as_str());
    let signed = m
        .state()
        .is_ok_and(|s| matches!(s, ManifestState::Received | ManifestState::Disposed));
    let decide = pending.and_then(|r| {
        let approved: BTreeSet<Party> = r
            .decisions
            .iter()
            .filter(|d| d.row.approved)
            .filter_map(|d| Party::parse(&d.row.party))
            .collect();
        rule::decide(
            RevisionState::Pending,
            &r.row.needed(),
            &approved,
            &mine,
            Verdict::Approve,
        )
        .ok()
        .map(|_| r.row.id.clone())
    });
    Offer {
        propose: signed && pending.is_none(),
        decide,
    }
}
