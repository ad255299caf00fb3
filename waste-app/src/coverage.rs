//! Whether a shipper's contracts with a firm and the firm's licence cover a set of waste codes on a day
//! (Transfer Measures Art.10 and the licence's scope): the one check of submitting a manifest and of its draft's
//! preview.

use super::AppError;
use crate::db::AnyConnection;
use crate::store::contracts;
use std::collections::BTreeSet;
use waste_core::shipment::{self, Licence};

/// A firm's licence and whether the contracts and the licence cover `codes` today: the same check as submitting
/// (Transfer Measures Art.10 and the licence's scope), shown before the shipper submits.
pub struct Coverage {
    pub licence: Licence,
    pub refusal: Option<AppError>,
}

/// The contracts that count on `day` (confirmed by both parties, not ended) and the firm's licence version of
/// that day, checked against `codes`: the one check of submitting and of the draft's preview.
pub fn covered(
    conn: &mut AnyConnection,
    shipper: &str,
    firm: &str,
    codes: &BTreeSet<String>,
    day: time::Date,
) -> Result<Coverage, AppError> {
    let valid = shipment::counting(&contracts::terms(conn, shipper, firm)?, day);
    let licence = shipment::licence_on(&contracts::licence_versions(conn, firm)?, day);
    let refusal = shipment::check_contract_and_licence(codes, &valid, &licence, day)
        .err()
        .map(|e| AppError::rule(e.code(), &e));
    Ok(Coverage { licence, refusal })
}
