//! The SVG drawing of a sign in millimetres: text measure and wrapping, the canvas, the symbol, the two layouts.

use super::content::{FacilitySign, SignError, ZoneSign, filled};
use super::{SignRules, SignSize, SignType};
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// Escapes user text for XML text and attribute values. Characters XML 1.0 does not allow (control characters,
/// U+FFFE, U+FFFF) become U+FFFD; line breaks and tabs become spaces, as every field is printed on one line.
pub fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            '\t' | '\n' | '\r' => o.push(' '),
            c if (c as u32) < 0x20 || ('\u{7F}'..='\u{9F}').contains(&c) => o.push('\u{FFFD}'),
            '\u{FFFE}' | '\u{FFFF}' => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

/// Estimated printed width in mm: CJK and full-width characters are square, others about 0.58 of the height.
fn char_width(c: char, text_mm: f64) -> f64 {
    if (c as u32) >= 0x2E80 {
        text_mm
    } else {
        text_mm * 0.58
    }
}

fn text_width(s: &str, text_mm: f64) -> f64 {
    s.chars().map(|c| char_width(c, text_mm)).sum()
}

/// Splits `s` into the part that fits in `width` mm and the rest, preferring to break after a space or comma.
fn wrap(s: &str, width: f64, text_mm: f64) -> (&str, &str) {
    let mut used = 0.0;
    let mut cut = s.len();
    let mut last_space = None;
    for (i, c) in s.char_indices() {
        used += char_width(c, text_mm);
        if used > width.max(text_mm * 2.0) {
            cut = i;
            break;
        }
        if c == ' ' || c == ',' || c == '、' {
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

/// Cuts `s` to `width` mm with an ellipsis.
fn fit(s: &str, width: f64, text_mm: f64) -> String {
    if text_width(s, text_mm) <= width {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut used = char_width('…', text_mm);
    for c in s.chars() {
        used += char_width(c, text_mm);
        if used > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

struct Canvas {
    svg: String,
    fg: String,
}

impl Canvas {
    fn text(&mut self, x: f64, y: f64, size: f64, bold: bool, field: Option<&str>, body: &str) {
        let _ = write!(
            self.svg,
            r#"<text x="{x:.2}" y="{y:.2}" font-size="{size:.2}" font-family="sans-serif" fill="{}"{}{}>{}</text>"#,
            self.fg,
            if bold { r#" font-weight="bold""# } else { "" },
            field
                .map(|f| format!(r#" data-field="{f}""#))
                .unwrap_or_default(),
            xml_escape(body)
        );
    }

    /// A labelled field, wrapped within `width`; returns the y below it.
    #[allow(clippy::too_many_arguments)]
    fn field(
        &mut self,
        x: f64,
        mut y: f64,
        width: f64,
        t: f64,
        key: &str,
        name: &str,
        value: &str,
        max_lines: usize,
    ) -> f64 {
        let name = format!("{name}: ");
        let (first, mut rest) = wrap(value, width - text_width(&name, t), t);
        let _ = write!(
            self.svg,
            r#"<text x="{x:.2}" y="{y:.2}" font-size="{t:.2}" font-family="sans-serif" fill="{}" data-field="{key}"><tspan font-weight="bold">{}</tspan>{}</text>"#,
            self.fg,
            xml_escape(&name),
            xml_escape(first)
        );
        y += t * 1.45;
        let mut lines = 1;
        let indent = x + t * 2.0;
        while !rest.is_empty() {
            lines += 1;
            let (part, more) = wrap(rest, width - t * 2.0, t);
            let shown = if lines >= max_lines && !more.is_empty() {
                fit(&format!("{part} {more}"), width - t * 2.0, t)
            } else {
                part.to_owned()
            };
            self.text(indent, y, t, false, Some(key), &shown);
            y += t * 1.45;
            rest = if lines >= max_lines { "" } else { more };
        }
        y
    }

    /// The GB 15562.2 amendment's warning symbol: a withered tree and a fish in a yellow triangle with a black
    /// border, `side` mm wide, its top-left corner at (x, y).
    fn symbol(&mut self, x: f64, y: f64, side: f64, bg: &str) {
        let s = side / 100.0;
        let fg = &self.fg;
        let _ = write!(
            self.svg,
            r#"<g data-field="symbol" transform="translate({x:.2},{y:.2}) scale({s:.4})"><path d="M50 2 L98 85 L2 85 Z" fill="{fg}" stroke="{fg}" stroke-width="4" stroke-linejoin="round"/><path d="M50 14 L88 79 L12 79 Z" fill="{bg}"/><g stroke="{fg}" stroke-width="3" stroke-linecap="round" fill="none"><path d="M36 74 L36 38"/><path d="M36 56 L26 45"/><path d="M36 49 L45 39"/><path d="M36 44 L31 33"/><path d="M26 45 L23 47"/><path d="M45 39 L47 35"/><path d="M20 75 L80 75"/></g><path d="M49 67 Q60 59 71 67 Q60 75 49 67 Z" fill="{fg}"/><path d="M70 67 L77 62 L77 72 Z" fill="{fg}"/><path d="M53 65.5 L56 68.5 M56 65.5 L53 68.5" stroke="{bg}" stroke-width="1"/></g>"#
        );
    }
}

fn open(sign: SignType, size: SignSize, rules: &SignRules, digest: &str) -> Canvas {
    let (w, h) = (f64::from(size.width_mm), f64::from(size.height_mm));
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}" data-sign="{}" data-standard="{}" data-digest="{digest}">"#,
        sign.as_str(),
        xml_escape(&rules.standard)
    );
    let border = (w * 0.008).max(2.0);
    let _ = write!(
        svg,
        r#"<rect x="{b2:.2}" y="{b2:.2}" width="{:.2}" height="{:.2}" fill="{}" stroke="{}" stroke-width="{border:.2}"/>"#,
        w - border,
        h - border,
        rules.background,
        rules.foreground,
        b2 = border / 2.0
    );
    Canvas {
        svg,
        fg: rules.foreground.clone(),
    }
}

fn names(rules: &SignRules, sign: SignType, key: &str) -> String {
    rules
        .field(sign, key)
        .map(|f| format!("{} {}", f.zh, f.en))
        .unwrap_or_else(|| key.to_owned())
}

/// Renders the storage-facility sign for a viewing distance (the smallest size without one). Refuses a sign that
/// lacks a required field rather than print it.
pub fn render_facility(
    sign: &FacilitySign,
    rules: &SignRules,
    distance_m: Option<Decimal>,
) -> Result<String, SignError> {
    let missing = sign.missing(rules);
    if !missing.is_empty() {
        return Err(SignError::Incomplete {
            sign: "facility".into(),
            missing,
        });
    }
    let size = rules.size_for(SignType::Facility, distance_m);
    let (w, h, t) = (
        f64::from(size.width_mm),
        f64::from(size.height_mm),
        f64::from(size.text_mm),
    );
    let mut c = open(SignType::Facility, size, rules, &sign.digest());
    let m = w * 0.04;
    // Header: the symbol, then the title in Chinese and English.
    let side = (h * 0.42).min(w * 0.32);
    c.symbol(m, m, side, &rules.background);
    let tx = m + side + m;
    let tw = w - tx - m;
    let title = t * 1.8;
    let title_zh = fit(&sign.title_zh, tw, title);
    let head_h = side * 0.87;
    c.text(tx, m + head_h * 0.45, title, true, Some("title"), &title_zh);
    c.text(
        tx,
        m + head_h * 0.45 + t * 1.7,
        t,
        true,
        Some("title_en"),
        &fit(&sign.title_en, tw, t),
    );
    let rule_y = m + head_h + m * 0.6;
    let _ = write!(
        c.svg,
        r#"<rect x="{m:.2}" y="{rule_y:.2}" width="{:.2}" height="{:.2}" fill="{}"/>"#,
        w - 2.0 * m,
        (t * 0.15).max(1.0),
        rules.foreground
    );
    let mut y = rule_y + m * 0.6 + t;
    let rows: [(&str, Option<&str>); 6] = [
        ("unit_name", Some(&sign.unit_name)),
        ("facility_name", Some(&sign.facility_name)),
        ("facility_code", Some(&sign.facility_code)),
        ("location", sign.location.as_deref()),
        ("responsible", Some(&sign.responsible)),
        ("contact", Some(&sign.contact)),
    ];
    for (key, value) in rows {
        let Some(v) = value.filter(|v| filled(v)) else {
            continue;
        };
        if rules.field(SignType::Facility, key).is_none() {
            continue;
        }
        y = c.field(
            m,
            y,
            w - 2.0 * m,
            t,
            key,
            &names(rules, SignType::Facility, key),
            v,
            2,
        );
    }
    if y - t > h - m {
        // Text ran past the bottom edge: the size table is too small for this content.
        let _ = write!(c.svg, r#"<desc data-overflow="true">text overflows</desc>"#);
    }
    c.svg.push_str("</svg>");
    Ok(c.svg)
}

/// Renders the storage-zone sign of one zone for a viewing distance: the title, a plan of the site's zones with
/// this one marked, and what the zone holds. Refuses a sign that lacks a required field.
pub fn render_zone(
    sign: &ZoneSign,
    rules: &SignRules,
    distance_m: Option<Decimal>,
) -> Result<String, SignError> {
    let missing = sign.missing(rules);
    if !missing.is_empty() {
        return Err(SignError::Incomplete {
            sign: "zone".into(),
            missing,
        });
    }
    let mut zones = sign.zones.clone();
    if zones.is_empty() {
        zones.push(sign.zone_name.clone());
    } else if !zones.contains(&sign.zone_name) {
        return Err(SignError::ZoneNotInPlan {
            zone: sign.zone_name.clone(),
        });
    }
    let size = rules.size_for(SignType::Zone, distance_m);
    let (w, h, t) = (
        f64::from(size.width_mm),
        f64::from(size.height_mm),
        f64::from(size.text_mm),
    );
    let mut c = open(SignType::Zone, size, rules, &sign.digest());
    let m = w * 0.035;
    let side = h * 0.2;
    c.symbol(m, m, side, &rules.background);
    let tx = m + side + m;
    let tw = w - tx - m;
    let title = t * 1.8;
    c.text(
        tx,
        m + side * 0.45,
        title,
        true,
        Some("title"),
        &fit("危险废物贮存分区标志", tw, title),
    );
    c.text(
        tx,
        m + side * 0.45 + t * 1.6,
        t,
        true,
        Some("title_en"),
        &fit("HAZARDOUS WASTE STORAGE ZONE", tw, t),
    );
    let rule_y = m + side * 0.87 + m * 0.5;
    let _ = write!(
        c.svg,
        r#"<rect x="{m:.2}" y="{rule_y:.2}" width="{:.2}" height="{:.2}" fill="{}"/>"#,
        w - 2.0 * m,
        (t * 0.15).max(0.8),
        rules.foreground
    );
    let top = rule_y + m * 0.6;

    // Left: the plan of zones, this one filled and marked.
    let plan_w = (w - 3.0 * m) * 0.38;
    let plan_h = h - top - m - t * 2.0;
    let n = zones.len();
    let cols = (n as f64).sqrt().ceil().max(1.0) as usize;
    let rows = n.div_ceil(cols);
    let gap = t * 0.5;
    let bw = (plan_w - gap * (cols as f64 - 1.0)) / cols as f64;
    let bh = ((plan_h - gap * (rows as f64 - 1.0)) / rows as f64).min(bw);
    let _ = write!(c.svg, r#"<g data-field="zone_plan">"#);
    c.text(
        m,
        top + t,
        t,
        true,
        None,
        &fit(&names(rules, SignType::Zone, "zone_plan"), plan_w, t),
    );
    let plan_top = top + t * 1.6;
    let zt = t.min(bh * 0.35);
    for (i, z) in zones.iter().enumerate() {
        let (col, row) = (i % cols, i / cols);
        let x = m + col as f64 * (bw + gap);
        let y = plan_top + row as f64 * (bh + gap);
        let here = *z == sign.zone_name;
        let (fill, ink) = if here {
            (rules.foreground.as_str(), rules.background.as_str())
        } else {
            ("none", rules.foreground.as_str())
        };
        let _ = write!(
            c.svg,
            r#"<rect x="{x:.2}" y="{y:.2}" width="{bw:.2}" height="{bh:.2}" fill="{fill}" stroke="{}" stroke-width="{:.2}" data-zone="{}" data-current="{here}"/>"#,
            rules.foreground,
            (t * 0.12).max(0.6),
            xml_escape(z)
        );
        let _ = write!(
            c.svg,
            r#"<text x="{:.2}" y="{:.2}" font-size="{zt:.2}" font-family="sans-serif" text-anchor="middle" fill="{ink}" font-weight="bold">{}</text>"#,
            x + bw / 2.0,
            y + bh / 2.0 + zt * 0.35 - if here { zt * 0.9 } else { 0.0 },
            xml_escape(&fit(z, bw - zt * 0.6, zt))
        );
        if here {
            // "You are here" on two short lines, so that it fits a small box.
            let small = zt * 0.75;
            let _ = write!(
                c.svg,
                r#"<text x="{:.2}" y="{:.2}" font-size="{small:.2}" font-family="sans-serif" text-anchor="middle" fill="{ink}" data-field="you_are_here"><tspan x="{:.2}">{}</tspan><tspan x="{:.2}" dy="{:.2}">{}</tspan></text>"#,
                x + bw / 2.0,
                y + bh / 2.0 + zt * 0.9,
                x + bw / 2.0,
                xml_escape(&fit("▲ 您在此", bw - small, small)),
                x + bw / 2.0,
                small * 1.3,
                xml_escape(&fit("You are here", bw - small, small))
            );
        }
    }
    c.svg.push_str("</g>");

    // Right: the zone, its wastes, emergency equipment, responsible person.
    let rx = m + plan_w + m;
    let rw = w - rx - m;
    let mut y = top + t;
    y = c.field(
        rx,
        y,
        rw,
        t,
        "facility_name",
        &names(rules, SignType::Zone, "facility_name"),
        &sign.facility_name,
        1,
    );
    y = c.field(
        rx,
        y,
        rw,
        t,
        "zone_name",
        &names(rules, SignType::Zone, "zone_name"),
        &sign.zone_name,
        1,
    );
    c.text(
        rx,
        y,
        t,
        true,
        None,
        &fit(
            &format!("{}:", names(rules, SignType::Zone, "wastes")),
            rw,
            t,
        ),
    );
    y += t * 1.45;
    // Keep room for the last three rows (emergency, responsible, contact).
    let bottom = h - m - t * 1.45 * 3.0;
    // Each waste takes two lines: its name, then its code and hazard characteristics.
    let lines = (((bottom - y) / (t * 1.45)).floor().max(2.0)) as usize;
    let total = sign.wastes.len();
    let take = if total * 2 > lines {
        (lines - 1) / 2
    } else {
        total
    };
    for wz in sign.wastes.iter().take(take) {
        let hz: Vec<String> = wz
            .hazards
            .iter()
            .map(|h| format!("{} {}", h.name_zh(), h.as_str()))
            .collect();
        let name = format!("• {}", wz.name);
        c.text(
            rx + t * 0.5,
            y,
            t,
            false,
            Some("wastes"),
            &fit(&name, rw - t * 0.5, t),
        );
        y += t * 1.45;
        let detail = format!("{}  {}", wz.code.as_deref().unwrap_or("—"), hz.join(" / "));
        c.text(
            rx + t * 1.5,
            y,
            t,
            false,
            Some("wastes"),
            &fit(&detail, rw - t * 1.5, t),
        );
        y += t * 1.45;
    }
    if take < total {
        c.text(
            rx + t,
            y,
            t,
            false,
            Some("wastes"),
            &format!("… +{} 种 more", total - take),
        );
        y += t * 1.45;
    }
    if let Some(e) = sign.emergency.as_deref().filter(|e| filled(e)) {
        y = c.field(
            rx,
            y,
            rw,
            t,
            "emergency",
            &names(rules, SignType::Zone, "emergency"),
            e,
            1,
        );
    }
    y = c.field(
        rx,
        y,
        rw,
        t,
        "responsible",
        &names(rules, SignType::Zone, "responsible"),
        &sign.responsible,
        1,
    );
    let y = c.field(
        rx,
        y,
        rw,
        t,
        "contact",
        &names(rules, SignType::Zone, "contact"),
        &sign.contact,
        1,
    );
    if y - t > h - m {
        let _ = write!(c.svg, r#"<desc data-overflow="true">text overflows</desc>"#);
    }
    c.svg.push_str("</svg>");
    Ok(c.svg)
}
