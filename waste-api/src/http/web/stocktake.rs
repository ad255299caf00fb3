//! A stocktake on a phone (issue 31): a walk along the shelf, each bottle scanned (its line ticked, its weight
//! field opened), the differences listed with a field to explain each, saved as often as wanted and closed when
//! every controlled difference is explained. The same use cases as `/api/v1/stocktakes`.

use super::form::{Form, WebError};
use super::lab_app::{read, write};
use super::page::{Chrome, redirect, render, respond};
use super::session::Viewer;
use super::shelf::keeper;
use crate::app::AppError;
use crate::app::shelf::{self as uc, CountCmd, StocktakeView};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use rust_decimal::Decimal;
use waste_core::reagent::Difference;

#[post("/shelf/stocktakes")]
pub async fn start(
    req: HttpRequest,
    viewer: Viewer,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    let out = async {
        viewer.check_csrf(&form)?;
        keeper(&viewer)?;
        let (env, actor, site) = (
            state.env(),
            viewer.user.clone(),
            form.get("site_id").to_owned(),
        );
        let started = write(&state, move |tx| match uc::start(tx, &env, &actor, &site) {
            Ok(s) => Ok(s.id),
            // One under way at this site: carry on with it.
            Err(AppError::Refused {
                code: "stocktake_under_way",
                details,
                ..
            }) => Ok(details["stocktake_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned()),
            Err(e) => Err(e),
        })
        .await?;
        Ok(redirect(&req, &format!("/shelf/stocktakes/{started}")))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

pub struct LineModel {
    pub i: usize,
    pub bottle_id: String,
    pub code: String,
    pub what: String,
    pub book: String,
    pub unit: String,
    pub controlled: bool,
    pub seen: bool,
    pub counted: String,
    pub differs: bool,
    pub explanation: String,
}

pub struct DifferenceLine {
    pub what: String,
    pub text: String,
    pub controlled: bool,
    pub explanation: String,
}

#[derive(Template)]
#[template(path = "stocktake.html")]
struct StocktakePage {
    c: Chrome,
    id: String,
    site: String,
    started: String,
    closed: bool,
    lines: Vec<LineModel>,
    differences: Vec<DifferenceLine>,
    /// What was counted (a closed stocktake's record): bottle, weighing, explanation.
    counted: Vec<DifferenceLine>,
    refusal: String,
}

async fn page(
    req: &HttpRequest,
    viewer: &Viewer,
    state: &AppState,
    id: &str,
    refusal: String,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let c = Chrome::new(req, Some(viewer));
    let (env, actor, sid) = (state.env(), viewer.user.clone(), id.to_owned());
    let (v, counts, site): (StocktakeView, Vec<crate::store::bottles::CountRow>, String) =
        read(state, move |conn| {
            let v = uc::stocktake_view(conn, &env, &actor, &sid)?;
            let counts = crate::store::bottles::counts(conn, &sid)?;
            let site = crate::store::sites::get(conn, &v.stocktake.site_id)?
                .map(|s| s.name)
                .unwrap_or_default();
            Ok((v, counts, site))
        })
        .await?;
    let what = |bid: &str| {
        v.bottles
            .get(bid)
            .map(|b| format!("{} {}", b.substance_name, b.code))
            .unwrap_or_else(|| bid.to_owned())
    };
    let mut differences = Vec::new();
    let mut lines = Vec::new();
    for (i, l) in v.reconciliation.lines.iter().enumerate() {
        let count = counts.iter().find(|c| c.bottle_id == l.bottle);
        let explanation = v.explanations.get(&l.bottle).cloned().unwrap_or_default();
        let text = match &l.difference {
            Difference::Matches => None,
            Difference::Differs { book, counted, .. } => Some(format!(
                "{} {book} → {} {counted}",
                c.t("stocktake.book"),
                c.t("stocktake.weighed")
            )),
            Difference::Missing { .. } => Some(c.t("stocktake.missing").to_owned()),
            Difference::Unexpected => Some(c.t("stocktake.unexpected").to_owned()),
        };
        if let Some(text) = &text {
            differences.push(DifferenceLine {
                what: what(&l.bottle),
                text: text.clone(),
                controlled: l.controlled,
                explanation: explanation.clone(),
            });
        }
        if let Some(b) = v.bottles.get(&l.bottle) {
            lines.push(LineModel {
                i,
                bottle_id: b.id.clone(),
                code: b.code.clone(),
                what: what(&l.bottle),
                book: b.balance.clone(),
                unit: b.unit.clone(),
                controlled: l.controlled,
                seen: count.is_some_and(|c| c.counted.as_deref() != Some("missing")),
                counted: count
                    .and_then(|c| c.counted.clone())
                    .filter(|s| s != "missing")
                    .unwrap_or_default(),
                differs: text.is_some(),
                explanation,
            });
        }
    }
    let counted = counts
        .iter()
        .map(|k| DifferenceLine {
            what: what(&k.bottle_id),
            text: match k.counted.as_deref() {
                Some("missing") => c.t("stocktake.missing").to_owned(),
                Some(n) => format!("{} {n}", c.t("stocktake.weighed")),
                None => c.t("stocktake.seen").to_owned(),
            },
            controlled: false,
            explanation: k.explanation.clone().unwrap_or_default(),
        })
        .collect();
    Ok(render(
        req,
        &StocktakePage {
            counted,
            id: v.stocktake.id.clone(),
            site,
            started: c.when(&v.stocktake.started_at),
            closed: v.stocktake.closed_at.is_some(),
            lines,
            differences,
            refusal,
            c,
        },
        status,
        false,
    ))
}

#[get("/shelf/stocktakes/{id}")]
pub async fn show(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let out = async {
        keeper(&viewer)?;
        page(&req, &viewer, &state, &path, String::new(), StatusCode::OK).await
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// An explanation typed: (bottle id, words).
type Explained = (String, String);

/// The form's lines as counts: a weight typed, or a line ticked as seen; and the explanations typed.
fn read_form(form: &Form) -> Result<(Vec<CountCmd>, Vec<Explained>), ApiError> {
    let mut counts = Vec::new();
    let mut why = Vec::new();
    for i in 0..2000 {
        let code = form.get(&format!("code_{i}"));
        if code.is_empty() {
            continue;
        }
        let weight = form.get(&format!("weight_{i}"));
        let counted = if weight.is_empty() {
            None
        } else {
            Some(
                weight
                    .parse::<Decimal>()
                    .ok()
                    .filter(|d| *d >= Decimal::ZERO)
                    .ok_or_else(|| AppError::invalid(format!("weight_{i}"), "0 or more"))?,
            )
        };
        if counted.is_some() || form.get(&format!("seen_{i}")) == "1" {
            counts.push(CountCmd {
                code: code.to_owned(),
                counted,
            });
        }
        let words = form.get(&format!("why_{i}"));
        let bottle = form.get(&format!("bid_{i}"));
        if !words.is_empty() && !bottle.is_empty() {
            why.push((bottle.to_owned(), words.to_owned()));
        }
    }
    Ok((counts, why))
}

/// Saves the counts and explanations; with `then=close`, closes the stocktake (refused while a controlled
/// difference is unexplained: the page says which).
#[post("/shelf/stocktakes/{id}")]
pub async fn save(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    let id = path.into_inner();
    let out = async {
        viewer.check_csrf(&form)?;
        keeper(&viewer)?;
        let close = form.get("then") == "close";
        let done = async {
            let (counts, why) = read_form(&form)?;
            let (env, actor, sid) = (state.env(), viewer.user.clone(), id.clone());
            write(&state, move |tx| {
                for c in counts {
                    uc::count(tx, &env, &actor, &sid, c)?;
                }
                for (bottle, words) in why {
                    uc::explain(tx, &env, &actor, &sid, &bottle, &words)?;
                }
                Ok(())
            })
            .await?;
            if close {
                let (env, actor, sid) = (state.env(), viewer.user.clone(), id.clone());
                write(&state, move |tx| {
                    uc::close(tx, &env, &actor, &sid).map(|_| ())
                })
                .await?;
            }
            Ok::<(), ApiError>(())
        }
        .await;
        match done {
            Ok(()) => Ok(redirect(&req, &format!("/shelf/stocktakes/{id}"))),
            Err(e) => {
                let c = Chrome::new(&req, Some(&viewer));
                let status = actix_web::ResponseError::status_code(&e);
                page(&req, &viewer, &state, &id, c.refusal_of(&e), status).await
            }
        }
    }
    .await;
    respond(&req, Some(&viewer), out)
}
