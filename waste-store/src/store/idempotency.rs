//! Idempotency keys: the stored answer of a creating request, per user and key, replayed on a retry.

use crate::StoreError;
use crate::conn::AnyConnection;
use crate::schema::idempotency_keys;
use diesel::prelude::*;

/// What was stored for a key: the request it answered (a hash) and the answer.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
pub struct KeyRow {
    pub request_hash: String,
    pub status: i32,
    pub body: String,
}

pub fn find(
    conn: &mut AnyConnection,
    user_id: &str,
    key: &str,
) -> Result<Option<KeyRow>, StoreError> {
    Ok(idempotency_keys::table
        .filter(idempotency_keys::user_id.eq(user_id))
        .filter(idempotency_keys::key.eq(key))
        .select(KeyRow::as_select())
        .first::<KeyRow>(conn)
        .optional()?)
}

/// Stores an answer; a second answer for the same user and key collides on the primary key.
pub fn insert(
    conn: &mut AnyConnection,
    user_id: &str,
    key: &str,
    row: &KeyRow,
    at: &str,
) -> Result<(), StoreError> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user_id),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(&row.request_hash),
            idempotency_keys::status.eq(row.status),
            idempotency_keys::body.eq(&row.body),
            idempotency_keys::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}
