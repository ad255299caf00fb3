//! The printed transfer manifest (转移联单): one A4 page per manifest, bilingual, with the number and its QR
//! code, the three parties with their credit codes, the firm's licence, the lines with codes, hazards and
//! weights, every signature with name, role and time, and the vehicle. The same document for the JSON API's
//! `GET /api/v1/manifests/{id}/print` and the web's print pages; it runs no script and carries its own style.

use crate::app::chain::Sheet;
use crate::store::organizations::OrgRow;
use askama::Template;
use waste_core::calendar::Zone;

/// The page's own Content-Security-Policy: its inline stylesheet and inline SVG, nothing else.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

pub struct PartyV {
    pub role_zh: &'static str,
    pub role_en: &'static str,
    pub name: String,
    pub credit_code: String,
    pub extra: String,
}

pub struct LineV {
    pub n: usize,
    pub code: String,
    pub digital_id: String,
    pub hazards: String,
    pub shipped: String,
    pub received: String,
    pub verdict: String,
}

pub struct SignV {
    pub what: String,
    pub at: String,
    pub name: String,
    pub roles: String,
}

/// A correction as printed: its changes (old -> new), reason, proposer and decisions, bilingual.
pub struct RevisionV {
    pub seq: i32,
    pub status: &'static str,
    pub changes: Vec<String>,
    pub reason: String,
    pub proposer: String,
    pub proposed_at: String,
    pub decisions: Vec<String>,
}

pub struct SheetV {
    pub number: String,
    pub status: String,
    /// The QR code of the number (what the Scan box opens), as inline SVG from the core's encoder.
    pub qr: String,
    pub parties: Vec<PartyV>,
    pub licence: String,
    pub lines: Vec<LineV>,
    pub signatures: Vec<SignV>,
    pub vehicle: String,
    pub method: String,
    pub revisions: Vec<RevisionV>,
}

#[derive(Template)]
#[template(path = "manifest_print.html")]
pub struct PrintDoc {
    pub sheets: Vec<SheetV>,
    /// The time zone the times are in, as a person names it ("北京时间（+08:00）").
    pub zone_zh: String,
    pub zone_en: String,
}

fn party(role_zh: &'static str, role_en: &'static str, o: Option<&OrgRow>) -> PartyV {
    PartyV {
        role_zh,
        role_en,
        name: o.map(|o| o.name.clone()).unwrap_or_default(),
        credit_code: o.and_then(|o| o.credit_code.clone()).unwrap_or_default(),
        extra: String::new(),
    }
}

/// Step names as printed, both languages.
fn step_name(kind: &str) -> String {
    match kind {
        "drafted" => "填写 Drafted",
        "submit" => "提交 Submitted",
        "dispatch" => "运输 Dispatched",
        "receive" => "接受 Received",
        "confirm-disposal" => "利用处置 Disposal confirmed",
        "cancel" => "作废 Cancelled",
        "road_link" => "路检链接 Roadside link",
        "revision_proposed" => "更正提出 Correction proposed",
        "revision_approved" => "更正批准 Correction approved",
        "revision_refused" => "更正拒绝 Correction refused",
        "revision_applied" => "更正生效 Correction applied",
        other => other,
    }
    .to_owned()
}

fn at(zone: &Zone, s: &str) -> String {
    zone.show_stamp(s)
}

pub fn sheet(zone: &Zone, s: &Sheet) -> SheetV {
    let m = &s.opened.manifest.row;
    let [shipper, carrier, receiver] = &s.opened.parties;
    let mut parties = vec![
        party("移出人", "Shipper", shipper.as_ref()),
        party("承运人", "Carrier", carrier.as_ref()),
        party("接受人", "Receiver", receiver.as_ref()),
    ];
    let licence = receiver
        .as_ref()
        .and_then(|r| r.license_number.clone())
        .unwrap_or_default();
    if let Some(r) = parties.get_mut(2) {
        r.extra = format!("经营许可证 Licence: {licence}");
    }
    SheetV {
        // A draft has no number yet: the sheet says so rather than show its id.
        number: m
            .official_number()
            .map_or_else(|| "草稿 Draft".to_owned(), str::to_owned),
        status: m.status.clone(),
        qr: waste_core::label::qr_svg(m.key(), 30).unwrap_or_default(),
        parties,
        licence,
        lines: s
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| LineV {
                n: i + 1,
                code: l.line.code.clone(),
                digital_id: l
                    .digital_id
                    .clone()
                    .unwrap_or_else(|| l.line.container_id.clone()),
                hazards: l.hazards.join(", "),
                shipped: l.line.shipped_weight_kg.clone(),
                received: l.line.received_weight_kg.clone().unwrap_or_default(),
                verdict: match (l.line.accepted, l.line.discrepancy) {
                    (Some(true), Some(true)) => "接受·差异 Accepted, weight differs".into(),
                    (Some(true), _) => "接受 Accepted".into(),
                    (Some(false), _) => format!(
                        "拒收 Rejected: {}",
                        l.line.reason.clone().unwrap_or_default()
                    ),
                    (None, _) => String::new(),
                },
            })
            .collect(),
        signatures: s
            .signatures
            .iter()
            .map(|g| SignV {
                what: step_name(&g.kind),
                at: at(zone, &g.at),
                name: g.name.clone(),
                roles: role_names(&g.roles),
            })
            .collect(),
        vehicle: s.vehicle.clone().unwrap_or_default(),
        method: m.disposal_method.clone().unwrap_or_default(),
        revisions: s.revisions.iter().map(|r| revision(zone, s, r)).collect(),
    }
}

