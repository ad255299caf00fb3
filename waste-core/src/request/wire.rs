//! The wire shape of a request (`WasteRequest`) and the reading of its JSON, naming the field of any error.

use super::InputError;
use super::kinds::{
    AdsorbentUse, BiologicalMaterial, ConsumableMaterial, Fate, Form, LabKind, Origin,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The wire shape of a classification request. Decimal fractions travel as strings (no precision lost).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WasteRequest {
    #[serde(default)]
    pub description: String,
    pub form: Form,
    pub origin: Origin,
    #[serde(default)]
    pub fate: Fate,
    #[serde(default)]
    pub lab_kind: LabKind,
    #[serde(default)]
    pub radioactive: bool,
    #[serde(default)]
    pub cleaned_per_lab_rules: bool,
    /// False when the waste is not collected separately from ordinary refuse (exemption list conditions).
    #[serde(default = "yes")]
    pub sorted_collection: bool,
    /// Only for origin `contaminated_consumables`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material: Option<ConsumableMaterial>,
    /// Only for origin `spent_adsorbent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adsorbent_use: Option<AdsorbentUse>,
    /// The infectivity flag: `true` when the waste is, or may be, infectious (it carries pathogens, patients'
    /// blood or body fluids, or cultures); `false` when declared not infectious (no biological agent, or already
    /// inactivated). Only for lab_kind `biological` or `medical`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infectious: Option<bool>,
    /// What a biological or medical laboratory's waste is (Medical Waste Classification Catalogue 2021). Only for
    /// lab_kind `biological` or `medical`. Biological by nature, it needs no component.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biological: Option<BiologicalMaterial>,
    #[serde(default)]
    pub components: Vec<ComponentRequest>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ComponentRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub cas: Option<String>,
    /// Mass fraction of the whole waste, a decimal string from 0 to 1, e.g. "0.35".
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "0.35"))]
    #[serde(default, with = "fraction_str")]
    pub fraction: Option<Decimal>,
}

/// A component's fraction on the wire: a decimal string, or absent / null for "not given". An empty or blank
/// string is refused, never read as "not given": a form that sent an empty field would otherwise make a single
/// component the whole waste.
mod fraction_str {
    use rust_decimal::Decimal;
    use serde::Serializer;
    use serde::de::{self, Deserializer, Visitor};
    use std::fmt;
    use std::str::FromStr;

    pub fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        rust_decimal::serde::str_option::serialize(v, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        d.deserialize_option(Fraction)
    }

    struct Fraction;

    impl<'de> Visitor<'de> for Fraction {
        type Value = Option<Decimal>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a decimal string from 0 to 1, e.g. \"0.35\"")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_str(self)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            if t.is_empty() {
                return Err(E::custom(
                    "an empty fraction is not accepted: give a decimal string from 0 to 1 (e.g. \"0.35\"), or leave the field out when the fraction is not known",
                ));
            }
            Decimal::from_str(t)
                .or_else(|_| Decimal::from_scientific(t))
                .map(Some)
                .map_err(|_| E::custom(format!("'{v}' is not a decimal number: give a decimal string from 0 to 1, e.g. \"0.35\"")))
        }
    }
}

/// Largest request text accepted, in bytes. A classification request is a few hundred bytes; 64 KiB holds
/// `MAX_COMPONENTS` components with long names many times over.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// Parses a JSON request, naming the field of any error (e.g. `origin: unknown variant ...`). A leading UTF-8
/// byte-order mark (what Windows Notepad writes) is accepted; content after the JSON object is refused; an enum
/// field's error lists the accepted values.
pub fn parse_request(json: &str) -> Result<WasteRequest, InputError> {
    if json.len() > MAX_REQUEST_BYTES {
        return Err(InputError::new(
            "body",
            format!(
                "the request is {} bytes, more than the {} bytes accepted",
                json.len(),
                MAX_REQUEST_BYTES
            ),
        ));
    }
    let json = json.strip_prefix('\u{feff}').unwrap_or(json);
    let de = &mut serde_json::Deserializer::from_str(json);
    let req: WasteRequest = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        let message = with_accepted_values(&field, e.into_inner().to_string());
        InputError::new(field, message)
    })?;
    de.end().map_err(|e| {
        InputError::new(
            "body",
            format!("unexpected content after the JSON object ({e}); send exactly one object"),
        )
    })?;
    Ok(req)
}

/// The accepted values of each enum field of a classification request, by its JSON path (also when the request is
/// nested as `waste` in another body).
pub fn accepted_values(field: &str) -> Option<&'static [String]> {
    let field = field.strip_prefix("waste.").unwrap_or(field);
    fn names<T: Serialize>(all: &[T]) -> Vec<String> {
        all.iter()
            .filter_map(|v| match serde_json::to_value(v) {
                Ok(serde_json::Value::String(s)) => Some(s),
                _ => None,
            })
            .collect()
    }
    static TABLE: std::sync::OnceLock<Vec<(&'static str, Vec<String>)>> =
        std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        vec![
            (
                "form",
                names(&[
                    Form::Liquid,
                    Form::Solid,
                    Form::SemiSolid,
                    Form::GasInContainer,
                ]),
            ),
            ("origin", names(&Origin::ALL)),
            (
                "fate",
                names(&[
                    Fate::Discard,
                    Fate::ReuseAsIs,
                    Fate::ReturnToProcess,
                    Fate::KeptForAnalysis,
                    Fate::DischargeMeetsStandard,
                    Fate::TreatThenDischarge,
                    Fate::NeutralizeThenDischarge,
                ]),
            ),
            (
                "lab_kind",
                names(&[LabKind::Chemical, LabKind::Biological, LabKind::Medical]),
            ),
            ("material", names(&ConsumableMaterial::ALL)),
            ("adsorbent_use", names(&AdsorbentUse::ALL)),
            ("biological", names(&BiologicalMaterial::ALL)),
        ]
    });
    table
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, v)| v.as_slice())
}

/// An enum field's error always lists the accepted values (serde lists them for an unknown name, not for a value
/// of the wrong type such as a number or null).
pub fn with_accepted_values(field: &str, message: String) -> String {
    match accepted_values(field) {
        Some(values) if !message.contains("expected one of") => {
            let list: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
            format!("{message}; accepted values: {}", list.join(", "))
        }
        _ => message,
    }
}
