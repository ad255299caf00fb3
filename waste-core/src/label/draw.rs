//! The SVG drawing of a label with the QR code of its digital id, and a standalone QR code.

use super::rules::LabelRules;
use super::{Label, LabelError, LabelField};
use crate::request::Form;
use qrcode::{Color, EcLevel, QrCode};
use std::fmt::Write as _;

/// User text escaped for the SVG, with the characters XML 1.0 does not allow (U+FFFE, U+FFFF, control
/// characters) replaced, so no lab or generator name can make the label an invalid document (issue 14, finding 9).
fn esc(s: &str) -> String {
    crate::sign::xml_escape(s)
}

fn form_zh(f: Form) -> &'static str {
    match f {
        Form::Liquid => "液态 liquid",
        Form::Solid => "固态 solid",
        Form::SemiSolid => "半固态 semi-solid",
        Form::GasInContainer => "容器内气体 gas in container",
    }
}

/// Renders a complete label as SVG in millimetres: the bilingual field names, the values, and a QR code (group
/// `id="qr"`, one `rect` per dark module) that encodes the digital identification code. Refuses an incomplete
/// label rather than print one.
pub fn render_svg(label: &Label, rules: &LabelRules) -> Result<String, LabelError> {
    label.check()?;
    let Some(id) = &label.digital_id else {
        return Err(LabelError::Incomplete(vec![LabelField::DigitalId]));
    };
    let size = rules.size_for(label.container_volume_l);
    let side = f64::from(size.side_mm);
    let text = f64::from(size.text_mm);
    let line = text * 1.45;
    let margin = 3.0_f64.max(side * 0.04);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{side}mm" height="{side}mm" viewBox="0 0 {side} {side}" data-standard="{}" data-labels="{}" data-colour-confidence="{}" data-field-order-confidence="{}" data-pictograms="none ({})" fill="{}">"#,
        esc(&rules.standard),
        size.count,
        conf(rules.look.colour_confidence),
        conf(rules.look.field_order_confidence),
        conf(rules.look.pictograms_confidence),
        rules.look.foreground
    );
    // The background and border colours of `labels.toml` `[look]` (orange-yellow with a black border [S]); a
    // border of at least 1 mm (HJ 1276-2022, [S]).
    let _ = write!(
        svg,
        r##"<rect id="background" x="0.75" y="0.75" width="{w}" height="{w}" fill="{}" stroke="{}" stroke-width="1.5"/>"##,
        rules.look.background,
        rules.look.foreground,
        w = side - 1.5
    );
    let mut y = margin + text;
    let _ = write!(
        svg,
        r#"<text x="{margin}" y="{y:.2}" font-size="{:.2}" font-weight="bold" font-family="sans-serif">危险废物 Hazardous Waste</text>"#,
        text * 1.3
    );
    y += line * 1.4;

    let hazards: Vec<String> = label
        .hazards
        .iter()
        .map(|h| format!("{} {}", h.name_zh(), h.as_str()))
        .collect();
    let date = label
        .generation_date
        .map(|d| d.to_string())
        .unwrap_or_default();
    let mut rows: Vec<(String, String, String)> = vec![
        (
            "waste_name".into(),
            fmt_name(LabelField::WasteName),
            label.waste_name.clone(),
        ),
        (
            "code".into(),
            fmt_name(LabelField::Code),
            format!(
                "{} {}",
                label.code.clone().unwrap_or_default(),
                label.category.clone().unwrap_or_default()
            ),
        ),
        (
            "main_components".into(),
            fmt_name(LabelField::MainComponents),
            label.main_components.join(", "),
        ),
        (
            "hazards".into(),
            fmt_name(LabelField::Hazards),
            hazards.join(", "),
        ),
    ];
    if let Some(f) = label.form {
        rows.push(("form".into(), "形态 Form".into(), form_zh(f).into()));
    }
    if let Some(w) = label.weight_kg {
        rows.push(("weight".into(), "重量 Weight".into(), format!("{w} kg")));
    }
    rows.push((
        "generation_date".into(),
        fmt_name(LabelField::GenerationDate),
        date,
    ));
    rows.push((
        "generator".into(),
        fmt_name(LabelField::Generator),
        label.generator.clone(),
    ));
    rows.push((
        "contact".into(),
        fmt_name(LabelField::Contact),
        label.contact.clone(),
    ));
    if let Some(p) = &label.precautions {
        rows.push((
            "precautions".into(),
            "注意事项 Precautions".into(),
            p.clone(),
        ));
    }
    if let Some(r) = &label.remarks {
        rows.push(("remarks".into(), "备注 Remarks".into(), r.clone()));
    }
    rows.push((
        "digital_id".into(),
        fmt_name(LabelField::DigitalId),
        id.as_str().into(),
    ));
    // QR code geometry first: text beside it must wrap before it.
    let qr = QrCode::with_error_correction_level(id.as_str().as_bytes(), EcLevel::M)
        .map_err(|_| LabelError::Incomplete(vec![LabelField::QrCode]))?;
    let n = qr.width();
    let qr_side = (side * 0.32).max(22.0);
    let x0 = side - margin - qr_side;
    let y0 = side - margin - qr_side;
    for (key, name, value) in rows {
        let name = format!("{name}: ");
        let full = |y: f64| {
            if y + text * 0.3 > y0 {
                x0 - margin - margin
            } else {
                side - 2.0 * margin
            }
        };
        let first = wrap(&value, full(y) - text_width(&name, text), text);
        let _ = write!(
            svg,
            r#"<text x="{margin}" y="{y:.2}" font-size="{text}" font-family="sans-serif" data-field="{key}"><tspan font-weight="bold">{}</tspan>{}</text>"#,
            esc(&name),
            esc(first.0)
        );
        y += line;
        let mut rest = first.1;
        let indent = margin + text * 2.0;
        while !rest.is_empty() {
            let (part, more) = wrap(rest, full(y) - (indent - margin), text);
            let _ = write!(
                svg,
                r#"<text x="{indent}" y="{y:.2}" font-size="{text}" font-family="sans-serif" data-field="{key}">{}</text>"#,
                esc(part)
            );
            y += line;
            rest = more;
        }
    }

    // QR code in the lower right corner, quiet zone of 4 modules.
    let qr = QrCode::with_error_correction_level(id.as_str().as_bytes(), EcLevel::M)
        .map_err(|_| LabelError::Incomplete(vec![LabelField::QrCode]))?;
    let qr_side = (side * 0.32).max(22.0);
    let module = qr_side / (n as f64 + 8.0);
    let x0 = side - margin - qr_side;
    let y0 = side - margin - qr_side;
    let _ = write!(
        svg,
        r##"<g id="qr" data-modules="{n}" data-payload="{}" transform="translate({x0:.3},{y0:.3}) scale({module:.5})"><rect x="0" y="0" width="{q}" height="{q}" fill="#ffffff"/>"##,
        esc(id.as_str()),
        q = n + 8
    );
    for (i, c) in qr.to_colors().iter().enumerate() {
        if *c == Color::Dark {
            let _ = write!(
                svg,
                r##"<rect x="{}" y="{}" width="1" height="1" fill="#000000"/>"##,
                i % n + 4,
                i / n + 4
            );
        }
    }
    svg.push_str("</g></svg>");
    Ok(svg)
}