fn party_name(p: &str) -> &'static str {
    match p {
        "shipper" => "移出人 Shipper",
        "carrier" => "承运人 Carrier",
        "receiver" => "接受人 Receiver",
        _ => "",
    }
}

/// Roles as printed, in both languages ("中转站操作员 Station operator").
fn role_names(roles: &[String]) -> String {
    use crate::i18n::{Lang, catalogue};
    roles
        .iter()
        .map(|r| {
            let key = format!("role.{r}");
            format!(
                "{} {}",
                catalogue(Lang::Zh).get(&key),
                catalogue(Lang::En).get(&key)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn who(name: &str, roles: &[String]) -> String {
    if roles.is_empty() {
        name.to_owned()
    } else {
        format!("{name} ({})", role_names(roles))
    }
}

/// A correction as printed: each change as "line field: old → new", each decision with party, name, roles, time.
fn revision(zone: &Zone, s: &Sheet, r: &crate::app::revisions::Revision) -> RevisionV {
    use waste_core::revision::Field;
    let changes = r
        .changes
        .iter()
        .map(|c| {
            let line = c
                .container_id
                .as_ref()
                .and_then(|id| s.lines.iter().position(|l| &l.line.container_id == id))
                .map(|i| format!("#{} ", i + 1))
                .unwrap_or_default();
            let field = match c.field {
                Field::ShippedWeightKg => "移出量 Shipped kg",
                Field::ReceivedWeightKg => "接受量 Received kg",
                Field::Code => "废物代码 Code",
                Field::DisposalMethod => "处置方式 Disposal method",
            };
            format!(
                "{line}{field}: {} → {}",
                c.old.as_deref().unwrap_or("—"),
                c.new
            )
        })
        .collect();
    let mut decisions: Vec<String> = r
        .decisions
        .iter()
        .map(|d| {
            let verdict = if d.row.approved {
                "批准 Approved"
            } else {
                "拒绝 Refused"
            };
            let note = d
                .row
                .note
                .as_deref()
                .map(|n| format!(" · {n}"))
                .unwrap_or_default();
            format!(
                "{verdict} · {} · {} · {}{note}",
                party_name(&d.row.party),
                who(&d.name, &d.roles),
                at(zone, &d.row.at)
            )
        })
        .collect();
    if r.row.status == "pending" {
        for p in r.row.needed() {
            if !r.decisions.iter().any(|d| d.row.party == p.as_str()) {
                decisions.push(format!("待批准 Awaiting · {}", party_name(p.as_str())));
            }
        }
    }
    RevisionV {
        seq: r.row.seq,
        status: match r.row.status.as_str() {
            "applied" => "已更正 Applied",
            "refused" => "已拒绝 Refused",
            _ => "待批准 Pending",
        },
        changes,
        reason: r.row.reason.clone(),
        proposer: who(&r.proposer_name, &r.proposer_roles),
        proposed_at: at(zone, &r.row.proposed_at),
        decisions,
    }
}

/// The print document of several manifests, one A4 page each; times are local to `zone`, named once per sheet.
pub fn document(zone: &Zone, sheets: &[Sheet]) -> PrintDoc {
    PrintDoc {
        sheets: sheets.iter().map(|s| sheet(zone, s)).collect(),
        zone_zh: zone.label_zh(),
        zone_en: zone.label_en(),
    }
}
