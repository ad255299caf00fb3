//! The disposal or utilisation operation code of the Basel Convention Annex IV that a correction may set.

/// A disposal or utilisation operation code of the Basel Convention Annex IV: D1–D15 (disposal) or R1–R13
/// (recovery), the codes `hj1259.toml` maps to off-site disposal and utilisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodCode(String);

impl MethodCode {
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let (letter, digits) = s.split_at_checked(1)?;
        let max = match letter {
            "D" => 15,
            "R" => 13,
            _ => return None,
        };
        if digits.is_empty() || digits.len() > 2 || digits.starts_with('0') {
            return None;
        }
        let n: u8 = digits.parse().ok()?;
        (1..=max).contains(&n).then(|| Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Basel Convention Annex IV: D1–D15 and R1–R13 only.
    #[test]
    fn basel_annex_iv_method_codes() {
        for ok in ["D1", "D10", "D15", "R1", "R13"] {
            assert!(MethodCode::parse(ok).is_some(), "{ok}");
        }
        for bad in ["D0", "D16", "R14", "C1", "D", "D01", "d10", "D100", ""] {
            assert!(MethodCode::parse(bad).is_none(), "{bad}");
        }
    }
}
