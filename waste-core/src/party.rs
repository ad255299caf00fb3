//! Parties: organisation kinds, user roles, the unified social credit code (GB 32100-2015) and region codes.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    School,
    TransferStation,
    DisposalFirm,
    Carrier,
    /// Education bureau: read-only oversight.
    Authority,
}

impl OrgKind {
    pub const ALL: [OrgKind; 5] = [
        Self::School,
        Self::TransferStation,
        Self::DisposalFirm,
        Self::Carrier,
        Self::Authority,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::School => "school",
            Self::TransferStation => "transfer_station",
            Self::DisposalFirm => "disposal_firm",
            Self::Carrier => "carrier",
            Self::Authority => "authority",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    LabStaff,
    SafetyOfficer,
    StationOperator,
    Driver,
    DisposalOperator,
    Auditor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Self::LabStaff,
        Self::SafetyOfficer,
        Self::StationOperator,
        Self::Driver,
        Self::DisposalOperator,
        Self::Auditor,
        Self::Admin,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LabStaff => "lab_staff",
            Self::SafetyOfficer => "safety_officer",
            Self::StationOperator => "station_operator",
            Self::Driver => "driver",
            Self::DisposalOperator => "disposal_operator",
            Self::Auditor => "auditor",
            Self::Admin => "admin",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("a unified social credit code has 18 characters, '{0}' has {1}")]
    Length(String, usize),
    #[error("'{0}' has a character outside 0-9 and A-Y without I, O, S, V, Z")]
    Charset(String),
    #[error("'{input}' has a wrong check character (expected {expected})")]
    Check { input: String, expected: char },
}

/// Validates a unified social credit code (统一社会信用代码) with its check character (GB 32100-2015): each of
/// the first 17 characters' value times its weight 3^(i) mod 31, summed; check = 31 − sum mod 31 (31 → 0).
pub fn validate_credit_code(s: &str) -> Result<String, CreditCodeError> {
    let s = s.trim().to_ascii_uppercase();
    let n = s.chars().count();
    if n != 18 {
        return Err(CreditCodeError::Length(s, n));
    }
    let vals: Option<Vec<u32>> = s
        .bytes()
        .map(|b| USCC_CHARS.iter().position(|c| *c == b).map(|p| p as u32))
        .collect();
    let Some(vals) = vals else {
        return Err(CreditCodeError::Charset(s));
    };
    let sum: u32 = vals[..17]
        .iter()
        .zip(USCC_WEIGHTS)
        .map(|(v, w)| v * w)
        .sum();
    let check = (31 - sum % 31) % 31;
    if vals[17] != check {
        return Err(CreditCodeError::Check {
            expected: USCC_CHARS[check as usize] as char,
            input: s,
        });
    }
    Ok(s)
}

/// Province-level codes of GB/T 2260 (the first two digits of a 6-digit administrative division code).
const PROVINCES: [u8; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

/// A 6-digit administrative division code (GB/T 2260) whose province part exists.
pub fn validate_region_code(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "'{s}' is not a 6-digit administrative division code"
        ));
    }
    let province: u8 = s[..2].parse().unwrap_or(0);
    if !PROVINCES.contains(&province) {
        return Err(format!(
            "'{s}' starts with {province:02}, which is no province code of GB/T 2260"
        ));
    }
    Ok(s.to_owned())
}

/// The division an authority of `region` oversees, as the prefix its organisations' codes share: the code
/// without its trailing zero pairs (GB/T 2260: digits 1-2 province, 3-4 prefecture, 5-6 county; "220100", a
/// prefecture's bureau, oversees every "2201xx"; "220102", a county's, only "220102"). Only digits are kept, so
/// the prefix is safe inside a LIKE pattern.
pub fn division_prefix(region: &str) -> String {
    let mut p: String = region.chars().filter(char::is_ascii_digit).collect();
    while p.ends_with("00") {
        p.truncate(p.len() - 2);
    }
    p
}

/// The training dates a service accepts (policy setting, no source fixes them): not before `earliest`
/// (`WASTE_TRAINING_EARLIEST`, default 2000-01-01), not after `latest` (`WASTE_TRAINING_LATEST`, default
/// 2099-12-31), and, when `years_ahead` is set (`WASTE_TRAINING_YEARS_AHEAD`, e.g. 5), not more than that many
/// years after today. A record dated 1900 or 2999 is a typing error or a way to exempt a user from training for
/// ever (issue 29, item 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrainingBounds {
    pub earliest: time::Date,
    pub latest: time::Date,
    pub years_ahead: Option<u8>,
}

