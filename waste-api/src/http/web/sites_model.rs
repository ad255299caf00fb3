//! What the storage-site pages show, built from the use cases' answers (`app::sites`): figures as text, tones and
//! catalogue keys. No rule is decided here: levels, shares and the to-do list are the core's.

use super::lab_app::read;
use super::session::Viewer;
use super::words::say;
use crate::app::sites as uc;
use crate::app::sites::SiteState;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::state::AppState;
use crate::store::page::Keyset;
use waste_core::Standards;
use waste_core::sign::SignState;
use waste_core::site::{ContainmentLevel, InspectionStatus, QuantityLevel, SiteKind};

fn snake<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The name of a kind of site in the page's language (from `sites.toml`).
pub fn kind_name(std: &Standards, kind: SiteKind, zh: bool) -> String {
    let k = std.sites.kind(kind);
    if zh {
        k.name_zh.clone()
    } else {
        k.name_en.clone()
    }
}

/// One line of a site's to-do list: a catalogue key for the sentence, the core's message and clause beside it.
pub struct Todo {
    pub key: String,
    pub message: String,
    pub citation: String,
    /// Where on the site's page it is done (`#signs`, `#inspection`, ...).
    pub anchor: &'static str,
}

pub struct PlacedLine {
    pub id: String,
    pub key: String,
    pub zone: String,
    pub status: String,
    pub filled_l: String,
    pub capacity_l: String,
    pub mass_kg: String,
    pub code: String,
}

pub struct SignLine {
    pub sign: &'static str,
    pub sign_key: String,
    pub zone: String,
    /// `sign_state.current` | `.outdated` | `.never_printed`
    pub state_key: &'static str,
    pub tone: &'static str,
    pub href: String,
}

/// A site as its pages show it.
pub struct SiteModel {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub kind_name: String,
    pub location: String,
    pub responsible: String,
    pub contact: String,
    pub facility_code: String,
    pub containment_l: String,
    pub zones: Vec<String>,
    pub zones_text: String,
    pub containers: Vec<PlacedLine>,
    pub on_hand_kg: String,
    /// Whether the storage-point ceiling applies (GB 18597-2023 8.3.5).
    pub ceiling: bool,
    pub max_kg: String,
    /// Share of the ceiling in percent, and its meter value 0..1.
    pub share_pct: String,
    pub share: String,
    pub warn_pct: String,
    pub quantity_tone: &'static str,
    pub quantity_key: String,
    pub quantity_citation: String,
    pub containment_key: String,
    pub containment_tone: &'static str,
    pub available_l: String,
    pub largest_l: String,
    pub liquids_l: String,
    pub share_of_liquids_l: String,
    pub required_l: String,
    pub shortfall_l: String,
    pub containment_citation: String,
    pub conflicts: Vec<String>,
    pub last_inspection: String,
    pub inspection_key: String,
    pub inspection_tone: &'static str,
    pub inspection_due: String,
    pub inspection_citation: String,
    pub findings: Vec<FindingLine>,
    pub signs: Vec<SignLine>,
    pub todo: Vec<Todo>,
}

pub struct FindingLine {
    pub id: String,
    pub item: String,
    pub description: String,
    pub clause: String,
}

/// The part of the site's page where a to-do is done.
fn anchor(code: &str) -> &'static str {
    match code {
        "sign_never_printed" | "sign_outdated" => "#signs",
        "inspection_never" | "inspection_overdue" | "inspection_due_soon" => "#inspection",
        "open_findings" => "#findings",
        "near_ceiling" | "over_ceiling" => "#quantity",
        _ => "#containment",
    }
}

fn pct(share: rust_decimal::Decimal) -> String {
    (share * rust_decimal::Decimal::from(100))
        .round_dp(1)
        .normalize()
        .to_string()
}

