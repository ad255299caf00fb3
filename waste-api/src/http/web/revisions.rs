//! Corrections of a signed manifest on its page (Transfer Measures Art.29): the history with each change old ->
//! new, the pending one with the approvals awaited, a form for the party whose approval it awaits to approve or
//! refuse, and one for a party to propose a correction. The same use cases as the JSON API's.

use super::lab_app::write;
use super::manifest::full_page;
use super::manifest_cards::Refused;
use super::page::{Form, WebError, encode, redirect, render, respond};
use super::session::Viewer;
use crate::app::AppError;
use crate::app::revisions::{self as uc, Decide, LineInput, Propose};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, ResponseError, post, web};
use waste_core::revision::Verdict;

/// A value of the form, `None` when left empty.
fn given(form: &Form, key: &str) -> Option<String> {
    Some(form.get(key).trim().to_owned()).filter(|v| !v.is_empty())
}

/// The proposal a form gives: every line's values as shown (the core leaves out what did not change), the
/// disposal method when it was changed, and the reason.
fn proposal(form: &Form) -> Result<Propose, AppError> {
    let mut lines = Vec::new();
    for i in 0..500 {
        let Some(container_id) = given(form, &format!("cid_{i}")) else {
            break;
        };
        lines.push(LineInput {
            container_id,
            shipped_weight_kg: given(form, &format!("shipped_{i}")),
            received_weight_kg: given(form, &format!("received_{i}")),
            code: given(form, &format!("code_{i}")),
        });
    }
    let method = given(form, "disposal_method").filter(|m| *m != form.get("method_was"));
    Propose::parse(lines, method.as_deref(), form.get("reason").to_owned())
}

/// Runs a revision use case from a form; on success back to the page with `done`, on refusal the page again with
/// the refusal.
async fn run<F>(
    req: &HttpRequest,
    viewer: &Viewer,
    state: &web::Data<AppState>,
    key: String,
    done: &'static str,
    f: F,
) -> HttpResponse
where
    F: FnOnce(&mut crate::store::Tx, String) -> Result<(), AppError> + Send + 'static,
{
    let out = async {
        let k = key.clone();
        let result = write(state, move |tx| {
            let id = crate::store::manifests::id_by_number(tx, &k)?.unwrap_or(k);
            f(tx, id)
        })
        .await;
        match result {
            Ok(()) => Ok(redirect(
                req,
                &format!("/m/{}?done={done}#revisions", encode(&key)),
            )),
            Err(e) => {
                let status = e.status_code();
                let mut p = full_page(req, state, viewer, &key).await?;
                p.refusal = Some(Refused::of(&e));
                Ok::<_, WebError>(render(req, &p, status, false))
            }
        }
    }
    .await;
    respond(req, Some(viewer), out)
}

#[post("/m/{key}/revisions")]
pub async fn propose(
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
    let parsed = proposal(&form);
    let (env, actor) = (state.env(), viewer.user.clone());
    run(
        &req,
        &viewer,
        &state,
        key,
        "revision_proposed",
        move |tx, id| uc::propose(tx, &env, &actor, &id, parsed?).map(|_| ()),
    )
    .await
}

#[post("/m/{key}/revisions/{revision}/{verdict}")]
pub async fn decide(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let (key, revision, verdict) = path.into_inner();
    let form = Form::parse(&body);
    if let Err(e) = viewer.check_csrf(&form) {
        return respond(&req, Some(&viewer), Err(e));
    }
    let (verdict, done) = match verdict.as_str() {
        "approve" => (Verdict::Approve, "revision_approved"),
        "refuse" => (Verdict::Refuse, "revision_refused"),
        _ => {
            return respond(
                &req,
                Some(&viewer),
                Err(WebError::from(crate::error::ApiError::from(
                    AppError::NotFound("step"),
                ))),
            );
        }
    };
    let parsed = Decide::parse(verdict, given(&form, "reason"));
    let (env, actor) = (state.env(), viewer.user.clone());
    run(&req, &viewer, &state, key, done, move |tx, id| {
        // The revision of this page's manifest only.
        crate::store::revisions::by_id(tx, &revision)?
            .filter(|r| r.manifest_id == id)
            .ok_or(AppError::NotFound("revision"))?;
        uc::decide(tx, &env, &actor, &revision, parsed?).map(|_| ())
    })
    .await
}
