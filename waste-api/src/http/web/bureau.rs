//! The education bureau's pages: the schools of its division (overdue storage, last pickup, open manifests,
//! contract and training status), sortable, with a CSV download; a read-only school view; and the "custody
//! chain intact" check (the audit of every chain). Read-only: figures come from `app::oversight`.

use super::lab::Card;
use super::lab_app::read;
use super::page::{Chrome, WebError, ok, query_pairs, respond, secure};
use super::session::Viewer;
use crate::app::oversight::{self, SchoolFigures};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::page::Keyset;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;

pub struct SchoolLine {
    pub id: String,
    pub name: String,
    pub region: String,
    pub open: i64,
    pub overdue: i64,
    pub last_pickup: String,
    pub not_closed: i64,
    pub contract: bool,
    /// The station whose contract covers the school, when it has none of its own.
    pub via: String,
    pub untrained: i64,
}

impl SchoolLine {
    fn of(f: &SchoolFigures) -> SchoolLine {
        SchoolLine {
            id: f.school.id.clone(),
            name: f.school.name.clone(),
            region: f.school.region_code.clone(),
            open: f.open_containers,
            overdue: f.overdue_containers,
            // Stored UTC; the page shows its local date (`Chrome::day`).
            last_pickup: f.last_pickup.clone().unwrap_or_default(),
            not_closed: f.manifests_not_closed,
            contract: f.valid_disposal_contract,
            via: f
                .disposal_contract_via
                .as_ref()
                .map(|(_, name)| name.clone())
                .unwrap_or_default(),
            untrained: f.people_untrained,
        }
    }
}

/// Every school of the division (pages of 500, at most 20 pages).
async fn schools(state: &AppState, viewer: &Viewer) -> Result<(String, Vec<SchoolLine>), ApiError> {
    let (env, actor) = (state.env(), viewer.user.clone());
    read(state, move |c| {
        let mut out = Vec::new();
        let mut page = Keyset {
            limit: 500,
            after: None,
        };
        let mut as_of = String::new();
        for _ in 0..20 {
            let o = oversight::schools(c, &env, &actor, &page)?;
            as_of = o.as_of.to_string();
            out.extend(o.schools.items.iter().map(SchoolLine::of));
            match o.schools.next_after {
                Some(a) => page.after = Some(a),
                None => break,
            }
        }
        Ok((as_of, out))
    })
    .await
}

/// The schools that need the bureau (overdue storage, no valid contract, untrained people), most urgent first:
/// what the bureau's home lists.
pub async fn needing_attention(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Vec<SchoolLine>, ApiError> {
    let (_, mut lines) = schools(state, viewer).await?;
    lines.retain(|l| l.overdue > 0 || !l.contract || l.untrained > 0);
    sort(&mut lines, "attention");
    Ok(lines)
}

pub const SORTS: [&str; 7] = [
    "attention",
    "name",
    "overdue",
    "last_pickup",
    "open",
    "not_closed",
    "untrained",
];

fn sort(lines: &mut [SchoolLine], by: &str) {
    match by {
        "overdue" => lines.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(a.name.cmp(&b.name))),
        // The school waiting longest first (never collected before all).
        "last_pickup" => {
            lines.sort_by(|a, b| a.last_pickup.cmp(&b.last_pickup).then(a.name.cmp(&b.name)))
        }
        "open" => lines.sort_by(|a, b| b.open.cmp(&a.open).then(a.name.cmp(&b.name))),
        "not_closed" => {
            lines.sort_by(|a, b| b.not_closed.cmp(&a.not_closed).then(a.name.cmp(&b.name)))
        }
        "untrained" => {
            lines.sort_by(|a, b| b.untrained.cmp(&a.untrained).then(a.name.cmp(&b.name)))
        }
        "name" => lines.sort_by(|a, b| a.name.cmp(&b.name)),
        // What needs the bureau first: overdue storage, then no valid contract, then untrained people, then
        // manifests not closed.
        _ => lines.sort_by(|a, b| {
            (b.overdue, !b.contract, b.untrained, b.not_closed)
                .cmp(&(a.overdue, !a.contract, a.untrained, a.not_closed))
                .then(a.name.cmp(&b.name))
        }),
    }
}

