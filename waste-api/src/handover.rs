//! The school's confirmation of a hand-over, run in one order for both front doors (the JSON API's
//! `POST /api/v1/pickups` and the station's collection form): `app::pin::begin` (the actor may pick up; an open
//! request of that school; the attempt counted), `app::pin::verify` (argon2, outside any write transaction),
//! `app::pin::record`. Lives beside `credentials` because both doors share it and neither imports the other.

use crate::app::pin::{self, Confirmed, PinAttempt};
use crate::app::{Actor, AppError};
use crate::error::ApiError;
use crate::state::AppState;

/// Confirms a hand-over of `school_id`'s containers on the request `request_id` with `attempt`.
pub async fn confirm(
    state: &AppState,
    actor: &Actor,
    school_id: &str,
    request_id: Option<&str>,
    attempt: PinAttempt,
) -> Result<Confirmed, ApiError> {
    let (e, a, school, request, tried) = (
        state.env(),
        actor.clone(),
        school_id.to_owned(),
        request_id.map(str::to_owned),
        attempt.clone(),
    );
    check(state, school_id, attempt, move |tx| {
        pin::begin(tx, &e, &a, &school, request.as_deref(), &tried)
    })
    .await
}

/// A second person's confirmation of a step on a controlled bottle of the actor's school (`pin::begin_witness`).
pub async fn witness(
    state: &AppState,
    actor: &Actor,
    attempt: PinAttempt,
) -> Result<Confirmed, ApiError> {
    let (e, a, tried) = (state.env(), actor.clone(), attempt.clone());
    check(state, &actor.org_id, attempt, move |tx| {
        pin::begin_witness(tx, &e, &a, &tried)
    })
    .await
}

/// `begin` (counts the attempt, in a write of its own), the PIN checked outside any write, the outcome recorded.
async fn check<F>(
    state: &AppState,
    school_id: &str,
    attempt: PinAttempt,
    begin: F,
) -> Result<Confirmed, ApiError>
where
    F: FnOnce(&mut crate::store::Tx) -> Result<i32, AppError> + Send + 'static,
{
    let env = state.env();
    let counted = state
        .write(move |c| crate::store::write_tx(c, |tx| begin(tx).map_err(ApiError::from)))
        .await?;
    let (e, school) = (env.clone(), school_id.to_owned());
    let check = state
        .db(move |c| pin::verify(c, &e, &school, &attempt, counted).map_err(ApiError::from))
        .await?;
    let check = state
        .write(move |c| {
            crate::store::write_tx(c, |tx| {
                pin::record(tx, &check).map_err(ApiError::from)?;
                Ok(check)
            })
        })
        .await?;
    check.into_result().map_err(|e: AppError| ApiError::from(e))
}
