//! A container the disposal firm rejected (HW Transfer Measures Art.18) is back in its shipper's custody,
//! `returned`. When the shipper is a transfer station it hands the container back to the school it collected it
//! for (the station collects as the school's collector, Art.31); a school that shipped it itself takes it back
//! into its stock. Either way the container is the school's again, sealed (`waste_core::container::Step::
//! HandBack`): the school repacks what needs repacking outside the container record and asks for a pickup again
//! (docs/rules.md, "A rejected container"). Its storage clock is the school's again, from its first addition.

use super::container_state::{ContainerState, state_of};
use super::{Actor, AppError, Env};
use crate::db::AnyConnection;
use crate::store::containers::{self as rows, Row};
use crate::store::{Scope, Tx, events, manifests, organizations};
use serde_json::json;
use waste_core::access::Action;
use waste_core::container::{Status, Step};

/// Whether the actor may hand returned containers back (asked before anything is read).
pub fn may_hand_back(actor: &Actor, today: time::Date) -> Result<(), AppError> {
    actor.may_on(Action::HandBack, today)
}

/// Why a container came back, as its chain tells it: the rejecting firm and its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub manifest_id: String,
    pub firm_id: String,
    pub firm: String,
    pub reason: Option<String>,
    pub at: String,
}

/// A container of a school that a firm rejected: still with the shipper (`returned`), or handed back.
#[derive(Debug, Clone)]
pub struct ReturnNote {
    pub container: Row,
    pub rejection: Rejection,
    /// When it came back to the school (None: the shipper still holds it).
    pub handed_back_at: Option<String>,
}

/// The rejection recorded by a `returned` event (the receiver's step on the manifest).
fn rejection_of(
    conn: &mut AnyConnection,
    e: &waste_core::custody::Event,
) -> Result<Rejection, AppError> {
    let manifest_id = e.payload["manifest_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let firm_id = manifests::visible(conn, &manifest_id, &Scope::All)?
        .map(|m| m.receiver_id)
        .unwrap_or_default();
    let firm = if firm_id.is_empty() {
        String::new()
    } else {
        organizations::summary(conn, &firm_id)?.name
    };
    Ok(Rejection {
        manifest_id,
        firm_id,
        firm,
        reason: e.payload["reason"]
            .as_str()
            .filter(|r| !r.is_empty())
            .map(str::to_owned),
        at: e.at.clone(),
    })
}

/// Hands a returned container back to its school: the actor's organisation must hold it, `returned`. The
/// container is then sealed in the school's custody, at no storage site (the school places it), on the school's
/// clock from its first addition; a `handed_back` custody event names the firm and its reason.
pub fn hand_back(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    id: &str,
) -> Result<ContainerState, AppError> {
    may_hand_back(actor, env.clock.today())?;
    rows::lock(tx, id)?;
    let row = rows::by_id(tx, id)?
        .filter(|r| r.custodian_id.as_deref() == Some(actor.org_id.as_str()))
        .ok_or(AppError::NotFound("container your organisation holds"))?;
    let from = row.status()?;
    let to = from.after(Step::HandBack).map_err(|e| {
        AppError::refused(
            "container_not_returned",
            format!("{e}: only a container the disposal firm rejected goes back to its school"),
            json!({ "container_id": id, "status": row.status }),
        )
    })?;
    let chain = events::chain(tx, &format!("container:{id}"))?;
    let rejection = match chain.iter().rev().find(|e| e.kind == "returned") {
        Some(e) => Some(rejection_of(tx, e)?),
        None => None,
    };
    let school = row.organization_id.clone();
    let clock = row.started_on.clone();
    rows::hand_back(tx, id, from, to, &school, clock.as_deref())?;
    let at = env.clock.stamp();
    events::append(
        tx,
        events::Record {
            aggregate: format!("container:{id}"),
            kind: "handed_back",
            actor: actor.actor(),
            at,
            payload: json!({
                "from": actor.org_id,
                "school_id": school,
                "manifest_id": rejection.as_ref().map(|r| r.manifest_id.clone()),
                "firm_id": rejection.as_ref().map(|r| r.firm_id.clone()),
                "reason": rejection.as_ref().and_then(|r| r.reason.clone()),
            }),
        },
    )?;
    let row = rows::by_id(tx, id)?.ok_or(AppError::NotFound("container"))?;
    state_of(tx, env.std, row, env.clock.today())
}

/// The containers of `school` a disposal firm rejected that are not on their way again: `returned` (the shipper
/// holds them) or handed back and still sealed with the school, newest rejection first (at most 500).
pub fn notes(conn: &mut AnyConnection, school: &str) -> Result<Vec<ReturnNote>, AppError> {
    let page = crate::store::page::Keyset {
        limit: 500,
        after: None,
    };
    let mut candidates = rows::list(conn, school, Some(Status::Returned), &page)?;
    candidates.extend(
        rows::list(conn, school, Some(Status::Sealed), &page)?
            .into_iter()
            .filter(|r| r.custodian_id.as_deref() == Some(school)),
    );
    let ids: Vec<String> = candidates.iter().map(|r| r.id.clone()).collect();
    let found = events::of_containers(conn, &ids, &["returned", "handed_back"])?;
    let mut out = Vec::new();
    for row in candidates {
        let aggregate = format!("container:{}", row.id);
        let mine: Vec<&waste_core::custody::Event> =
            found.iter().filter(|e| e.aggregate == aggregate).collect();
        let Some(returned) = mine.iter().rev().find(|e| e.kind == "returned") else {
            continue;
        };
        let handed_back_at = mine
            .iter()
            .rev()
            .find(|e| e.kind == "handed_back" && e.seq > returned.seq)
            .map(|e| e.at.clone());
        if row.status == Status::Sealed.as_str() && handed_back_at.is_none() {
            continue;
        }
        out.push(ReturnNote {
            rejection: rejection_of(conn, returned)?,
            container: row,
            handed_back_at,
        });
    }
    out.sort_by(|a, b| b.rejection.at.cmp(&a.rejection.at));
    Ok(out)
}