fn conf(c: crate::citation::Confidence) -> &'static str {
    match c {
        crate::citation::Confidence::Confirmed => "C",
        crate::citation::Confidence::Secondary => "S",
        crate::citation::Confidence::Unconfirmed => "UNCONFIRMED",
    }
}

/// Estimated printed width in mm: CJK characters are square, others about half as wide.
fn text_width(s: &str, text_mm: f64) -> f64 {
    s.chars()
        .map(|c| {
            if (c as u32) >= 0x2E80 {
                text_mm
            } else {
                text_mm * 0.58
            }
        })
        .sum()
}

/// Splits `s` into the part that fits in `width` mm and the rest, preferring to break after a space.
fn wrap(s: &str, width: f64, text_mm: f64) -> (&str, &str) {
    let mut used = 0.0;
    let mut cut = s.len();
    let mut last_space = None;
    for (i, c) in s.char_indices() {
        used += if (c as u32) >= 0x2E80 {
            text_mm
        } else {
            text_mm * 0.58
        };
        if used > width.max(text_mm * 4.0) {
            cut = i;
            break;
        }
        if c == ' ' || c == ',' {
            last_space = Some(i + c.len_utf8());
        }
    }
    if cut == s.len() {
        return (s, "");
    }
    let at = match last_space {
        Some(sp) if sp > cut / 2 => sp,
        _ => cut.max(s.chars().next().map_or(1, char::len_utf8)),
    };
    (s[..at].trim_end(), s[at..].trim_start())
}

fn fmt_name(f: LabelField) -> String {
    let (zh, en) = f.names();
    format!("{zh} {en}")
}

/// A QR code (error correction M, quiet zone of 4 modules) of `payload` as a standalone SVG of `size_mm`
/// square: the same encoder as the label's, for a manifest's number or a roadside link. None when the payload
/// is too long for a QR code.
pub fn qr_svg(payload: &str, size_mm: u32) -> Option<String> {
    let qr = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M).ok()?;
    let n = qr.width();
    let q = n + 8;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{size_mm}mm" height="{size_mm}mm" viewBox="0 0 {q} {q}" shape-rendering="crispEdges" data-payload="{}"><rect x="0" y="0" width="{q}" height="{q}" fill="#ffffff"/>"##,
        esc(payload)
    );
    for (i, c) in qr.to_colors().iter().enumerate() {
        if *c == Color::Dark {
            let _ = write!(
                svg,
                r##"<rect x="{}" y="{}" width="1" height="1" fill="#000000"/>"##,
                i % n + 4,
                i / n + 4
            );
        }
    }
    svg.push_str("</svg>");
    Some(svg)
}
