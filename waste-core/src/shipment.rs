//! The checks a shipment passes on its way: contract and licence at submission (HW Transfer Measures Art.10;
//! Solid Waste Law Art.80), the load check at dispatch (Transfer Measures Art.13) and the receipt lines
//! (Transfer Measures Art.18).

use crate::container::Status;
use serde::Serialize;
use std::collections::BTreeSet;
use time::Date;

/// A disposal firm's business licence as registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Licence {
    pub number: Option<String>,
    pub waste_codes: BTreeSet<String>,
    pub valid_until: Option<Date>,
}

/// One version of a disposal firm's licence: a renewal is a new version from `valid_from`, the old one kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceVersion {
    pub licence: Licence,
    /// None: from the firm's registration.
    pub valid_from: Option<Date>,
}

/// The licence that applies on `day` (Solid Waste Law Art.80: the licence held when the waste is handed over):
/// of the versions started by then, the one started last (the registration's counts as started first); none (no
/// number) before the first.
pub fn licence_on(versions: &[LicenceVersion], day: Date) -> Licence {
    versions
        .iter()
        .enumerate()
        .filter(|(_, v)| v.valid_from.is_none_or(|f| f <= day))
        .max_by_key(|(i, v)| (v.valid_from, *i))
        .map(|(_, v)| v.licence.clone())
        .unwrap_or(Licence {
            number: None,
            waste_codes: BTreeSet::new(),
            valid_until: None,
        })
}

/// A contract between a shipper and a disposal firm as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractTerms {
    pub waste_codes: BTreeSet<String>,
    pub valid_from: Date,
    pub valid_until: Date,
    /// Ended early: it no longer counts from this day.
    pub ended_on: Option<Date>,
    /// Both parties confirmed it, or an administrator recorded it. Transfer Measures Art.10 has the shipper sign
    /// a contract with the receiver: a contract one party recorded alone binds nobody.
    pub confirmed: bool,
}

impl ContractTerms {
    /// Whether the contract counts on `day`: confirmed, begun, not past its end, not ended early.
    pub fn counts_on(&self, day: Date) -> bool {
        self.confirmed
            && self.valid_from <= day
            && day <= self.valid_until
            && self.ended_on.is_none_or(|e| day < e)
    }
}

/// The waste-code lists of the contracts that count on `day` (the `contracts` of `check_contract_and_licence`).
pub fn counting(contracts: &[ContractTerms], day: Date) -> Vec<BTreeSet<String>> {
    contracts
        .iter()
        .filter(|c| c.counts_on(day))
        .map(|c| c.waste_codes.clone())
        .collect()
}

/// Why a shipment step is refused. The `code` of each is the API's error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(untagged)]
pub enum ShipmentRefusal {
    #[error(
        "no contract between the shipper and the disposal firm, confirmed by both, is valid today for every waste code on the manifest"
    )]
    NoValidContract {
        waste_codes: BTreeSet<String>,
        citation: &'static str,
    },
    #[error(
        "the disposal firm's licence has expired or does not cover every waste code on the manifest"
    )]
    LicenceDoesNotCover {
        valid_until: Option<String>,
        not_covered: Vec<String>,
        citation: &'static str,
    },
    #[error(
        "the containers loaded are not exactly those on the manifest (Transfer Measures Art.13)"
    )]
    LoadMismatch {
        missing: Vec<String>,
        unexpected: Vec<String>,
    },
}

impl ShipmentRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoValidContract { .. } => "no_valid_contract",
            Self::LicenceDoesNotCover { .. } => "license_does_not_cover",
            Self::LoadMismatch { .. } => "load_mismatch",
        }
    }
}

/// At submission: a contract valid today between shipper and firm covers every code on the manifest (Transfer
/// Measures Art.10: the shipper verifies the receiver and signs a contract), and the firm's licence is current
/// and covers them (Solid Waste Law Art.80: no hand-over to an unlicensed party). `contracts` are the code lists
/// of the contracts valid on `day`.
pub fn check_contract_and_licence(
    codes: &BTreeSet<String>,
    contracts: &[BTreeSet<String>],
    licence: &Licence,
    day: Date,
) -> Result<(), ShipmentRefusal> {
    if !contracts.iter().any(|c| codes.is_subset(c)) {
        return Err(ShipmentRefusal::NoValidContract {
            waste_codes: codes.clone(),
            citation: "Transfer Measures Art.10; governance plan: schools must contract a disposal firm",
        });
    }
    let current = licence.valid_until.is_some_and(|u| u >= day);
    if licence.number.is_none() || !current || !codes.is_subset(&licence.waste_codes) {
        return Err(ShipmentRefusal::LicenceDoesNotCover {
            valid_until: licence.valid_until.map(|d| d.to_string()),
            not_covered: codes.difference(&licence.waste_codes).cloned().collect(),
            citation: "Solid Waste Law Art.80",
        });
    }
    Ok(())
}

