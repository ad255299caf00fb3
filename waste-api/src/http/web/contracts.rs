//! Disposal contracts (Solid Waste Law Art.80, the Transfer Measures' contract with a licensed firm): the list
//! with each contract's validity, and for an administrator the form to record one. The parties see their own
//! contracts read-only. The same use cases as `GET`/`POST /api/v1/contracts` (`app::parties`).

use super::lab_app::{read, write};
use super::page::{Chrome, Form, WebError, redirect, render, respond};
use super::session::Viewer;
use crate::app::parties::{self as uc, RecordContract};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::page::Keyset;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use std::collections::BTreeMap;
use waste_core::access::Action;

pub struct ContractLine {
    pub shipper: String,
    pub firm: String,
    pub valid_from: String,
    pub valid_until: String,
    pub codes: String,
    /// `contract.valid` | `.not_yet` | `.expired`
    pub state_key: &'static str,
    pub tone: &'static str,
}

#[derive(Default)]
pub struct ContractFields {
    pub shipper_id: String,
    pub firm_id: String,
    pub valid_from: String,
    pub valid_until: String,
    pub codes: String,
    pub bad: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "contracts.html")]
struct ContractsPage {
    c: Chrome,
    lines: Vec<ContractLine>,
    may_record: bool,
    shippers: Vec<(String, String)>,
    firms: Vec<(String, String)>,
    f: ContractFields,
}

async fn page(
    req: &HttpRequest,
    viewer: &Viewer,
    state: &AppState,
    f: ContractFields,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let c = Chrome::new(req, Some(viewer));
    let actor = viewer.user.clone();
    let today = state.clock.today().to_string();
    let (rows, orgs) = read(state, move |conn| {
        let page = Keyset {
            limit: 500,
            after: None,
        };
        let rows = uc::contracts(conn, &actor, &page)?.items;
        let mut names: BTreeMap<String, (String, String)> = BTreeMap::new();
        for o in uc::organizations(conn, &actor, &page)?.items {
            names.insert(o.id.clone(), (o.kind.clone(), o.name.clone()));
        }
        for r in &rows {
            for id in [&r.shipper_id, &r.disposal_firm_id] {
                if !names.contains_key(id) {
                    let s = crate::store::organizations::summary(conn, id)?;
                    names.insert(id.clone(), (String::new(), s.name));
                }
            }
        }
        Ok((rows, names))
    })
    .await?;
    let name = |id: &str| {
        orgs.get(id)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| id.to_owned())
    };
    let lines = rows
        .iter()
        .map(|r| {
            let (state_key, tone) = if today < r.valid_from {
                ("contract.not_yet", "warn")
            } else if today > r.valid_until {
                ("contract.expired", "danger")
            } else {
                ("contract.valid", "plain")
            };
            ContractLine {
                shipper: name(&r.shipper_id),
                firm: name(&r.disposal_firm_id),
                valid_from: r.valid_from.clone(),
                valid_until: r.valid_until.clone(),
                codes: crate::store::text_list(&r.waste_codes).join(", "),
                state_key,
                tone,
            }
        })
        .collect();
    let of_kind = |kinds: &[&str]| {
        orgs.iter()
            .filter(|(_, (k, _))| kinds.contains(&k.as_str()))
            .map(|(id, (_, n))| (id.clone(), n.clone()))
            .collect::<Vec<_>>()
    };
    Ok(render(
        req,
        &ContractsPage {
            may_record: viewer.user.is_admin(),
            shippers: of_kind(&["school", "transfer_station"]),
            firms: of_kind(&["disposal_firm"]),
            c,
            lines,
            f,
        },
        status,
        false,
    ))
}

fn party_or_admin(v: &Viewer) -> Result<(), WebError> {
    if v.user.is_admin()
        || v.user.may(Action::ReadRecords).is_ok()
        || v.user.may(Action::RecordContract).is_ok()
    {
        Ok(())
    } else {
        Err(WebError::forbidden())
    }
}

#[get("/contracts")]
pub async fn list(req: HttpRequest, viewer: Viewer, state: web::Data<AppState>) -> HttpResponse {
    let out = async {
        party_or_admin(&viewer)?;
        page(
            &req,
            &viewer,
            &state,
            ContractFields::default(),
            StatusCode::OK,
        )
        .await
    }
    .await;
    respond(&req, Some(&viewer), out)
}

/// Records a contract (an administrator); a refusal re-shows the form with the field marked, nothing written.
#[post("/contracts")]
pub async fn create(
    req: HttpRequest,
    viewer: Viewer,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> HttpResponse {
    let form = Form::parse(&body);
    let out = async {
        viewer.check_csrf(&form)?;
        if !viewer.user.is_admin() {
            return Err(WebError::forbidden());
        }
        let mut f = ContractFields {
            shipper_id: form.get("shipper_id").to_owned(),
            firm_id: form.get("disposal_firm_id").to_owned(),
            valid_from: form.get("valid_from").to_owned(),
            valid_until: form.get("valid_until").to_owned(),
            codes: form.get("waste_codes").to_owned(),
            ..ContractFields::default()
        };
        let codes: Vec<String> = f
            .codes
            .split([',', '，', ' ', '\n'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        let cmd = RecordContract::parse(
            f.shipper_id.clone(),
            f.firm_id.clone(),
            &f.valid_from,
            &f.valid_until,
            &codes,
        );
        let done: Result<String, ApiError> = match cmd {
            Ok(cmd) => {
                let (env, actor) = (state.env(), viewer.user.clone());
                write(&state, move |tx| uc::record_contract(tx, &env, &actor, cmd)).await
            }
            Err(e) => Err(e.into()),
        };
        match done {
            Ok(_) => Ok(redirect(&req, "/contracts")),
            Err(e) => {
                if let ApiError::Invalid { details, .. } = &e {
                    f.bad = details["field"]
                        .as_str()
                        .unwrap_or_default()
                        .split('[')
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                }
                f.error = e.to_string();
                let status = actix_web::ResponseError::status_code(&e);
                page(&req, &viewer, &state, f, status).await
            }
        }
    }
    .await;
    respond(&req, Some(&viewer), out)
}
