//! Scanning inside the forms that take containers (collect, dispatch, receive, a pickup request): how a line
//! names its container so the person recognises it in the hand, and `/scan/what`, which tells the camera or the
//! scanner gun at once what a code that is not on the form is (unknown, another organisation's, or one of ours
//! that this form does not list). The matching of a code to a line happens in the page (assets/app.js); the
//! camera is assets/scan.js.

use super::page::{Chrome, WebError, respond};
use super::session::Viewer;
use crate::app::chain::{self, Brief, Sighting};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use waste_core::hazard::Hazard;

/// Hazard codes (`T`, `C`, ...) as words in the page's language, `、`- or comma-joined.
pub fn hazard_words<S: AsRef<str>>(codes: &[S], zh: bool) -> String {
    let words: Vec<&str> = codes
        .iter()
        .map(|h| {
            let h = h.as_ref();
            match Hazard::parse(h) {
                Some(x) if zh => x.name_zh(),
                Some(x) => x.name_en(),
                None => h,
            }
        })
        .collect();
    words.join(if zh { "、" } else { ", " })
}

/// One line of a scanning form, as the person reads it: stream, waste code, hazards, lab.
pub fn what(stream_name: &str, code: &str, hazards: &str, lab: &str, c: &Chrome) -> String {
    let lab = (!lab.is_empty()).then(|| format!("{} {lab}", c.t("container.lab")));
    [stream_name, code, hazards]
        .into_iter()
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .chain(lab)
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A container as a scanning form's line names it.
pub fn what_of(b: &Brief, c: &Chrome) -> String {
    let (stream_name, _) = super::lab::stream_name(b.stream.as_deref(), c.zh());
    what(
        &stream_name,
        &b.code,
        &hazard_words(&b.hazards, c.zh()),
        &b.lab,
        c,
    )
}

#[derive(Serialize)]
struct Said {
    /// `unknown`, `elsewhere` or `ours` (one of ours that the form does not list).
    kind: &'static str,
    /// The sentence to show, in the page's language.
    text: String,
}

/// `GET /scan/what?code=…`: what a code that a form did not expect names, worded for the person scanning.
#[get("/scan/what")]
pub async fn what_is(req: HttpRequest, viewer: Viewer, state: web::Data<AppState>) -> HttpResponse {
    let code = super::page::query_pairs(req.query_string())
        .into_iter()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let out = async {
        let c = Chrome::new(&req, Some(&viewer));
        // A label's QR may hold a link to the container's page: its last segment is the code.
        let key = code.rsplit("/c/").next().unwrap_or(&code).trim().to_owned();
        let seen = if key.is_empty() || key.len() > 100 {
            Sighting::Unknown
        } else {
            let actor = viewer.user.clone();
            super::lab_app::read(&state, move |conn| chain::sighting(conn, &actor, &key)).await?
        };
        let said = match seen {
            Sighting::Unknown => Said {
                kind: "unknown",
                text: format!("{} {code}", c.t("scan.unknown_code")),
            },
            Sighting::Elsewhere => Said {
                kind: "elsewhere",
                text: format!("{} {code}", c.t("scan.elsewhere")),
            },
            Sighting::Ours(b) => Said {
                kind: "ours",
                text: format!("{} {}", c.t("scan.ours_not_on_form"), what_of(&b, &c)),
            },
        };
        Ok::<_, WebError>(
            HttpResponse::Ok()
                .insert_header(("Cache-Control", "no-store"))
                .json(said),
        )
    }
    .await;
    respond(&req, Some(&viewer), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hazards_are_named_in_the_pages_language() {
        // HJ 1276-2022 prints hazard characteristics by name; the codes stay for any the core does not know.
        assert_eq!(hazard_words(&["T", "C"], true), "毒性、腐蚀性");
        assert_eq!(hazard_words(&["T", "In"], false), "toxicity, infectivity");
        assert_eq!(hazard_words(&["X"], true), "X");
        assert_eq!(hazard_words::<&str>(&[], true), "");
    }
}
