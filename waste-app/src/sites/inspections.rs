//! Self-inspections of a site (GB 18597-2023 8.2.2) and the follow-up of their findings.

use super::*;

/// A self-inspection as submitted.
#[derive(Debug, Clone)]
pub struct Inspect {
    pub inspected_on: Date,
    pub inspector: Option<String>,
    pub answers: Vec<Answer>,
    pub findings: Vec<FindingInput>,
}

/// A recorded inspection with its findings' ids.
#[derive(Debug, Clone)]
pub struct Inspected {
    pub id: String,
    pub inspection: waste_core::site::Inspection,
    pub finding_ids: Vec<String>,
}

pub fn inspect(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    site_id: &str,
    cmd: Inspect,
) -> Result<Inspected, AppError> {
    let today = env.clock.today();
    actor.may_on(Action::InspectSites, today)?;
    let site = own(tx, actor, site_id)?;
    let inspector = cmd.inspector.unwrap_or_else(|| actor.name.clone());
    let inspection = env
        .std
        .sites
        .inspection(
            cmd.inspected_on,
            today,
            &inspector,
            &cmd.answers,
            &cmd.findings,
        )
        .map_err(|e| match &e {
            waste_core::site::InspectionError::FutureDate { .. } => {
                AppError::invalid("inspected_on", e.to_string())
            }
            waste_core::site::InspectionError::NoInspector => {
                AppError::invalid("inspector", e.to_string())
            }
            waste_core::site::InspectionError::EmptyFinding => {
                AppError::invalid("findings", e.to_string())
            }
            _ => AppError::invalid("answers", e.to_string()),
        })?;
    let id = env.clock.new_id();
    let at = env.clock.stamp();
    let row = InspectionRow {
        id: id.clone(),
        site_id: site.id.clone(),
        inspected_on: inspection.inspected_on.to_string(),
        inspector: inspection.inspector.clone(),
        items: serde_json::to_string(&inspection.items).map_err(AppError::internal)?,
        recorded_by: actor.id.clone(),
        recorded_at: at.clone(),
    };
    let findings: Vec<FindingRow> = inspection
        .findings
        .iter()
        .map(|f| FindingRow {
            id: env.clock.new_id(),
            inspection_id: id.clone(),
            site_id: site.id.clone(),
            item: f.item.clone(),
            description: f.description.clone(),
            clause: f.clause.clone(),
            followed_up_on: None,
            follow_up_by: None,
            follow_up_action: None,
            followed_up_at: None,
        })
        .collect();
    rows::insert_inspection(tx, &row, &findings)?;
    events::append(
        tx,
        events::Record {
            aggregate: format!("site:{}", site.id),
            kind: "inspected",
            actor: actor.actor(),
            at,
            payload: json!({ "inspection_id": id, "inspected_on": row.inspected_on, "inspector": row.inspector, "findings": findings.len() }),
        },
    )?;
    Ok(Inspected {
        id,
        inspection,
        finding_ids: findings.into_iter().map(|f| f.id).collect(),
    })
}

/// The follow-up of a finding, as submitted.
#[derive(Debug, Clone)]
pub struct FollowUpCmd {
    pub done_on: Date,
    /// Who did it; the actor's name when None.
    pub by: Option<String>,
    pub action: String,
}

pub fn follow_up(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    site_id: &str,
    finding_id: &str,
    cmd: FollowUpCmd,
) -> Result<FindingRow, AppError> {
    let today = env.clock.today();
    actor.may_on(Action::InspectSites, today)?;
    let site = own(tx, actor, site_id)?;
    let f = rows::finding(tx, &site.id, finding_id)?.ok_or(AppError::NotFound("finding"))?;
    if f.followed_up_on.is_some() {
        return Err(AppError::refused(
            "already_followed_up",
            "this finding was followed up already",
            json!({ "followed_up_on": f.followed_up_on }),
        ));
    }
    let inspected_on = store::parse_date(&rows::inspection_date(tx, &f.inspection_id)?)
        .ok_or_else(|| AppError::internal("stored inspection date"))?;
    let by = cmd.by.unwrap_or_else(|| actor.name.clone());
    let fu = env
        .std
        .sites
        .follow_up(inspected_on, today, cmd.done_on, &by, &cmd.action)
        .map_err(|e| match &e {
            waste_core::site::InspectionError::FollowUpDate { .. } => {
                AppError::invalid("done_on", e.to_string())
            }
            _ => AppError::invalid("action", e.to_string()),
        })?;
    let at = env.clock.stamp();
    if !rows::follow_up(tx, &f.id, &fu.done_on.to_string(), &fu.by, &fu.action, &at)? {
        return Err(AppError::refused(
            "already_followed_up",
            "this finding was followed up already",
            json!({}),
        ));
    }
    events::append(
        tx,
        events::Record {
            aggregate: format!("site:{}", site.id),
            kind: "finding_followed_up",
            actor: actor.actor(),
            at: at.clone(),
            payload: json!({ "finding_id": f.id, "done_on": fu.done_on.to_string(), "by": fu.by, "action": fu.action }),
        },
    )?;
    Ok(FindingRow {
        followed_up_on: Some(fu.done_on.to_string()),
        follow_up_by: Some(fu.by),
        follow_up_action: Some(fu.action),
        followed_up_at: Some(at),
        ..f
    })
}
