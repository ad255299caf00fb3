//! What a use case answers when it does not go through: a domain refusal or a failure, without HTTP types. The
//! JSON front door maps each to a status in `crate::error`; the web front door to a page.

use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AppError {
    /// The input does not parse; `field` names it as the client wrote it.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The request as a whole is unreadable.
    #[error("{0}")]
    Malformed(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("the current training record has expired or is missing")]
    TrainingExpired,
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A rule's refusal or a state conflict, with a stable code and the rule's details.
    #[error("{message}")]
    Refused {
        code: &'static str,
        message: String,
        details: Value,
    },
    /// Refused for who the actor is or what they proved (a wrong PIN), with a stable code (403).
    #[error("{message}")]
    Denied {
        code: &'static str,
        message: String,
        details: Value,
    },
    /// Too many failures: try again after `retry_after_s` seconds (429 `rate_limited`).
    #[error("too many failed attempts; retry in {retry_after_s} s")]
    RateLimited { retry_after_s: i64 },
    #[error("the database is busy or unavailable; retry")]
    Unavailable(String),
    /// The database's disk is full: nothing was saved.
    #[error("the server's disk is full")]
    StorageFull(String),
    #[error("internal error")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn refused(code: &'static str, message: impl Into<String>, details: Value) -> Self {
        AppError::Refused {
            code,
            message: message.into(),
            details,
        }
    }

    /// A refusal from a core decision that serialises its own details (`Refusal`, `OverCeiling`, ...).
    pub fn rule<E: std::fmt::Display + serde::Serialize>(code: &'static str, e: &E) -> Self {
        AppError::refused(
            code,
            e.to_string(),
            serde_json::to_value(e).unwrap_or(Value::Null),
        )
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => AppError::NotFound("record"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                unique_violation(info.constraint_name(), info.message())
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                AppError::refused("conflict", "a concurrent change won; retry", json!({}))
            }
            Error::DatabaseError(_, info) if crate::storage::is_disk_full(info.message()) => {
                crate::storage::mark_full();
                AppError::StorageFull(info.message().to_owned())
            }
            Error::DatabaseError(_, info) if info.message().contains("database is locked") => {
                AppError::Unavailable(info.message().to_owned())
            }
            // The server went away mid-request (restart, failover): the pool replaces the connection, so the
            // client is told to retry rather than that the service failed.
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => AppError::Unavailable(info.message().to_owned()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// A unique key that refused a write, as a stable code: the database's own words (its constraint and table
/// names, "UNIQUE constraint failed: …") never reach a client.
fn unique_violation(constraint: Option<&str>, message: &str) -> AppError {
    let names = |key: &str| constraint.is_some_and(|c| c.contains(key)) || message.contains(key);
    if names("manifests_number") || names("manifests.number") {
        AppError::refused(
            "manifest_number_taken",
            "this manifest number was recorded meanwhile; retry",
            json!({}),
        )
    } else if names("users_login") || names("users.login") {
        AppError::refused("login_taken", "this login name is taken", json!({}))
    } else {
        AppError::refused(
            "conflict",
            "a concurrent change won; reload and retry",
            json!({}),
        )
    }
}

impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> Self {
        AppError::Unavailable(e.to_string())
    }
}

impl From<waste_core::InputError> for AppError {
    fn from(e: waste_core::InputError) -> Self {
        AppError::invalid(e.field, e.message)
    }
}

impl From<waste_core::access::Denied> for AppError {
    fn from(e: waste_core::access::Denied) -> Self {
        AppError::Forbidden(e.to_string())
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
            let e = AppError::from(Error::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                Box::new(text.to_owned()),
            ));
            let AppError::Refused {
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
