//! Containers the disposal firm rejected (docs/rules.md, "A rejected container"): the stock page's button that
//! hands one back to its school (the same use case as `POST /api/v1/containers/{id}/hand-back`), and the lines
//! the school's to-do and the bureau's school view show ("returned by <firm>: <reason>").

use super::lab_app::{read, resolve, write};
use super::page::{Form, WebError, redirect, respond};
use super::session::Viewer;
use crate::app::returns::{self, ReturnNote};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, post, web};

/// A rejected container as the pages list it.
pub struct ReturnLine {
    /// The digital identification code, or the id before it has one.
    pub key: String,
    pub digital_id: String,
    pub firm: String,
    pub reason: String,
    /// Back with the school (else the shipper still holds it).
    pub back: bool,
    /// The day it came back, or the day it was rejected.
    pub day: String,
}

impl ReturnLine {
    fn of(n: ReturnNote) -> ReturnLine {
        let digital_id = n.container.digital_id.clone().unwrap_or_default();
        ReturnLine {
            key: if digital_id.is_empty() {
                n.container.id.clone()
            } else {
                digital_id.clone()
            },
            digital_id,
            firm: n.rejection.firm,
            reason: n.rejection.reason.unwrap_or_default(),
            back: n.handed_back_at.is_some(),
            // Stored UTC; the page shows its local date (`Chrome::day`).
            day: n
                .handed_back_at
                .as_deref()
                .unwrap_or(&n.rejection.at)
                .to_owned(),
        }
    }
}

/// The rejected containers of `school` (for its to-do, or a bureau that may see the school: the caller checks).
pub async fn lines(state: &AppState, school: &str) -> Result<Vec<ReturnLine>, ApiError> {
    let school = school.to_owned();
    let notes = read(state, move |c| returns::notes(c, &school)).await?;
    Ok(notes.into_iter().map(ReturnLine::of).collect())
}

#[post("/c/{key}/hand-back")]
pub async fn hand_back(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let key = path.into_inner();
    let form = Form::parse(&body);
    if let Err(e) = viewer.check_csrf(&form) {
        return respond(&req, Some(&viewer), Err(e));
    }
    let out = async {
        let (env, actor) = (state.env(), viewer.user.clone());
        write(&state, move |tx| {
            let id = resolve(tx.conn(), &key)?;
            returns::hand_back(tx, &env, &actor, &id)
        })
        .await?;
        Ok::<_, WebError>(redirect(&req, "/stock?done=handed_back"))
    }
    .await;
    respond(&req, Some(&viewer), out)
}
