//! The safety officer's pages: the school's to-do and the school's people (create a user, training dates).

use super::lab::Card;
use super::lab_app;
use super::page::{Chrome, Form, WebError, ok, render, respond};
use super::session::Viewer;
use crate::app::admin::people_of;
use crate::app::parties::{self as uc, RegisterUser};
use crate::auth::{AuthUser, parse_date};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::users::PersonRow;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use waste_core::party::Role;

/// Training is flagged this many days before it expires (the to-do's horizon; a product setting).
pub const TRAINING_WARN_DAYS: i64 = 30;

pub struct Person {
    pub name: String,
    pub roles: Vec<String>,
    pub trained_until: String,
    /// Days until the training record expires (negative: expired).
    pub training_days: Option<i64>,
    /// `danger` (expired or missing), `warn` (within 30 days) or `plain`.
    pub training_tone: &'static str,
    pub has_password: bool,
}

impl Person {
    pub fn new(p: PersonRow, today: time::Date) -> Self {
        let days = p
            .trained_until
            .as_deref()
            .and_then(parse_date)
            .map(|d| (d - today).whole_days());
        Person {
            name: p.name,
            roles: p
                .roles
                .split(',')
                .filter(|r| !r.is_empty())
                .map(|r| format!("role.{r}"))
                .collect(),
            trained_until: p.trained_until.unwrap_or_default(),
            training_days: days,
            training_tone: match days {
                None => "danger",
                Some(d) if d < 0 => "danger",
                Some(d) if d <= TRAINING_WARN_DAYS => "warn",
                _ => "plain",
            },
            has_password: p.has_password,
        }
    }
}

/// The people of the viewer's organisation.
pub async fn load_people(state: &AppState, user: &AuthUser) -> Result<Vec<Person>, ApiError> {
    let (actor, today) = (user.clone(), state.clock.today());
    let org = user.org_id.clone();
    let rows = lab_app::read(state, move |c| people_of(c, &actor, &org)).await?;
    Ok(rows.into_iter().map(|p| Person::new(p, today)).collect())
}

#[derive(Template)]
#[template(path = "todo.html")]
struct TodoPage {
    c: Chrome,
    overdue: Vec<Card>,
    due_soon: Vec<Card>,
    unsealed: Vec<Card>,
    unlabelled: Vec<Card>,
    ready: Vec<Card>,
    /// Containers a disposal firm rejected: with the shipper, or back with the school to be asked for again.
    returned: Vec<super::returns::ReturnLine>,
    training: Vec<Person>,
    /// Storage sites with something to do: a sign not printed or outdated, an inspection due, open findings,
    /// near the ceiling or short of containment (the core's list per site).
    sites: Vec<super::sites_model::SiteModel>,
}

fn officer(v: &Viewer) -> Result<(), WebError> {
    if v.user.has(Role::SafetyOfficer) {
        Ok(())
    } else {
        Err(WebError::forbidden())
    }
}

