//! The reagent shelf (issue 31): receive bottles, take their steps, discard them into waste, count the shelf,
//! read its alerts and a bottle's whole life. A controlled bottle's receipt, issue and return carry a second
//! person's PIN (`second_person`), checked before the write as a pickup's hand-over is.

use super::{Page, Paged, change, create, read};
use crate::app::pin::{Confirmed, PinAttempt};
use crate::app::shelf::{self as uc, CountCmd, Discard, Receive, StepCmd};
use crate::app::{Actor, AppError};
use crate::auth::AuthUser;
use crate::body::parse_json;
use crate::error::ApiError;
use crate::state::AppState;
use crate::views::bottles::{
    self as view, AlertsPage, BottleLife, BottleView, DiscardedView, StocktakeReport,
};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::ToSchema;
use waste_core::container::Material as ContainerMaterial;
use waste_core::reagent::AmountUnit;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondPerson {
    /// The user id of another safety officer of the school.
    #[schema(min_length = 1, max_length = 64)]
    pub officer_id: String,
    /// Their personal PIN (`PUT /api/v1/users/me/pin`). 5 attempts per officer in 15 minutes: 429.
    #[schema(min_length = 1, max_length = 64)]
    pub pin: String,
}

fn attempt(p: Option<SecondPerson>) -> Result<Option<PinAttempt>, AppError> {
    p.map(|c| PinAttempt::parse(c.officer_id, c.pin))
        .transpose()
}

/// The second person's confirmation, checked before the step (a wrong PIN counts even though the step is then
/// refused).
async fn witnessed(
    state: &AppState,
    actor: &Actor,
    attempt: Option<PinAttempt>,
) -> Result<Option<Confirmed>, ApiError> {
    match attempt {
        None => Ok(None),
        Some(a) => Ok(Some(crate::handover::witness(state, actor, a).await?)),
    }
}

fn amount(field: &str, s: &str) -> Result<Decimal, AppError> {
    uc::parse_amount(field, s)
}

fn date(field: &str, s: Option<&str>) -> Result<Option<time::Date>, AppError> {
    s.map(|s| {
        crate::store::parse_date(s.trim())
            .ok_or_else(|| AppError::invalid(field, "a date, YYYY-MM-DD"))
    })
    .transpose()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBottle {
    /// The substance by name, alias or CAS number (`7722-64-7`, `高锰酸钾`).
    #[schema(min_length = 1, max_length = 200)]
    pub substance: String,
    /// Decimal string in `unit`, above 0 and at most 100000.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub amount: String,
    pub unit: AmountUnit,
    #[schema(max_length = 200)]
    pub supplier: Option<String>,
    #[schema(max_length = 200)]
    pub lot: Option<String>,
    /// Today when absent.
    #[schema(format = Date)]
    pub received_on: Option<String>,
    #[schema(format = Date)]
    pub expires_on: Option<String>,
    /// Days an opened bottle may be used (e.g. a peroxide-forming ether).
    #[schema(minimum = 1, maximum = 3650)]
    pub use_within_days: Option<u32>,
    /// A storage site of the school (a reagent cabinet room, a store).
    pub site_id: String,
    /// The cabinet within the site.
    #[schema(max_length = 200)]
    pub cabinet: Option<String>,
    /// A user of the school; the receiving user when absent.
    pub responsible_id: Option<String>,
    /// Required for a controlled chemical (highly toxic, precursor, explosive precursor).
    pub second_person: Option<SecondPerson>,
}

/// Receive a bottle onto the school's shelf (lab staff or safety officer of a school, trained).
#[utoipa::path(post, path = "/api/v1/bottles", request_body = NewBottle,
    responses((status = 201, body = BottleView, description = "The bottle, on the shelf with its label code")), security(("bearer" = [])))]
#[post("/api/v1/bottles")]
pub async fn receive_bottle(
    req: HttpRequest,
    user: AuthUser,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    uc::may_keep(&user, &state.env())?;
    let new: NewBottle = parse_json(&body)?;
    let today = state.env().clock.today();
    let cmd = Receive {
        substance: new.substance,
        amount: amount("amount", &new.amount)?,
        unit: new.unit,
        supplier: new.supplier.unwrap_or_default(),
        lot: new.lot.unwrap_or_default(),
        received_on: date("received_on", new.received_on.as_deref())?.unwrap_or(today),
        expires_on: date("expires_on", new.expires_on.as_deref())?,
        use_within_days: new.use_within_days,
        site_id: new.site_id,
        cabinet: new.cabinet,
        responsible_id: new.responsible_id,
    };
    let confirmed = witnessed(&state, &user, attempt(new.second_person)?).await?;
    let env = state.env();
    create(&state, &req, user.id.clone(), &body, move |tx| {
        Ok(view::bottle(
            env.std,
            uc::receive(tx, &env, &user, cmd, confirmed.as_ref())?,
        ))
    })
    .await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BottleQuery {
    /// Only the bottles at this site.
    pub site_id: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    pub after: Option<String>,
}

/// The school's bottles, a page at a time.
#[utoipa::path(get, path = "/api/v1/bottles", params(BottleQuery),
    responses((status = 200, body = Paged<BottleView>, description = "The school's bottles")), security(("bearer" = [])))]
