//! What every page shares: the language, the chrome (header, Scan, language toggle, CSRF token), the security
//! headers, the form reader and the error page.

pub use super::form::{Form, WebError, encode, query_pairs};
use super::session::Viewer;
use crate::error::ApiError;
use crate::i18n::{Catalogue, Lang, catalogue};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use waste_core::calendar::Zone;
use waste_core::party::Role;

/// Strict: scripts and styles only from this origin (no inline script, no inline style), no framing.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
    connect-src 'self'; media-src 'self' blob: mediastream:; form-action 'self'; frame-ancestors 'none'; \
    base-uri 'none'";

/// The language of a request: `?lang=`, then the `lang` cookie, then `Accept-Language`; Chinese by default.
pub fn lang_of(req: &HttpRequest) -> Lang {
    query_lang(req)
        .or_else(|| req.cookie("lang").and_then(|c| Lang::parse(c.value())))
        .unwrap_or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(Lang::from_accept)
                .unwrap_or(Lang::Zh)
        })
}

fn query_lang(req: &HttpRequest) -> Option<Lang> {
    query_pairs(req.query_string())
        .into_iter()
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| Lang::parse(&v))
}

/// One destination of the navigation bar.
pub struct NavItem {
    pub href: &'static str,
    pub key: &'static str,
    pub current: bool,
}

/// The destinations of a signed-in person, the role's main jobs first: the bar shows the first few and folds
/// the rest under "更多" (More), so it fits a 390 px phone. Each is shown when the access table lets the person
/// take the action its page is for (the page's own guard asks the same row).
fn destinations(viewer: &Viewer, path: &str) -> Vec<NavItem> {
    use waste_core::access::Action;
    use waste_core::manifest::Party;
    let u = &viewer.user;
    let may = |a: Action| u.may(a).is_ok();
    let admin = may(Action::RegisterOrganization);
    let fill = may(Action::FillContainers);
    let collect = may(Action::PickUp);
    // The school's page (its people, their training, the to-do) is an organisation's own; an administrator keeps
    // every organisation from /admin.
    let own_people = may(Action::ManageUsers) && !admin;
    let manifests = may(Action::DraftManifest)
        || [Party::Shipper, Party::Carrier, Party::Receiver]
            .into_iter()
            .any(|p| may(Action::ManifestStep(p)));
    let all: [(bool, &'static str, &'static str, &[&str]); 13] = [
        (true, "/", "nav.home", &[]),
        (collect, "/pickups", "nav.pickups", &["/pickups"]),
        (
            fill,
            "/containers",
            "nav.containers",
            &["/containers", "/c/"],
        ),
        (
            may(Action::KeepReagents),
            "/shelf",
            "nav.shelf",
            &["/shelf", "/b/"],
        ),
        (own_people, "/school", "nav.school", &["/school"]),
        (
            may(Action::FollowPickups) && !collect && !admin,
            "/pickups",
            "nav.pickups",
            &["/pickups"],
        ),
        (
            manifests,
            "/manifests",
            "nav.manifests",
            &["/manifests", "/m/"],
        ),
        (collect, "/stock", "nav.stock", &["/stock"]),
        (may(Action::Oversee), "/bureau", "nav.bureau", &["/bureau"]),
        (
            may(Action::ManageSites) && !admin,
            "/sites",
            "sites.title",
            &["/sites"],
        ),
        (
            may(Action::ReadRecords) && !admin,
            "/ledger",
            "ledger.title",
            &["/ledger"],
        ),
        (admin, "/admin", "nav.admin", &["/admin"]),
        (admin, "/contracts", "contracts.title", &["/contracts"]),
    ];
    all.iter()
        .filter(|(shown, ..)| *shown)
        .map(|(_, href, key, prefixes)| NavItem {
            href,
            key,
            current: if prefixes.is_empty() {
                path == *href
            } else {
                prefixes.iter().any(|p| path.starts_with(p))
            },
        })
        .collect()
}

