//! The one file between the lab pages and the container use cases. The pages never touch tables or rules
//! themselves: they call these functions, which call the same code as the JSON API (`routes::containers`) and
//! the core (`waste_core::classify`, `waste_core::container::check`). When the application layer lands, only
//! this file changes.

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::events;
use crate::routes::containers::{
    self as api, ContainerView, OPEN, RETURNED, Row, SEALED, core_container,
};
use crate::schema::containers;
use crate::state::{AppState, today};
use diesel::prelude::*;
use waste_core::classify::Classification;
use waste_core::container::{self, Addition, Quantity, Refusal};
use waste_core::custody::Event;
use waste_core::substance::Substance;
use waste_core::{Standards, Waste, WasteRequest, classify};

/// The organisation's containers still at the school (open, sealed, returned), newest first.
pub async fn list(state: &AppState, user: &AuthUser) -> Result<Vec<ContainerView>, ApiError> {
    let org = user.org_id.clone();
    let std = state.std;
    state
        .db(move |c| {
            let rows = containers::table
                .filter(containers::organization_id.eq(&org))
                .filter(containers::status.eq_any([OPEN, SEALED, RETURNED]))
                .order(containers::id.desc())
                .limit(500)
                .select(Row::as_select())
                .load::<Row>(c)?;
            let ctx = api::context(c, &org)?;
            rows.into_iter()
                .map(|row| {
                    let cas = api::contents(&row);
                    api::view(std, row, &cas, &ctx)
                })
                .collect()
        })
        .await
}

/// Finds a container by its digital identification code (what the label's QR holds) or by its id.
fn resolve(c: &mut crate::db::AnyConnection, key: &str, org: &str) -> Result<Row, ApiError> {
    let by_code = containers::table
        .filter(containers::digital_id.eq(key))
        .filter(
            containers::organization_id
                .eq(org)
                .or(containers::custodian_id.eq(org)),
        )
        .select(containers::id)
        .first::<String>(c)
        .optional()?;
    api::load(c, by_code.as_deref().unwrap_or(key), org)
}

/// A container with its custody chain.
pub struct Opened {
    pub view: ContainerView,
    pub events: Vec<Event>,
}

pub async fn open(state: &AppState, user: &AuthUser, key: &str) -> Result<Opened, ApiError> {
    let (key, org, std) = (key.to_owned(), user.org_id.clone(), state.std);
    state
        .db(move |c| {
            let row = resolve(c, &key, &org)?;
            let events = events::chain(c, &format!("container:{}", row.id))?;
            let cas = api::contents(&row);
            let ctx = api::context(c, &row.organization_id)?;
            Ok(Opened {
                view: api::view(std, row, &cas, &ctx)?,
                events,
            })
        })
        .await
}

