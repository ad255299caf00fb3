//! The printed transfer manifest (转移联单): one A4 page per manifest, bilingual, with the number and its QR
//! code, the three parties with their credit codes, the firm's licence, the lines with codes, hazards and
//! weights, every signature with name, role and time, and the vehicle. The same document for the JSON API's
//! `GET /api/v1/manifests/{id}/print` and the web's print pages; it runs no script and carries its own style.

use crate::app::chain::Sheet;
use crate::store::organizations::OrgRow;
use askama::Template;

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
}

#[derive(Template)]
#[template(path = "manifest_print.html")]
pub struct PrintDoc {
    pub sheets: Vec<SheetV>,
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
        other => other,
    }
    .to_owned()
}

fn at(s: &str) -> String {
    s.get(..16).unwrap_or(s).replace('T', " ") + " UTC"
}

pub fn sheet(s: &Sheet) -> SheetV {
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
        number: m.key().to_owned(),
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
                at: at(&g.at),
                name: g.name.clone(),
                roles: g.roles.join(", "),
            })
            .collect(),
        vehicle: s.vehicle.clone().unwrap_or_default(),
        method: m.disposal_method.clone().unwrap_or_default(),
    }
}

/// The print document of several manifests, one A4 page each.
pub fn document(sheets: &[Sheet]) -> PrintDoc {
    PrintDoc {
        sheets: sheets.iter().map(sheet).collect(),
    }
}