/// The page frame: language, who is signed in, the CSRF token for forms, the language toggle.
pub struct Chrome {
    pub lang: Lang,
    pub cat: &'static Catalogue,
    pub csrf: String,
    pub user_name: String,
    pub org_name: String,
    pub signed_in: bool,
    pub is_lab: bool,
    pub is_officer: bool,
    pub is_admin: bool,
    /// A party to manifests (station operator, driver, disposal operator, or a safety officer who ships).
    pub is_chain: bool,
    pub is_station: bool,
    /// An education bureau (the oversight of its schools).
    pub is_bureau: bool,
    /// This page in the other language.
    pub toggle_href: String,
    pub path: String,
    /// The deployment's time zone: every time a page shows is local (`when`, `day`).
    pub zone: Zone,
    /// The navigation bar: what fits a phone, and the rest under "更多".
    pub nav: Vec<NavItem>,
    pub nav_more: Vec<NavItem>,
    /// The person's work needs a current training record and theirs has expired or is missing: every page says
    /// so, since the steps it would offer are left out (`Actor::may_on`).
    pub training_lapsed: bool,
}

/// Whether `viewer` may take some action of the access table that needs training (`access::training_required`)
/// and lacks a current record today.
fn training_lapsed(req: &HttpRequest, viewer: &Viewer) -> bool {
    use waste_core::access::{Action, trained_on, training_required};
    let u = &viewer.user;
    let Some(today) = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .map(|s| s.clock.today())
    else {
        return false;
    };
    !trained_on(u.trained_until, today)
        && Action::ALL
            .into_iter()
            .any(|a| training_required(a, &u.roles) && u.may(a).is_ok())
}

impl Chrome {
    pub fn new(req: &HttpRequest, viewer: Option<&Viewer>) -> Chrome {
        let lang = lang_of(req);
        let other = lang.other();
        let mut q: Vec<String> = query_pairs(req.query_string())
            .into_iter()
            .filter(|(k, _)| k != "lang")
            .map(|(k, v)| format!("{}={}", encode(&k), encode(&v)))
            .collect();
        q.push(format!("lang={}", other.code()));
        // Chinese names are short: four fit beside "更多" at 390 px; English ones, three.
        let mut nav = viewer
            .map(|v| destinations(v, req.path()))
            .unwrap_or_default();
        let fit = if lang == Lang::Zh { 4 } else { 3 };
        let nav_more = if nav.len() > fit + 1 {
            nav.split_off(fit)
        } else {
            Vec::new()
        };
        Chrome {
            lang,
            cat: catalogue(lang),
            csrf: viewer.map(|v| v.csrf.clone()).unwrap_or_default(),
            user_name: viewer.map(|v| v.user.name.clone()).unwrap_or_default(),
            org_name: viewer.map(|v| v.org_name.clone()).unwrap_or_default(),
            signed_in: viewer.is_some(),
            is_lab: viewer
                .is_some_and(|v| v.user.has(Role::LabStaff) || v.user.has(Role::SafetyOfficer)),
            is_officer: viewer.is_some_and(|v| v.user.has(Role::SafetyOfficer)),
            is_admin: viewer.is_some_and(|v| v.user.is_admin()),
            is_chain: viewer.is_some_and(|v| {
                v.user.has(Role::StationOperator)
                    || v.user.has(Role::Driver)
                    || v.user.has(Role::DisposalOperator)
            }),
            is_station: viewer.is_some_and(|v| v.user.has(Role::StationOperator)),
            is_bureau: viewer
                .is_some_and(|v| v.user.may(waste_core::access::Action::Oversee).is_ok()),
            toggle_href: format!("{}?{}", req.path(), q.join("&")),
            path: req.path().to_owned(),
            zone: zone_of(req),
            nav,
            nav_more,
            training_lapsed: viewer.is_some_and(|v| training_lapsed(req, v)),
        }
    }

    /// Whether the page shown is one of those under "更多".
    pub fn more_current(&self) -> bool {
        self.nav_more.iter().any(|n| n.current)
    }

    /// A stored time as a person reads it, local: `2026-12-07 07:30`.
    pub fn when(&self, stamp: &str) -> String {
        self.zone.show_stamp(stamp)
    }

    /// The time zone, named for this page's reader (the roadside page, where an inspector may come from far).
    pub fn zone_label(&self) -> String {
        match self.lang {
            Lang::Zh => self.zone.label_zh(),
            Lang::En => self.zone.label_en(),
        }
    }

    /// A refusal's words: on a Chinese page the catalogue's sentence for its code (`err.<code>`), on an English
    /// page the service's own message (which names the field or the figures). A code the catalogue lacks keeps
    /// the message, so nothing is lost.
    pub fn refusal(&self, code: &str, message: &str) -> String {
        let key = format!("err.{code}");
        if self.zh() && !code.is_empty() && self.cat.has(&key) {
            self.cat.get(&key).to_owned()
        } else {
            message.to_owned()
        }
    }

