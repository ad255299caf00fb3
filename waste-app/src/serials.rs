//! Manifest numbers (Transfer Measures Art.15): year + province + city + a serial of the region's yearly
//! counter, drawn when a manifest is submitted.

use super::AppError;
use super::Env;
use crate::store::manifests::{self as store_m, ManifestRow};
use crate::store::{Tx, organizations, records as store_r, sequences};
use serde_json::json;
use waste_core::manifest::ManifestNumber;

/// The next free manifest number of the shipper's region (province + city) and `year`. A paper manifest
/// (Art.20) may already hold the serial the counter reaches: the counter passes over a taken number and draws the
/// next, so a back-filled number never stops the region's numbering.
pub fn draw_number(tx: &mut Tx, shipper: &str, year: i32) -> Result<String, AppError> {
    let region = organizations::region(tx, shipper)?;
    loop {
        let serial = sequences::next_manifest_serial(tx, region.get(..4).unwrap_or(&region), year)?;
        let number = ManifestNumber::new(year, &region, u32::try_from(serial).unwrap_or(0))
            .map_err(|e| AppError::refused("manifest_number", e.to_string(), json!({})))?;
        if !store_r::manifest_number_taken(tx, number.as_str())? {
            return Ok(number.as_str().to_owned());
        }
    }
}

/// Whether the shipper may cancel `m`: a draft always (it holds no number), a numbered manifest while the
/// shipper has cancelled fewer numbered manifests this year than the policy allows (`Env::max_cancelled_serials`).
pub fn may_cancel(tx: &mut Tx, env: &Env, m: &ManifestRow) -> Result<(), AppError> {
    let Some(year) = m.official_number().and_then(|n| n.get(..4)) else {
        return Ok(());
    };
    let cancelled = store_m::cancelled_numbered(tx, &m.shipper_id, year)?;
    waste_core::manifest::may_cancel_numbered(
        u64::try_from(cancelled).unwrap_or(0),
        env.max_cancelled_serials,
        year,
    )
    .map_err(|e| AppError::rule(e.code(), &e))
}
