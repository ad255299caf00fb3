//! Records the law asks for, as JSON, CSV or XLSX: the HJ 1259-2022 ledger, the annual report, the management
//! class with its declaration calendar. Thin: parse the query, check access, call `crate::records`, render.

use super::{ErrorEnvelope, read};
use crate::app::paper::Entered;
use crate::app::records as uc;
use crate::app::records::{ClassView, Ledger};
use crate::auth::{AuthUser, parse_date};
use crate::error::ApiError;
use crate::export::records::{AnnualPart, annual_table, ledger_table};
use crate::export::{self, Table};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use waste_core::records::{AnnualReport, Period};

/// json (default) | csv | xlsx
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
    Xlsx,
}

fn format_of(s: Option<&str>) -> Result<Format, ApiError> {
    match s.unwrap_or("json") {
        "json" => Ok(Format::Json),
        "csv" => Ok(Format::Csv),
        "xlsx" => Ok(Format::Xlsx),
        other => Err(ApiError::invalid(
            "format",
            format!("'{other}' is not one of json, csv, xlsx"),
        )),
    }
}

fn date_param(field: &str, s: Option<&str>) -> Result<Option<time::Date>, ApiError> {
    s.map(|v| parse_date(v).ok_or_else(|| ApiError::invalid(field, "not a date (YYYY-MM-DD)")))
        .transpose()
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A download: the file name is ASCII (ids and dates only), so the header needs no encoding.
fn download(bytes: Vec<u8>, content_type: &str, filename: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(bytes)
}

fn render(
    format: Format,
    json: impl serde::Serialize,
    tables: &[&Table],
    stem: &str,
) -> Result<HttpResponse, ApiError> {
    let fail = |e: export::ExportError| ApiError::Internal(e.to_string());
    Ok(match format {
        Format::Json => HttpResponse::Ok().json(json),
        Format::Csv => download(
            export::to_csv(tables[0]).map_err(fail)?,
            "text/csv; charset=utf-8",
            &format!("{stem}.csv"),
        ),
        Format::Xlsx => download(
            export::to_xlsx(tables).map_err(fail)?,
            XLSX,
            &format!("{stem}.xlsx"),
        ),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LedgerQuery {
    /// Whose ledger; the caller's own organisation when left out.
    pub organization_id: Option<String>,
    /// First local date (YYYY-MM-DD), included.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last local date (YYYY-MM-DD), included.
    #[param(format = Date)]
    pub to: Option<String>,
    /// json (default) | csv | xlsx
    #[param(pattern = r"^(json|csv|xlsx)$")]
    pub format: Option<String>,
}

/// The HJ 1259-2022 ledger of an organisation for a period: one record per container at each stage (generation
/// HWCS, into storage HWRK, out of storage HWCK, off-site utilisation HWWWLY or disposal HWWWCZ), in tonnes
/// with the recorded figure beside them. CSV and XLSX carry the headings in Chinese and English; text that a
/// spreadsheet would read as a formula is neutralised. Readable by the organisation's safety officers, station
/// operators and auditors.
#[utoipa::path(get, path = "/api/v1/ledger", params(LedgerQuery),
    responses((status = 200, description = "JSON, or CSV (UTF-8 with BOM), or an XLSX workbook, as `format` asks", content((Ledger = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[get("/api/v1/ledger")]
pub async fn get_ledger(
    user: AuthUser,
    q: web::Query<LedgerQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let format = format_of(q.format.as_deref())?;
    let period = Period {
        from: date_param("from", q.from.as_deref())?,
        to: date_param("to", q.to.as_deref())?,
    };
    if let (Some(f), Some(t)) = (period.from, period.to)
        && f > t
    {
        return Err(ApiError::invalid("to", "is before from"));
    }
    let org_id = q.organization_id.unwrap_or_else(|| user.org_id.clone());
    let env = state.env();
    let id = org_id.clone();
    let ledger = read(&state, move |c| uc::ledger(c, &env, &user, &id, period)).await?;
    let table = ledger_table(state.clock.zone(), &ledger.records);
    let stem = format!(
        "ledger-{org_id}-{}-{}",
        ledger.from.as_deref().unwrap_or("start"),
        ledger.to.as_deref().unwrap_or("now")
    );
    render(format, &ledger, &[&table], &stem)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AnnualQuery {
    /// The caller's own organisation when left out.
    pub organization_id: Option<String>,
    /// Calendar year, e.g. 2026.
    #[param(minimum = 2000, maximum = 2200)]
    pub year: i32,
    /// json (default) | csv | xlsx
    #[param(pattern = r"^(json|csv|xlsx)$")]
    pub format: Option<String>,
    /// For CSV, which table: by_code (default) | receivers | manifests. XLSX holds all three sheets.
    #[param(pattern = r"^(by_code|receivers|manifests)$")]
    pub table: Option<String>,
}

/// The annual report of an organisation (HJ 1259-2022 7.2 annual declaration, summed from its ledger): per
/// waste code the tonnes generated, in storage at the year's end, shipped, utilised and disposed of; per
/// receiver with its licence number; the manifests.
#[utoipa::path(get, path = "/api/v1/reports/annual", params(AnnualQuery),
    responses((status = 200, description = "JSON, or CSV (UTF-8 with BOM), or an XLSX workbook, as `format` asks", content((AnnualReport = "application/json"), (String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[get("/api/v1/reports/annual")]
pub async fn annual_report(
    user: AuthUser,
    q: web::Query<AnnualQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q = q.into_inner();
    let format = format_of(q.format.as_deref())?;
    if !(2000..=2200).contains(&q.year) {
        return Err(ApiError::invalid("year", "a year from 2000 to 2200"));
    }
    let part = match q.table.as_deref() {
        None => AnnualPart::ByCode,
        Some(s) => AnnualPart::parse(s).ok_or_else(|| {
            ApiError::invalid(
                "table",
                format!("'{s}' is not one of by_code, receivers, manifests"),
            )
        })?,
    };
    let org_id = q.organization_id.unwrap_or_else(|| user.org_id.clone());
    let env = state.env();
    let id = org_id.clone();
    let year = q.year;
    let report = read(&state, move |c| uc::annual(c, &env, &user, &id, year)).await?;
    let stem = format!("annual-{org_id}-{year}");
    let all = [
        annual_table(&report, AnnualPart::ByCode),
        annual_table(&report, AnnualPart::Receivers),
        annual_table(&report, AnnualPart::Manifests),
    ];
    let tables: Vec<&Table> = match format {
        Format::Csv => {
            let i = match part {
                AnnualPart::ByCode => 0,
                AnnualPart::Receivers => 1,
                AnnualPart::Manifests => 2,
            };
            vec![&all[i]]
        }
        Format::Json | Format::Xlsx => all.iter().collect(),
    };
    render(format, &report, &tables, &stem)
}

/// The management class of an organisation's site (HJ 1259-2022 4.2.1, from the annual amount of 4.2.3), what
/// it must file when (7.2) this year and next, and alerts for the due dates coming up.
#[utoipa::path(get, path = "/api/v1/organizations/{id}/management-class",
    params(("id" = String, Path, description = "organisation id")),
    responses((status = 200, body = ClassView, description = "The management class, the calendar of filings and the alerts"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[get("/api/v1/organizations/{id}/management-class")]
pub async fn management_class(
    user: AuthUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let org_id = path.into_inner();
    let env = state.env();
    let view = read(&state, move |c| {
        uc::management_class(c, &env, &user, &org_id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPaperManifest {
    /// The 14-digit number printed on the paper manifest (Transfer Measures Art.15).
    #[schema(pattern = r"^[0-9]{14}$")]
    pub number: String,
    pub receiver_id: String,
    pub carrier_id: String,
    /// The real dates on the paper (YYYY-MM-DD).
    #[schema(format = Date)]
    pub dispatched_on: String,
    #[schema(format = Date)]
    pub received_on: String,
    /// When the receiver confirmed utilisation or disposal on paper, with its method.
    #[schema(format = Date)]
    pub disposed_on: Option<String>,
    /// A method code such as D10 or R2, with `disposed_on`.
    #[schema(pattern = r"^[DR][0-9]{1,2}$")]
    pub method: Option<String>,
    pub lines: Vec<PaperLineBody>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaperLineBody {
    pub container_id: String,
    /// Decimal string, kg.
    #[schema(value_type = crate::views::Kilograms, example = "6.2")]
    pub shipped_weight_kg: String,
    /// Decimal string, kg.
    #[schema(value_type = crate::views::Kilograms, example = "6.2")]
    pub received_weight_kg: String,
    pub accepted: bool,
    /// Required when the receiver refused the container (Art.18).
    pub reason: Option<String>,
}

/// Enter a manifest that was run on paper while the electronic system was unavailable (Transfer Measures
/// Art.20), by its shipper, with its real dates: recorded as back-filled, received or disposed as the paper
/// says, and with an alert when entered more than 10 working days after its completion.
#[utoipa::path(post, path = "/api/v1/paper-manifests", request_body = NewPaperManifest,
    responses((status = 201, body = Entered, description = "The paper manifest, entered"), (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)),
    security(("bearer" = [])))]
#[actix_web::post("/api/v1/paper-manifests")]
pub async fn enter_paper_manifest(
    req: actix_web::HttpRequest,
    user: AuthUser,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    use crate::app::paper;
    user.may(waste_core::access::Action::DraftManifest)?;
    let new: NewPaperManifest = crate::body::parse_json(&body)?;
    let lines: Vec<paper::LineInput> = new
        .lines
        .into_iter()
        .map(|l| {
            (
                l.container_id,
                l.shipped_weight_kg,
                l.received_weight_kg,
                l.accepted,
                l.reason,
            )
        })
        .collect();
    let cmd = paper::PaperManifest::parse(
        &new.number,
        new.receiver_id,
        new.carrier_id,
        &new.dispatched_on,
        &new.received_on,
        new.disposed_on.as_deref(),
        new.method.as_deref(),
        &lines,
    )?;
    let env = state.env();
    super::create(&state, &req, user.id.clone(), &body, move |tx| {
        paper::enter(tx, &env, &user, cmd)
    })
    .await
}
