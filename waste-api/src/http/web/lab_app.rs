//! The one file between the lab pages and the container use cases (`app::containers`): the pages never touch
//! tables or rules themselves. Reads run on a pooled connection, writes in one write transaction, exactly as the
//! JSON API runs them.

use crate::app::containers::{self as uc, AddWaste, ContainerState, CreateContainer};
use crate::app::{Actor, AppError, Env};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::page::Keyset;
use crate::views::containers::{self as views, ContainerView};
use waste_core::Classification;
use waste_core::container::{Quantity, Status};
use waste_core::custody::Event;
use waste_core::substance::Substance;
use waste_core::{Standards, Waste, WasteRequest, classify};

fn view(env: &Env, s: ContainerState) -> ContainerView {
    let size = env.std.labels.size_for(s.label.container_volume_l);
    views::container(s, size)
}

pub(super) async fn read<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut crate::db::AnyConnection) -> Result<T, AppError> + Send + 'static,
{
    state.db(move |c| f(c).map_err(ApiError::from)).await
}

pub(super) async fn write<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut crate::store::Tx) -> Result<T, AppError> + Send + 'static,
{
    state
        .write(move |c| crate::store::write_tx(c, |tx| f(tx).map_err(ApiError::from)))
        .await
}

/// The organisation's containers still at the school (not yet collected, or returned), newest first.
pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<ContainerView>, ApiError> {
    let (env, actor) = (state.env(), actor.clone());
    read(state, move |c| {
        let mut all = Vec::new();
        let mut page = Keyset {
            limit: 500,
            after: None,
        };
        // A school holds tens to hundreds of containers; four pages is far more than one school's lab has.
        for _ in 0..4 {
            let found = uc::list(c, &env, &actor, None, &page)?;
            let next = found.next_after.clone();
            all.extend(found.items);
            match next {
                Some(a) => page.after = Some(a),
                None => break,
            }
        }
        Ok(all
            .into_iter()
            .rev()
            .filter(|s| s.row.status().is_ok_and(at_school))
            .map(|s| view(&env, s))
            .collect())
    })
    .await
}

/// The container id a path segment names: the digital identification code (what the label's QR holds), or the id.
pub(super) fn resolve(c: &mut crate::db::AnyConnection, key: &str) -> Result<String, AppError> {
    Ok(crate::store::containers::id_by_key(c, key)?)
}

/// A container with its custody chain.
pub struct Opened {
    pub view: ContainerView,
    pub events: Vec<Event>,
    /// The storage site and zone it stands at.
    pub site: Option<(String, Option<String>)>,
}

pub async fn open(state: &AppState, actor: &Actor, key: &str) -> Result<Opened, ApiError> {
    let (env, actor, key) = (state.env(), actor.clone(), key.to_owned());
    read(state, move |c| {
        let id = resolve(c, &key)?;
        let s = uc::get(c, &env, &actor, &id)?;
        let events = uc::events(c, &actor, &id)?;
        let site = s.row.site_id.clone().map(|id| (id, s.row.zone.clone()));
        Ok(Opened {
            view: view(&env, s),
            events,
            site,
        })
    })
    .await
}

