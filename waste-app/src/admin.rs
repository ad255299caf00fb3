//! Administration: an organisation's users (list, roles, training date, deactivation, a new token), its contact and
//! licence renewals (a new version, the old one kept), and a contract's confirmation by the other party and early
//! end. Who may do each is the access table's; every change is an event on the changed record's chain.

use super::parties::{may_set_training, roles_fit, training_date};
use super::{Actor, AppError, Env};
use crate::db::AnyConnection;
use crate::store::contracts::{self, ContractRow};
use crate::store::events::{self, Record};
use crate::store::organizations::{self as orgs, LicenceRow, OrgRow};
use crate::store::page::{Keyset, Page};
use crate::store::users::{self, UserChanges, UserRow};
use crate::store::{Tx, parse_date, to_text_list};
use serde_json::{Value, json};
use time::Date;
use waste_core::access::Action;
use waste_core::catalogue::HwCode;
use waste_core::party::{OrgKind, Role};

fn date(field: &str, s: &str) -> Result<Date, AppError> {
    parse_date(s.trim())
        .ok_or_else(|| AppError::invalid(field, format!("'{s}' is not a date (YYYY-MM-DD)")))
}

fn kind_of(org: &OrgRow) -> Result<OrgKind, AppError> {
    OrgKind::parse(&org.kind)
        .ok_or_else(|| AppError::Internal(format!("stored organisation kind '{}'", org.kind)))
}

fn record(
    tx: &mut Tx,
    aggregate: String,
    kind: &str,
    actor: &Actor,
    at: &str,
    payload: Value,
) -> Result<(), AppError> {
    events::append(
        tx,
        Record {
            aggregate,
            kind,
            actor: actor.actor(),
            at: at.to_owned(),
            payload,
        },
    )?;
    Ok(())
}

/// Whether the actor manages the users of `org`: an administrator any organisation's, a safety officer their
/// own (another organisation is not found).
fn may_manage(actor: &Actor, org: &str) -> Result<(), AppError> {
    if !actor.is_admin() && actor.org_id != org {
        return Err(AppError::NotFound("organisation"));
    }
    actor.may(Action::ManageUsers)
}