impl SiteModel {
    pub fn of(std: &Standards, s: SiteState, zh: bool) -> SiteModel {
        let lang = if zh { Lang::Zh } else { Lang::En };
        let cite = |t: &str| say(lang, t);
        let q = &s.status.quantity;
        let ct = &s.status.containment;
        let due = &s.inspection_due;
        let quantity_tone = match q.level {
            QuantityLevel::NearCeiling => "warn",
            QuantityLevel::OverCeiling => "danger",
            QuantityLevel::Ok | QuantityLevel::NotApplicable => "plain",
        };
        let containment_tone = match ct.level {
            ContainmentLevel::Short => "danger",
            _ => "plain",
        };
        let inspection_tone = match due.status {
            InspectionStatus::Never | InspectionStatus::Overdue => "danger",
            InspectionStatus::DueSoon => "warn",
            InspectionStatus::Ok => "plain",
        };
        let id = s.row.id.clone();
        SiteModel {
            kind_name: kind_name(std, s.kind, zh),
            kind: s.kind.as_str().to_owned(),
            name: s.row.name,
            location: s.row.location,
            responsible: s.row.responsible,
            contact: s.row.contact,
            facility_code: s.row.facility_code,
            containment_l: s.row.containment_l.unwrap_or_default(),
            zones_text: s.zones.join(", "),
            zones: s.zones,
            containers: s
                .containers
                .into_iter()
                .map(|p| PlacedLine {
                    key: p.row.digital_id.clone().unwrap_or_else(|| p.row.id.clone()),
                    id: p.row.id,
                    zone: p.row.zone.unwrap_or_default(),
                    status: p.row.status,
                    filled_l: p.row.filled_l,
                    capacity_l: p.row.capacity_l,
                    mass_kg: p.mass_kg.normalize().to_string(),
                    code: p.row.code.unwrap_or_default(),
                })
                .collect(),
            on_hand_kg: q.on_hand_kg.normalize().to_string(),
            ceiling: q.max_kg.is_some(),
            max_kg: q
                .max_kg
                .map(|m| m.normalize().to_string())
                .unwrap_or_default(),
            share_pct: q.share.map(pct).unwrap_or_default(),
            share: q
                .share
                .map(|s| s.min(rust_decimal::Decimal::ONE).to_string())
                .unwrap_or_else(|| "0".into()),
            warn_pct: pct(q.warn_share),
            quantity_tone,
            quantity_key: format!("quantity.{}", snake(&q.level)),
            quantity_citation: cite(&q.citation),
            containment_key: format!("containment.{}", snake(&ct.level)),
            containment_tone,
            available_l: ct.available_l.normalize().to_string(),
            largest_l: ct.largest_container_l.normalize().to_string(),
            liquids_l: ct.liquids_l.normalize().to_string(),
            share_of_liquids_l: ct.share_of_liquids_l.normalize().to_string(),
            required_l: ct.required_l.normalize().to_string(),
            shortfall_l: ct.shortfall_l.normalize().to_string(),
            containment_citation: cite(&ct.citation),
            conflicts: s
                .status
                .zone_conflicts
                .iter()
                .map(|z| {
                    format!(
                        "{}: {} ↔ {} ({})",
                        z.zone.as_deref().unwrap_or("-"),
                        z.container,
                        z.other,
                        cite(&z.citation)
                    )
                })
                .collect(),
            last_inspection: s
                .last_inspection
                .as_ref()
                .map(|i| format!("{} · {}", i.inspected_on, i.inspector))
                .unwrap_or_default(),
            inspection_key: format!("inspection.{}", snake(&due.status)),
            inspection_tone,
            inspection_due: due.due_on.map(|d| d.to_string()).unwrap_or_default(),
            inspection_citation: cite(&due.citation),
            findings: s
                .open_findings
                .into_iter()
                .map(|f| FindingLine {
                    id: f.id,
                    // The checklist item as the form named it, not its key.
                    item: std
                        .sites
                        .checklist
                        .iter()
                        .find(|i| i.key == f.item)
                        .map(|i| if zh { i.zh.clone() } else { i.en.clone() })
                        .unwrap_or(f.item),
                    description: f.description,
                    clause: cite(&f.clause),
                })
                .collect(),
            signs: s
                .signs
                .iter()
                .map(|(r, st)| {
                    let zone = r.zone.clone().unwrap_or_default();
                    SignLine {
                        sign: r.sign.as_str(),
                        sign_key: format!("sign.{}", r.sign.as_str()),
                        href: format!(
                            "/sites/{id}/sign?type={}{}",
                            r.sign.as_str(),
                            if zone.is_empty() {
                                String::new()
                            } else {
                                format!("&zone={}", super::page::encode(&zone))
                            }
                        ),
                        zone,
                        state_key: match st {
                            SignState::Current => "sign_state.current",
                            SignState::Outdated => "sign_state.outdated",
                            SignState::NeverPrinted => "sign_state.never_printed",
                        },
                        tone: match st {
                            SignState::Current => "plain",
                            SignState::Outdated | SignState::NeverPrinted => "danger",
                        },
                    }
                })
                .collect(),
            todo: s
                .todo
                .iter()
                .map(|t| Todo {
                    anchor: anchor(&snake(&t.code)),
                    key: format!("site_todo.{}", snake(&t.code)),
                    // The catalogue's sentence says it in Chinese; the rules' own words are English.
                    message: if zh { String::new() } else { t.message.clone() },
                    citation: cite(&t.citation),
                })
                .collect(),
            id,
        }
    }
}