/// At loading: the containers loaded are exactly those on the manifest (Transfer Measures Art.13).
pub fn check_load(
    listed: &BTreeSet<String>,
    loaded: &BTreeSet<String>,
) -> Result<(), ShipmentRefusal> {
    if listed == loaded {
        return Ok(());
    }
    Err(ShipmentRefusal::LoadMismatch {
        missing: listed.difference(loaded).cloned().collect(),
        unexpected: loaded.difference(listed).cloned().collect(),
    })
}

/// A container as the load check sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loading<'a> {
    pub status: Status,
    /// Whether the shipper holds it.
    pub held_by_shipper: bool,
    /// Whether its label is complete (HJ 1276-2022).
    pub labelled: bool,
    pub code: Option<&'a str>,
    /// The code the manifest line declares.
    pub declared_code: &'a str,
}

/// Transfer Measures Art.13: the consignor checks at loading that each container's label matches the manifest;
/// it is loaded only sealed, held by the shipper, labelled, and of the declared code.
pub fn ready_to_load(c: Loading) -> bool {
    c.status.after(crate::container::Step::Dispatch).is_ok()
        && c.held_by_shipper
        && c.labelled
        && c.code == Some(c.declared_code)
}

/// One line of a receipt as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiptLine<'a> {
    pub container_id: &'a str,
    pub accepted: bool,
    pub reason: Option<&'a str>,
}

/// Why a receipt is malformed; `field` names the line as the client wrote it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ReceiptError {
    pub field: String,
    pub message: &'static str,
}

/// Transfer Measures Art.18: the receiver checks each container and accepts or refuses it; one line for every
/// container on the manifest, and a refusal states its reason (the shipper is informed of a mismatch).
pub fn check_receipt(listed: &BTreeSet<String>, lines: &[ReceiptLine]) -> Result<(), ReceiptError> {
    let given: BTreeSet<String> = lines.iter().map(|l| l.container_id.to_owned()).collect();
    if &given != listed || lines.len() != listed.len() {
        return Err(ReceiptError {
            field: "lines".into(),
            message: "give exactly one line for every container on the manifest",
        });
    }
    for (i, l) in lines.iter().enumerate() {
        if l.reason.is_some_and(|s| s.chars().count() > 500) {
            return Err(ReceiptError {
                field: format!("lines[{i}].reason"),
                message: "longer than 500 characters",
            });
        }
        if !l.accepted && l.reason.is_none_or(|s| s.trim().is_empty()) {
            return Err(ReceiptError {
                field: format!("lines[{i}].reason"),
                message: "a rejected container needs a reason (Art.18)",
            });
        }
    }
    Ok(())
}

/// The carrier's vehicle and transport permit as recorded at dispatch (Transfer Measures Art.11: the carrier fills
/// in the vehicle and its permit number). Checked loosely: a plate is a province character or two letters, then
/// 5 to 7 letters and digits (a separator dot, space or hyphen ignored); a permit number is 4 to 40 letters,
/// digits, CJK characters or separators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vehicle {
    pub plate: Option<String>,
    pub permit_no: Option<String>,
}

