//! CAS Registry Numbers with their check digit.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A CAS number whose format and check digit have been verified. The only constructor is [`CasNumber::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CasNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CasError {
    #[error("'{0}' is not a CAS number (expected digits like 75-09-2)")]
    Format(String),
    #[error("'{input}' has a wrong check digit (expected {expected})")]
    CheckDigit { input: String, expected: u32 },
}

impl CasNumber {
    /// Parses `NNNNNNN-NN-N` (2 to 7 digits in the first part) and verifies the check digit: the sum of each
    /// digit (right to left, excluding the check digit) times its position, modulo 10.
    pub fn parse(input: &str) -> Result<Self, CasError> {
        let s = input.trim();
        let mut parts = s.split('-');
        let (Some(a), Some(b), Some(c), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(CasError::Format(input.to_owned()));
        };
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|d| d.is_ascii_digit());
        let shape_ok = digits(a)
            && digits(b)
            && digits(c)
            && (2..=7).contains(&a.len())
            && b.len() == 2
            && c.len() == 1;
        if !shape_ok {
            return Err(CasError::Format(input.to_owned()));
        }
        let body = a.bytes().chain(b.bytes()).rev();
        let sum: u32 = body
            .enumerate()
            .map(|(i, d)| (i as u32 + 1) * u32::from(d - b'0'))
            .sum();
        let expected = sum % 10;
        let given = u32::from(c.as_bytes()[0] - b'0');
        if expected != given {
            return Err(CasError::CheckDigit {
                input: input.to_owned(),
                expected,
            });
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CasNumber {
    type Err = CasError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for CasNumber {
    type Error = CasError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<CasNumber> for String {
    fn from(c: CasNumber) -> Self {
        c.0
    }
}

impl fmt::Display for CasNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_numbers_parse() {
        for s in ["75-09-2", "7732-18-5", "67-56-1", "7664-93-9", "86290-81-5"] {
            assert_eq!(CasNumber::parse(s).map(|c| c.to_string()), Ok(s.to_owned()));
        }
    }

    #[test]
    fn wrong_check_digit_is_refused_with_the_expected_digit() {
        assert_eq!(
            CasNumber::parse("75-09-3"),
            Err(CasError::CheckDigit {
                input: "75-09-3".into(),
                expected: 2
            })
        );
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for s in [
            "",
            "75092",
            "7-09-2",
            "75-9-2",
            "75-09-22",
            "75-09-x",
            "12345678-09-2",
            "75-09-2-1",
        ] {
            assert!(
                matches!(CasNumber::parse(s), Err(CasError::Format(_))),
                "{s}"
            );
        }
    }
}
