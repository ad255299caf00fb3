//! The refusal card of the add-waste page: the addition use case's refusal in plain words (what reacts, what
//! it gives: toxic gas, heat, fire), what to do instead, and the details with the standard and clause folded away.

use super::lab::{std, stream_name};
use super::page::Chrome;
use crate::error::ApiError;
use rust_decimal::Decimal;
use waste_core::compatibility::Consequence;
use waste_core::compatibility::Reaction;

/// The refusal card: one plain sentence, what to do instead, and the details (reacting substances, groups,
/// standard and clause) folded away.
pub struct RefusalCard {
    pub sentence: String,
    pub todo_key: &'static str,
    pub details: Vec<String>,
    pub citation: String,
    pub code: String,
}

pub fn consequence_key(c: Consequence) -> &'static str {
    match c {
        Consequence::H => "cons.H",
        Consequence::F => "cons.F",
        Consequence::G => "cons.G",
        Consequence::GT => "cons.GT",
        Consequence::GF => "cons.GF",
        Consequence::E => "cons.E",
        Consequence::P => "cons.P",
        Consequence::S => "cons.S",
        Consequence::U => "cons.U",
    }
}

/// A reaction names a substance as "name (名称, CAS)"; the sentence uses the name in the page's language alone.
fn plain_name(named: &str, zh: bool) -> String {
    let cas = named
        .rsplit_once(", ")
        .map(|(_, tail)| tail.trim_end_matches(')'))
        .and_then(|c| waste_core::CasNumber::parse(c).ok());
    match cas.and_then(|k| std().substances.by_cas(&k)) {
        Some(s) if zh => s.name_zh.clone(),
        Some(s) => s.name_en.clone(),
        None => named.to_owned(),
    }
}

/// A citation in the page's language.
fn cite(c: &Chrome, text: &str) -> String {
    super::words::say(c.lang, text)
}

fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    pairs.iter().fold(template.to_owned(), |s, (k, v)| {
        s.replace(&format!("{{{k}}}"), v)
    })
}

/// The details of a rule's refusal as the addition use case gives them (`waste_core::container::Refusal`,
/// tagged by its code); the page words each kind in plain language.
#[derive(Debug, serde::Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
enum Refusal {
    ContainerSealed,
    CodeMismatch {
        container: String,
        addition: String,
        citation: String,
    },
    NotHazardous {
        citation: Option<String>,
    },
    NoStream {
        reason: String,
    },
    StreamMismatch {
        container: String,
        addition: String,
    },
    ContainerMaterial {
        material: String,
        substance: String,
        reason: String,
        citation: String,
    },
    IncompatibleAddition {
        reactions: Vec<Reaction>,
        consequences: Vec<Consequence>,
        citation: String,
    },
    ContainerFull {
        limit_l: Decimal,
        would_be_l: Decimal,
        citation: String,
    },
}

/// The card for a refusal of the addition use case: its details worded when the kind is known, else its message.
pub fn refusal_card(c: &Chrome, e: &ApiError) -> RefusalCard {
    let (code, message, details) = match e {
        ApiError::Conflict {
            code,
            message,
            details,
        } => (*code, message.clone(), details.clone()),
        ApiError::TrainingExpired => (
            "training_expired",
            c.t("err.training_expired").to_owned(),
            serde_json::Value::Null,
        ),
        other => (other.code(), other.to_string(), serde_json::Value::Null),
    };
    let mut tagged = details.clone();
    if let Some(o) = tagged.as_object_mut() {
        o.insert("code".into(), serde_json::Value::String(code.to_owned()));
    }
    let mut card = match serde_json::from_value::<Refusal>(tagged) {
        Ok(r) => worded(c, code, &r),
        Err(_) => RefusalCard {
            // A refusal the page has no wording of its own for: the catalogue's words for its code, else the
            // service's message.
            sentence: {
                let key = format!("err.{code}");
                if c.cat.has(&key) {
                    c.cat.get(&key).to_owned()
                } else {
                    message
                }
            },
            todo_key: "refuse.other_todo",
            details: vec![],
            citation: details
                .get("citation")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned(),
            code: code.to_owned(),
        },
    };
    // The standard's wording in the page's language.
    card.citation = cite(c, &card.citation);
    card
}

