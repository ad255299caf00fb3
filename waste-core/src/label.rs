//! HJ 1276-2022 container label: the model, its completeness check, size by container volume, the digital
//! identification code, and an SVG rendering with a QR code that carries that code.

use crate::catalogue::HwCode;
use crate::hazard::Hazard;
use crate::request::Form;
use qrcode::{Color, EcLevel, QrCode};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::str::FromStr;
use time::Date;

/// Size rules and digital-id layout (labels.toml).
#[derive(Debug, Clone)]
pub struct LabelRules {
    pub standard: String,
    sizes: Vec<(Option<Decimal>, u32, u32)>,
    pub two_labels_above_l: Decimal,
    pub id_segments: Vec<usize>,
    pub look: LabelLook,
}

/// How the label looks (`labels.toml` `[look]`): colours with their confidence, and the settings no source
/// confirms (hazard pictograms, field order), marked as such.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelLook {
    /// `#RRGGBB`.
    pub background: String,
    pub foreground: String,
    pub colour_confidence: crate::citation::Confidence,
    pub colour_source: String,
    /// Whether hazard pictograms are drawn (none is, until a source gives their artwork).
    pub pictograms: bool,
    pub pictograms_confidence: crate::citation::Confidence,
    pub field_order_confidence: crate::citation::Confidence,
}

impl LabelRules {
    pub fn parse(text: &str) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Raw {
            standard: Std,
            size: Vec<Size>,
            two_labels_above_l: String,
            digital_id: Id,
            look: Look,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Look {
            background: String,
            foreground: String,
            colour_confidence: crate::citation::Confidence,
            colour_source: String,
            pictograms: bool,
            pictograms_confidence: crate::citation::Confidence,
            field_order_confidence: crate::citation::Confidence,
        }
        #[derive(Deserialize)]
        struct Std {
            name: String,
        }
        #[derive(Deserialize)]
        struct Size {
            max_volume_l: Option<String>,
            side_mm: u32,
            text_mm: u32,
        }
        #[derive(Deserialize)]
        struct Id {
            length: usize,
            segments: Vec<usize>,
        }
        let raw: Raw = toml::from_str(text).map_err(|e| format!("labels: {e}"))?;
        let dec = |s: &str| Decimal::from_str(s).map_err(|e| format!("labels: '{s}': {e}"));
        let mut sizes = Vec::new();
        for s in raw.size {
            sizes.push((
                s.max_volume_l.as_deref().map(dec).transpose()?,
                s.side_mm,
                s.text_mm,
            ));
        }
        if sizes.last().is_none_or(|s| s.0.is_some()) {
            return Err("labels: the last size must have no upper volume".into());
        }
        if raw.digital_id.segments.iter().sum::<usize>() != raw.digital_id.length
            || raw.digital_id.segments.len() != 4
        {
            return Err("labels: digital_id segments must be 4 and add up to its length".into());
        }
        let colour = |c: &str| {
            let ok =
                c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|x| x.is_ascii_hexdigit());
            if ok {
                Ok(c.to_ascii_uppercase())
            } else {
                Err(format!("labels: colour '{c}' is not #RRGGBB"))
            }
        };
        if raw.look.pictograms {
            return Err(
                "labels: pictograms = true, but no pictogram artwork is in the data".into(),
            );
        }
        let look = LabelLook {
            background: colour(&raw.look.background)?,
            foreground: colour(&raw.look.foreground)?,
            colour_confidence: raw.look.colour_confidence,
            colour_source: raw.look.colour_source,
            pictograms: raw.look.pictograms,
            pictograms_confidence: raw.look.pictograms_confidence,
            field_order_confidence: raw.look.field_order_confidence,
        };
        Ok(Self {
            look,
            standard: raw.standard.name,
            sizes,
            two_labels_above_l: dec(&raw.two_labels_above_l)?,
            id_segments: raw.digital_id.segments,
        })
    }

    /// Minimum label size, text height and number of labels for a container (HJ 1276-2022; docs/rules.md "Labels"). Exactly
    /// 450 L matches two rows of the source table and takes the larger label.
    pub fn size_for(&self, volume_l: Decimal) -> LabelSize {
        let mut chosen = self.sizes[self.sizes.len() - 1];
        for s in &self.sizes {
            match s.0 {
                Some(max)
                    if volume_l < max || (volume_l == max && max < self.two_labels_above_l) =>
                {
                    chosen = *s;
                    break;
                }
                Some(_) => {}
                None => break,
            }
        }
        LabelSize {
            side_mm: chosen.1,
            text_mm: chosen.2,
            count: if volume_l > self.two_labels_above_l {
                2
            } else {
                1
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelSize {
    pub side_mm: u32,
    pub text_mm: u32,
    /// Two labels on opposite sides above 450 L.
    pub count: u8,
}

/// The digital identification code: unit code (18) + waste code digits (8) + date YYYYMMDD (8) + sequence (3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DigitalId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigitalIdError {
    #[error("unit code '{0}' must be 18 characters (unified social credit code)")]
    UnitCode(String),
    #[error(
        "sequence {0} does not fit in 3 digits: the HJ 1276-2022 digital identification code numbers at most 999 \
         containers per unit, waste code and day"
    )]
    Sequence(u32),
    #[error("'{0}' is not a 37-character digital identification code")]
    Format(String),
}

