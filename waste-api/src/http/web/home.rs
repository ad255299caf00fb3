//! The "To act" home (counts and cards of what waits for the signed-in user) and the Scan page.

use super::lab::Card;
use super::lab_app;
use super::page::{Chrome, WebError, ok, redirect, respond};
use super::school;
use super::session::Viewer;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;

/// One count on the home page, with where to act on it.
pub struct Count {
    pub key: &'static str,
    pub n: usize,
    pub href: &'static str,
    /// `danger`, `warn` or `plain`: the colour, always with the words beside it.
    pub tone: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    counts: Vec<Count>,
    urgent: Vec<Card>,
    has_containers: bool,
    /// The station's requests to schedule or collect, with what each container holds.
    waiting: Vec<super::pickups::RequestV>,
    /// Manifests waiting for the viewer's step (carrier, firm, station, school), the first few.
    to_act: Vec<super::station::Row>,
    to_act_more: bool,
    /// The bureau's schools needing attention, the first few.
    schools: Vec<super::bureau::SchoolLine>,
}

/// How many manifests waiting for the viewer the home page lists (the rest are one tap away).
const HOME_MANIFESTS: usize = 5;

#[get("/")]
pub async fn home(req: HttpRequest, viewer: Viewer, state: web::Data<AppState>) -> HttpResponse {
    let out = async {
        let c = Chrome::new(&req, Some(&viewer));
        let mut counts = Vec::new();
        let mut urgent = Vec::new();
        let mut has_containers = false;
        let mut waiting = Vec::new();
        let mut to_act_rows = Vec::new();
        let mut to_act_more = false;
        let mut schools = Vec::new();
        if c.is_lab {
            let views = lab_app::list(&state, &viewer.user).await?;
            has_containers = !views.is_empty();
            let cards: Vec<Card> = views.into_iter().map(|v| Card::of(v, c.zh())).collect();
            let n = |f: &dyn Fn(&Card) -> bool| cards.iter().filter(|k| f(k)).count();
            counts.push(Count {
                key: "home.overdue",
                n: n(&|k| k.storage_status == "overdue"),
                href: "/containers",
                tone: "danger",
            });
            counts.push(Count {
                key: "home.due_soon",
                n: n(&|k| k.storage_status == "due_soon"),
                href: "/containers",
                tone: "warn",
            });
            counts.push(Count {
                key: "home.label_incomplete",
                n: n(&|k| k.open && !k.label_complete),
                href: "/containers",
                tone: "warn",
            });
            counts.push(Count {
                key: "home.open",
                n: n(&|k| k.open),
                href: "/containers",
                tone: "plain",
            });
            // Sealed containers wait for a pickup: the count opens the request form.
            counts.push(Count {
                key: "home.sealed",
                n: n(&|k| k.status == "sealed"),
                href: "/pickups/new",
                tone: "plain",
            });
            urgent = cards
                .into_iter()
                .filter(|k| k.storage_status == "overdue" || k.storage_status == "due_soon")
                .take(5)
                .collect();
        }
        if c.is_officer {
            let people = school::load_people(&state, &viewer.user).await?;
            let expiring = people.iter().filter(|p| p.training_tone != "plain").count();
            counts.push(Count {
                key: "home.training",
                n: expiring,
                href: "/school/people",
                tone: if expiring > 0 { "warn" } else { "plain" },
            });
        }
        if c.is_station {
            // The station's waiting work: new requests of the schools to schedule, scheduled ones to collect.
            let asked = super::pickups::requests(&state, &viewer, &c).await?;
            let to_schedule = asked.iter().filter(|r| r.may("schedule")).count();
            let to_collect = asked.iter().filter(|r| r.may("collect")).count();
            waiting = asked
                .into_iter()
                .filter(|r| r.may("schedule") || r.may("collect"))
                .collect();
            counts.push(Count {
                key: "home.requests_new",
                n: to_schedule,
                href: "/pickups",
                tone: if to_schedule > 0 { "warn" } else { "plain" },
            });
            counts.push(Count {
                key: "home.requests_scheduled",
                n: to_collect,
                href: "/pickups",
                tone: "plain",
            });
        }
        if c.is_chain || c.is_officer {
            let (listed, late) = super::station::load(&state, &viewer).await?;
            let acting: Vec<_> = listed
                .iter()
                .filter(|l| l.tab == crate::app::chain::Tab::ToAct)
                .collect();
            let to_act = acting.len();
            to_act_more = to_act > HOME_MANIFESTS;
            to_act_rows = acting
                .into_iter()
                .take(HOME_MANIFESTS)
                .map(|l| super::station::Row::of(&c, l, &late))
                .collect();
            counts.push(Count {
                key: "home.manifests_to_act",
                n: to_act,
                href: "/manifests?tab=act",
                tone: if to_act > 0 { "warn" } else { "plain" },
            });
            if !late.is_empty() {
                counts.push(Count {
                    key: "home.late_receipts",
                    n: late.len(),
                    href: "/manifests?tab=following",
                    tone: "danger",
                });
            }
        }
        if c.is_bureau {
            let attention = super::bureau::needing_attention(&state, &viewer).await?;
            counts.push(Count {
                key: "home.schools_attention",
                n: attention.len(),
                href: "/bureau",
                tone: if attention.is_empty() {
                    "plain"
                } else {
                    "warn"
                },
            });
            schools = attention.into_iter().take(HOME_MANIFESTS).collect();
        }
        if c.is_admin {
            let orgs = super::admin::count_organisations(&state).await?;
            counts.push(Count {
                key: "home.organisations",
                n: orgs,
                href: "/admin",
                tone: "plain",
            });
        }
        Ok::<_, WebError>(ok(
            &req,
            &HomePage {
                c,
                counts,
                urgent,
                has_containers,
                waiting,
                to_act: to_act_rows,
                to_act_more,
                schools,
            },
        ))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

#[derive(Template)]
#[template(path = "scan.html")]
struct ScanPage {
    c: Chrome,
    code: String,
    not_found: bool,
}

/// A manifest number: 14 digits (Transfer Measures Art.15).
fn is_manifest_number(code: &str) -> bool {
    code.len() == 14 && code.bytes().all(|b| b.is_ascii_digit())
}

/// Scan: the camera (scan.js), a typed code, or a scanner gun typing into the focused field; all three submit
/// `?code=`, which opens the container (or the manifest) it names.
#[get("/scan")]
pub async fn scan(req: HttpRequest, viewer: Viewer, state: web::Data<AppState>) -> HttpResponse {
    let code = super::page::query_pairs(req.query_string())
        .into_iter()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let out = async {
        // A label's QR holds the bare digital identification code; a URL to a container page also opens it.
        let key = code.rsplit("/c/").next().unwrap_or(&code).trim().to_owned();
        if is_manifest_number(&key) {
            return Ok(redirect(&req, &format!("/m/{key}")));
        }
        // A bottle's e-label holds its code (`RB…`); a URL to its page also opens it.
        let bottle = code.rsplit("/b/").next().unwrap_or(&code).trim().to_owned();
        if bottle.starts_with("RB") && bottle.len() <= 64 {
            let (actor, b) = (viewer.user.clone(), bottle.clone());
            let found = super::lab_app::read(&state, move |conn| {
                Ok(crate::app::shelf::by_code(conn, &actor, &b).is_ok())
            })
            .await?;
            if found {
                return Ok(redirect(
                    &req,
                    &format!("/b/{}", super::page::encode(&bottle)),
                ));
            }
        }
        if !key.is_empty()
            && key.len() <= 100
            && lab_app::exists(&state, &viewer.user, &key).await?
        {
            return Ok(redirect(&req, &format!("/c/{}", super::page::encode(&key))));
        }
        let not_found = !code.is_empty();
        let page = ScanPage {
            c: Chrome::new(&req, Some(&viewer)),
            code: code.clone(),
            not_found,
        };
        Ok::<_, WebError>(super::page::render(
            &req,
            &page,
            if not_found {
                actix_web::http::StatusCode::NOT_FOUND
            } else {
                actix_web::http::StatusCode::OK
            },
            false,
        ))
    }
    .await;
    respond(&req, Some(&viewer), out)
}
