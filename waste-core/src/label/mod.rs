//! HJ 1276-2022 container label: the model, its completeness check, size by container volume, the digital
//! identification code, and an SVG rendering with a QR code that carries that code.

mod digital_id;
mod draw;
mod rules;

pub use digital_id::{DigitalId, DigitalIdError};
pub use draw::{qr_svg, render_svg};
pub use rules::{LabelLook, LabelRules, LabelSize};

use crate::hazard::Hazard;
use crate::request::Form;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

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