impl DigitalId {
    pub fn new(
        unit_code: &str,
        code: &HwCode,
        date: Date,
        sequence: u32,
    ) -> Result<Self, DigitalIdError> {
        if unit_code.chars().count() != 18 || !unit_code.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(DigitalIdError::UnitCode(unit_code.to_owned()));
        }
        if sequence > 999 {
            return Err(DigitalIdError::Sequence(sequence));
        }
        let digits: String = code.as_str().chars().filter(char::is_ascii_digit).collect();
        Ok(Self(format!(
            "{unit_code}{digits}{:04}{:02}{:02}{sequence:03}",
            date.year(),
            u8::from(date.month()),
            date.day()
        )))
    }

    pub fn parse(s: &str) -> Result<Self, DigitalIdError> {
        let ok = s.len() == 37
            && s.is_ascii()
            && s[..18].chars().all(|c| c.is_ascii_alphanumeric())
            && s[18..].chars().all(|c| c.is_ascii_digit());
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(DigitalIdError::Format(s.to_owned()))
        }
    }

    /// The four segments: unit code, waste code digits, date, sequence.
    pub fn segments(&self) -> [&str; 4] {
        let s = self.0.as_str();
        [&s[..18], &s[18..26], &s[26..34], &s[34..]]
    }

    /// Segment 2 as a waste code `NNN-NNN-NN`.
    pub fn waste_code(&self) -> String {
        let d = self.segments()[1];
        format!("{}-{}-{}", &d[..3], &d[3..6], &d[6..])
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Everything HJ 1276-2022 asks a container label to show (docs/rules.md "Labels"), plus the optional fields whose
/// requirement is UNCONFIRMED (category, form, precautions, weight, remarks).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Label {
    pub waste_name: String,
    pub code: Option<String>,
    pub category: Option<String>,
    pub form: Option<Form>,
    pub main_components: Vec<String>,
    pub hazards: Vec<Hazard>,
    pub precautions: Option<String>,
    pub generation_date: Option<Date>,
    pub generator: String,
    pub contact: String,
    pub digital_id: Option<DigitalId>,
    pub weight_kg: Option<Decimal>,
    pub remarks: Option<String>,
    pub container_volume_l: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelField {
    WasteName,
    Code,
    MainComponents,
    Hazards,
    GenerationDate,
    Generator,
    Contact,
    DigitalId,
    QrCode,
}

impl LabelField {
    /// Chinese and English field names as printed.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::WasteName => ("废物名称", "Waste name"),
            Self::Code => ("废物代码", "Waste code"),
            Self::MainComponents => ("主要成分", "Main components"),
            Self::Hazards => ("危险特性", "Hazard characteristics"),
            Self::GenerationDate => ("产生日期", "Generation date"),
            Self::Generator => ("产生单位", "Generator"),
            Self::Contact => ("联系人及电话", "Contact"),
            Self::DigitalId => ("数字识别码", "Digital ID"),
            Self::QrCode => ("二维码", "QR code"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum LabelError {
    #[error("label incomplete: missing {0:?}")]
    Incomplete(Vec<LabelField>),
    #[error(
        "digital identification code names waste code {id_code}, but the label shows {label_code}"
    )]
    CodeMismatch { id_code: String, label_code: String },
}

impl Label {
    /// The required fields that are empty (docs/rules.md "Labels"). The QR code is generated from the digital id,
    /// so it is missing exactly when the id is.
    pub fn missing(&self) -> Vec<LabelField> {
        let mut m = Vec::new();
        let blank = |s: &str| s.trim().is_empty();
        if blank(&self.waste_name) {
            m.push(LabelField::WasteName);
        }
        if self.code.as_deref().is_none_or(blank) {
            m.push(LabelField::Code);
        }
        if self.main_components.iter().all(|c| blank(c)) {
            m.push(LabelField::MainComponents);
        }
        if self.hazards.is_empty() {
            m.push(LabelField::Hazards);
        }
        if self.generation_date.is_none() {
            m.push(LabelField::GenerationDate);
        }
        if blank(&self.generator) {
            m.push(LabelField::Generator);
        }
        if blank(&self.contact) {
            m.push(LabelField::Contact);
        }
        if self.digital_id.is_none() {
            m.push(LabelField::DigitalId);
            m.push(LabelField::QrCode);
        }
        m
    }

    /// Complete, and the digital id's segment 2 is the label's waste code.
    pub fn check(&self) -> Result<(), LabelError> {
        let missing = self.missing();
        if !missing.is_empty() {
            return Err(LabelError::Incomplete(missing));
        }
        if let (Some(id), Some(code)) = (&self.digital_id, &self.code)
            && id.waste_code() != *code
        {
            return Err(LabelError::CodeMismatch {
                id_code: id.waste_code(),
                label_code: code.clone(),
            });
        }
        Ok(())
    }
}

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