fn worded(c: &Chrome, code: &str, r: &Refusal) -> RefusalCard {
    let zh = c.zh();
    let sname = |id: &str| {
        let (n, _) = stream_name(Some(id), zh);
        if n.is_empty() { id.to_owned() } else { n }
    };
    match r {
        Refusal::IncompatibleAddition {
            reactions,
            consequences,
            citation,
        } => {
            let words: Vec<&str> = consequences
                .iter()
                .map(|k| c.t(consequence_key(*k)))
                .collect();
            let first = reactions.first();
            let sentence = fill(
                c.t("refuse.incompatible"),
                &[
                    (
                        "a",
                        &first
                            .map(|x| plain_name(&x.adding, c.zh()))
                            .unwrap_or_default(),
                    ),
                    (
                        "b",
                        &first
                            .map(|x| plain_name(&x.present, c.zh()))
                            .unwrap_or_default(),
                    ),
                    ("what", &words.join(c.t("list.sep"))),
                ],
            );
            let details = reactions
                .iter()
                .map(|x| {
                    let cons: Vec<&str> = x
                        .consequences
                        .iter()
                        .map(|k| c.t(consequence_key(*k)))
                        .collect();
                    // The group names in the page's language (the chart's own are English).
                    let group = |n: u16, en: &str| {
                        if zh {
                            std().reactivity.group_name_zh(n).to_owned()
                        } else {
                            en.to_owned()
                        }
                    };
                    format!(
                        "{} ({} {}: {}) + {} ({} {}: {}) → {} — {}",
                        plain_name(&x.adding, zh),
                        c.t("refuse.group"),
                        x.adding_group,
                        group(x.adding_group, &x.adding_group_name),
                        plain_name(&x.present, zh),
                        c.t("refuse.group"),
                        x.present_group,
                        group(x.present_group, &x.present_group_name),
                        cons.join(c.t("list.sep")),
                        cite(c, &x.citation)
                    )
                })
                .collect();
            RefusalCard {
                sentence,
                todo_key: "refuse.incompatible_todo",
                details,
                citation: citation.clone(),
                code: code.into(),
            }
        }
        Refusal::CodeMismatch {
            container,
            addition,
            citation,
        } => RefusalCard {
            sentence: fill(
                c.t("refuse.code"),
                &[("have", container), ("new", addition)],
            ),
            todo_key: "refuse.stream_todo",
            details: vec![],
            citation: citation.clone(),
            code: code.into(),
        },
        Refusal::NotHazardous { citation } => RefusalCard {
            sentence: c.t("refuse.not_hazardous").to_owned(),
            todo_key: "refuse.not_hazardous_todo",
            details: vec![],
            citation: citation.clone().unwrap_or_default(),
            code: code.into(),
        },
        Refusal::StreamMismatch {
            container,
            addition,
        } => RefusalCard {
            sentence: fill(
                c.t("refuse.stream"),
                &[("have", &sname(container)), ("new", &sname(addition))],
            ),
            todo_key: "refuse.stream_todo",
            details: vec![],
            citation: "GB 18597-2023 4.3".into(),
            code: code.into(),
        },
        Refusal::ContainerMaterial {
            material,
            substance,
            reason,
            citation,
        } => RefusalCard {
            sentence: fill(
                c.t("refuse.material"),
                &[("substance", substance), ("material", material)],
            ),
            todo_key: "refuse.material_todo",
            details: vec![reason.clone()],
            citation: citation.clone(),
            code: code.into(),
        },
        Refusal::ContainerFull {
            limit_l,
            would_be_l,
            citation,
            ..
        } => RefusalCard {
            sentence: fill(
                c.t("refuse.full"),
                &[
                    ("would", &would_be_l.to_string()),
                    ("limit", &limit_l.to_string()),
                ],
            ),
            todo_key: "refuse.full_todo",
            details: vec![],
            citation: citation.clone(),
            code: code.into(),
        },
        Refusal::NoStream { reason } => RefusalCard {
            sentence: c.t("refuse.no_stream").to_owned(),
            todo_key: "refuse.no_stream_todo",
            details: vec![reason.clone()],
            citation: String::new(),
            code: code.into(),
        },
        Refusal::ContainerSealed => RefusalCard {
            sentence: c.t("refuse.sealed").to_owned(),
            todo_key: "refuse.sealed_todo",
            details: vec![],
            citation: String::new(),
            code: code.into(),
        },
    }
}