#[get("/school")]
pub async fn todo(req: HttpRequest, viewer: Viewer, state: web::Data<AppState>) -> HttpResponse {
    let out = async {
        officer(&viewer)?;
        let c = Chrome::new(&req, Some(&viewer));
        let cards: Vec<Card> = lab_app::list(&state, &viewer.user)
            .await?
            .into_iter()
            .map(|v| Card::of(v, c.zh()))
            .collect();
        let mut page = TodoPage {
            c,
            overdue: vec![],
            due_soon: vec![],
            unsealed: vec![],
            unlabelled: vec![],
            ready: vec![],
            returned: super::returns::lines(&state, &viewer.user.org_id).await?,
            training: vec![],
            sites: vec![],
        };
        for k in cards {
            match (k.storage_status.as_str(), k.status.as_str()) {
                ("overdue", _) => page.overdue.push(k),
                ("due_soon", _) => page.due_soon.push(k),
                (_, "open") if !k.label_complete => page.unlabelled.push(k),
                (_, "open") => page.unsealed.push(k),
                (_, "sealed") => page.ready.push(k),
                _ => {}
            }
        }
        page.training = load_people(&state, &viewer.user)
            .await?
            .into_iter()
            .filter(|p| p.training_tone != "plain")
            .collect();
        page.sites = super::sites_model::site_models(&state, &viewer, page.c.zh())
            .await?
            .into_iter()
            .filter(|s| !s.todo.is_empty())
            .collect();
        Ok::<_, WebError>(ok(&req, &page))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    c: Chrome,
    people: Vec<Person>,
    /// Roles this organisation's officer may grant, with their catalogue keys.
    roles: Vec<(&'static str, String)>,
    error: String,
    created: Option<Created>,
    form_action: String,
}

pub fn role_choices(roles: &[&'static str]) -> Vec<(&'static str, String)> {
    roles.iter().map(|r| (*r, format!("role.{r}"))).collect()
}

/// A user just created: the one-time link and the API token, shown once.
pub struct Created {
    pub name: String,
    pub link: String,
    pub token: String,
}

/// The roles the form offers a school's safety officer (the use case decides what may be granted).
pub const SCHOOL_ROLES: [&str; 2] = ["lab_staff", "safety_officer"];

#[get("/school/people")]
pub async fn people_page(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
) -> HttpResponse {
    let out = async {
        officer(&viewer)?;
        let people = load_people(&state, &viewer.user).await?;
        Ok::<_, WebError>(ok(
            &req,
            &PeoplePage {
                c: Chrome::new(&req, Some(&viewer)),
                people,
                roles: role_choices(&SCHOOL_ROLES),
                error: String::new(),
                created: None,
                form_action: "/school/people".into(),
            },
        ))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// Creates a user through the same use case as `POST /api/v1/organizations/{id}/users`; returns the link's
/// absolute path and the token.
pub async fn create_user(
    state: &AppState,
    user: &AuthUser,
    org_id: &str,
    form: &Form,
) -> Result<Created, ApiError> {
    let roles = form.all("roles");
    let trained = Some(form.get("trained_until")).filter(|s| !s.is_empty());
    let cmd = RegisterUser::parse(org_id.to_owned(), form.get("name"), &roles, trained)?;
    uc::may_register_user(user, &cmd.organization_id, &cmd.roles)?;
    // The secrets are made before the transaction and shown once after it; only their hashes are stored.
    let token = uc::new_token()?;
    let token_hash = uc::hash_token(&token);
    let link = crate::credentials::new_link_token()?;
    let (env, actor, stored_link) = (state.env(), user.clone(), link.clone());
    state
        .write(move |c| {
            crate::store::write_tx(c, |tx| {
                let id = uc::register_user(tx, &env, &actor, cmd, token_hash)?;
                crate::credentials::store_link(tx.conn(), &id, &stored_link)
            })
        })
        .await?;
    Ok(Created {
        name: form.get("name").to_owned(),
        link: crate::credentials::link_path(&link),
        token,
    })
}

#[post("/school/people")]
pub async fn create_person(
    req: HttpRequest,
    viewer: Viewer,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    let out = async {
        viewer.check_csrf(&form)?;
        officer(&viewer)?;
        // Which roles may be granted is the use case's decision (waste_core::access); the form offers the
        // school's two.
        let result = create_user(&state, &viewer.user, &viewer.user.org_id, &form).await;
        let people = load_people(&state, &viewer.user).await?;
        let c = Chrome::new(&req, Some(&viewer));
        Ok(match result {
            Ok(created) => render(
                &req,
                &PeoplePage {
                    c,
                    people,
                    roles: role_choices(&SCHOOL_ROLES),
                    error: String::new(),
                    created: Some(created),
                    form_action: "/school/people".into(),
                },
                StatusCode::CREATED,
                true,
            ),
            Err(e) => {
                let status = actix_web::ResponseError::status_code(&e);
                let error = c.refusal_of(&e);
                render(
                    &req,
                    &PeoplePage {
                        c,
                        people,
                        roles: role_choices(&SCHOOL_ROLES),
                        error,
                        created: None,
                        form_action: "/school/people".into(),
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
