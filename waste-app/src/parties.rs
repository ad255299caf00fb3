//! Parties: organisations, their users (with bearer tokens), disposal contracts, and the first administrator.

use super::{Actor, AppError, Env};
use crate::db::AnyConnection;
use crate::store::contracts::{self, ContractRow};
use crate::store::organizations::{self as orgs, OrgRow};
use crate::store::page::{Keyset, Page};
use crate::store::users::{self, NewUser};
use crate::store::{Scope, Tx, text_list, to_text_list};
use serde_json::json;
use sha2::{Digest, Sha256};
use time::Date;
use waste_core::access::Action;
use waste_core::catalogue::HwCode;
use waste_core::party::{OrgKind, Role, validate_credit_code, validate_region_code};

/// 32 random bytes, hex: 256 bits from the operating system's generator.
pub fn new_token() -> Result<String, AppError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    Ok(format!("wst_{}", hex::encode(b)))
}

/// Tokens are stored as this hash only.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn text(field: &str, s: &str, max: usize) -> Result<String, AppError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(AppError::invalid(field, "must not be empty"));
    }
    if t.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("longer than {max} characters"),
        ));
    }
    Ok(t.to_owned())
}

fn codes(field: &str, list: &[String]) -> Result<Vec<String>, AppError> {
    if list.is_empty() || list.len() > 100 {
        return Err(AppError::invalid(field, "must list 1 to 100 waste codes"));
    }
    let mut out = Vec::new();
    for (i, c) in list.iter().enumerate() {
        let code = HwCode::parse(c.trim())
            .map_err(|e| AppError::invalid(format!("{field}[{i}]"), e.to_string()))?;
        if !out.contains(&code.to_string()) {
            out.push(code.to_string());
        }
    }
    Ok(out)
}

fn date(field: &str, s: &str) -> Result<Date, AppError> {
    crate::store::parse_date(s.trim())
        .ok_or_else(|| AppError::invalid(field, format!("'{s}' is not a date (YYYY-MM-DD)")))
}

/// A business licence as given: number, waste codes, expiry.
#[derive(Debug, Clone)]
pub struct LicenceInput {
    pub number: String,
    pub waste_codes: Vec<String>,
    pub valid_until: String,
}

/// Register an organisation.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub kind: OrgKind,
    pub name: String,
    pub credit_code: String,
    pub region_code: String,
    /// Number, codes (JSON), expiry.
    pub licence: Option<(String, Vec<String>, Date)>,
}

impl NewOrganization {
    pub fn parse(
        kind: &str,
        name: &str,
        credit_code: &str,
        region_code: &str,
        licence: Option<&LicenceInput>,
    ) -> Result<Self, AppError> {
        let kind = OrgKind::parse(kind).ok_or_else(|| {
            AppError::invalid("kind", format!("unknown kind '{kind}'; one of school, transfer_station, disposal_firm, carrier, authority"))
        })?;
        let name = text("name", name, 200)?;
        let credit_code = validate_credit_code(credit_code)
            .map_err(|e| AppError::invalid("credit_code", e.to_string()))?;
        let region_code =
            validate_region_code(region_code).map_err(|e| AppError::invalid("region_code", e))?;
        let licence = match (licence, kind) {
            (None, OrgKind::DisposalFirm) => {
                return Err(AppError::invalid(
                    "license",
                    "a disposal firm must carry its licence (number, waste codes, expiry)",
                ));
            }
            (None, _) => None,
            (Some(l), _) => Some((
                text("license.number", &l.number, 100)?,
                codes("license.waste_codes", &l.waste_codes)?,
                date("license.valid_until", &l.valid_until)?,
            )),
        };
        Ok(NewOrganization {
            kind,
            name,
            credit_code,
            region_code,
            licence,
        })
    }
}

