//! The administrator's pages: organisations (credit code checked by the use case; a disposal firm's licence and
//! its validity) and their users (a new user's one-time sign-in link shown once).

use super::lab_app::{read, write};
use super::page::{Chrome, Form, WebError, ok, render, respond};
use super::school::{Created, Person, create_user, role_choices};
use super::session::Viewer;
use crate::app::admin::people_of;
use crate::app::parties::{self as uc, LicenceInput, NewOrganization};
use crate::auth::parse_date;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::organizations::Listed;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use waste_core::party::Role;

pub struct OrgRow {
    pub id: String,
    pub kind_key: String,
    pub name: String,
    pub credit_code: String,
    pub region_code: String,
    pub license_number: String,
    pub license_valid_until: String,
    /// `plain` valid, `warn` within 30 days, `danger` expired; empty without a licence.
    pub license_tone: &'static str,
}

pub async fn count_organisations(state: &AppState) -> Result<usize, ApiError> {
    state
        .db(|c| Ok(crate::store::organizations::count(c)?))
        .await
}

fn org_row(r: Listed, today: time::Date) -> OrgRow {
    let days = r
        .license_valid_until
        .as_deref()
        .and_then(parse_date)
        .map(|d| (d - today).whole_days());
    OrgRow {
        id: r.id,
        kind_key: format!("kind.{}", r.kind),
        name: r.name,
        credit_code: r.credit_code.unwrap_or_default(),
        region_code: r.region_code,
        license_number: r.license_number.unwrap_or_default(),
        license_valid_until: r.license_valid_until.unwrap_or_default(),
        license_tone: match days {
            None => "",
            Some(d) if d < 0 => "danger",
            Some(d) if d <= 30 => "warn",
            _ => "plain",
        },
    }
}

async fn load_orgs(state: &AppState, id: Option<String>) -> Result<Vec<OrgRow>, ApiError> {
    let rows = state
        .db(move |c| Ok(crate::store::organizations::listing(c, id.as_deref())?))
        .await?;
    let today = state.clock.today();
    Ok(rows.into_iter().map(|r| org_row(r, today)).collect())
}

fn admin(v: &Viewer) -> Result<(), WebError> {
    if v.user.is_admin() {
        Ok(())
    } else {
        Err(WebError::forbidden())
    }
}

pub const KINDS: [&str; 5] = [
    "school",
    "transfer_station",
    "disposal_firm",
    "carrier",
    "authority",
];

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    c: Chrome,
    orgs: Vec<OrgRow>,
    kinds: Vec<(&'static str, String)>,
    error: String,
    form: Vec<(String, String)>,
    selected_kind: String,
}

impl AdminPage {
    fn new(c: Chrome, orgs: Vec<OrgRow>, error: String, form: Vec<(String, String)>) -> AdminPage {
        let selected_kind = form
            .iter()
            .find(|(k, _)| k == "kind")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| "school".into());
        AdminPage {
            c,
            orgs,
            kinds: KINDS.iter().map(|k| (*k, format!("kind.{k}"))).collect(),
            error,
            form,
            selected_kind,
        }
    }
}