#[get("/api/v1/bottles")]
pub async fn list_bottles(
    user: AuthUser,
    q: web::Query<BottleQuery>,
    state: web::Data<AppState>,
) -> Result<web::Json<Paged<BottleView>>, ApiError> {
    let q = q.into_inner();
    let page = Page {
        limit: q.limit,
        after: q.after,
    }
    .keyset()?;
    let std = state.std;
    let found = read(&state, move |c| {
        uc::list(c, &user, q.site_id.as_deref(), &page)
    })
    .await?;
    Ok(web::Json(Paged::from(found.map(|r| view::bottle(std, r)))))
}

/// One bottle.
#[utoipa::path(get, path = "/api/v1/bottles/{id}",
    responses((status = 200, body = BottleView, description = "The bottle")), security(("bearer" = [])))]
#[get("/api/v1/bottles/{id}")]
pub async fn get_bottle(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<BottleView>, ApiError> {
    let std = state.std;
    let row = read(&state, move |c| uc::get(c, &user, &path)).await?;
    Ok(web::Json(view::bottle(std, row)))
}

/// A bottle's whole life: its own chain from receipt and, once discarded, its waste container's chain.
#[utoipa::path(get, path = "/api/v1/bottles/{id}/life",
    responses((status = 200, body = BottleLife, description = "The bottle's chain and its waste's")), security(("bearer" = [])))]
