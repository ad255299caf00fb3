//! The storage-site pages of a school's safety officer or a station's operator (GB 18597-2023, HJ 1276-2022):
//! the sites list with the form to register one, a site's page (containers there, quantity against the storage
//! point's ceiling, the containment check with its figures, zone conflicts, signs, the self-inspection checklist,
//! open findings and their follow-up), editing a site, the signs printed at true size, and moving a container to
//! a site from its page. Every decision is the use case's (`app::sites`).

use super::lab_app::{read, write};
use super::page::{Chrome, Form, WebError, redirect, render, respond};
use super::session::Viewer;
use super::sites_model::{SiteFields, SiteModel, kind_name, site_models};
use crate::app::sites::{self as uc, CreateSite, FollowUpCmd, Inspect};
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use waste_core::access::Action;
use waste_core::site::{Answer, SiteKind};

pub(super) fn manager(v: &Viewer) -> Result<(), WebError> {
    v.user
        .may(Action::ManageSites)
        .map_err(|_| WebError::forbidden())
}

/// The kinds of site the viewer's organisation keeps (sites.toml `kept_by`); every kind for an administrator,
/// who registers sites for others.
fn kinds(state: &AppState, viewer: &Viewer, zh: bool) -> Vec<(&'static str, String)> {
    let offered = if viewer.user.is_admin() {
        SiteKind::ALL.to_vec()
    } else {
        state.std.sites.kinds_for(viewer.user.org_kind)
    };
    offered
        .into_iter()
        .map(|k| (k.as_str(), kind_name(state.std, k, zh)))
        .collect()
}