impl Default for TrainingBounds {
    fn default() -> Self {
        TrainingBounds {
            earliest: time::Date::from_calendar_date(2000, time::Month::January, 1)
                .unwrap_or(time::Date::MIN),
            latest: time::Date::from_calendar_date(2099, time::Month::December, 31)
                .unwrap_or(time::Date::MAX),
            years_ahead: None,
        }
    }
}

impl TrainingBounds {
    /// Whether `d` is a training date to record on `today`.
    pub fn check(&self, d: time::Date, today: time::Date) -> Result<(), String> {
        if d < self.earliest {
            return Err(format!(
                "{d} is before {} (policy setting WASTE_TRAINING_EARLIEST)",
                self.earliest
            ));
        }
        if d > self.latest {
            return Err(format!(
                "{d} is after {} (policy setting WASTE_TRAINING_LATEST)",
                self.latest
            ));
        }
        if let Some(n) = self.years_ahead {
            let year = today.year() + i32::from(n);
            // 29 February, n years on, is 28 February.
            let limit = today
                .replace_year(year)
                .or_else(|_| (today - time::Duration::days(1)).replace_year(year))
                .unwrap_or(time::Date::MAX);
            if d > limit {
                return Err(format!(
                    "{d} is more than {n} years ahead, after {limit} (policy setting WASTE_TRAINING_YEARS_AHEAD)"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod training_bounds_tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn training_dates_are_bounded_by_the_policy_setting() {
        let b = TrainingBounds::default();
        let today = date!(2026 - 12 - 07);
        assert!(b.check(date!(1900 - 01 - 01), today).is_err());
        assert!(b.check(date!(1999 - 12 - 31), today).is_err());
        assert!(b.check(date!(2000 - 01 - 01), today).is_ok());
        assert!(b.check(date!(2099 - 12 - 31), today).is_ok());
        assert!(b.check(date!(2999 - 12 - 31), today).is_err());
        let five = TrainingBounds {
            years_ahead: Some(5),
            ..b
        };
        assert!(five.check(date!(2031 - 12 - 07), today).is_ok());
        assert!(five.check(date!(2031 - 12 - 08), today).is_err());
        assert!(
            five.check(date!(2033 - 02 - 28), date!(2028 - 02 - 29))
                .is_ok()
        );
        assert!(
            five.check(date!(2033 - 03 - 01), date!(2028 - 02 - 29))
                .is_err()
        );
    }
}

/// Makes a valid credit code from a 17-character body (for examples and tests).
pub fn credit_code_with_check(body17: &str) -> Option<String> {
    let vals: Option<Vec<u32>> = body17
        .bytes()
        .map(|b| USCC_CHARS.iter().position(|c| *c == b).map(|p| p as u32))
        .collect();
    let vals = vals.filter(|v| v.len() == 17)?;
    let sum: u32 = vals.iter().zip(USCC_WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    Some(format!("{body17}{}", USCC_CHARS[check as usize] as char))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GB/T 2260: a prefecture's bureau oversees its counties, a county's only itself.
    #[test]
    fn gb_t_2260_division_prefix_drops_trailing_zero_pairs() {
        assert_eq!(division_prefix("220100"), "2201");
        assert_eq!(division_prefix("220102"), "220102");
        assert_eq!(division_prefix("220000"), "22");
        assert_eq!(division_prefix("000000"), "");
    }

    /// GB 32100-2015: the published example code validates; changing its check character does not.
    #[test]
    fn credit_code_check_character_gb_32100() {
        assert_eq!(
            validate_credit_code("91350100M000100Y43"),
            Ok("91350100M000100Y43".into())
        );
        assert!(matches!(
            validate_credit_code("91350100M000100Y44"),
            Err(CreditCodeError::Check { expected: '3', .. })
        ));
        assert!(matches!(
            validate_credit_code("91350100M000100Y4"),
            Err(CreditCodeError::Length(_, 17))
        ));
        assert!(matches!(
            validate_credit_code("91350100M000100I43"),
            Err(CreditCodeError::Charset(_))
        ));
        let made = credit_code_with_check("91220101MA0000001").expect("body");
        assert!(validate_credit_code(&made).is_ok());
    }

    #[test]
    fn region_codes_need_a_real_province() {
        assert!(validate_region_code("220102").is_ok());
        assert!(validate_region_code("990102").is_err());
        assert!(validate_region_code("22010").is_err());
        assert!(validate_region_code("22010a").is_err());
    }
}