#[get("/api/v1/bottles/{id}/life")]
pub async fn bottle_life(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<BottleLife>, ApiError> {
    let std = state.std;
    let (row, own, waste) = read(&state, move |c| uc::life(c, &user, &path)).await?;
    Ok(web::Json(BottleLife {
        bottle: view::bottle(std, row),
        bottle_events: own,
        container_events: waste,
    }))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BottleStepName {
    Open,
    Use,
    Issue,
    Return,
    Empty,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BottleStepBody {
    pub step: BottleStepName,
    /// `use`: how much was used; `issue`: how much is planned. Decimal string in the bottle's unit.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub amount: Option<String>,
    /// `issue`: the user it goes to.
    pub to: Option<String>,
    /// `issue`: what it is for.
    #[schema(max_length = 200)]
    pub purpose: Option<String>,
    /// `return`: what is left, weighed. Decimal string in the bottle's unit (0: used up).
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub remaining: Option<String>,
    /// `issue` and `return` of a controlled chemical.
    pub second_person: Option<SecondPerson>,
}

fn step_cmd(b: &BottleStepBody) -> Result<StepCmd, AppError> {
    let need = |field: &str, v: &Option<String>| {
        v.clone()
            .ok_or_else(|| AppError::invalid(field, "required for this step"))
    };
    Ok(match b.step {
        BottleStepName::Open => StepCmd::Open,
        BottleStepName::Use => StepCmd::Use {
            amount: amount("amount", &need("amount", &b.amount)?)?,
        },
        BottleStepName::Issue => StepCmd::Issue {
            to: need("to", &b.to)?,
            amount: amount("amount", &need("amount", &b.amount)?)?,
            purpose: need("purpose", &b.purpose)?,
        },
        BottleStepName::Return => {
            let r = need("remaining", &b.remaining)?;
            let remaining = r
                .trim()
                .parse::<Decimal>()
                .ok()
                .filter(|d| *d >= Decimal::ZERO)
                .ok_or_else(|| AppError::invalid("remaining", "zero or a positive decimal"))?;
            StepCmd::Return { remaining }
        }
        BottleStepName::Empty => StepCmd::Empty,
    })
}

/// Take a step on a bottle: open, use, issue to a person, take back, mark empty.
#[utoipa::path(post, path = "/api/v1/bottles/{id}/steps", request_body = BottleStepBody,
    responses((status = 200, body = BottleView, description = "The bottle after the step")), security(("bearer" = [])))]
#[post("/api/v1/bottles/{id}/steps")]
pub async fn bottle_step(
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<web::Json<BottleView>, ApiError> {
    uc::may_keep(&user, &state.env())?;
    let b: BottleStepBody = parse_json(&body)?;
    let cmd = step_cmd(&b)?;
    let confirmed = witnessed(&state, &user, attempt(b.second_person)?).await?;
    let env = state.env();
    let std = env.std;
    let row = change(&state, move |tx| {
        uc::take_step(tx, &env, &user, &path, cmd, confirmed.as_ref())
    })
    .await?;
    Ok(web::Json(view::bottle(std, row)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPack {
    #[schema(min_length = 1, max_length = 100)]
    pub lab: String,
    /// Decimal string, litres.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub capacity_liters: String,
    #[schema(value_type = ContainerMaterial)]
    pub material: String,
    pub site_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscardBody {
    /// An open container of the school the waste goes into.
    pub container_id: Option<String>,
    /// Or a new container (the lab pack the bottle goes into).
    pub new_container: Option<NewPack>,
    /// An emptied bottle cleaned per the laboratory's rules: no waste (then no container).
    #[serde(default)]
    pub cleaned: bool,
    /// An emptied bottle that is waste: what it weighs, decimal string, kg.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub empty_mass_kg: Option<String>,
}

/// Discard a bottle: its contents (or the emptied bottle) become an addition to a waste container, classified.
#[utoipa::path(post, path = "/api/v1/bottles/{id}/discard", request_body = DiscardBody,
    responses((status = 200, body = DiscardedView, description = "The bottle, discarded, and where its waste went")), security(("bearer" = [])))]
#[post("/api/v1/bottles/{id}/discard")]
pub async fn discard_bottle(
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<web::Json<DiscardedView>, ApiError> {
    uc::may_keep(&user, &state.env())?;
    let b: DiscardBody = parse_json(&body)?;
    let to = match (b.container_id, b.new_container, b.cleaned) {
        (Some(c), None, false) => Discard::Into { container_id: c },
        (None, Some(n), false) => {
            let mut cmd = crate::app::containers::CreateContainer::parse(
                &n.lab,
                &n.capacity_liters,
                &n.material,
                None,
            )?;
            cmd.site_id = n.site_id;
            Discard::New(cmd)
        }
        (None, None, true) => Discard::Cleaned,
        _ => {
            return Err(AppError::invalid(
                "container_id",
                "name one of: container_id, new_container, or cleaned",
            )
            .into());
        }
    };
    let mass = b
        .empty_mass_kg
        .as_deref()
        .map(|m| amount("empty_mass_kg", m))
        .transpose()?;
    let env = state.env();
    let std = env.std;
    let done = change(&state, move |tx| {
        uc::discard(tx, &env, &user, &path, to, mass)
    })
    .await?;
    Ok(web::Json(view::discarded(std, done)))
}

/// The shelf's alerts today: expiry, use-by after opening, stocktakes due, reacting neighbours.
#[utoipa::path(get, path = "/api/v1/shelf/alerts",
    responses((status = 200, body = AlertsPage, description = "The alerts of the school's shelf")), security(("bearer" = [])))]
#[get("/api/v1/shelf/alerts")]
pub async fn shelf_alerts(
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<web::Json<AlertsPage>, ApiError> {
    uc::may_keep(&user, &state.env())?;
    let env = state.env();
    let found = read(&state, move |c| uc::alerts(c, &env, &user)).await?;
    Ok(web::Json(AlertsPage {
        items: found.into_iter().map(view::alert).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStocktake {
    pub site_id: String,
}

/// Start a stocktake of a site.
#[utoipa::path(post, path = "/api/v1/stocktakes", request_body = NewStocktake,
    responses((status = 201, body = StocktakeReport, description = "The stocktake, started, with the books")), security(("bearer" = [])))]
#[post("/api/v1/stocktakes")]
pub async fn start_stocktake(
    req: HttpRequest,
    user: AuthUser,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    uc::may_keep(&user, &state.env())?;
    let b: NewStocktake = parse_json(&body)?;
    let env = state.env();
    create(&state, &req, user.id.clone(), &body, move |tx| {
        let started = uc::start(tx, &env, &user, &b.site_id)?;
        Ok(view::stocktake(uc::stocktake_view(
            tx,
            &env,
            &user,
            &started.id,
        )?))
    })
    .await
}

/// A stocktake with its differences so far.
#[utoipa::path(get, path = "/api/v1/stocktakes/{id}",
    responses((status = 200, body = StocktakeReport, description = "The stocktake")), security(("bearer" = [])))]
#[get("/api/v1/stocktakes/{id}")]
pub async fn get_stocktake(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<StocktakeReport>, ApiError> {
    let env = state.env();
    let v = read(&state, move |c| uc::stocktake_view(c, &env, &user, &path)).await?;
    Ok(web::Json(view::stocktake(v)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountBody {
    /// The code on the bottle's label, as scanned.
    #[schema(min_length = 1, max_length = 64)]
    pub code: String,
    /// What it weighed, decimal string in the bottle's unit; absent when only seen.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$")]
    pub counted: Option<String>,
}

/// Record a bottle scanned (and weighed) at a stocktake.
#[utoipa::path(post, path = "/api/v1/stocktakes/{id}/counts", request_body = CountBody,
    responses((status = 200, body = StocktakeReport, description = "The stocktake with the count")), security(("bearer" = [])))]
#[post("/api/v1/stocktakes/{id}/counts")]
pub async fn count_bottle(
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<web::Json<StocktakeReport>, ApiError> {
    uc::may_keep(&user, &state.env())?;
    let b: CountBody = parse_json(&body)?;
    let counted = b
        .counted
        .as_deref()
        .map(|s| {
            s.trim()
                .parse::<Decimal>()
                .ok()
                .filter(|d| *d >= Decimal::ZERO)
                .ok_or_else(|| AppError::invalid("counted", "zero or a positive decimal"))
        })
        .transpose()?;
    let env = state.env();
    let v = change(&state, move |tx| {
        uc::count(
            tx,
            &env,
            &user,
            &path,
            CountCmd {
                code: b.code,
                counted,
            },
        )?;
        uc::stocktake_view(tx, &env, &user, &path)
    })
    .await?;
    Ok(web::Json(view::stocktake(v)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplainBody {
    pub bottle_id: String,
    #[schema(min_length = 1, max_length = 200)]
    pub explanation: String,
}

/// Explain a bottle's difference at a stocktake.
#[utoipa::path(post, path = "/api/v1/stocktakes/{id}/explanations", request_body = ExplainBody,
    responses((status = 200, body = StocktakeReport, description = "The stocktake with the explanation")), security(("bearer" = [])))]
#[post("/api/v1/stocktakes/{id}/explanations")]
pub async fn explain_difference(
    user: AuthUser,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<web::Json<StocktakeReport>, ApiError> {
    uc::may_keep(&user, &state.env())?;
    let b: ExplainBody = parse_json(&body)?;
    let env = state.env();
    let v = change(&state, move |tx| {
        uc::explain(tx, &env, &user, &path, &b.bottle_id, &b.explanation)?;
        uc::stocktake_view(tx, &env, &user, &path)
    })
    .await?;
    Ok(web::Json(view::stocktake(v)))
}

/// Close a stocktake: refused while a controlled bottle's difference is unexplained; the weighings become the
/// books.
#[utoipa::path(post, path = "/api/v1/stocktakes/{id}/close",
    responses((status = 200, body = StocktakeReport, description = "The stocktake, closed")), security(("bearer" = [])))]
#[post("/api/v1/stocktakes/{id}/close")]
pub async fn close_stocktake(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<StocktakeReport>, ApiError> {
    uc::may_keep(&user, &state.env())?;
    let env = state.env();
    let v = change(&state, move |tx| uc::close(tx, &env, &user, &path)).await?;
    Ok(web::Json(view::stocktake(v)))
}

/// A school's shelf as its education bureau reads it: controlled stock by list, bottles past expiry, the last
/// stocktake and what is worth a visit (a school of the caller's division).
#[utoipa::path(get, path = "/api/v1/oversight/schools/{id}/shelf",
    responses((status = 200, body = crate::views::bottles::SchoolShelfView, description = "The school's shelf")), security(("bearer" = [])))]
#[get("/api/v1/oversight/schools/{id}/shelf")]
pub async fn school_shelf(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<crate::views::bottles::SchoolShelfView>, ApiError> {
    let env = state.env();
    let id = path.into_inner();
    let school = id.clone();
    let shelf = read(&state, move |c| {
        let v = crate::app::oversight::school(c, &env, &user, &school)?;
        crate::app::shelf::oversight::of_school(c, &env, &v)
    })
    .await?;
    Ok(web::Json(view::school_shelf(id, shelf)))
}

/// The safety card of a bottle's substance: its lists, hazards and what to keep it apart from, each with its
/// source; the parts no data here has a source for are named as such (see the supplier's safety data sheet).
#[utoipa::path(get, path = "/api/v1/bottles/{id}/safety-card",
    responses((status = 200, body = waste_core::reagent::SafetyCard, description = "The card")), security(("bearer" = [])))]
#[get("/api/v1/bottles/{id}/safety-card")]
pub async fn safety_card(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<web::Json<waste_core::reagent::SafetyCard>, ApiError> {
    let env = state.env();
    Ok(web::Json(
        read(&state, move |c| uc::card(c, &env, &user, &path)).await?,
    ))
}