fn sort_of(req: &HttpRequest) -> &'static str {
    let asked = query_pairs(req.query_string())
        .into_iter()
        .find(|(k, _)| k == "sort")
        .map(|(_, v)| v)
        .unwrap_or_default();
    SORTS
        .iter()
        .find(|s| **s == asked)
        .copied()
        .unwrap_or("attention")
}

#[derive(Template)]
#[template(path = "bureau.html")]
struct BureauPage {
    c: Chrome,
    as_of: String,
    lines: Vec<SchoolLine>,
    sort: &'static str,
}

#[get("/bureau")]
pub async fn bureau(req: HttpRequest, viewer: Viewer, state: web::Data<AppState>) -> HttpResponse {
    let out = async {
        let (as_of, mut lines) = schools(&state, &viewer).await?;
        let by = sort_of(&req);
        sort(&mut lines, by);
        Ok::<_, WebError>(ok(
            &req,
            &BureauPage {
                c: Chrome::new(&req, Some(&viewer)),
                as_of,
                lines,
                sort: by,
            },
        ))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// A CSV cell: quoted, and a leading formula character neutralised (a spreadsheet opens this file).
fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

#[get("/bureau/schools.csv")]
pub async fn bureau_csv(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
) -> HttpResponse {
    let out = async {
        let (as_of, mut lines) = schools(&state, &viewer).await?;
        sort(&mut lines, sort_of(&req));
        let mut body = String::from(
            "school_id,name,region_code,open_containers,overdue_containers,last_pickup,manifests_not_closed,valid_disposal_contract,people_untrained\r\n",
        );
        for l in &lines {
            body.push_str(&format!(
                "{},{},{},{},{},{},{},{},{}\r\n",
                cell(&l.id),
                cell(&l.name),
                cell(&l.region),
                l.open,
                l.overdue,
                cell(&l.last_pickup),
                l.not_closed,
                l.contract,
                l.untrained
            ));
        }
        let resp = HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                crate::export::disposition(
                    &format!("学校概况-{as_of}.csv"),
                    &format!("schools-{as_of}.csv"),
                ),
            ))
            .body(body);
        Ok::<_, WebError>(secure(&req, resp, false))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

#[derive(Template)]
#[template(path = "bureau_school.html")]
struct SchoolPage {
    c: Chrome,
    s: SchoolLine,
    cards: Vec<Card>,
    /// Containers a disposal firm rejected, with the shipper or back with the school.
    returned: Vec<super::returns::ReturnLine>,
    shelf: ShelfLine,
}

#[get("/bureau/s/{id}")]
pub async fn school(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let id = path.into_inner();
    let out = async {
        let c = Chrome::new(&req, Some(&viewer));
        let zh = c.zh();
        let (env, actor, school_id) = (state.env(), viewer.user.clone(), id.clone());
        let (s, cards, shelf) = read(&state, move |conn| {
            let v = oversight::school(conn, &env, &actor, &school_id)?;
            let shelf = crate::app::shelf::oversight::of_school(conn, &env, &v)?;
            let cards = v
                .containers
                .into_iter()
                .map(|s| {
                    let size = env.std.labels.size_for(s.label.container_volume_l);
                    Card::of(crate::views::containers::container(s, size), zh)
                })
                .collect::<Vec<_>>();
            Ok((SchoolLine::of(&v.figures), cards, shelf))
        })
        .await?;
        let shelf = ShelfLine::of(&shelf, &c);
        // Only after `oversight::school` found the school in the bureau's division.
        let returned = super::returns::lines(&state, &id).await?;
        Ok::<_, WebError>(ok(
            &req,
            &SchoolPage {
                c,
                s,
                cards,
                returned,
                shelf,
            },
        ))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    /// None until an administrator's audit has run in this process.
    checked_at: Option<String>,
    intact: bool,
    checked: u64,
    broken: String,
}

/// "Custody chain intact": the result of the last audit of every chain (`GET /api/v1/audit/last`). A run reads
/// the whole log, so only an administrator starts one (issue 14, finding 6); the bureau reads its result.
#[get("/bureau/audit")]
pub async fn audit(req: HttpRequest, viewer: Viewer, state: web::Data<AppState>) -> HttpResponse {
    let out = async {
        viewer
            .user
            .may(waste_core::access::Action::Oversee)
            .map_err(ApiError::from)?;
        let last = state.audit.last();
        let v = last.clone().unwrap_or(serde_json::Value::Null);
        let intact = v["ok"].as_bool() == Some(true);
        Ok::<_, WebError>(ok(
            &req,
            &AuditPage {
                c: Chrome::new(&req, Some(&viewer)),
                checked_at: last.map(|l| l["checked_at"].as_str().unwrap_or_default().to_owned()),
                intact,
                checked: v["events_checked"].as_u64().unwrap_or(0),
                broken: if intact {
                    String::new()
                } else {
                    v["broken"].to_string()
                },
            },
        ))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// The school's reagent shelf as the bureau's page shows it (issue 31): controlled stock, last stocktake, bottles
/// past expiry, and what is worth a visit, in the page's words.
pub struct ShelfLine {
    pub controlled: Vec<(&'static str, usize)>,
    pub on_hand: usize,
    pub past_expiry: usize,
    pub last_stocktake: String,
    pub anomalies: Vec<String>,
}

impl ShelfLine {
    fn of(s: &crate::app::shelf::oversight::SchoolShelf, c: &Chrome) -> ShelfLine {
        use waste_core::reagent::Anomaly;
        let name = |id: &String| {
            s.names
                .iter()
                .find(|(b, _)| b == id)
                .map_or(id.clone(), |(_, n)| n.clone())
        };
        ShelfLine {
            controlled: s
                .controlled
                .iter()
                .map(|(l, n)| (super::shelf::list_key(*l), *n))
                .collect(),
            on_hand: s.on_hand,
            past_expiry: s.past_expiry,
            last_stocktake: s
                .last_stocktake
                .as_deref()
                .map(|t| c.day(t))
                .unwrap_or_default(),
            anomalies: s
                .anomalies
                .iter()
                .map(|a| match a {
                    Anomaly::ControlledIdle { bottles, days } => format!(
                        "{}（{days} {}）：{}",
                        c.t("bureau.shelf.idle"),
                        c.t("days.unit"),
                        bottles
                            .iter()
                            .map(name)
                            .collect::<Vec<_>>()
                            .join(c.t("list.sep"))
                    ),
                    Anomaly::BooksCorrected { corrections } => {
                        format!("{}：{corrections}", c.t("bureau.shelf.corrected"))
                    }
                    Anomaly::ReceivesButShipsNothing { received, days } => format!(
                        "{}（{days} {}）：{received}",
                        c.t("bureau.shelf.quiet"),
                        c.t("days.unit")
                    ),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(name: &str, overdue: i64, contract: bool, untrained: i64) -> SchoolLine {
        SchoolLine {
            id: name.into(),
            name: name.into(),
            region: "220102".into(),
            open: 0,
            overdue,
            last_pickup: String::new(),
            not_closed: 0,
            contract,
            via: String::new(),
            untrained,
        }
    }

    /// The default order puts what needs the bureau first: overdue storage, then no contract, then untrained
    /// people; schools with nothing to see come last, by name.
    #[test]
    fn schools_needing_attention_come_first() {
        let mut lines = vec![
            line("a-fine", 0, true, 0),
            line("b-untrained", 0, true, 2),
            line("c-no-contract", 0, false, 0),
            line("d-overdue", 3, true, 0),
            line("e-fine", 0, true, 0),
        ];
        sort(&mut lines, "attention");
        let names: Vec<&str> = lines.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "d-overdue",
                "c-no-contract",
                "b-untrained",
                "a-fine",
                "e-fine"
            ]
        );
        assert_eq!(SORTS[0], "attention", "the default sort");
    }
}