    /// `refusal` of an error of the use cases.
    pub fn refusal_of(&self, e: &ApiError) -> String {
        self.refusal(e.code(), &e.to_string())
    }

    /// The local date of a stored time.
    pub fn day(&self, stamp: &str) -> String {
        let shown = self.zone.show_stamp(stamp);
        shown.get(..10).unwrap_or(&shown).to_owned()
    }

    pub fn t<'k>(&self, key: &'k str) -> &'k str {
        self.cat.get(key)
    }

    pub fn asset(&self, name: &str) -> String {
        super::assets::url(name)
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn other_lang_label(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "English",
            Lang::En => "中文",
        }
    }

    pub fn other_lang_code(&self) -> &'static str {
        self.lang.other().code()
    }

    pub fn zh(&self) -> bool {
        self.lang == Lang::Zh
    }
}

/// The deployment's time zone (the service's clock carries it).
pub fn zone_of(req: &HttpRequest) -> Zone {
    req.app_data::<actix_web::web::Data<crate::state::AppState>>()
        .map(|s| s.clock.zone().clone())
        .unwrap_or_default()
}

/// Adds the headers every page carries. `secret` pages (a one-time link, a token) are never stored.
pub fn secure(req: &HttpRequest, mut resp: HttpResponse, secret: bool) -> HttpResponse {
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(self), microphone=(), geolocation=()"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if secret {
            "no-store"
        } else {
            "private, no-cache"
        }),
    );
    h.insert(
        header::VARY,
        HeaderValue::from_static("Cookie, Accept-Language"),
    );
    if let Some(lang) = query_lang(req) {
        let cookie = format!(
            "lang={}; Path=/; Max-Age=31536000; SameSite=Lax{}",
            lang.code(),
            super::session::secure_attr(req)
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            h.append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// Renders a template as a page with the security headers.
pub fn render(
    req: &HttpRequest,
    tpl: &impl Template,
    status: StatusCode,
    secret: bool,
) -> HttpResponse {
    match tpl.render() {
        Ok(body) => secure(
            req,
            HttpResponse::build(status)
                .content_type("text/html; charset=utf-8")
                .body(body),
            secret,
        ),
        Err(e) => {
            tracing::error!(error = %e, "template");
            secure(
                req,
                HttpResponse::InternalServerError()
                    .content_type("text/plain; charset=utf-8")
                    .body("internal error"),
                false,
            )
        }
    }
}

pub fn ok(req: &HttpRequest, tpl: &impl Template) -> HttpResponse {
    render(req, tpl, StatusCode::OK, false)
}

/// 303 See Other to `to` (after a form), or `HX-Redirect` for an htmx request.
pub fn redirect(req: &HttpRequest, to: &str) -> HttpResponse {
    let resp = if req.headers().contains_key("hx-request") {
        HttpResponse::Ok()
            .insert_header(("HX-Redirect", to))
            .finish()
    } else {
        HttpResponse::SeeOther()
            .insert_header((header::LOCATION, to))
            .finish()
    };
    secure(req, resp, false)
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    c: Chrome,
    message: &'a str,
    detail: &'a str,
}

pub fn error_page(req: &HttpRequest, viewer: Option<&Viewer>, e: &WebError) -> HttpResponse {
    let c = Chrome::new(req, viewer);
    let message = c.cat.get(e.key);
    // The sentence of its kind, then the refusal's own words (`Chrome::refusal`), unless the sentence is
    // already the refusal's own. Where the kind says what happened (not found, not allowed), no detail
    // follows: the service's names roles by their keys.
    let said_already = format!("err.{}", e.code) == e.key || e.detail.is_empty();
    let detail = if said_already || matches!(e.key, "err.not_found" | "err.forbidden") {
        String::new()
    } else {
        c.refusal(e.code, &e.detail)
    };
    render(
        req,
        &ErrorPage {
            message,
            detail: &detail,
            c,
        },
        e.status,
        false,
    )
}

/// Runs a page body; a `WebError` becomes the error page with its status.
pub fn respond(
    req: &HttpRequest,
    viewer: Option<&Viewer>,
    out: Result<HttpResponse, WebError>,
) -> HttpResponse {
    out.unwrap_or_else(|e| error_page(req, viewer, &e))
}