/// A user the actor manages: of an organisation they manage, holding only roles the actor may grant (a safety
/// officer does not change an auditor or an administrator).
fn managed(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<UserRow, AppError> {
    let user = users::by_id(conn, id)?.ok_or(AppError::NotFound("user"))?;
    may_manage(actor, &user.organization_id).map_err(|e| match e {
        AppError::NotFound(_) => AppError::NotFound("user"),
        e => e,
    })?;
    users::parse_roles(&user.roles)
        .into_iter()
        .try_for_each(|r| actor.may(Action::GrantRole(r)))?;
    Ok(user)
}

/// The users of an organisation.
pub fn users_of(
    conn: &mut AnyConnection,
    actor: &Actor,
    org: &str,
    page: &Keyset,
) -> Result<Page<UserRow>, AppError> {
    may_manage(actor, org)?;
    orgs::by_id(conn, org)?.ok_or(AppError::NotFound("organisation"))?;
    let rows = users::of_organization(conn, org, page)?;
    Ok(page.page(rows, |r| r.id.clone()))
}

/// An organisation's people by name, for the pages' lists (an officer: their own; an administrator: any).
pub fn people_of(
    conn: &mut AnyConnection,
    actor: &Actor,
    org: &str,
) -> Result<Vec<users::PersonRow>, AppError> {
    may_manage(actor, org)?;
    Ok(users::people_of(conn, org)?)
}

/// A change to a user: any of new roles, a training date, the active state.
#[derive(Debug, Clone, Default)]
pub struct ChangeUser {
    pub roles: Option<Vec<Role>>,
    pub trained_until: Option<Date>,
    pub active: Option<bool>,
}

impl ChangeUser {
    pub fn parse(
        roles: Option<&[String]>,
        trained_until: Option<&str>,
        active: Option<bool>,
    ) -> Result<Self, AppError> {
        let roles = match roles {
            None => None,
            Some(list) => {
                if list.is_empty() || list.len() > 7 {
                    return Err(AppError::invalid(
                        "roles",
                        format!("list 1 to {} roles", Role::ALL.len()),
                    ));
                }
                let mut out = Vec::new();
                for (i, r) in list.iter().enumerate() {
                    let role = Role::parse(r).ok_or_else(|| {
                        AppError::invalid(format!("roles[{i}]"), format!("unknown role '{r}'"))
                    })?;
                    if !out.contains(&role) {
                        out.push(role);
                    }
                }
                Some(out)
            }
        };
        let trained_until = trained_until
            .map(|d| date("trained_until", d))
            .transpose()?;
        if roles.is_none() && trained_until.is_none() && active.is_none() {
            return Err(AppError::invalid(
                "body",
                "name at least one of roles, trained_until, active",
            ));
        }
        Ok(ChangeUser {
            roles,
            trained_until,
            active,
        })
    }
}

/// Changes a user's roles, training date or active state. Nobody changes their own (an officer does not renew
/// their own training, an administrator does not lock themselves out). The new training date is recorded with
/// who set it; the change is an event on the user's chain.
pub fn change_user(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    id: &str,
    cmd: ChangeUser,
) -> Result<UserRow, AppError> {
    let user = managed(tx, actor, id)?;
    if user.id == actor.id {
        return Err(AppError::Forbidden(
            "nobody changes their own roles, training date or active state: another officer or an \
             administrator does"
                .into(),
        ));
    }
    let at = env.clock.stamp();
    let mut changes = UserChanges::default();
    let mut payload = serde_json::Map::new();
    if let Some(roles) = &cmd.roles {
        roles
            .iter()
            .try_for_each(|r| actor.may(Action::GrantRole(*r)))?;
        let org =
            orgs::by_id(tx, &user.organization_id)?.ok_or(AppError::NotFound("organisation"))?;
        roles_fit(roles, kind_of(&org)?)?;
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        changes.roles = Some(names.join(","));
        payload.insert("roles".into(), json!(names));
    }
    if let Some(d) = cmd.trained_until {
        may_set_training(actor, env)?;
        training_date(env, d)?;
        changes.trained_until = Some(Some(d.to_string()));
        changes.trained_until_set_by = Some(Some(actor.id.clone()));
        changes.trained_until_set_at = Some(Some(at.clone()));
        payload.insert("trained_until".into(), json!(d.to_string()));
    }
    if let Some(a) = cmd.active {
        changes.active = Some(a);
        payload.insert("active".into(), json!(a));
        if !a {
            users::end_sessions(tx, id)?;
        }
    }
    users::update(tx, id, &changes)?;
    record(
        tx,
        format!("user:{id}"),
        "user_changed",
        actor,
        &at,
        Value::Object(payload),
    )?;
    users::by_id(tx, id)?.ok_or(AppError::NotFound("user"))
}

/// Replaces a user's token with the one hashing to `token_hash` (the caller shows the token once): the old one
/// stops working at once, the user's browser sessions end and their unused sign-in links stop working. The
/// user themselves or an administrator: a new token is the user's identity, so a safety officer who could
/// replace a colleague's could act as them (issue 29, item 5).
pub fn replace_token(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    id: &str,
    token_hash: String,
) -> Result<(), AppError> {
    if actor.id != id {
        managed(tx, actor, id)?;
        actor.may(Action::ReplaceOthersToken)?;
    }
    let changes = UserChanges {
        token_hash: Some(token_hash),
        ..Default::default()
    };
    if !users::update(tx, id, &changes)? {
        return Err(AppError::NotFound("user"));
    }
    users::end_sessions(tx, id)?;
    let at = env.clock.stamp();
    users::void_links(tx, id, &at)?;
    record(
        tx,
        format!("user:{id}"),
        "token_replaced",
        actor,
        &at,
        json!({}),
    )
}

/// A licence renewal as given: a new version from `valid_from` (default today).
#[derive(Debug, Clone)]
pub struct Renewal {
    pub number: String,
    pub waste_codes: Vec<String>,
    pub valid_from: Option<Date>,
    pub valid_until: Date,
}

/// A change to an organisation: its contact, a licence renewal.
#[derive(Debug, Clone, Default)]
pub struct ChangeOrganization {
    pub contact: Option<String>,
    pub licence: Option<Renewal>,
}

impl ChangeOrganization {
    pub fn parse(
        contact: Option<&str>,
        licence: Option<(&str, &[String], Option<&str>, &str)>,
    ) -> Result<Self, AppError> {
        let contact = contact
            .map(|c| {
                let t = c.trim();
                match t.chars().count() {
                    0 => Err(AppError::invalid("contact", "must not be empty")),
                    1..=200 => Ok(t.to_owned()),
                    _ => Err(AppError::invalid("contact", "longer than 200 characters")),
                }
            })
            .transpose()?;
        let licence = match licence {
            None => None,
            Some((number, codes, from, until)) => {
                let number = number.trim();
                if number.is_empty() || number.chars().count() > 100 {
                    return Err(AppError::invalid("license.number", "1 to 100 characters"));
                }
                if codes.is_empty() || codes.len() > 100 {
                    return Err(AppError::invalid(
                        "license.waste_codes",
                        "must list 1 to 100 waste codes",
                    ));
                }
                let mut list: Vec<String> = Vec::new();
                for (i, c) in codes.iter().enumerate() {
                    let code = HwCode::parse(c.trim()).map_err(|e| {
                        AppError::invalid(format!("license.waste_codes[{i}]"), e.to_string())
                    })?;
                    if !list.contains(&code.to_string()) {
                        list.push(code.to_string());
                    }
                }
                let valid_from = from.map(|f| date("license.valid_from", f)).transpose()?;
                let valid_until = date("license.valid_until", until)?;
                if valid_from.is_some_and(|f| valid_until < f) {
                    return Err(AppError::invalid(
                        "license.valid_until",
                        "ends before license.valid_from",
                    ));
                }
                Some(Renewal {
                    number: number.to_owned(),
                    waste_codes: list,
                    valid_from,
                    valid_until,
                })
            }
        };
        if contact.is_none() && licence.is_none() {
            return Err(AppError::invalid(
                "body",
                "name at least one of contact, license",
            ));
        }
        Ok(ChangeOrganization { contact, licence })
    }
}

/// Changes an organisation's contact (an administrator, or its own safety officer) or records a renewed licence
/// (an administrator): a new version, every earlier one kept, so a manifest is still checked against the licence
/// of its own day.
pub fn change_organization(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    id: &str,
    cmd: ChangeOrganization,
) -> Result<OrgRow, AppError> {
    if !actor.is_admin() && actor.org_id != id {
        return Err(AppError::NotFound("organisation"));
    }
    orgs::by_id(tx, id)?.ok_or(AppError::NotFound("organisation"))?;
    let at = env.clock.stamp();
    let mut payload = serde_json::Map::new();
    if let Some(c) = &cmd.contact {
        actor.may(Action::EditOrganization)?;
        orgs::set_contact(tx, id, c)?;
        payload.insert("contact".into(), json!(c));
    }
    if let Some(r) = cmd.licence {
        actor.may(Action::RenewLicence)?;
        let from = r.valid_from.unwrap_or_else(|| env.clock.today());
        if r.valid_until < from {
            return Err(AppError::invalid(
                "license.valid_until",
                "ends before the renewal starts",
            ));
        }
        let row = LicenceRow {
            id: env.clock.new_id(),
            organization_id: id.to_owned(),
            number: r.number,
            waste_codes: to_text_list(&r.waste_codes),
            valid_from: Some(from.to_string()),
            valid_until: r.valid_until.to_string(),
            recorded_by: actor.id.clone(),
            recorded_at: at.clone(),
        };
        orgs::insert_licence(tx, &row)?;
        orgs::set_current_licence(tx, id, &row)?;
        payload.insert(
            "license".into(),
            json!({ "id": row.id, "number": row.number, "waste_codes": r.waste_codes,
                    "valid_from": row.valid_from, "valid_until": row.valid_until }),
        );
    }
    record(
        tx,
        format!("organization:{id}"),
        "organization_changed",
        actor,
        &at,
        Value::Object(payload),
    )?;
    orgs::by_id(tx, id)?.ok_or(AppError::NotFound("organisation"))
}

/// A contract one of whose parties the actor is (an administrator: any); another is not found.
fn party_contract(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &str,
) -> Result<ContractRow, AppError> {
    let row = contracts::by_id(conn, id)?.ok_or(AppError::NotFound("contract"))?;
    if actor.is_admin() || row.shipper_id == actor.org_id || row.disposal_firm_id == actor.org_id {
        Ok(row)
    } else {
        Err(AppError::NotFound("contract"))
    }
}

/// The other party confirms a contract one party recorded (Transfer Measures Art.10): from then on it counts for
/// the submission check. The party that recorded it does not confirm it; an administrator may.
pub fn confirm_contract(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    id: &str,
) -> Result<ContractRow, AppError> {
    actor.may(Action::ConfirmContract)?;
    let row = party_contract(tx, actor, id)?;
    if !actor.is_admin() && row.recorded_for.as_deref() == Some(actor.org_id.as_str()) {
        return Err(AppError::Forbidden(
            "the party that recorded a contract does not confirm it: the other party's safety officer does".into(),
        ));
    }
    if row.confirmed_at.is_some() {
        return Err(AppError::refused(
            "already_confirmed",
            "this contract is already confirmed",
            json!({ "confirmed_at": row.confirmed_at }),
        ));
    }
    let at = env.clock.stamp();
    if !contracts::confirm(tx, id, &actor.id, &at)? {
        return Err(AppError::refused(
            "already_confirmed",
            "this contract is already confirmed",
            json!({}),
        ));
    }
    record(
        tx,
        format!("contract:{id}"),
        "contract_confirmed",
        actor,
        &at,
        json!({}),
    )?;
    contracts::by_id(tx, id)?.ok_or(AppError::NotFound("contract"))
}

/// Ends a contract early, from `ended_on` (default today; not in the past, so a manifest already submitted under
/// it stays valid; not after its end date). A party's safety officer or an administrator.
pub fn end_contract(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    id: &str,
    ended_on: Option<&str>,
) -> Result<ContractRow, AppError> {
    actor.may(Action::EndContract)?;
    let today = env.clock.today();
    let on = ended_on
        .map(|d| date("ended_on", d))
        .transpose()?
        .unwrap_or(today);
    let row = party_contract(tx, actor, id)?;
    if on < today {
        return Err(AppError::invalid("ended_on", "must not be before today"));
    }
    if parse_date(&row.valid_until).is_some_and(|u| on > u) {
        return Err(AppError::invalid(
            "ended_on",
            format!("the contract ends on {} anyway", row.valid_until),
        ));
    }
    if row.ended_on.is_some() || !contracts::end(tx, id, &on.to_string(), &actor.id)? {
        return Err(AppError::refused(
            "contract_ended",
            "this contract has already been ended",
            json!({ "ended_on": row.ended_on }),
        ));
    }
    let at = env.clock.stamp();
    record(
        tx,
        format!("contract:{id}"),
        "contract_ended",
        actor,
        &at,
        json!({ "ended_on": on.to_string() }),
    )?;
    contracts::by_id(tx, id)?.ok_or(AppError::NotFound("contract"))
}

/// Every licence version of an organisation the actor may see.
pub fn licences(conn: &mut AnyConnection, org: &str) -> Result<Vec<LicenceRow>, AppError> {
    Ok(orgs::licences(conn, org)?)
}
