//! The browser interface: server-rendered pages (askama templates in `waste-api/templates/`), htmx and two small
//! scripts embedded in the binary. Pages call the same functions as the JSON API; no rule is decided here.
//!
//! Paths: `/` the "To act" home, `/login`, `/welcome?t=…` (a new user's one-time link), `/scan`,
//! `/c/{digital_id or id}` a container, `/containers`, `/school` (the safety officer's to-do and people),
//! `/admin` (organisations), `/assets/{hash}/{file}`; the custody chain: `/m/{number}` a manifest (its steps,
//! `/m/{number}/print`, `/print/manifests?m=…` bulk), `/r/{token}` a roadside link, `/manifests` the tabs,
//! `/manifests/new` drafting, `/stock`, `/bureau` the education bureau's schools;
//! `/sites` and `/sites/{id}` (storage sites), `/ledger` (HJ 1259 records), `/contracts`.

pub mod add;
pub mod admin;
pub mod assets;
pub mod bottle_print;
pub mod bureau;
pub mod collect;
pub mod contracts;
pub mod home;

pub mod form;
pub mod lab;
pub mod lab_app;
pub mod ledger;
pub mod manifest;
pub mod manifest_cards;
pub mod manifest_print;
pub mod page;
pub mod pickups;
pub mod refusal;
pub mod returns;
pub mod revisions;
pub mod scanning;
pub mod school;
pub mod session;
pub mod shelf;
pub mod signin;
pub mod site_signs;
pub mod sites;
pub mod sites_model;
pub mod station;
pub mod stocktake;
pub mod words;

use actix_web::web;
use std::sync::{Arc, OnceLock};

/// The web interface's own state, registered beside `AppState`: the session settings. One instance per process,
/// shared by every worker. (The sign-in limits are in the database: `app::attempts`.)
pub struct WebState {
    /// A browser session ends after this long without a request.
    pub idle: std::time::Duration,
}

static WEB_STATE: OnceLock<web::Data<WebState>> = OnceLock::new();

impl WebState {
    fn from_env() -> Self {
        // A product setting, not a legal fact: 30 minutes unless WASTE_SESSION_IDLE_MINUTES says otherwise.
        let minutes = std::env::var("WASTE_SESSION_IDLE_MINUTES")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|m| *m > 0)
            .unwrap_or(30);
        WebState {
            idle: std::time::Duration::from_secs(minutes * 60),
        }
    }
}

/// Registers every page of the web interface.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let state = WEB_STATE
        .get_or_init(|| web::Data::from(Arc::new(WebState::from_env())))
        .clone();
    cfg.app_data(state)
        .service(assets::serve)
        .service(assets::favicon)
        .service(home::home)
        .service(home::scan)
        .service(scanning::what_is)
        .service(signin::login_form)
        .service(signin::login_submit)
        .service(signin::logout)
        .service(signin::welcome_form)
        .service(signin::welcome)
        .service(lab::my_containers)
        .service(lab::new_container_form)
        .service(lab::new_container)
        .service(add::add_form)
        .service(add::search)
        .service(add::preview_partial)
        .service(add::add_submit)
        .service(lab::seal)
        .service(lab::label_svg)
        .service(lab::print)
        .service(lab::container_page)
        .service(school::todo)
        .service(school::people_page)
        .service(school::create_person)
        .service(admin::organisations)
        .service(admin::create_organisation)
        .service(admin::organisation)
        .service(admin::create_user_page)
        .service(manifest_print::print)
        .service(manifest_print::print_many)
        .service(manifest::step)
        .service(manifest::road_link)
        .service(revisions::propose)
        .service(revisions::decide)
        .service(manifest::manifest_page)
        .service(manifest_print::roadside)
        .service(station::manifests_page)
        .service(station::draft_form)
        .service(station::draft)
        .service(station::stock)
        .service(returns::hand_back)
        .service(pickups::pickups_page)
        .service(pickups::new_request_form)
        .service(pickups::new_request)
        .service(pickups::set_pin)
        .service(collect::collect_form)
        .service(collect::collect)
        .service(pickups::request_step)
        .service(bureau::bureau)
        .service(bureau::bureau_csv)
        .service(bureau::school)
        .service(bureau::audit)
        .service(shelf::shelf)
        .service(shelf::receive)
        .service(bottle_print::label)
        .service(bottle_print::card)
        .service(shelf::bottle)
        .service(shelf::step)
        .service(shelf::discard)
        .service(stocktake::start)
        .service(stocktake::show)
        .service(stocktake::save)
        .service(sites::list)
        .service(sites::create)
        .service(sites::edit_form)
        .service(sites::edit)
        .service(site_signs::sign_svg)
        .service(site_signs::sign_page)
        .service(site_signs::record_sign)
        .service(sites::inspect)
        .service(sites::follow_up)
        .service(sites::site_view)
        .service(sites::move_container)
        .service(sites::move_in)
        .service(ledger::page)
        .service(ledger::download)
        .service(ledger::annual)
        .service(contracts::list)
        .service(contracts::create);
}
