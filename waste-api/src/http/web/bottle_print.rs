//! A bottle's printed matter: its e-label (60 × 30 mm, the QR code of its code) and its substance's safety card,
//! one page to post by the cabinet. The same use cases as `/api/v1/bottles/{id}/safety-card`.

use super::form::WebError;
use super::lab_app::read;
use super::page::{Chrome, render, respond};
use super::session::Viewer;
use super::shelf::{keeper, list_key};
use crate::app::shelf as uc;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use askama::Template;
use waste_core::reagent::ControlList;

/// A list entry's citation in Chinese: the instrument as it names itself and the entry.
fn citation_zh(l: &waste_core::reagent::Listing) -> String {
    match l.list {
        ControlList::HighlyToxic => format!("危险化学品目录（2015版）序号 {}", l.entry),
        ControlList::Precursor => format!("易制毒化学品管理条例 附表 第{}类", l.entry),
        ControlList::ExplosivePrecursor => format!("易制爆危险化学品名录（2017年版）{}", l.entry),
    }
}

/// The bottle's e-label (60 × 30 mm SVG with the QR code of its code), to print and stick on the bottle.
#[get("/b/{code}/label.svg")]
pub async fn label(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let out = async {
        keeper(&viewer)?;
        let (actor, code) = (viewer.user.clone(), path.into_inner());
        let row = read(&state, move |conn| uc::by_code(conn, &actor, &code)).await?;
        let std = state.std;
        let name_en = row
            .substance_cas
            .parse()
            .ok()
            .and_then(|c| std.substances.by_cas(&c))
            .map(|s| s.name_en.clone())
            .unwrap_or_default();
        let lists = uc::lists_of(&row);
        let svg = waste_core::reagent::label_svg(&waste_core::reagent::BottleLabel {
            code: &row.code,
            name_zh: &row.substance_name,
            name_en: &name_en,
            cas: &row.substance_cas,
            lists: &lists,
            expires_on: row.expires_on.as_deref(),
        })
        .ok_or_else(WebError::not_found)?;
        Ok::<_, WebError>(
            HttpResponse::Ok()
                .content_type("image/svg+xml; charset=utf-8")
                .body(svg),
        )
    }
    .await;
    respond(&req, Some(&viewer), out)
}

#[derive(Template)]
#[template(path = "safety_card.html")]
struct CardPage {
    c: Chrome,
    code: String,
    card: waste_core::reagent::SafetyCard,
    lists: Vec<(&'static str, String)>,
    hazards: Vec<&'static str>,
    apart: Vec<(String, String)>,
    unsourced: Vec<&'static str>,
}

/// The safety card of the bottle's substance, one page to print and post by the cabinet.
#[get("/b/{code}/card")]
pub async fn card(
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> HttpResponse {
    let out = async {
        keeper(&viewer)?;
        let c = Chrome::new(&req, Some(&viewer));
        let (env, actor, code) = (state.env(), viewer.user.clone(), path.into_inner());
        let key = code.clone();
        let card = read(&state, move |conn| {
            let row = uc::by_code(conn, &actor, &key)?;
            uc::card(conn, &env, &actor, &row.id)
        })
        .await?;
        let zh = c.zh();
        let lists = card
            .listings
            .iter()
            .map(|l| {
                (
                    list_key(l.list),
                    if zh {
                        citation_zh(l)
                    } else {
                        l.citation.clone()
                    },
                )
            })
            .collect();
        let hazards = card
            .hazards
            .iter()
            .map(|h| match h {
                waste_core::Hazard::T => "card.hazard.t",
                waste_core::Hazard::C => "card.hazard.c",
                waste_core::Hazard::I => "card.hazard.i",
                waste_core::Hazard::R => "card.hazard.r",
                waste_core::Hazard::In => "card.hazard.in",
            })
            .collect();
        let apart = card
            .keep_apart
            .iter()
            .map(|k| {
                let name = if zh && !k.group_name_zh.is_empty() {
                    &k.group_name_zh
                } else {
                    &k.group_name
                };
                let what: Vec<&str> = k
                    .consequences
                    .iter()
                    .map(|q| c.t(super::refusal::consequence_key(*q)))
                    .collect();
                (name.clone(), what.join(c.t("list.sep")))
            })
            .collect();
        let unsourced = card
            .unsourced
            .iter()
            .map(|u| match u {
                waste_core::reagent::Unsourced::GhsPictograms => "card.ghs",
                waste_core::reagent::Unsourced::FirstAid => "card.first_aid",
                waste_core::reagent::Unsourced::SpillMeasures => "card.spill",
                waste_core::reagent::Unsourced::FireMeasures => "card.fire",
            })
            .collect();
        Ok::<_, WebError>(render(
            &req,
            &CardPage {
                c,
                code,
                card,
                lists,
                hazards,
                apart,
                unsourced,
            },
            StatusCode::OK,
            false,
        ))
    }
    .await;
    respond(&req, Some(&viewer), out)
}
