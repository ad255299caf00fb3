//! Roadside links: a party to a manifest (its driver, or the station that shipped it) issues a link that shows
//! the manifest read-only, without signing in, for a short time, so an inspector on the road can check the load
//! against it from a QR code on the driver's phone (the carrier carries the manifest with the load, HW Transfer
//! Measures Art.11). Only the hash of the secret is stored; the issue is a custody event of the manifest.

use super::manifests::Manifest;
use super::{Actor, AppError, Env};
use crate::db::AnyConnection;
use crate::store::chain::{self as q, RoadLinkRow};
use crate::store::manifests as store_m;
use crate::store::{Tx, events};
use serde_json::json;
use waste_core::access::Action;

/// How long a roadside link shows the manifest: a product setting (the length of a roadside check), not a
/// legal period.
pub const MINUTES: i64 = 30;

/// A link just issued: the secret (shown once, in the URL and its QR code) and when it stops working.
#[derive(Debug, Clone)]
pub struct Issued {
    pub token: String,
    pub manifest_id: String,
    pub expires_at: String,
}

/// A fresh secret, made before the transaction.
pub fn new_token() -> Result<String, AppError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    Ok(format!("wrl_{}", hex::encode(b)))
}

/// Issues a roadside link to manifest `id` (a manifest the actor's organisation is a party to).
pub fn issue(
    tx: &mut Tx,
    env: &Env,
    actor: &Actor,
    id: &str,
    token: String,
) -> Result<Issued, AppError> {
    actor.may(Action::RoadsideLink)?;
    let m = store_m::visible(tx, id, &crate::store::Scope::Org(actor.org_id.clone()))?
        .ok_or(AppError::NotFound("manifest"))?;
    let now = env.clock.now();
    let at = waste_core::custody::format_at(now);
    let expires_at = waste_core::custody::format_at(now + time::Duration::minutes(MINUTES));
    q::insert_road_link(
        tx,
        &RoadLinkRow {
            token_hash: super::parties::hash_token(&token),
            manifest_id: m.id.clone(),
            created_by: actor.id.clone(),
            created_at: at.clone(),
            expires_at: expires_at.clone(),
        },
    )?;
    events::append(
        tx,
        events::Record {
            aggregate: format!("manifest:{}", m.id),
            kind: "road_link",
            actor: actor.actor(),
            at,
            payload: json!({ "expires_at": expires_at }),
        },
    )?;
    Ok(Issued {
        token,
        manifest_id: m.id,
        expires_at,
    })
}

/// The manifest a roadside link shows, while it is valid; NotFound for an unknown or expired link (the same
/// answer, so a guesser learns nothing).
pub fn open(
    conn: &mut AnyConnection,
    env: &Env,
    token: &str,
) -> Result<(Manifest, String), AppError> {
    if !token.starts_with("wrl_") || token.len() != 68 {
        return Err(AppError::NotFound("roadside link"));
    }
    let link = q::road_link(conn, &super::parties::hash_token(token))?
        .filter(|l| l.expires_at > waste_core::custody::format_at(env.clock.now()))
        .ok_or(AppError::NotFound("roadside link"))?;
    let row = store_m::visible(conn, &link.manifest_id, &crate::store::Scope::All)?
        .ok_or(AppError::NotFound("roadside link"))?;
    let lines = store_m::lines(conn, &row.id)?;
    Ok((Manifest { row, lines }, link.expires_at))
}