#[derive(Template)]
#[template(path = "sites.html")]
struct SitesPage {
    c: Chrome,
    sites: Vec<SiteModel>,
    kinds: Vec<(&'static str, String)>,
    f: SiteFields,
    action: String,
    submit_key: &'static str,
    editing: bool,
    kind_label: String,
}

async fn sites_page(
    req: &HttpRequest,
    viewer: &Viewer,
    state: &AppState,
    f: SiteFields,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let c = Chrome::new(req, Some(viewer));
    let sites = site_models(state, viewer, c.zh()).await?;
    let kinds = kinds(state, viewer, c.zh());
    Ok(render(
        req,
        &SitesPage {
            c,
            sites,
            kinds,
            f,
            action: "/sites".into(),
            submit_key: "sites.create",
            editing: false,
            kind_label: String::new(),
        },
        status,
        false,
    ))
}

#[get("/sites")]
pub async fn list(req: HttpRequest, viewer: Viewer, state: web::Data<AppState>) -> HttpResponse {
    let out = async {
        manager(&viewer)?;
        let f = SiteFields {
            kind: "storage_point".into(),
            ..SiteFields::default()
        };
        sites_page(&req, &viewer, &state, f, StatusCode::OK).await
    }
    .await;
    respond(&req, Some(&viewer), out)
}

fn create_cmd(f: &SiteFields) -> Result<CreateSite, ApiError> {
    Ok(CreateSite::parse(
        None,
        &f.kind,
        &f.name,
        &f.location,
        f.containment_opt(),
        &f.responsible,
        &f.contact,
        None,
        Some(f.zone_list()),
    )?)
}

/// Registers a site (the same use case as `POST /api/v1/storage-sites`); a refusal re-shows the form with the
/// field it names marked, and nothing is written.
#[post("/sites")]
pub async fn create(
    req: HttpRequest,
    viewer: Viewer,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    let out = async {
        viewer.check_csrf(&form)?;
        manager(&viewer)?;
        let f = SiteFields::from_form(&form);
        let done = match create_cmd(&f) {
            Ok(cmd) => {
                let (env, actor) = (state.env(), viewer.user.clone());
                write(&state, move |tx| {
                    Ok(uc::create(tx, &env, &actor, cmd)?.row.id)
                })
                .await
            }
            Err(e) => Err(e),
        };
        match done {
            Ok(id) => Ok(redirect(&req, &format!("/sites/{id}"))),
            Err(e) => {
                let status = actix_web::ResponseError::status_code(&e);
                sites_page(&req, &viewer, &state, f.refused(&e), status).await
            }
        }
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// One checklist question as the form shows it.
pub struct Question {
    pub key: String,
    pub text: String,
    pub clause: String,
    /// As answered on a refused submission: `yes`, `no` or empty.
    pub answer: String,
    pub note: String,
    /// The refusal named this question.
    pub bad: bool,
}

#[derive(Template)]
#[template(path = "site.html")]
struct SitePage {
    c: Chrome,
    s: SiteModel,
    questions: Vec<Question>,
    today: String,
    inspected_on: String,
    inspector: String,
    /// A refusal of the inspection or follow-up form, and the field it names.
    error: String,
    bad: String,
    may_manage: bool,
    /// The containers the viewer's organisation holds elsewhere, to scan or tick into this site.
    movable: Vec<MoveLine>,
    moved: usize,
}

/// A container that may be moved into the site, named as a scanning form names it.
pub struct MoveLine {
    pub id: String,
    pub digital_id: String,
    pub what: String,
    /// Where it stands now (a site's name, or empty: at its lab).
    pub now_at: String,
    /// Ticked again when the form comes back refused.
    pub checked: bool,
}

fn questions(state: &AppState, zh: bool, form: Option<&Form>, bad: &str) -> Vec<Question> {
    state
        .std
        .sites
        .checklist
        .iter()
        .map(|i| Question {
            bad: bad == format!("ok.{}", i.key) || bad == format!("note.{}", i.key),
            key: i.key.clone(),
            text: if zh { i.zh.clone() } else { i.en.clone() },
            clause: super::words::say(if zh { Lang::Zh } else { Lang::En }, &i.clause),
            answer: form
                .map(|f| f.get(&format!("ok.{}", i.key)).to_owned())
                .unwrap_or_default(),
            note: form
                .map(|f| f.get(&format!("note.{}", i.key)).to_owned())
                .unwrap_or_default(),
        })
        .collect()
}

pub(super) async fn site_model(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    zh: bool,
) -> Result<SiteModel, ApiError> {
    let (env, actor, id) = (state.env(), viewer.user.clone(), id.to_owned());
    let std = state.std;
    read(state, move |c| {
        Ok(SiteModel::of(std, uc::get(c, &env, &actor, &id)?, zh))
    })
    .await
}

pub(super) async fn site_page(
    req: &HttpRequest,
    viewer: &Viewer,
    state: &AppState,
    id: &str,
    refused: Option<(&Form, ApiError)>,
) -> Result<HttpResponse, WebError> {
    let c = Chrome::new(req, Some(viewer));
    let s = site_model(state, viewer, id, c.zh()).await?;
    let today = state.clock.today().to_string();
    let form = refused.as_ref().map(|(f, _)| *f);
    let (status, error, bad) = match &refused {
        None => (StatusCode::OK, String::new(), String::new()),
        Some((_, e)) => {
            let bad = match e {
                ApiError::Invalid { details, .. } => {
                    details["field"].as_str().unwrap_or_default().to_owned()
                }
                _ => String::new(),
            };
            (
                actix_web::ResponseError::status_code(e),
                c.refusal_of(e),
                bad,
            )
        }
    };
    let movable = {
        let (env, actor, site) = (state.env(), viewer.user.clone(), s.id.clone());
        read(state, move |conn| {
            crate::app::chain::movable(conn, &env, &actor, &site)
        })
        .await?
    };
    let chosen = form.map(|f| f.all("c")).unwrap_or_default();
    let movable = movable
        .into_iter()
        .map(|b| MoveLine {
            checked: chosen.contains(&b.id),
            what: super::scanning::what_of(&b, &c),
            now_at: b.site.clone().unwrap_or_default(),
            id: b.id,
            digital_id: b.digital_id,
        })
        .collect::<Vec<_>>();
    // After a move: how many went in (the redirect's `moved`).
    let moved = super::page::query_pairs(req.query_string())
        .into_iter()
        .find(|(k, _)| k == "moved")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let page = SitePage {
        movable,
        moved,
        questions: questions(state, c.zh(), form, &bad),
        inspected_on: form
            .map(|f| f.get("inspected_on").to_owned())
            .unwrap_or_else(|| today.clone()),
        inspector: form
            .map(|f| f.get("inspector").to_owned())
            .unwrap_or_else(|| viewer.user.name.clone()),
        may_manage: viewer.user.may(Action::ManageSites).is_ok(),
        c,
        s,
        today,
        error,
        bad,
    };
    Ok(render(req, &page, status, false))
}

#[get("/sites/{id}")]
pub async fn site_view(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let out = async {
        manager(&viewer)?;
        site_page(&req, &viewer, &state, &path, None).await
    }
    .await;
    respond(&req, Some(&viewer), out)
}

fn date(field: &str, s: &str) -> Result<time::Date, ApiError> {
    crate::store::parse_date(s.trim())
        .ok_or_else(|| ApiError::invalid(field, format!("'{s}' is not a date YYYY-MM-DD")))
}

/// The checklist form as the inspection command: every item answered yes or no, a failed item's note becomes
/// its finding (the use case's rule).
fn inspect_cmd(state: &AppState, form: &Form) -> Result<Inspect, ApiError> {
    let mut answers = Vec::new();
    for item in &state.std.sites.checklist {
        let ok = match form.get(&format!("ok.{}", item.key)) {
            "yes" => true,
            "no" => false,
            _ => {
                return Err(ApiError::invalid(
                    format!("ok.{}", item.key),
                    "answer yes or no",
                ));
            }
        };
        let note = form.get(&format!("note.{}", item.key));
        if note.chars().count() > 500 {
            return Err(ApiError::invalid(
                format!("note.{}", item.key),
                "at most 500 characters",
            ));
        }
        answers.push(Answer {
            item: item.key.clone(),
            ok,
            note: Some(note.to_owned()).filter(|n| !n.is_empty()),
        });
    }
    let inspector = form.get("inspector");
    if inspector.chars().count() > 100 {
        return Err(ApiError::invalid("inspector", "at most 100 characters"));
    }
    Ok(Inspect {
        inspected_on: date("inspected_on", form.get("inspected_on"))?,
        inspector: Some(inspector.to_owned()).filter(|i| !i.is_empty()),
        answers,
        findings: vec![],
    })
}

/// Records a self-inspection (GB 18597-2023 8.2.2), the same use case as `POST …/inspections`.
#[post("/sites/{id}/inspections")]
pub async fn inspect(
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
        manager(&viewer)?;
        let done = match inspect_cmd(&state, &form) {
            Ok(cmd) => {
                let (env, actor, id) = (state.env(), viewer.user.clone(), id.clone());
                write(&state, move |tx| {
                    uc::inspect(tx, &env, &actor, &id, cmd).map(|_| ())
                })
                .await
            }
            Err(e) => Err(e),
        };
        match done {
            Ok(()) => Ok(redirect(&req, &format!("/sites/{id}#inspection"))),
            Err(e) => site_page(&req, &viewer, &state, &id, Some((&form, e))).await,
        }
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// Records the follow-up of a finding, which closes it.
#[post("/sites/{id}/findings/{finding}/follow-up")]
pub async fn follow_up(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    let (id, finding) = path.into_inner();
    let out = async {
        viewer.check_csrf(&form)?;
        manager(&viewer)?;
        let action = form.get("action").to_owned();
        let cmd = date("done_on", form.get("done_on")).and_then(|done_on| {
            if action.is_empty() || action.chars().count() > 500 {
                Err(ApiError::invalid("action", "1 to 500 characters"))
            } else {
                Ok(FollowUpCmd {
                    done_on,
                    by: None,
                    action,
                })
            }
        });
        let done = match cmd {
            Ok(cmd) => {
                let (env, actor, id) = (state.env(), viewer.user.clone(), id.clone());
                write(&state, move |tx| {
                    uc::follow_up(tx, &env, &actor, &id, &finding, cmd).map(|_| ())
                })
                .await
            }
            Err(e) => Err(e),
        };
        match done {
            Ok(()) => Ok(redirect(&req, &format!("/sites/{id}#findings"))),
            Err(e) => site_page(&req, &viewer, &state, &id, Some((&form, e))).await,
        }
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// Moves a container to a site of its holder (the same use case as `POST /api/v1/containers/{id}/move`): a
/// custody event; over the storage point's ceiling it is refused with the clause.
#[post("/c/{key}/move")]
pub async fn move_container(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    let key = path.into_inner();
    let out = async {
        viewer.check_csrf(&form)?;
        // `site_id|zone` from the page's one list of places.
        let (site, zone) = match form.get("target").split_once('|') {
            Some((s, z)) => (s.to_owned(), Some(z.to_owned()).filter(|z| !z.is_empty())),
            None => (form.get("target").to_owned(), None),
        };
        let (env, actor, k) = (state.env(), viewer.user.clone(), key.clone());
        write(&state, move |tx| {
            let id = super::lab_app::resolve(tx, &k)?;
            uc::move_container(tx, &env, &actor, &id, &site, zone.as_deref()).map(|_| ())
        })
        .await?;
        Ok::<_, WebError>(redirect(&req, &format!("/c/{key}?done=moved")))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// Moves the ticked or scanned containers into this site (and zone) in one step; a refusal re-shows the site page
/// with the form's choices and moves none.
#[post("/sites/{id}/move-in")]
pub async fn move_in(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    let id = path.into_inner();
    let out = async {
        manager(&viewer)?;
        viewer.check_csrf(&form)?;
        let ids = form.all("c");
        let zone = Some(form.get("zone").to_owned()).filter(|z| !z.is_empty());
        let (env, actor, site) = (state.env(), viewer.user.clone(), id.clone());
        let done = write(&state, move |tx| {
            uc::move_many(tx, &env, &actor, &ids, &site, zone.as_deref()).map(|m| m.len())
        })
        .await;
        match done {
            Ok(n) => Ok(redirect(&req, &format!("/sites/{id}?moved={n}#containers"))),
            Err(e) => site_page(&req, &viewer, &state, &id, Some((&form, e))).await,
        }
    }
    .await;
    respond(&req, Some(&viewer), out)
}

#[derive(Template)]
#[template(path = "site_edit.html")]
struct EditPage {
    c: Chrome,
    id: String,
    kinds: Vec<(&'static str, String)>,
    f: SiteFields,
    action: String,
    submit_key: &'static str,
    editing: bool,
    kind_label: String,
}

async fn edit_page(
    req: &HttpRequest,
    viewer: &Viewer,
    state: &AppState,
    id: &str,
    refused: Option<SiteFields>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    viewer
        .user
        .may(Action::ManageSites)
        .map_err(|_| WebError::forbidden())?;
    let c = Chrome::new(req, Some(viewer));
    let m = site_model(state, viewer, id, c.zh()).await?;
    let f = refused.unwrap_or_else(|| SiteFields::of(&m));
    let kinds = kinds(state, viewer, c.zh());
    Ok(render(
        req,
        &EditPage {
            c,
            id: m.id.clone(),
            kinds,
            f,
            action: format!("/sites/{}/edit", m.id),
            submit_key: "site.save",
            editing: true,
            kind_label: m.kind_name,
        },
        status,
        false,
    ))
}

#[get("/sites/{id}/edit")]
pub async fn edit_form(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let out = edit_page(&req, &viewer, &state, &path, None, StatusCode::OK).await;
    respond(&req, Some(&viewer), out)
}

/// Edits a site (the same use case as `PATCH /api/v1/storage-sites/{id}`); a refusal re-shows the form with the
/// field marked and changes nothing.
#[post("/sites/{id}/edit")]
pub async fn edit(
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
        let f = SiteFields::from_form(&form);
        let cmd = uc::EditSite::parse(
            Some(f.name.as_str()),
            Some(f.location.as_str()),
            f.containment_opt(),
            Some(f.responsible.as_str()),
            Some(f.contact.as_str()),
            Some(f.zone_list()),
        );
        let done: Result<(), ApiError> = match cmd {
            Ok(cmd) => {
                let (env, actor, site) = (state.env(), viewer.user.clone(), id.clone());
                write(&state, move |tx| {
                    uc::update(tx, &env, &actor, &site, cmd).map(|_| ())
                })
                .await
            }
            Err(e) => Err(e.into()),
        };
        match done {
            Ok(()) => Ok(redirect(&req, &format!("/sites/{id}"))),
            Err(e) => {
                let status = actix_web::ResponseError::status_code(&e);
                edit_page(&req, &viewer, &state, &id, Some(f.refused(&e)), status).await
            }
        }
    }
    .await;
    respond(&req, Some(&viewer), out)
}
