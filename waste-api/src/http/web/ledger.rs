//! The ledger page (HJ 1259-2022): the organisation's records for a period, downloads as CSV, XLSX or JSON (the
//! same use cases and export code as `GET /api/v1/ledger` and `/api/v1/reports/annual`), the management class
//! with the declaration calendar's alerts, and the annual report. Readable by whoever the core lets read records.

use super::lab_app::read;
use super::page::{Chrome, WebError, query_pairs, render, respond};
use super::session::Viewer;
use crate::app::records as uc;
use crate::error::ApiError;
use crate::export::records::{AnnualPart, annual_table, ledger_table};
use crate::export::{self, Table};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;
use waste_core::access::Action;
use waste_core::records::Period;

fn reader(v: &Viewer) -> Result<(), WebError> {
    v.user
        .may(Action::ReadRecords)
        .map_err(|_| WebError::forbidden())
}

fn q(req: &HttpRequest, key: &str) -> String {
    query_pairs(req.query_string())
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

/// The period a query asks for; the field a mistake is in.
fn period(from: &str, to: &str) -> Result<Period, ApiError> {
    let d = |field: &str, s: &str| {
        if s.is_empty() {
            Ok(None)
        } else {
            crate::auth::parse_date(s)
                .map(Some)
                .ok_or_else(|| ApiError::invalid(field, "not a date (YYYY-MM-DD)"))
        }
    };
    let p = Period {
        from: d("from", from)?,
        to: d("to", to)?,
    };
    if let (Some(f), Some(t)) = (p.from, p.to)
        && f > t
    {
        return Err(ApiError::invalid("to", "is before from"));
    }
    Ok(p)
}

pub struct Line {
    pub stage_key: String,
    pub batch_code: String,
    pub date: String,
    pub waste: String,
    pub code: String,
    pub tonnes: String,
    pub original: String,
    pub counterparty: String,
    pub back_filled: bool,
}

pub struct Alert {
    pub filing_key: String,
    pub covers: String,
    pub due: String,
    pub days_left: i64,
    pub citation: String,
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerPage {
    c: Chrome,
    from: String,
    to: String,
    /// The field a refusal named, and its message.
    bad: String,
    error: String,
    lines: Vec<Line>,
    /// `from=…&to=…` for the download links.
    query: String,
    class_name: String,
    class_reason: String,
    class_citation: String,
    annual_t: String,
    alerts: Vec<Alert>,
    calendar: Vec<Alert>,
    year: i32,
    years: Vec<i32>,
    retention: String,
}

fn snake<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn alert(d: &waste_core::records::class::Deadline, days_left: i64) -> Alert {
    Alert {
        filing_key: format!("filing.{}", snake(&d.filing)),
        covers: d.covers.clone(),
        due: d.due.to_string(),
        days_left,
        citation: d.citation.clone(),
    }
}

#[get("/ledger")]
pub async fn page(req: HttpRequest, viewer: Viewer, state: web::Data<AppState>) -> HttpResponse {
    let out = async {
        reader(&viewer)?;
        let c = Chrome::new(&req, Some(&viewer));
        let (from, to) = (q(&req, "from"), q(&req, "to"));
        let today = state.clock.today();
        let (p, bad, error, status) = match period(&from, &to) {
            Ok(p) => (p, String::new(), String::new(), StatusCode::OK),
            Err(e) => {
                let field = match &e {
                    ApiError::Invalid { details, .. } => {
                        details["field"].as_str().unwrap_or_default().to_owned()
                    }
                    _ => String::new(),
                };
                (
                    Period::ALL,
                    field,
                    c.refusal_of(&e),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
            }
        };
        let (env, actor) = (state.env(), viewer.user.clone());
        let org = viewer.user.org_id.clone();
        let (ledger, class) = read(&state, move |conn| {
            let l = if status == StatusCode::OK {
                Some(uc::ledger(conn, &env, &actor, &org, p)?)
            } else {
                None
            };
            Ok((l, uc::management_class(conn, &env, &actor, &org)?))
        })
        .await?;
        let lines = ledger
            .as_ref()
            .map(|l| {
                l.records
                    .iter()
                    .map(|r| Line {
                        stage_key: format!("stage.{}", snake(&r.stage)),
                        batch_code: r.batch_code.clone(),
                        date: r.date.clone(),
                        waste: waste_name(&r.waste.name, c.zh()),
                        code: r.waste.code.clone().unwrap_or_default(),
                        tonnes: r.amount.tonnes.normalize().to_string(),
                        original: r
                            .amount
                            .original
                            .iter()
                            .map(|o| format!("{} {}", o.quantity.normalize(), snake(&o.unit)))
                            .collect::<Vec<_>>()
                            .join(", "),
                        counterparty: r
                            .counterparty
                            .as_ref()
                            .map(|p| match &p.licence_number {
                                Some(l) => format!("{} ({l})", p.name),
                                None => p.name.clone(),
                            })
                            .unwrap_or_default(),
                        back_filled: r.back_filled,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let retention = if ledger.is_some() {
            let kept = &waste_core::records::RecordRules::embedded().ledger_retention_years;
            fill(c.t("ledger.retention"), kept.value, &kept.source)
        } else {
            String::new()
        };
        let query = format!(
            "from={}&to={}",
            super::page::encode(&from),
            super::page::encode(&to)
        );
        let page = LedgerPage {
            class_name: if c.zh() {
                class.decision.class_zh.to_owned()
            } else {
                snake(&class.decision.class)
            },
            class_reason: if c.zh() {
                class.decision.reason_zh.clone()
            } else {
                class.decision.reason.clone()
            },
            class_citation: super::words::say(c.lang, &class.decision.citation),
            annual_t: class.decision.annual_amount_t.normalize().to_string(),
            alerts: class
                .alerts
                .iter()
                .map(|a| alert(&a.deadline, a.days_left))
                .collect(),
            calendar: class
                .calendar
                .iter()
                .map(|d| alert(d, (d.due - today).whole_days()))
                .collect(),
            year: today.year() - 1,
            years: (today.year() - 5..=today.year()).rev().collect(),
            c,
            from,
            to,
            bad,
            error,
            lines,
            query,
            retention,
        };
        Ok::<_, WebError>(render(&req, &page, status, false))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// "{n}" and "{source}" of the retention sentence.
fn fill(sentence: &str, years: impl std::fmt::Display, source: &str) -> String {
    sentence
        .replace("{n}", &years.to_string())
        .replace("{source}", source)
}

/// A record's waste name ("含氰无机废液 Cyanide-bearing inorganic liquid waste", as the bilingual ledger files
/// carry it) in the page's language.
fn waste_name(name: &str, zh: bool) -> String {
    let streams = &super::lab::std().streams;
    waste_core::Stream::ALL
        .iter()
        .filter_map(|s| streams.info(*s))
        .find(|i| format!("{} {}", i.name_zh, i.name_en) == name)
        .map(|i| {
            if zh {
                i.name_zh.clone()
            } else {
                i.name_en.clone()
            }
        })
        .unwrap_or_else(|| match name {
            "unclassified" if zh => "未分类".to_owned(),
            other => other.to_owned(),
        })
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A download named for a person (`name`, in the page's words) with an ASCII name beside it.
fn file(
    req: &HttpRequest,
    bytes: Vec<u8>,
    content_type: &str,
    (name, ascii): (&str, &str),
) -> HttpResponse {
    super::page::secure(
        req,
        HttpResponse::Ok()
            .content_type(content_type)
            .insert_header((
                "Content-Disposition",
                crate::export::disposition(name, ascii),
            ))
            .body(bytes),
        false,
    )
}

fn export_as(
    req: &HttpRequest,
    format: &str,
    json: impl serde::Serialize,
    tables: &[&Table],
    (stem, ascii): (&str, &str),
) -> Result<HttpResponse, WebError> {
    let fail = |e: export::ExportError| ApiError::Internal(e.to_string());
    Ok(match format {
        "csv" => file(
            req,
            export::to_csv(tables[0]).map_err(fail)?,
            "text/csv; charset=utf-8",
            (&format!("{stem}.csv"), &format!("{ascii}.csv")),
        ),
        "xlsx" => file(
            req,
            export::to_xlsx(tables).map_err(fail)?,
            XLSX,
            (&format!("{stem}.xlsx"), &format!("{ascii}.xlsx")),
        ),
        "json" => file(
            req,
            serde_json::to_vec_pretty(&json).map_err(|e| ApiError::Internal(e.to_string()))?,
            "application/json",
            (&format!("{stem}.json"), &format!("{ascii}.json")),
        ),
        _ => return Err(WebError::bad("err.invalid")),
    })
}

/// The ledger of the viewer's organisation for the period, as a file (`format` csv, xlsx or json).
#[get("/ledger/download")]
pub async fn download(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
) -> HttpResponse {
    let out = async {
        reader(&viewer)?;
        let format = q(&req, "format");
        if !matches!(format.as_str(), "csv" | "xlsx" | "json") {
            return Err(WebError::bad("err.invalid"));
        }
        let p = period(&q(&req, "from"), &q(&req, "to"))?;
        let (env, actor) = (state.env(), viewer.user.clone());
        let org = viewer.user.org_id.clone();
        let ledger = read(&state, move |c| uc::ledger(c, &env, &actor, &org, p)).await?;
        let table = ledger_table(state.clock.zone(), &ledger.records);
        // 台账-<organisation>-<period>: the period as asked, to today when open-ended.
        let today = state.clock.today().to_string();
        let from = ledger.from.clone();
        let to = ledger.to.clone().unwrap_or(today);
        let period = match &from {
            Some(f) => format!("{f}至{to}"),
            None => format!("至{to}"),
        };
        let stem = format!("台账-{}-{period}", ledger.organization);
        let ascii = format!("ledger-{}-{to}", from.as_deref().unwrap_or("all"));
        export_as(&req, &format, &ledger, &[&table], (&stem, &ascii))
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// The annual report (HJ 1259-2022 7.2) of a year, as a file: XLSX holds its three tables, CSV the one per code.
#[get("/ledger/annual")]
pub async fn annual(req: HttpRequest, viewer: Viewer, state: web::Data<AppState>) -> HttpResponse {
    let out = async {
        reader(&viewer)?;
        let format = q(&req, "format");
        let year = q(&req, "year")
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2200).contains(y))
            .ok_or_else(|| WebError::bad("err.invalid"))?;
        let (env, actor) = (state.env(), viewer.user.clone());
        let org = viewer.user.org_id.clone();
        let report = read(&state, move |c| uc::annual(c, &env, &actor, &org, year)).await?;
        let all = [
            annual_table(&report, AnnualPart::ByCode),
            annual_table(&report, AnnualPart::Receivers),
            annual_table(&report, AnnualPart::Manifests),
        ];
        let tables: Vec<&Table> = all.iter().collect();
        let stem = format!("年报-{}-{year}", viewer.org_name);
        let ascii = format!("annual-report-{year}");
        export_as(&req, &format, &report, &tables, (&stem, &ascii))
    }
    .await;
    respond(&req, Some(&viewer), out)
}
