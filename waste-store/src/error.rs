//! What the store answers when a read or a write does not go through: the database's failures mapped to stable
//! kinds (a unique key, a lost race, a full disk, a busy or lost server) and the few refusals a guarded write makes
//! itself. The application maps each to its own error (`waste_app`'s `AppError: From<StoreError>`); the database's
//! words never reach a client.

use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// A value the store was asked to use does not parse (a page size, a cursor).
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A guarded write found the row changed, or a unique key refused it: a stable code and details.
    #[error("{message}")]
    Refused {
        code: &'static str,
        message: String,
        details: Value,
    },
    #[error("the database is busy or unavailable; retry")]
    Unavailable(String),
    /// The database's disk is full: nothing was saved.
    #[error("the server's disk is full")]
    StorageFull(String),
    #[error("internal error")]
    Internal(String),
}

impl StoreError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        StoreError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn refused(code: &'static str, message: impl Into<String>, details: Value) -> Self {
        StoreError::Refused {
            code,
            message: message.into(),
            details,
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        StoreError::Internal(e.to_string())
    }
}

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => StoreError::NotFound("record"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                unique_violation(info.constraint_name(), info.message())
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                StoreError::refused("conflict", "a concurrent change won; retry", json!({}))
            }
            Error::DatabaseError(_, info) if crate::storage::is_disk_full(info.message()) => {
                crate::storage::mark_full();
                StoreError::StorageFull(info.message().to_owned())
            }
            Error::DatabaseError(_, info) if info.message().contains("database is locked") => {
                StoreError::Unavailable(info.message().to_owned())
            }
            // The server went away mid-request (restart, failover): the pool replaces the connection, so the
            // client is told to retry rather than that the service failed.
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => StoreError::Unavailable(info.message().to_owned()),
            other => StoreError::Internal(other.to_string()),
        }
    }
}

/// A unique key that refused a write, as a stable code: the database's own words (its constraint and table
/// names, "UNIQUE constraint failed: …") never reach a client.
fn unique_violation(constraint: Option<&str>, message: &str) -> StoreError {
    let names = |key: &str| constraint.is_some_and(|c| c.contains(key)) || message.contains(key);
    if names("manifests_number") || names("manifests.number") {
        StoreError::refused(
            "manifest_number_taken",
            "this manifest number was recorded meanwhile; retry",
            json!({}),
        )
    } else if names("users_login") || names("users.login") {
        StoreError::refused("login_taken", "this login name is taken", json!({}))
    } else {
        StoreError::refused(
            "conflict",
            "a concurrent change won; reload and retry",
            json!({}),
        )
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(e: r2d2::Error) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error};

    /// Issue 29, item 1: a UNIQUE violation is a 409 with a stable code; the database's words stay inside.
    #[test]
    fn a_unique_violation_keeps_the_database_words_inside() {
        for (text, code) in [
            (
                "UNIQUE constraint failed: manifests.number",
                "manifest_number_taken",
            ),
            ("UNIQUE constraint failed: users.login", "login_taken"),
            ("UNIQUE constraint failed: webhooks.url", "conflict"),
        ] {
            let e = StoreError::from(Error::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                Box::new(text.to_owned()),
            ));
            let StoreError::Refused {
                code: c,
                message,
                details,
            } = e
            else {
                panic!("not a conflict: {e:?}");
            };
            assert_eq!(c, code);
            assert!(!message.contains("UNIQUE") && !details.to_string().contains("UNIQUE"));
        }
    }
}
