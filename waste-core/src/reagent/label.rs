//! A bottle's e-label: a QR code of the bottle's code (what the service's scanner opens) beside the substance,
//! its CAS number, the controlled-chemical lists it is on and its expiry, sized for a reagent bottle (60 × 30 mm,
//! a setting: no standard fixes a reagent bottle's label).

use super::ControlList;
use crate::label::qr_svg;
use crate::sign::xml_escape;

/// The label's width and height in millimetres.
pub const SIZE_MM: (u32, u32) = (60, 30);

/// What a bottle's label says.
pub struct BottleLabel<'a> {
    pub code: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub cas: &'a str,
    pub lists: &'a [ControlList],
    pub expires_on: Option<&'a str>,
}

fn list_name(l: ControlList) -> &'static str {
    match l {
        ControlList::HighlyToxic => "剧毒",
        ControlList::Precursor => "易制毒",
        ControlList::ExplosivePrecursor => "易制爆",
    }
}

/// The label as a standalone SVG, or None when the code is too long for a QR code.
pub fn label_svg(l: &BottleLabel<'_>) -> Option<String> {
    let (w, h) = SIZE_MM;
    let qr = qr_svg(l.code, 26)?;
    let qr = qr.replacen("<svg ", r#"<svg x="2" y="2" "#, 1);
    let qr = qr.replacen(
        r#"width="26mm" height="26mm""#,
        r#"width="26" height="26""#,
        1,
    );
    let mut lines = vec![
        (6.0, 700, xml_escape(l.name_zh)),
        (3.2, 400, xml_escape(l.name_en)),
        (3.2, 400, format!("CAS {}", xml_escape(l.cas))),
    ];
    if let Some(e) = l.expires_on {
        lines.push((3.2, 400, format!("有效期至 {}", xml_escape(e))));
    }
    if !l.lists.is_empty() {
        let names: Vec<&str> = l.lists.iter().map(|x| list_name(*x)).collect();
        lines.push((4.0, 700, names.join(" · ")));
    }
    lines.push((2.8, 400, xml_escape(l.code)));
    let mut y = 7.0;
    let mut text = String::new();
    for (size, weight, t) in lines {
        text.push_str(&format!(
            r#"<text x="30" y="{y:.1}" font-size="{size}" font-weight="{weight}" font-family="sans-serif">{t}</text>"#
        ));
        y += size + 1.6;
    }
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}"><rect x="0.5" y="0.5" width="{}" height="{}" fill="#ffffff" stroke="#000000" stroke-width="0.5"/>{qr}{text}</svg>"##,
        w - 1,
        h - 1
    ))
}