/// Whether a scanned or typed code names a container this user may open.
pub async fn exists(state: &AppState, actor: &Actor, key: &str) -> Result<bool, ApiError> {
    let (env, actor, key) = (state.env(), actor.clone(), key.to_owned());
    read(state, move |c| {
        let id = resolve(c, &key)?;
        match uc::get(c, &env, &actor, &id) {
            Ok(_) => Ok(true),
            Err(AppError::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    })
    .await
}

/// The HJ 1276-2022 label SVG, or the `label_incomplete` refusal naming what is missing.
pub async fn label_svg(state: &AppState, actor: &Actor, key: &str) -> Result<String, ApiError> {
    let (env, actor, key) = (state.env(), actor.clone(), key.to_owned());
    read(state, move |c| {
        let id = resolve(c, &key)?;
        uc::label_svg(c, &env, &actor, &id)
    })
    .await
}

/// Registers a container from the form's fields; returns its id.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    lab: &str,
    capacity: &str,
    material: &str,
    contact: Option<&str>,
) -> Result<String, ApiError> {
    let cmd = CreateContainer::parse(lab, capacity, material, contact)?;
    let (env, actor) = (state.env(), actor.clone());
    write(state, move |tx| uc::create(tx, &env, &actor, cmd)).await
}

/// Adds waste (the same use case as `POST /api/v1/containers/{id}/additions`).
pub async fn add(
    state: &AppState,
    actor: &Actor,
    key: &str,
    waste: WasteRequest,
    quantity: Quantity,
) -> Result<ContainerView, ApiError> {
    let (env, actor, key) = (state.env(), actor.clone(), key.to_owned());
    write(state, move |tx| {
        let container_id = resolve(tx, &key)?;
        let added = uc::add_waste(
            tx,
            &env,
            &actor,
            AddWaste {
                container_id,
                waste,
                quantity,
            },
        )?;
        Ok(view(&env, added.container))
    })
    .await
}

/// Seals a container (the same use case as `POST /api/v1/containers/{id}/seal`).
pub async fn seal(state: &AppState, actor: &Actor, key: &str) -> Result<ContainerView, ApiError> {
    let (env, actor, key) = (state.env(), actor.clone(), key.to_owned());
    write(state, move |tx| {
        let id = resolve(tx, &key)?;
        Ok(view(&env, uc::seal(tx, &env, &actor, &id)?))
    })
    .await
}

/// What adding this waste would do, before anyone pours: the classification with its trace (the core's
/// `classify`, as `POST /api/v1/classify` answers it) and the verdict of the addition use case itself, run in a
/// transaction that is always rolled back, so the preview and the real addition cannot disagree.
pub struct Preview {
    pub classification: Classification,
    /// The use case's refusal (its code, message and the rule's details), or None when it would be accepted.
    pub refusal: Option<ApiError>,
}

/// The marker error that rolls the dry run back.
const DRY_RUN: &str = "preview: rolled back";

pub async fn preview(
    state: &AppState,
    actor: &Actor,
    key: &str,
    waste: WasteRequest,
    quantity: Quantity,
) -> Result<Preview, ApiError> {
    let env = state.env();
    let parsed = Waste::parse(waste.clone(), &env.std.substances)
        .map_err(|e| ApiError::from(AppError::invalid(format!("waste.{}", e.field), e.message)))?;
    let classification = classify(env.std, &parsed, env.clock.today());
    let verdict = add_dry_run(state, actor, key, waste, quantity).await;
    let refusal = match verdict {
        Err(ApiError::Internal(m)) if m == DRY_RUN => None,
        Err(
            e @ (ApiError::Conflict { .. }
            | ApiError::Invalid { .. }
            | ApiError::Forbidden(_)
            | ApiError::TrainingExpired),
        ) => Some(e),
        Err(e) => return Err(e),
        Ok(()) => None,
    };
    Ok(Preview {
        classification,
        refusal,
    })
}

async fn add_dry_run(
    state: &AppState,
    actor: &Actor,
    key: &str,
    waste: WasteRequest,
    quantity: Quantity,
) -> Result<(), ApiError> {
    let (env, actor, key) = (state.env(), actor.clone(), key.to_owned());
    write(state, move |tx| {
        let container_id = resolve(tx, &key)?;
        uc::add_waste(
            tx,
            &env,
            &actor,
            AddWaste {
                container_id,
                waste,
                quantity,
            },
        )?;
        Err(AppError::Internal(DRY_RUN.into()))
    })
    .await
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
            names
                .iter()
                .chain(syn.iter())
                .filter_map(|n| {
                    if *n == q {
                        Some(0u8)
                    } else if n.starts_with(&q) {
                        Some(1)
                    } else if n.contains(&q) {
                        Some(2)
                    } else {
                        None
                    }
                })
                .min()
                .map(|rank| (rank, s))
        })
        .collect();
    hits.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.name_en.cmp(&b.1.name_en)));
    hits.into_iter().take(limit).map(|(_, s)| s).collect()
}

/// Still at the school: open, sealed (waiting for pickup) or returned by the receiver.
fn at_school(s: Status) -> bool {
    matches!(s, Status::Open | Status::Sealed | Status::Returned)
}