/// Registers an organisation (administrators); a credit code is registered once.
pub fn register_organization(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    cmd: NewOrganization,
) -> Result<String, AppError> {
    actor.may(Action::RegisterOrganization)?;
    if orgs::credit_code_taken(tx, &cmd.credit_code)? {
        return Err(AppError::refused(
            "duplicate_credit_code",
            format!(
                "an organisation with credit code {} exists",
                cmd.credit_code
            ),
            json!({ "credit_code": cmd.credit_code }),
        ));
    }
    let id = env.clock.new_id();
    let at = env.clock.stamp();
    let (ln, lc, lv) = match cmd.licence {
        Some((n, c, v)) => (Some(n), Some(to_text_list(&c)), Some(v.to_string())),
        None => (None, None, None),
    };
    let first_licence = match (&ln, &lc, &lv) {
        (Some(n), Some(c), Some(v)) => Some(orgs::LicenceRow {
            id: env.clock.new_id(),
            organization_id: id.clone(),
            number: n.clone(),
            waste_codes: c.clone(),
            valid_from: None,
            valid_until: v.clone(),
            recorded_by: actor.id.clone(),
            recorded_at: at.clone(),
        }),
        _ => None,
    };
    orgs::insert(
        tx,
        &OrgRow {
            id: id.clone(),
            kind: cmd.kind.as_str().into(),
            name: cmd.name,
            credit_code: Some(cmd.credit_code),
            region_code: cmd.region_code,
            license_number: ln,
            license_waste_codes: lc,
            license_valid_until: lv,
            created_at: at,
            contact: None,
        },
    )?;
    if let Some(l) = first_licence {
        orgs::insert_licence(tx, &l)?;
    }
    Ok(id)
}

/// Organisations the actor may see: every one for an administrator, those of its division for an authority's
/// auditor, otherwise its own.
pub fn organizations(
    conn: &mut AnyConnection,
    actor: &Actor,
    page: &Keyset,
) -> Result<Page<OrgRow>, AppError> {
    let scope = actor.scope(conn)?;
    let rows = orgs::list(conn, &scope, page)?;
    Ok(page.page(rows, |r| r.id.clone()))
}

/// Whether an organisation is within `scope`.
pub fn in_scope(scope: &Scope, org: &OrgRow) -> bool {
    match scope {
        Scope::All => true,
        Scope::Division(p) => org.region_code.starts_with(p.as_str()),
        Scope::Org(o) => *o == org.id,
    }
}

