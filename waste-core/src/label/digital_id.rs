//! The digital identification code: unit code, waste code digits, date and sequence.

use crate::catalogue::HwCode;
use serde::{Deserialize, Serialize};
use time::Date;

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