impl Vehicle {
    pub fn parse(plate: Option<&str>, permit_no: Option<&str>) -> Result<Self, crate::InputError> {
        let plate = plate
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                let norm: String = p
                    .chars()
                    .filter(|c| !matches!(c, '·' | '.' | ' ' | '-'))
                    .flat_map(char::to_uppercase)
                    .collect();
                let mut cs = norm.chars();
                let first = cs.next();
                let rest: Vec<char> = cs.collect();
                let ok = first.is_some_and(|f| {
                    (!f.is_ascii() && f.is_alphabetic()) || f.is_ascii_uppercase()
                }) && (6..=8).contains(&rest.len())
                    && rest
                        .iter()
                        .all(|c| c.is_ascii_alphanumeric() || (!c.is_ascii() && c.is_alphabetic()));
                if ok {
                    Ok(norm)
                } else {
                    Err(crate::InputError::new(
                        "vehicle_plate",
                        "a vehicle plate such as 吉A·12345 or 吉AD12345",
                    ))
                }
            })
            .transpose()?;
        let permit_no = permit_no
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                let n = p.chars().count();
                let ok = (4..=40).contains(&n)
                    && p.chars().all(|c| {
                        c.is_alphanumeric()
                            || matches!(c, '-' | '/' | ' ' | '(' | ')' | '（' | '）' | '第' | '号')
                    });
                if ok {
                    Ok(p.to_owned())
                } else {
                    Err(crate::InputError::new(
                        "transport_permit_no",
                        "4 to 40 letters, digits or separators: the road transport permit number",
                    ))
                }
            })
            .transpose()?;
        Ok(Vehicle { plate, permit_no })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(xs: &[&str]) -> BTreeSet<String> {
        xs.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn art_80_an_expired_licence_is_refused_even_with_a_contract() {
        let day = Date::from_calendar_date(2026, time::Month::June, 1).expect("date");
        let licence = Licence {
            number: Some("L".into()),
            waste_codes: set(&["900-047-49"]),
            valid_until: Date::from_calendar_date(2026, time::Month::May, 31).ok(),
        };
        let r = check_contract_and_licence(
            &set(&["900-047-49"]),
            &[set(&["900-047-49"])],
            &licence,
            day,
        );
        assert_eq!(r.map_err(|e| e.code()), Err("license_does_not_cover"));
        let r = check_contract_and_licence(&set(&["900-047-49"]), &[], &licence, day);
        assert_eq!(r.map_err(|e| e.code()), Err("no_valid_contract"));
    }

    #[test]
    fn art_10_a_contract_counts_once_confirmed_and_until_ended() {
        let d = |m, day| Date::from_calendar_date(2026, m, day).expect("date");
        let mut c = ContractTerms {
            waste_codes: set(&["900-047-49"]),
            valid_from: d(time::Month::January, 1),
            valid_until: d(time::Month::December, 31),
            ended_on: None,
            confirmed: false,
        };
        let day = d(time::Month::June, 1);
        assert!(
            counting(std::slice::from_ref(&c), day).is_empty(),
            "one-sided"
        );
        c.confirmed = true;
        assert_eq!(counting(std::slice::from_ref(&c), day).len(), 1);
        c.ended_on = Some(day);
        assert!(!c.counts_on(day), "ended on that day");
        assert!(c.counts_on(d(time::Month::May, 31)));
    }

    #[test]
    fn art_80_the_licence_version_of_the_day_applies() {
        let d = |y, m| Date::from_calendar_date(y, m, 1).expect("date");
        let v = |n: &str, from, until| LicenceVersion {
            licence: Licence {
                number: Some(n.into()),
                waste_codes: set(&["900-047-49"]),
                valid_until: Some(until),
            },
            valid_from: from,
        };
        let versions = [
            v("old", None, d(2026, time::Month::June)),
            v(
                "new",
                Some(d(2026, time::Month::June)),
                d(2029, time::Month::June),
            ),
        ];
        assert_eq!(
            licence_on(&versions, d(2026, time::Month::March))
                .number
                .as_deref(),
            Some("old")
        );
        assert_eq!(
            licence_on(&versions, d(2026, time::Month::July))
                .number
                .as_deref(),
            Some("new")
        );
        assert_eq!(
            licence_on(&versions[1..], d(2026, time::Month::March)).number,
            None
        );
    }

    #[test]
    fn art_13_a_load_must_match_the_manifest_exactly() {
        let r = check_load(&set(&["a", "b"]), &set(&["a", "c"]));
        assert_eq!(
            r,
            Err(ShipmentRefusal::LoadMismatch {
                missing: vec!["b".into()],
                unexpected: vec!["c".into()]
            })
        );
        let open = Loading {
            status: Status::Open,
            held_by_shipper: true,
            labelled: true,
            code: Some("900-047-49"),
            declared_code: "900-047-49",
        };
        assert!(!ready_to_load(open));
        assert!(ready_to_load(Loading {
            status: Status::Sealed,
            ..open
        }));
        assert!(!ready_to_load(Loading {
            status: Status::Sealed,
            code: Some("900-999-49"),
            ..open
        }));
    }

    #[test]
    fn art_18_a_rejection_needs_a_reason_and_every_container_a_line() {
        let lines = [ReceiptLine {
            container_id: "a",
            accepted: false,
            reason: Some(" "),
        }];
        assert_eq!(
            check_receipt(&set(&["a"]), &lines).map_err(|e| e.field),
            Err("lines[0].reason".into())
        );
        assert_eq!(
            check_receipt(&set(&["a", "b"]), &lines).map_err(|e| e.field),
            Err("lines".into())
        );
        let ok = [ReceiptLine {
            container_id: "a",
            accepted: true,
            reason: None,
        }];
        assert!(check_receipt(&set(&["a"]), &ok).is_ok());
    }

    #[test]
    fn transfer_measures_art_11_vehicle_plate_and_permit_are_checked_loosely() {
        let v = Vehicle::parse(Some("吉a·12345"), Some("吉交运管许可长字220100012345号"))
            .expect("valid");
        assert_eq!(v.plate.as_deref(), Some("吉A12345"));
        assert!(Vehicle::parse(Some("吉AD12345"), None).is_ok());
        assert!(Vehicle::parse(Some("12345"), None).is_err());
        assert!(Vehicle::parse(Some("吉A<script>"), None).is_err());
        assert!(Vehicle::parse(None, Some("x")).is_err());
        assert!(Vehicle::parse(None, Some(&"1".repeat(41))).is_err());
        assert!(
            Vehicle::parse(Some(" "), None)
                .expect("blank")
                .plate
                .is_none()
        );
    }
}