/// One organisation, if the actor may see it (another is not found).
pub fn organization(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<OrgRow, AppError> {
    let scope = actor.scope(conn)?;
    orgs::by_id(conn, id)?
        .filter(|o| in_scope(&scope, o))
        .ok_or(AppError::NotFound("organisation"))
}

/// Licence codes of a row, as a list.
pub fn licence_codes(r: &OrgRow) -> Vec<String> {
    r.license_waste_codes
        .as_deref()
        .map(text_list)
        .unwrap_or_default()
}

/// Register a user of an organisation.
#[derive(Debug, Clone)]
pub struct RegisterUser {
    pub organization_id: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub trained_until: Option<Date>,
}

/// Whether the actor may register users of `org`: an administrator for any, a safety officer for their own
/// (another organisation is "not found"), and may grant each role (the access table's `GrantRole` rows).
pub fn may_register_user(actor: &Actor, org: &str, roles: &[Role]) -> Result<(), AppError> {
    if !actor.is_admin() && actor.org_id != org {
        return Err(AppError::NotFound("organisation"));
    }
    actor.may(Action::RegisterUser)?;
    roles
        .iter()
        .try_for_each(|r| actor.may(Action::GrantRole(*r)))
}

/// Refuses a role that does not belong in an organisation of `kind` (`access::role_fits`), naming the field.
pub fn roles_fit(roles: &[Role], kind: OrgKind) -> Result<(), AppError> {
    match roles
        .iter()
        .position(|r| !waste_core::access::role_fits(*r, kind))
    {
        None => Ok(()),
        Some(i) => Err(AppError::invalid(
            format!("roles[{i}]"),
            format!(
                "a {} does not work in a {}; roles there: {}",
                roles[i].as_str(),
                kind.as_str(),
                waste_core::access::roles_of(kind)
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// Whether the actor may record a training date: the access table's `SetTraining` with its training column (an
/// administrator holds no training record; anyone else needs a current one of their own).
pub fn may_set_training(actor: &Actor, env: &Env) -> Result<(), AppError> {
    actor.may_on(Action::SetTraining, env.clock.today())
}

/// A training date within the policy's bounds (`Env::training`).
pub fn training_date(env: &Env, d: Date) -> Result<(), AppError> {
    env.training
        .check(d, env.clock.today())
        .map_err(|m| AppError::invalid("trained_until", m))
}

impl RegisterUser {
    pub fn parse(
        organization_id: String,
        name: &str,
        roles: &[String],
        trained_until: Option<&str>,
    ) -> Result<Self, AppError> {
        let name = text("name", name, 100)?;
        if roles.is_empty() || roles.len() > Role::ALL.len() {
            return Err(AppError::invalid(
                "roles",
                format!("list 1 to {} roles", Role::ALL.len()),
            ));
        }
        let mut out = Vec::new();
        for (i, r) in roles.iter().enumerate() {
            let role = Role::parse(r).ok_or_else(|| {
                AppError::invalid(format!("roles[{i}]"), format!("unknown role '{r}'"))
            })?;
            if !out.contains(&role) {
                out.push(role);
            }
        }
        let trained_until = trained_until
            .map(|d| date("trained_until", d))
            .transpose()?;
        Ok(RegisterUser {
            organization_id,
            name,
            roles: out,
            trained_until,
        })
    }
}

/// Registers a user whose token hashes to `token_hash` (the token is shown once by the caller, never stored).
pub fn register_user(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    cmd: RegisterUser,
    token_hash: String,
) -> Result<String, AppError> {
    may_register_user(actor, &cmd.organization_id, &cmd.roles)?;
    if let Some(d) = cmd.trained_until {
        may_set_training(actor, env)?;
        training_date(env, d)?;
    }
    let Some(org) = orgs::by_id(tx, &cmd.organization_id)? else {
        return Err(AppError::NotFound("organisation"));
    };
    let kind = OrgKind::parse(&org.kind)
        .ok_or_else(|| AppError::Internal(format!("stored organisation kind '{}'", org.kind)))?;
    roles_fit(&cmd.roles, kind)?;
    let id = env.clock.new_id();
    let roles: Vec<&str> = cmd.roles.iter().map(|r| r.as_str()).collect();
    let at = env.clock.stamp();
    let trained = cmd.trained_until.map(|d| d.to_string());
    users::insert(
        tx,
        &NewUser {
            id: id.clone(),
            organization_id: cmd.organization_id.clone(),
            name: cmd.name.clone(),
            roles: roles.join(","),
            trained_until_set_by: trained.as_ref().map(|_| actor.id.clone()),
            trained_until_set_at: trained.as_ref().map(|_| at.clone()),
            trained_until: trained.clone(),
            token_hash,
            created_at: at.clone(),
        },
    )?;
    // The user's administration chain: who created them, with which roles and training date.
    crate::store::events::append(
        tx,
        crate::store::events::Record {
            aggregate: format!("user:{id}"),
            kind: "user_created",
            actor: actor.actor(),
            at,
            payload: json!({
                "organization_id": cmd.organization_id,
                "name": cmd.name,
                "roles": roles,
                "trained_until": trained,
            }),
        },
    )?;
    Ok(id)
}

/// Record a contract between a shipper and a disposal firm.
#[derive(Debug, Clone)]
pub struct RecordContract {
    pub shipper_id: String,
    pub disposal_firm_id: String,
    pub valid_from: Date,
    pub valid_until: Date,
    pub waste_codes: Vec<String>,
}

impl RecordContract {
    pub fn parse(
        shipper_id: String,
        disposal_firm_id: String,
        valid_from: &str,
        valid_until: &str,
        waste_codes: &[String],
    ) -> Result<Self, AppError> {
        let from = date("valid_from", valid_from)?;
        let until = date("valid_until", valid_until)?;
        if until < from {
            return Err(AppError::invalid("valid_until", "ends before valid_from"));
        }
        let waste_codes = codes("waste_codes", waste_codes)?;
        Ok(RecordContract {
            shipper_id,
            disposal_firm_id,
            valid_from: from,
            valid_until: until,
            waste_codes,
        })
    }
}

/// Whether the actor may record a contract between these parties: an administrator, or a safety officer of
/// one of them.
pub fn may_record_contract(actor: &Actor, shipper: &str, firm: &str) -> Result<(), AppError> {
    actor.may(Action::RecordContract)?;
    if actor.is_admin() || actor.org_id == shipper || actor.org_id == firm {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only an administrator or a party's safety officer records a contract".into(),
        ))
    }
}

/// Records a contract between a school or transfer station and a disposal firm.
pub fn record_contract(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    cmd: RecordContract,
) -> Result<String, AppError> {
    may_record_contract(actor, &cmd.shipper_id, &cmd.disposal_firm_id)?;
    match orgs::by_id(tx, &cmd.shipper_id)?.and_then(|o| OrgKind::parse(&o.kind)) {
        Some(OrgKind::School | OrgKind::TransferStation) => {}
        Some(_) => {
            return Err(AppError::invalid(
                "shipper_id",
                "the shipper must be a school or a transfer station",
            ));
        }
        None => return Err(AppError::NotFound("shipper organisation")),
    }
    match orgs::by_id(tx, &cmd.disposal_firm_id)?.and_then(|o| OrgKind::parse(&o.kind)) {
        Some(OrgKind::DisposalFirm) => {}
        Some(_) => {
            return Err(AppError::invalid(
                "disposal_firm_id",
                "must be a disposal firm",
            ));
        }
        None => return Err(AppError::NotFound("disposal firm")),
    }
    let id = env.clock.new_id();
    let at = env.clock.stamp();
    // An administrator's record counts at once; a party's waits for the other party's confirmation.
    let (recorded_for, confirmed_by, confirmed_at) = if actor.is_admin() {
        (None, Some(actor.id.clone()), Some(at.clone()))
    } else {
        (Some(actor.org_id.clone()), None, None)
    };
    let row = ContractRow {
        id: id.clone(),
        shipper_id: cmd.shipper_id,
        disposal_firm_id: cmd.disposal_firm_id,
        valid_from: cmd.valid_from.to_string(),
        valid_until: cmd.valid_until.to_string(),
        waste_codes: to_text_list(&cmd.waste_codes),
        created_at: at.clone(),
        recorded_by: Some(actor.id.clone()),
        recorded_for,
        confirmed_by,
        confirmed_at,
        ended_on: None,
        ended_by: None,
    };
    contracts::insert(tx, &row)?;
    crate::store::events::append(
        tx,
        crate::store::events::Record {
            aggregate: format!("contract:{id}"),
            kind: "contract_recorded",
            actor: actor.actor(),
            at,
            payload: json!({
                "shipper_id": row.shipper_id,
                "disposal_firm_id": row.disposal_firm_id,
                "valid_from": row.valid_from,
                "valid_until": row.valid_until,
                "waste_codes": cmd.waste_codes,
                "confirmed": row.confirmed_at.is_some(),
            }),
        },
    )?;
    Ok(id)
}

/// Contracts the actor's organisation is a party to (every one for an administrator; those with a party in its
/// division for an authority's auditor).
pub fn contracts(
    conn: &mut AnyConnection,
    actor: &Actor,
    page: &Keyset,
) -> Result<Page<ContractRow>, AppError> {
    let scope = actor.scope(conn)?;
    let rows = contracts::list(conn, &scope, page)?;
    Ok(page.page(rows, |r| r.id.clone()))
}

/// The shortest bootstrap token accepted, and how many different characters it must hold at least: a secret of
/// 32 random characters, not a word or a repeated one ("aaaa…", "changeme" four times).
pub const BOOTSTRAP_TOKEN_MIN: usize = 32;
const BOOTSTRAP_TOKEN_DISTINCT: usize = 10;
/// A secret once published as an example (the README's quick start showed it): everyone who read it knows it.
const PUBLISHED_EXAMPLE: &str = "my-admin-secret-";

/// A bootstrap token fit to be an administrator's secret: at least `BOOTSTRAP_TOKEN_MIN` visible ASCII characters
/// (no spaces), at least `BOOTSTRAP_TOKEN_DISTINCT` of them different.
pub fn check_bootstrap_token(t: &str) -> Result<String, AppError> {
    let t = t.trim();
    let distinct = t.chars().collect::<std::collections::BTreeSet<_>>().len();
    if t.len() < BOOTSTRAP_TOKEN_MIN
        || !t.chars().all(|ch| ch.is_ascii_graphic())
        || distinct < BOOTSTRAP_TOKEN_DISTINCT
        || t.starts_with(PUBLISHED_EXAMPLE)
    {
        return Err(AppError::invalid(
            "WASTE_BOOTSTRAP_TOKEN",
            format!(
                "must be at least {BOOTSTRAP_TOKEN_MIN} random visible ASCII characters (at least \
                 {BOOTSTRAP_TOKEN_DISTINCT} different ones, no spaces), not a published example; unset it to \
                 have one generated"
            ),
        ));
    }
    Ok(t.to_owned())
}

/// Creates the first administrator when none exists: with `token` when given, else a fresh one (returned so the
/// caller can print it once).
pub fn bootstrap_admin(
    conn: &mut AnyConnection,
    token: Option<&str>,
) -> Result<Option<String>, AppError> {
    crate::store::write_tx(conn, |tx| {
        // Several instances starting at once on one PostgreSQL: only one bootstraps (SQLite's BEGIN IMMEDIATE
        // already serialises this transaction).
        crate::store::maintenance::bootstrap_lock(tx.conn())?;
        if users::any_admin(tx)? {
            // A bootstrap value that is no administrator's token is refused loudly rather than ignored: an
            // operator who changed it expects it to work, and silently keeping the old one hides that it did not.
            if let Some(t) = token
                && !users::admin_with_token(tx, &hash_token(t.trim()))?
            {
                return Err(AppError::Refused {
                    code: "bootstrap_token_changed",
                    message: "WASTE_BOOTSTRAP_TOKEN is not the token of any administrator of this database: it \
                              only sets the first administrator's token and cannot replace one; unset it, or set \
                              it to a current administrator's token"
                        .into(),
                    details: json!({}),
                });
            }
            return Ok(None);
        }
        let token = match token {
            Some(t) => check_bootstrap_token(t)?,
            None => new_token()?,
        };
        let org = crate::ids::new_id_at(time::OffsetDateTime::now_utc());
        let at = waste_core::custody::format_at(time::OffsetDateTime::now_utc());
        orgs::insert(
            tx,
            &OrgRow {
                id: org.clone(),
                kind: OrgKind::Authority.as_str().into(),
                name: "平台管理 Platform administration".into(),
                credit_code: None,
                region_code: "000000".into(),
                license_number: None,
                license_waste_codes: None,
                license_valid_until: None,
                created_at: at.clone(),
                contact: None,
            },
        )?;
        users::insert(
            tx,
            &NewUser {
                id: crate::ids::new_id_at(time::OffsetDateTime::now_utc()),
                organization_id: org,
                name: "admin".into(),
                roles: "admin".into(),
                trained_until: None,
                trained_until_set_by: None,
                trained_until_set_at: None,
                token_hash: hash_token(&token),
                created_at: at,
            },
        )?;
        Ok(Some(token))
    })
}
