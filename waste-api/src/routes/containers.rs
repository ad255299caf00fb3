//! Waste containers for lab staff: create, add waste, seal, read, label, events; and storage alerts.

use super::{Page, Paged, respond};
use crate::auth::{AuthUser, parse_date};
use crate::body::{Stored, idempotency_key, idempotent, parse_json, request_hash};
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::events;
use crate::schema::{additions, containers, organizations};
use crate::state::{AppState, new_id, now, today};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use diesel::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::str::FromStr;
use utoipa::ToSchema;
use waste_core::catalogue::HwCode;
use waste_core::container::{self, Addition, Container, Material, Quantity, Unit};
use waste_core::hazard::Hazard;
use waste_core::hazardous::HazardOutcome;
use waste_core::label::{DigitalId, Label, render_svg};
use waste_core::party::{OrgKind, Role};
use waste_core::request::Form;
use waste_core::storage::{SiteKind, StorageStatus, add_months};
use waste_core::stream::Stream;
use waste_core::{Standards, Waste, WasteRequest, classify};

/// Container statuses, in the order of the custody chain.
pub const OPEN: &str = "open";
pub const SEALED: &str = "sealed";
/// At the transfer station after a pickup.
pub const PICKED_UP: &str = "picked_up";
pub const IN_TRANSIT: &str = "in_transit";
pub const RECEIVED: &str = "received";
pub const DISPOSED: &str = "disposed";
/// Rejected by the receiver: back in the shipper's custody.
pub const RETURNED: &str = "returned";
pub const STATUSES: [&str; 7] = [
    OPEN, SEALED, PICKED_UP, IN_TRANSIT, RECEIVED, DISPOSED, RETURNED,
];

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContainer {
    /// Laboratory room, e.g. "B-304".
    pub lab: String,
    /// Decimal string, e.g. "20".
    pub capacity_liters: String,
    /// glass | hdpe | pp | ptfe | metal
    pub material: String,
    /// Contact person and phone for the label; defaults to the creating user's name.
    pub contact: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAddition {
    /// A classification request (CONTRACTS.md).
    #[schema(value_type = Object)]
    pub waste: WasteRequest,
    /// Decimal string, e.g. "1.5".
    pub quantity: String,
    /// "L" or "kg".
    pub unit: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StorageView {
    pub site: String,
    pub started_on: String,
    pub deadline: String,
    pub days_left: i64,
    /// ok | due_soon | overdue
    pub status: String,
    pub source: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct LabelView {
    pub waste_name: String,
    pub code: Option<String>,
    pub category: Option<String>,
    pub main_components: Vec<String>,
    pub hazards: Vec<String>,
    pub generation_date: Option<String>,
    pub generator: String,
    pub contact: String,
    pub digital_id: Option<String>,
    /// Required fields still empty (HJ 1276-2022); the label prints only when this is empty.
    pub missing: Vec<String>,
    pub size_mm: u32,
    pub text_height_mm: u32,
    pub labels_required: u8,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ContainerView {
    pub id: String,
    pub organization_id: String,
    pub lab: String,
    pub capacity_liters: String,
    pub material: String,
    /// open | sealed | picked_up | in_transit | received | disposed | returned
    pub status: String,
    pub stream: Option<String>,
    pub filled_liters: String,
    pub fill_limit_liters: String,
    pub code: Option<String>,
    pub category: Option<String>,
    pub hazards: Vec<String>,
    pub additions_count: i32,
    pub storage: Option<StorageView>,
    pub label: LabelView,
    pub created_at: String,
    pub sealed_at: Option<String>,
    /// The organisation holding the container now.
    pub custodian_id: Option<String>,
    /// The decision for the addition just made (on POST …/additions only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub classification: Option<Value>,
}

/// A `containers` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = containers)]
pub struct Row {
    pub id: String,
    pub organization_id: String,
    pub lab: String,
    pub contact: String,
    pub capacity_l: String,
    pub material: String,
    pub status: String,
    pub stream: Option<String>,
    pub filled_l: String,
    pub holds_liquid: bool,
    pub code: Option<String>,
    pub hazards: String,
    pub started_on: Option<String>,
    pub digital_id: Option<String>,
    pub additions_count: i32,
    pub contents: String,
    pub created_by: String,
    pub created_at: String,
    pub sealed_at: Option<String>,
    pub custodian_id: Option<String>,
}

fn dec(s: &str) -> Result<Decimal, ApiError> {
    Decimal::from_str(s).map_err(|e| ApiError::Internal(format!("stored decimal '{s}': {e}")))
}

fn hazards_of(s: &str) -> Vec<Hazard> {
    s.split(',').filter_map(Hazard::parse).collect()
}

/// Loads a container the caller's organisation owns or holds in custody; any other is "not found".
pub fn load(conn: &mut AnyConnection, id: &str, org: &str) -> Result<Row, ApiError> {
    containers::table
        .filter(containers::id.eq(id))
        .filter(
            containers::organization_id
                .eq(org)
                .or(containers::custodian_id.eq(org)),
        )
        .select(Row::as_select())
        .first::<Row>(conn)
        .optional()?
        .ok_or(ApiError::NotFound("container"))
}

/// The CAS numbers of every substance added so far, in order of first addition.
pub fn contents(row: &Row) -> Vec<String> {
    serde_json::from_str(&row.contents).unwrap_or_default()
}

pub fn core_container(std: &Standards, row: &Row, cas: &[String]) -> Result<Container, ApiError> {
    let mut c = Container::new(
        dec(&row.capacity_l)?,
        Material::parse(&row.material)
            .ok_or_else(|| ApiError::Internal("stored material".into()))?,
    );
    c.sealed = row.status != OPEN;
    c.stream = row.stream.as_deref().and_then(Stream::parse);
    c.filled_l = dec(&row.filled_l)?;
    c.holds_liquid = row.holds_liquid;
    c.contents = cas
        .iter()
        .filter_map(|s| waste_core::CasNumber::parse(s).ok())
        .filter_map(|k| std.substances.by_cas(&k).map(|s| s.id))
        .collect();
    Ok(c)
}

pub struct Context {
    pub org_name: String,
}

pub fn context(conn: &mut AnyConnection, org: &str) -> Result<Context, ApiError> {
    if let Some(name) = ORG_NAMES
        .read()
        .ok()
        .and_then(|names| names.get(org).cloned())
    {
        return Ok(Context { org_name: name });
    }
    let org_name = organizations::table
        .filter(organizations::id.eq(org))
        .select(organizations::name)
        .first::<String>(conn)?;
    if let Ok(mut names) = ORG_NAMES.write() {
        if names.len() >= 100_000 {
            names.clear();
        }
        names.insert(org.to_owned(), org_name.clone());
    }
    Ok(Context { org_name })
}

/// Organisation names by id, kept once read: every addition's answer carries the label, which names the
/// organisation, and a name never changes once registered (no endpoint edits an organisation; ids are UUIDs, so
/// one process serving several databases cannot mix them up). Saves one statement per addition.
static ORG_NAMES: std::sync::LazyLock<
    std::sync::RwLock<std::collections::HashMap<String, String>>,
> = std::sync::LazyLock::new(Default::default);

pub fn label_of(
    std: &Standards,
    row: &Row,
    cas: &[String],
    ctx: &Context,
) -> Result<Label, ApiError> {
    let stream = row.stream.as_deref().and_then(Stream::parse);
    let waste_name = stream
        .and_then(|s| std.streams.info(s))
        .map(|i| format!("{} {}", i.name_zh, i.name_en))
        .unwrap_or_default();
    let mut components: Vec<String> = cas
        .iter()
        .filter_map(|s| waste_core::CasNumber::parse(s).ok())
        .filter_map(|k| std.substances.by_cas(&k))
        .map(|s| format!("{} {}", s.name_zh, s.name_en))
        .collect();
    if components.len() > 8 {
        let more = components.len() - 8;
        components.truncate(8);
        components.push(format!("+{more}"));
    }
    Ok(Label {
        waste_name,
        code: row.code.clone(),
        category: row
            .code
            .as_deref()
            .and_then(|c| HwCode::parse(c).ok())
            .map(|c| c.category()),
        form: Some(if row.holds_liquid {
            Form::Liquid
        } else {
            Form::Solid
        }),
        main_components: components,
        hazards: hazards_of(&row.hazards),
        precautions: None,
        generation_date: row.started_on.as_deref().and_then(parse_date),
        generator: ctx.org_name.clone(),
        contact: row.contact.clone(),
        digital_id: row
            .digital_id
            .as_deref()
            .and_then(|d| DigitalId::parse(d).ok()),
        weight_kg: None,
        remarks: Some(format!("{} {}", row.lab, row.id)),
        container_volume_l: dec(&row.capacity_l)?,
    })
}

pub fn view(
    std: &Standards,
    row: Row,
    cas: &[String],
    ctx: &Context,
) -> Result<ContainerView, ApiError> {
    let label = label_of(std, &row, cas, ctx)?;
    let size = std.labels.size_for(label.container_volume_l);
    // An empty container shows the stricter liquid limit until its first addition says what it holds.
    let liquid = row.holds_liquid || row.stream.is_none();
    let (_, fill_limit) = std.containers.fill_limit(dec(&row.capacity_l)?, liquid);
    let storage = row.started_on.as_deref().and_then(parse_date).map(|d| {
        let clock = std.storage.clock(SiteKind::Lab, d, today());
        StorageView {
            site: "lab".into(),
            started_on: clock.started_on.to_string(),
            deadline: clock.deadline.to_string(),
            days_left: clock.days_left,
            status: match clock.status {
                StorageStatus::Ok => "ok",
                StorageStatus::DueSoon => "due_soon",
                StorageStatus::Overdue => "overdue",
            }
            .into(),
            source: clock.source,
        }
    });
    Ok(ContainerView {
        fill_limit_liters: fill_limit.to_string(),
        category: label.category.clone(),
        hazards: label
            .hazards
            .iter()
            .map(|h| h.as_str().to_owned())
            .collect(),
        label: LabelView {
            waste_name: label.waste_name.clone(),
            code: label.code.clone(),
            category: label.category.clone(),
            main_components: label.main_components.clone(),
            hazards: label
                .hazards
                .iter()
                .map(|h| format!("{} {}", h.as_str(), h.name_zh()))
                .collect(),
            generation_date: label.generation_date.map(|d| d.to_string()),
            generator: label.generator.clone(),
            contact: label.contact.clone(),
            digital_id: label.digital_id.as_ref().map(|d| d.as_str().to_owned()),
            missing: label
                .missing()
                .iter()
                .map(|f| {
                    serde_json::to_value(f)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                })
                .collect(),
            size_mm: size.side_mm,
            text_height_mm: size.text_mm,
            labels_required: size.count,
        },
        id: row.id,
        organization_id: row.organization_id,
        lab: row.lab,
        capacity_liters: row.capacity_l,
        material: row.material,
        status: row.status,
        stream: row.stream,
        filled_liters: row.filled_l,
        code: row.code,
        additions_count: row.additions_count,
        storage,
        created_at: row.created_at,
        sealed_at: row.sealed_at,
        custodian_id: row.custodian_id,
        classification: None,
    })
}

fn read_view(
    std: &Standards,
    c: &mut AnyConnection,
    id: &str,
    org: &str,
) -> Result<ContainerView, ApiError> {
    let row = load(c, id, org)?;
    let cas = contents(&row);
    let ctx = context(c, &row.organization_id)?;
    view(std, row, &cas, &ctx)
}

fn require_lab_role(user: &AuthUser) -> Result<(), ApiError> {
    user.require_any(&[Role::LabStaff, Role::SafetyOfficer])?;
    if !matches!(user.org_kind, OrgKind::School | OrgKind::TransferStation) {
        return Err(ApiError::Forbidden(
            "containers belong to schools and transfer stations".into(),
        ));
    }
    Ok(())
}

/// Register a waste container (lab staff or safety officer of a school).
#[utoipa::path(post, path = "/api/v1/containers", request_body = NewContainer,
    responses((status = 201, body = crate::routes::Created), (status = 401, body = super::ErrorEnvelope), (status = 403, body = super::ErrorEnvelope), (status = 422, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[post("/api/v1/containers")]
pub async fn create_container(
    req: HttpRequest,
    user: AuthUser,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    Ok(respond(
        create_for(&state, user, &body, key, req.path()).await?,
    ))
}

/// Registers a container for `user` from a `NewContainer` JSON body (the API handler and the web page both call
/// this); `key` is the idempotency key, `path` the route it is recorded under.
pub async fn create_for(
    state: &AppState,
    user: AuthUser,
    body: &[u8],
    key: Option<String>,
    path: &str,
) -> Result<Stored, ApiError> {
    require_lab_role(&user)?;
    let new: NewContainer = parse_json(body)?;
    let lab = new.lab.trim().to_owned();
    if lab.is_empty() || lab.chars().count() > 100 {
        return Err(ApiError::invalid("lab", "1 to 100 characters"));
    }
    let capacity = Decimal::from_str(new.capacity_liters.trim()).map_err(|_| {
        ApiError::invalid(
            "capacity_liters",
            format!("'{}' is not a decimal number", new.capacity_liters),
        )
    })?;
    if capacity <= Decimal::ZERO || capacity > Decimal::from(2000) {
        return Err(ApiError::invalid(
            "capacity_liters",
            "must be above 0 and at most 2000 L",
        ));
    }
    let material = Material::parse(new.material.trim()).ok_or_else(|| {
        ApiError::invalid(
            "material",
            format!(
                "unknown material '{}'; one of glass, hdpe, pp, ptfe, metal",
                new.material
            ),
        )
    })?;
    let contact = new
        .contact
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(&user.name)
        .to_owned();
    if contact.chars().count() > 100 {
        return Err(ApiError::invalid("contact", "longer than 100 characters"));
    }
    let hash = request_hash(path, body);
    let out = state
        .write(move |c| {
            idempotent(c, &user.id, key.as_deref(), &hash, |c| {
                let id = new_id();
                diesel::insert_into(containers::table)
                    .values((
                        containers::id.eq(&id),
                        containers::organization_id.eq(&user.org_id),
                        containers::lab.eq(&lab),
                        containers::contact.eq(&contact),
                        containers::capacity_l.eq(capacity.normalize().to_string()),
                        containers::material.eq(material.as_str()),
                        containers::status.eq(OPEN),
                        containers::stream.eq(None::<String>),
                        containers::filled_l.eq("0"),
                        containers::holds_liquid.eq(false),
                        containers::code.eq(None::<String>),
                        containers::hazards.eq(""),
                        containers::started_on.eq(None::<String>),
                        containers::digital_id.eq(None::<String>),
                        containers::additions_count.eq(0),
                        containers::contents.eq("[]"),
                        containers::created_by.eq(&user.id),
                        containers::created_at.eq(now()),
                        containers::sealed_at.eq(None::<String>),
                        containers::custodian_id.eq(Some(&user.org_id)),
                    ))
                    .execute(c)?;
                events::append(c, &format!("container:{id}"), "created", &user.actor(), json!({ "lab": lab, "organization_id": user.org_id, "capacity_liters": capacity.normalize().to_string(), "material": material.as_str() }))?;
                Ok(Stored::created(json!({ "id": id }).to_string()))
            })
        })
        .await?;
    Ok(out)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListContainers {
    /// open | sealed | picked_up | in_transit | received | disposed | returned
    pub status: Option<String>,
    pub limit: Option<u32>,
    pub after: Option<String>,
}

/// The caller's organisation's containers, oldest first, keyset-paginated.
#[utoipa::path(get, path = "/api/v1/containers", params(ListContainers), responses((status = 200, body = Paged<ContainerView>), (status = 401, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/containers")]
pub async fn list_containers(
    user: AuthUser,
    q: web::Query<ListContainers>,
    state: web::Data<AppState>,
) -> Result<web::Json<Paged<ContainerView>>, ApiError> {
    let page = Page {
        limit: q.limit,
        after: q.after.clone(),
    };
    let limit = page.limit();
    if let Some(s) = &q.status
        && !STATUSES.contains(&s.as_str())
    {
        return Err(ApiError::invalid(
            "status",
            format!("one of {}", STATUSES.join(", ")),
        ));
    }
    let status = q.status.clone();
    let std = state.std;
    let items = state
        .db(move |c| {
            let mut query = containers::table
                .filter(containers::organization_id.eq(&user.org_id))
                .select(Row::as_select())
                .order(containers::id.asc())
                .limit(limit)
                .into_boxed();
            if let Some(s) = status {
                query = query.filter(containers::status.eq(s));
            }
            if let Some(a) = page.after {
                query = query.filter(containers::id.gt(a));
            }
            let rows = query.load::<Row>(c)?;
            let mut names: std::collections::HashMap<String, Context> =
                std::collections::HashMap::new();
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                if !names.contains_key(&r.organization_id) {
                    names.insert(r.organization_id.clone(), context(c, &r.organization_id)?);
                }
                let cas = contents(&r);
                let ctx = &names[&r.organization_id];
                out.push(view(std, r, &cas, ctx)?);
            }
            Ok(out)
        })
        .await?;
    Ok(web::Json(Paged::of(items, limit, |o| &o.id)))
}

/// A container: code, hazards, stream, status, storage clock and deadline, label fields.
#[utoipa::path(get, path = "/api/v1/containers/{id}", responses((status = 200, body = ContainerView), (status = 404, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/containers/{id}")]
pub async fn get_container(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<ContainerView>, ApiError> {
    let id = path.into_inner();
    let std = state.std;
    Ok(web::Json(
        state
            .db(move |c| read_view(std, c, &id, &user.org_id))
            .await?,
    ))
}

/// Add waste to a container. The core classifies it and checks stream, material, compatibility and fill; a
/// refusal is 409 with the rule's code and details, and nothing is written.
#[utoipa::path(post, path = "/api/v1/containers/{id}/additions", request_body = NewAddition,
    responses((status = 201, body = ContainerView), (status = 403, body = super::ErrorEnvelope), (status = 404, body = super::ErrorEnvelope), (status = 409, body = super::ErrorEnvelope), (status = 422, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[post("/api/v1/containers/{id}/additions")]
pub async fn add_waste(
    req: HttpRequest,
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req)?;
    Ok(respond(
        add_for(&state, user, path.into_inner(), &body, key, req.path()).await?,
    ))
}

/// Adds waste to container `id` for `user` from a `NewAddition` JSON body (the API handler and the web page both
/// call this); `key` is the idempotency key, `path` the route it is recorded under.
pub async fn add_for(
    state: &AppState,
    user: AuthUser,
    id: String,
    body: &[u8],
    key: Option<String>,
    path: &str,
) -> Result<Stored, ApiError> {
    require_lab_role(&user)?;
    user.require_training(today())?;

    let new: NewAddition = parse_json(body)?;
    let unit = match new.unit.as_str() {
        "L" | "l" => Unit::L,
        "kg" => Unit::Kg,
        other => {
            return Err(ApiError::invalid(
                "unit",
                format!("'{other}' is not L or kg"),
            ));
        }
    };
    let amount = Decimal::from_str(new.quantity.trim()).map_err(|_| {
        ApiError::invalid(
            "quantity",
            format!("'{}' is not a decimal number", new.quantity),
        )
    })?;
    let quantity =
        Quantity::new(amount, unit).map_err(|e| ApiError::invalid("quantity", e.to_string()))?;
    let std = state.std;
    let waste_json =
        serde_json::to_string(&new.waste).map_err(|e| ApiError::Internal(e.to_string()))?;
    let waste = Waste::parse(new.waste, &std.substances)
        .map_err(|e| ApiError::invalid(format!("waste.{}", e.field), e.message))?;
    let decided_on = today();
    let classification = classify(std, &waste, decided_on);
    let class_value =
        serde_json::to_value(&classification).map_err(|e| ApiError::Internal(e.to_string()))?;
    let substances: Vec<_> = waste
        .components
        .iter()
        .filter_map(|c| c.substance)
        .collect();
    let cas: Vec<String> = substances
        .iter()
        .map(|s| std.substances.get(*s).cas.to_string())
        .collect();
    let hash = request_hash(path, body);
    let out = state
        .write(move |c| {
            idempotent(c, &user.id, key.as_deref(), &hash, |c| {
                let row = load(c, &id, &user.org_id)?;
                let mut prior = contents(&row);
                let core = core_container(std, &row, &prior)?;
                let addition = Addition { stream: classification.stream, form: waste.form, substances: substances.clone(), quantity };
                let code = classification.hazardous.code.clone();
                if let (Some(have), Some(new_code)) = (&row.code, &code)
                    && have != new_code
                {
                    return Err(ApiError::conflict("code_mismatch", format!("the container holds {have} waste; this waste is {new_code}: one container, one waste code"), json!({ "container": have, "addition": new_code })));
                }
                if classification.hazardous.outcome == HazardOutcome::NotHazardous {
                    return Err(ApiError::conflict("not_hazardous", "this waste is not hazardous waste and does not go into a hazardous-waste container", json!({ "classification": class_value })));
                }
                let accepted = container::check(&core, &addition, &std.containers, &std.reactivity, &std.substances)
                    .map_err(|r| ApiError::conflict(r.code(), r.to_string(), serde_json::to_value(&r).unwrap_or(Value::Null)))?;
                let mut after = core.clone();
                container::apply(&mut after, &addition, &accepted);
                let mut hazards = hazards_of(&row.hazards);
                for h in &classification.hazardous.hazards {
                    if !hazards.contains(h) {
                        hazards.push(*h);
                    }
                }
                hazards.sort();
                let hazard_text: Vec<&str> = hazards.iter().map(|h| h.as_str()).collect();
                let started = row.started_on.clone().unwrap_or_else(|| decided_on.to_string());
                let new_code = row.code.clone().or(code);
                let digital_id = match (&row.digital_id, &new_code) {
                    (Some(d), _) => Some(d.clone()),
                    (None, Some(code)) => assign_digital_id(c, &user.org_id, code, &started)?,
                    (None, None) => None,
                };
                let seq = row.additions_count + 1;
                for k in &cas {
                    if !prior.contains(k) {
                        prior.push(k.clone());
                    }
                }
                diesel::update(
                    containers::table
                        .filter(containers::id.eq(&id))
                        // Guards against a concurrent addition and a concurrent seal (PostgreSQL does not
                        // serialise the two transactions the way SQLite's BEGIN IMMEDIATE does).
                        .filter(containers::additions_count.eq(row.additions_count))
                        .filter(containers::status.eq(OPEN)),
                )
                    .set((
                        containers::stream.eq(Some(accepted.stream.as_str())),
                        containers::filled_l.eq(after.filled_l.normalize().to_string()),
                        containers::holds_liquid.eq(after.holds_liquid),
                        containers::code.eq(&new_code),
                        containers::hazards.eq(hazard_text.join(",")),
                        containers::started_on.eq(Some(&started)),
                        containers::digital_id.eq(&digital_id),
                        containers::additions_count.eq(seq),
                        containers::contents.eq(serde_json::to_string(&prior).unwrap_or_default()),
                    ))
                    .execute(c)
                    .and_then(|n| if n == 1 { Ok(()) } else { Err(diesel::result::Error::RollbackTransaction) })
                    .map_err(|e| match e {
                        diesel::result::Error::RollbackTransaction => ApiError::conflict("conflict", "a concurrent addition or seal won; reload and retry", json!({})),
                        e => e.into(),
                    })?;
                let addition_id = new_id();
                diesel::insert_into(additions::table)
                    .values((
                        additions::id.eq(&addition_id),
                        additions::container_id.eq(&id),
                        additions::seq.eq(seq),
                        additions::waste.eq(&waste_json),
                        additions::classification.eq(class_value.to_string()),
                        additions::substances.eq(serde_json::to_string(&cas).unwrap_or_default()),
                        additions::quantity.eq(quantity.amount.to_string()),
                        additions::unit.eq(if unit == Unit::L { "L" } else { "kg" }),
                        additions::litres.eq(accepted.adding_l.to_string()),
                        additions::added_by.eq(&user.id),
                        additions::added_at.eq(now()),
                    ))
                    .execute(c)?;
                events::append(
                    c,
                    &format!("container:{id}"),
                    "addition",
                    &user.actor(),
                    json!({ "seq": seq, "quantity": quantity.amount.to_string(), "unit": if unit == Unit::L { "L" } else { "kg" }, "litres": accepted.adding_l.to_string(),
                            "stream": accepted.stream.as_str(), "code": class_value["hazardous"]["code"], "substances": cas, "filled_liters": after.filled_l.to_string() }),
                )?;
                // The answer is built from the values just written, not read back.
                let updated = Row {
                    stream: Some(accepted.stream.as_str().to_owned()),
                    filled_l: after.filled_l.normalize().to_string(),
                    holds_liquid: after.holds_liquid,
                    code: new_code,
                    hazards: hazard_text.join(","),
                    started_on: Some(started),
                    digital_id,
                    additions_count: seq,
                    contents: serde_json::to_string(&prior).unwrap_or_default(),
                    ..row
                };
                let ctx = context(c, &updated.organization_id)?;
                let mut v = view(std, updated, &prior, &ctx)?;
                v.classification = Some(class_value.clone());
                Ok(Stored::created(serde_json::to_string(&v).map_err(|e| ApiError::Internal(e.to_string()))?))
            })
        })
        .await?;
    Ok(out)
}

/// Sequence 1–999 per organisation, waste code and start date (labels.toml digital-id layout), drawn with one
/// atomic upsert so that concurrent first additions never get the same number.
fn assign_digital_id(
    c: &mut AnyConnection,
    org: &str,
    code: &str,
    started: &str,
) -> Result<Option<String>, ApiError> {
    let credit: Option<String> = organizations::table
        .filter(organizations::id.eq(org))
        .select(organizations::credit_code)
        .first(c)?;
    let (Some(credit), Ok(hw), Some(date)) = (credit, HwCode::parse(code), parse_date(started))
    else {
        return Ok(None);
    };
    let seq = next_sequence(c, org, code, started)?;
    Ok(
        DigitalId::new(&credit, &hw, date, u32::try_from(seq).unwrap_or(u32::MAX))
            .ok()
            .map(|d| d.as_str().to_owned()),
    )
}

#[derive(QueryableByName)]
struct Last {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    last: i32,
}

fn next_sequence(c: &mut AnyConnection, org: &str, code: &str, day: &str) -> Result<i32, ApiError> {
    use diesel::sql_types::Text;
    const UPSERT: &str = "INSERT INTO id_sequences (organization_id, code, day, last) VALUES ({1}, {2}, {3}, 1) \
                          ON CONFLICT (organization_id, code, day) DO UPDATE SET last = id_sequences.last + 1 RETURNING last";
    // Only the placeholders differ between the backends (BUILD-NOTES P3: no upsert through MultiConnection).
    let row: Last = match c {
        AnyConnection::Postgresql(pg) => diesel::sql_query(
            UPSERT
                .replace("{1}", "$1")
                .replace("{2}", "$2")
                .replace("{3}", "$3"),
        )
        .bind::<Text, _>(org)
        .bind::<Text, _>(code)
        .bind::<Text, _>(day)
        .get_result(pg)?,
        AnyConnection::Sqlite(sq) => diesel::sql_query(
            UPSERT
                .replace("{1}", "?")
                .replace("{2}", "?")
                .replace("{3}", "?"),
        )
        .bind::<Text, _>(org)
        .bind::<Text, _>(code)
        .bind::<Text, _>(day)
        .get_result(sq)?,
    };
    Ok(row.last)
}

/// Seal a container: no more additions; it can then be picked up.
#[utoipa::path(post, path = "/api/v1/containers/{id}/seal", responses((status = 200, body = ContainerView), (status = 403, body = super::ErrorEnvelope), (status = 404, body = super::ErrorEnvelope), (status = 409, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[post("/api/v1/containers/{id}/seal")]
pub async fn seal(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<ContainerView>, ApiError> {
    Ok(web::Json(seal_for(&state, user, path.into_inner()).await?))
}

/// Seals container `id` for `user` (the API handler and the web page both call this).
pub async fn seal_for(
    state: &AppState,
    user: AuthUser,
    id: String,
) -> Result<ContainerView, ApiError> {
    require_lab_role(&user)?;
    user.require_training(today())?;
    let std = state.std;
    let v = state
        .write(move |c| {
            crate::db::write_tx(c, |c| {
                let row = load(c, &id, &user.org_id)?;
                if row.status != OPEN {
                    return Err(ApiError::conflict("container_sealed", "the container is already sealed", json!({ "status": row.status })));
                }
                if row.additions_count == 0 {
                    return Err(ApiError::conflict("container_empty", "an empty container is not sealed", json!({})));
                }
                let at = now();
                let n = diesel::update(containers::table.filter(containers::id.eq(&id)).filter(containers::status.eq(OPEN)))
                    .set((containers::status.eq(SEALED), containers::sealed_at.eq(Some(&at))))
                    .execute(c)?;
                if n != 1 {
                    return Err(ApiError::conflict("conflict", "a concurrent change won; reload", json!({})));
                }
                events::append(c, &format!("container:{id}"), "sealed", &user.actor(), json!({ "filled_liters": row.filled_l, "code": row.code, "digital_id": row.digital_id }))?;
                read_view(std, c, &id, &user.org_id)
            })
        })
        .await?;
    Ok(v)
}

/// The HJ 1276-2022 label as SVG (with a QR code of the digital identification code). 409 `label_incomplete`
/// names the missing fields while the label cannot be printed.
#[utoipa::path(get, path = "/api/v1/containers/{id}/label.svg", responses((status = 200, content_type = "image/svg+xml", body = String), (status = 404, body = super::ErrorEnvelope), (status = 409, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/containers/{id}/label.svg")]
pub async fn label_svg(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let std = state.std;
    let label = state
        .db(move |c| {
            let row = load(c, &id, &user.org_id)?;
            let cas = contents(&row);
            let ctx = context(c, &row.organization_id)?;
            label_of(std, &row, &cas, &ctx)
        })
        .await?;
    let svg = render_svg(&label, &std.labels).map_err(|e| {
        ApiError::conflict(
            "label_incomplete",
            e.to_string(),
            serde_json::to_value(&e).unwrap_or(Value::Null),
        )
    })?;
    Ok(HttpResponse::Ok().content_type("image/svg+xml").body(svg))
}

/// The container's custody chain.
#[utoipa::path(get, path = "/api/v1/containers/{id}/events", responses((status = 200, body = Object), (status = 404, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/containers/{id}/events")]
pub async fn container_events(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<Value>, ApiError> {
    let id = path.into_inner();
    let events = state
        .db(move |c| {
            load(c, &id, &user.org_id)?;
            events::chain(c, &format!("container:{id}"))
        })
        .await?;
    Ok(web::Json(json!({ "items": events })))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StorageAlert {
    pub container_id: String,
    pub lab: String,
    pub status: String,
    pub code: Option<String>,
    pub storage: StorageView,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AlertPage {
    /// 1 to 500 containers scanned per page, default 200.
    pub limit: Option<u32>,
    /// The `next_after` of the previous page.
    pub after: Option<String>,
}

/// Containers of the caller's organisation whose storage is overdue or due soon, oldest first; keyset-paginated
/// (`next_after` is set while more containers remain to be scanned).
#[utoipa::path(get, path = "/api/v1/alerts/storage", params(AlertPage), responses((status = 200, body = Object), (status = 401, body = super::ErrorEnvelope), (status = 422, body = super::ErrorEnvelope)), security(("bearer" = [])))]
#[get("/api/v1/alerts/storage")]
pub async fn storage_alerts(
    user: AuthUser,
    page: web::Query<AlertPage>,
    state: web::Data<AppState>,
) -> Result<web::Json<Value>, ApiError> {
    let limit = i64::from(page.limit.unwrap_or(200).clamp(1, 500));
    // The cursor is "<started_on>|<container id>" of the last container scanned.
    let after = match page.after.as_deref() {
        None => None,
        Some(a) => match a.split_once('|') {
            Some((d, id)) if parse_date(d).is_some() && !id.is_empty() => {
                Some((d.to_owned(), id.to_owned()))
            }
            _ => {
                return Err(ApiError::invalid(
                    "after",
                    "not a cursor returned as next_after",
                ));
            }
        },
    };
    let std = state.std;
    let today = today();
    let policy = std.storage.policy(SiteKind::Lab);
    // Every clock due within `due_soon_days` started on or before this date (one month of slack for month ends;
    // the exact status is computed below).
    let horizon = today + time::Duration::days(policy.due_soon_days + 31);
    let cutoff = sub_months(horizon, policy.limit_months).to_string();
    let rows = state
        .db(move |c| {
            let mut q = containers::table
                .filter(containers::organization_id.eq(&user.org_id))
                .filter(containers::status.eq_any([OPEN, SEALED, RETURNED]))
                .filter(containers::started_on.le(cutoff))
                .select(Row::as_select())
                .order((containers::started_on.asc(), containers::id.asc()))
                .limit(limit)
                .into_boxed();
            if let Some((d, id)) = after {
                q = q.filter(
                    containers::started_on
                        .gt(d.clone())
                        .or(containers::started_on.eq(d).and(containers::id.gt(id))),
                );
            }
            Ok(q.load::<Row>(c)?)
        })
        .await?;
    let next_after = (rows.len() as i64 == limit)
        .then(|| {
            rows.last()
                .map(|r| format!("{}|{}", r.started_on.as_deref().unwrap_or_default(), r.id))
        })
        .flatten();
    let mut items = Vec::new();
    for r in rows {
        let Some(started) = r.started_on.as_deref().and_then(parse_date) else {
            continue;
        };
        let clock = std.storage.clock(SiteKind::Lab, started, today);
        let status = match clock.status {
            StorageStatus::Ok => continue,
            StorageStatus::DueSoon => "due_soon",
            StorageStatus::Overdue => "overdue",
        };
        items.push(StorageAlert {
            container_id: r.id,
            lab: r.lab,
            status: r.status,
            code: r.code,
            storage: StorageView {
                site: "lab".into(),
                started_on: started.to_string(),
                deadline: clock.deadline.to_string(),
                days_left: clock.days_left,
                status: status.into(),
                source: clock.source,
            },
        });
    }
    Ok(web::Json(
        json!({ "items": items, "next_after": next_after, "as_of": today.to_string() }),
    ))
}

/// `d` minus whole months (the inverse of `add_months`, rolling a missing day back to the month's end).
fn sub_months(d: time::Date, months: u32) -> time::Date {
    let total = d.year() * 12 + i32::from(u8::from(d.month())) - 1 - months as i32;
    let first =
        time::Date::from_calendar_date(total.div_euclid(12), time::Month::January, 1).unwrap_or(d);
    add_months(first, total.rem_euclid(12) as u32)
        .replace_day(d.day().min(time::util::days_in_month(
            add_months(first, total.rem_euclid(12) as u32).month(),
            total.div_euclid(12),
        )))
        .unwrap_or(d)
}