impl AdminPage {
    /// The value a refused form had, shown again.
    fn v(&self, k: &str) -> String {
        self.form
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

#[get("/admin")]
pub async fn organisations(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
) -> HttpResponse {
    let out = async {
        admin(&viewer)?;
        let orgs = load_orgs(&state, None).await?;
        Ok::<_, WebError>(ok(
            &req,
            &AdminPage::new(
                Chrome::new(&req, Some(&viewer)),
                orgs,
                String::new(),
                vec![],
            ),
        ))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

#[post("/admin")]
pub async fn create_organisation(
    req: HttpRequest,
    viewer: Viewer,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    let out = async {
        viewer.check_csrf(&form)?;
        admin(&viewer)?;
        let licence = Some(form.get("license_number").trim().to_owned())
            .filter(|n| !n.is_empty())
            .map(|number| LicenceInput {
                number,
                waste_codes: form
                    .get("license_codes")
                    .split([',', ' ', '，'])
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
                valid_until: form.get("license_valid_until").to_owned(),
            });
        // The same use case as `POST /api/v1/organizations`: the credit code and licence checks are its own.
        let result: Result<String, ApiError> = async {
            let cmd = NewOrganization::parse(
                form.get("kind"),
                form.get("name"),
                form.get("credit_code"),
                form.get("region_code"),
                licence.as_ref(),
            )?;
            let (env, actor) = (state.env(), viewer.user.clone());
            write(&state, move |tx| {
                uc::register_organization(tx, &env, &actor, cmd)
            })
            .await
        }
        .await;
        let c = Chrome::new(&req, Some(&viewer));
        Ok(match result {
            Ok(id) => super::page::redirect(&req, &format!("/admin/o/{id}")),
            Err(e) => {
                let status = actix_web::ResponseError::status_code(&e);
                let orgs = load_orgs(&state, None).await?;
                let error = c.refusal_of(&e);
                render(
                    &req,
                    &AdminPage::new(c, orgs, error, form.0.clone()),
                    status,
                    false,
                )
            }
        })
    }
    .await;
    respond(&req, Some(&viewer), out)
}

#[derive(Template)]
#[template(path = "organisation.html")]
struct OrgPage {
    c: Chrome,
    o: OrgRow,
    people: Vec<Person>,
    roles: Vec<(&'static str, String)>,
    error: String,
    created: Option<Created>,
    form_action: String,
}

pub const ALL_ROLES: [&str; 7] = [
    "lab_staff",
    "safety_officer",
    "station_operator",
    "driver",
    "disposal_operator",
    "auditor",
    "admin",
];

async fn org_page(
    state: &AppState,
    viewer: &Viewer,
    req: &HttpRequest,
    id: String,
) -> Result<(OrgRow, Vec<Person>, Chrome), WebError> {
    let o = load_orgs(state, Some(id.clone()))
        .await?
        .into_iter()
        .next()
        .ok_or_else(WebError::not_found)?;
    let actor = viewer.user.clone();
    let today = state.clock.today();
    let people = read(state, move |c| people_of(c, &actor, &id))
        .await?
        .into_iter()
        .map(|p| Person::new(p, today))
        .collect();
    Ok((o, people, Chrome::new(req, Some(viewer))))
}

#[get("/admin/o/{id}")]
pub async fn organisation(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let out = async {
        admin(&viewer)?;
        let (o, people, c) = org_page(&state, &viewer, &req, path.into_inner()).await?;
        let oid = o.id.clone();
        Ok::<_, WebError>(ok(
            &req,
            &OrgPage {
                c,
                o,
                people,
                roles: role_choices(&ALL_ROLES),
                error: String::new(),
                created: None,
                form_action: format!("/admin/o/{}/users", oid),
            },
        ))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

#[post("/admin/o/{id}/users")]
pub async fn create_user_page(
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
        if !viewer.user.has(Role::Admin) {
            return Err(WebError::forbidden());
        }
        let result = create_user(&state, &viewer.user, &id, &form).await;
        let (o, people, c) = org_page(&state, &viewer, &req, id.clone()).await?;
        let oid = o.id.clone();
        Ok(match result {
            Ok(created) => render(
                &req,
                &OrgPage {
                    c,
                    o,
                    people,
                    roles: role_choices(&ALL_ROLES),
                    error: String::new(),
                    created: Some(created),
                    form_action: format!("/admin/o/{}/users", oid),
                },
                StatusCode::CREATED,
                true,
            ),
            Err(e) => {
                let status = actix_web::ResponseError::status_code(&e);
                let error = c.refusal_of(&e);
                render(
                    &req,
                    &OrgPage {
                        c,
                        o,
                        people,
                        roles: role_choices(&ALL_ROLES),
                        error,
                        created: None,
                        form_action: format!("/admin/o/{}/users", oid),
                    },
                    status,
                    false,
                )
            }
        })
    }
    .await;
    respond(&req, Some(&viewer), out)
}