/// The fields of the site form, as typed (re-shown after a refusal), and the field the refusal names.
#[derive(Default, Clone)]
pub struct SiteFields {
    pub kind: String,
    pub name: String,
    pub location: String,
    pub containment: String,
    pub responsible: String,
    pub contact: String,
    pub zones: String,
    /// The field a refusal named (`name`, `containment_liters`, `zones[1]` → `zones`), marked on the form.
    pub bad: String,
    pub error: String,
}

impl SiteFields {
    pub fn from_form(f: &super::page::Form) -> SiteFields {
        SiteFields {
            kind: f.get("kind").to_owned(),
            name: f.get("name").to_owned(),
            location: f.get("location").to_owned(),
            containment: f.get("containment_liters").to_owned(),
            responsible: f.get("responsible").to_owned(),
            contact: f.get("contact").to_owned(),
            zones: f.get("zones").to_owned(),
            bad: String::new(),
            error: String::new(),
        }
    }

    pub fn of(m: &SiteModel) -> SiteFields {
        SiteFields {
            kind: m.kind.clone(),
            name: m.name.clone(),
            location: m.location.clone(),
            containment: m.containment_l.clone(),
            responsible: m.responsible.clone(),
            contact: m.contact.clone(),
            zones: m.zones_text.clone(),
            bad: String::new(),
            error: String::new(),
        }
    }

    /// Zone names typed one per comma (either width) or line.
    pub fn zone_list(&self) -> Vec<String> {
        self.zones
            .split([',', '，', '\n', '\r'])
            .map(str::trim)
            .filter(|z| !z.is_empty())
            .map(str::to_owned)
            .collect()
    }

    pub fn containment_opt(&self) -> Option<&str> {
        Some(self.containment.as_str()).filter(|c| !c.trim().is_empty())
    }

    /// Marks the field an `invalid_input` refusal names.
    pub fn refused(mut self, e: &crate::error::ApiError) -> SiteFields {
        if let crate::error::ApiError::Invalid { details, .. } = e {
            let f = details["field"].as_str().unwrap_or_default();
            self.bad = f.split('[').next().unwrap_or_default().to_owned();
        }
        self.error = e.to_string();
        self
    }

    pub fn is_bad(&self, field: &str) -> bool {
        self.bad == field
    }
}

/// The viewer's organisation's sites (every site for an administrator), as the pages show them.
pub async fn site_models(
    state: &AppState,
    viewer: &Viewer,
    zh: bool,
) -> Result<Vec<SiteModel>, ApiError> {
    let (env, actor) = (state.env(), viewer.user.clone());
    let std = state.std;
    read(state, move |c| {
        let page = Keyset {
            limit: 200,
            after: None,
        };
        Ok(uc::list(c, &env, &actor, &page)?
            .items
            .into_iter()
            .map(|s| SiteModel::of(std, s, zh))
            .collect())
    })
    .await
}

/// A place a container may be moved to: a site, or one zone of a site with zones.
pub struct MoveTarget {
    /// `site_id|zone`
    pub value: String,
    pub label: String,
    pub current: bool,
}

/// The sites and zones of the viewer's organisation, the container's own place marked.
pub async fn move_targets(
    state: &AppState,
    viewer: &Viewer,
    here: Option<&(String, Option<String>)>,
    zh: bool,
) -> Result<Vec<MoveTarget>, ApiError> {
    let mut out = Vec::new();
    for s in site_models(state, viewer, zh).await? {
        let zones: Vec<Option<String>> = if s.zones.is_empty() {
            vec![None]
        } else {
            s.zones.iter().cloned().map(Some).collect()
        };
        for z in zones {
            out.push(MoveTarget {
                value: format!("{}|{}", s.id, z.clone().unwrap_or_default()),
                label: match &z {
                    Some(z) => format!("{} · {} ({})", s.name, z, s.kind_name),
                    None => format!("{} ({})", s.name, s.kind_name),
                },
                current: here.is_some_and(|(id, hz)| *id == s.id && *hz == z),
            });
        }
    }
    Ok(out)
}