/// Whether a scanned or typed code names a container this user may open.
pub async fn exists(state: &AppState, user: &AuthUser, key: &str) -> Result<bool, ApiError> {
    let (key, org) = (key.to_owned(), user.org_id.clone());
    state
        .db(move |c| match resolve(c, &key, &org) {
            Ok(_) => Ok(true),
            Err(ApiError::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        })
        .await
}

/// The HJ 1276-2022 label SVG, or the `label_incomplete` refusal naming what is missing.
pub async fn label_svg(state: &AppState, user: &AuthUser, key: &str) -> Result<String, ApiError> {
    let (key, org, std) = (key.to_owned(), user.org_id.clone(), state.std);
    let label = state
        .db(move |c| {
            let row = resolve(c, &key, &org)?;
            let cas = api::contents(&row);
            let ctx = api::context(c, &row.organization_id)?;
            api::label_of(std, &row, &cas, &ctx)
        })
        .await?;
    waste_core::label::render_svg(&label, &std.labels).map_err(|e| {
        ApiError::conflict(
            "label_incomplete",
            e.to_string(),
            serde_json::to_value(&e).unwrap_or_default(),
        )
    })
}

/// What adding this waste would do, decided by the core before anyone pours: the classification with its trace,
/// and the container check's refusal if there is one.
pub struct Preview {
    pub classification: Classification,
    pub refusal: Option<Refusal>,
}

pub async fn preview(
    state: &AppState,
    user: &AuthUser,
    key: &str,
    request: WasteRequest,
    quantity: Quantity,
) -> Result<Preview, ApiError> {
    let std = state.std;
    let waste = Waste::parse(request, &std.substances)
        .map_err(|e| ApiError::invalid(format!("waste.{}", e.field), e.message))?;
    let classification = classify(std, &waste, today());
    let (key, org) = (key.to_owned(), user.org_id.clone());
    let row = state.db(move |c| resolve(c, &key, &org)).await?;
    let core = core_container(std, &row, &api::contents(&row))?;
    let addition = Addition {
        stream: classification.stream,
        form: waste.form,
        substances: waste
            .components
            .iter()
            .filter_map(|c| c.substance)
            .collect(),
        quantity,
    };
    let refusal = container::check(
        &core,
        &addition,
        &std.containers,
        &std.reactivity,
        &std.substances,
    )
    .err();
    Ok(Preview {
        classification,
        refusal,
    })
}

/// Substances whose Chinese or English name, synonym or CAS number contains `q` (case-insensitive), exact and
/// prefix matches first; at most `limit`.
pub fn search<'a>(std: &'a Standards, q: &str, limit: usize) -> Vec<&'a Substance> {
    let q = q.trim().to_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<(u8, &Substance)> = std
        .substances
        .iter()
        .filter_map(|s| {
            let names = [
                s.name_zh.to_lowercase(),
                s.name_en.to_lowercase(),
                s.cas.to_string(),
            ];
            let syn: Vec<String> = s.synonyms.iter().map(|x| x.to_lowercase()).collect();
            let all = names.iter().chain(syn.iter());
            let mut best = None::<u8>;
            for n in all {
                let rank = if *n == q {
                    0
                } else if n.starts_with(&q) {
                    1
                } else if n.contains(&q) {
                    2
                } else {
                    continue;
                };
                best = Some(best.map_or(rank, |b: u8| b.min(rank)));
            }
            best.map(|b| (b, s))
        })
        .collect();
    hits.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.name_en.cmp(&b.1.name_en)));
    hits.into_iter().take(limit).map(|(_, s)| s).collect()
}

/// A new container as the form gives it (checked by the use case, like the API's body).
pub use crate::routes::containers::NewContainer;

fn body_of<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(v).map_err(|e| ApiError::Internal(e.to_string()))
}

async fn id_of(state: &AppState, user: &AuthUser, key: &str) -> Result<String, ApiError> {
    let (key, org) = (key.to_owned(), user.org_id.clone());
    state.db(move |c| Ok(resolve(c, &key, &org)?.id)).await
}

/// Registers a container; returns its id.
pub async fn create(
    state: &AppState,
    user: &AuthUser,
    new: NewContainer,
) -> Result<String, ApiError> {
    let body = body_of(&serde_json::json!({
        "lab": new.lab, "capacity_liters": new.capacity_liters, "material": new.material, "contact": new.contact,
    }))?;
    let stored = api::create_for(state, user.clone(), &body, None, "/api/v1/containers").await?;
    let v: serde_json::Value =
        serde_json::from_str(&stored.body).map_err(|e| ApiError::Internal(e.to_string()))?;
    v["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| ApiError::Internal("created container without id".into()))
}

/// Adds waste (the same use case as `POST /api/v1/containers/{id}/additions`).
pub async fn add(
    state: &AppState,
    user: &AuthUser,
    key: &str,
    request: WasteRequest,
    quantity: Quantity,
) -> Result<ContainerView, ApiError> {
    let id = id_of(state, user, key).await?;
    let body = body_of(&serde_json::json!({
        "waste": request,
        "quantity": quantity.amount.to_string(),
        "unit": if quantity.unit == waste_core::container::Unit::Kg { "kg" } else { "L" },
    }))?;
    let path = format!("/api/v1/containers/{id}/additions");
    let stored = api::add_for(state, user.clone(), id, &body, None, &path).await?;
    serde_json::from_str(&stored.body).map_err(|e| ApiError::Internal(e.to_string()))
}

/// Seals a container (the same use case as `POST /api/v1/containers/{id}/seal`).
pub async fn seal(state: &AppState, user: &AuthUser, key: &str) -> Result<ContainerView, ApiError> {
    let id = id_of(state, user, key).await?;
    api::seal_for(state, user.clone(), id).await
}
