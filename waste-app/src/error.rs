//! What a use case answers when it does not go through: a domain refusal or a failure, without HTTP types. The
//! JSON front door maps each to a status in `crate::error`; the web front door to a page.

use serde_json::Value;

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

/// The store's failures and refusals, kind for kind (the store maps the database's errors: `waste_store::StoreError`).
impl From<waste_store::StoreError> for AppError {
    fn from(e: waste_store::StoreError) -> Self {
        use waste_store::StoreError as S;
        match e {
            S::Invalid { field, message } => AppError::Invalid { field, message },
            S::NotFound(what) => AppError::NotFound(what),
            S::Refused {
                code,
                message,
                details,
            } => AppError::Refused {
                code,
                message,
                details,
            },
            S::Unavailable(m) => AppError::Unavailable(m),
            S::StorageFull(m) => AppError::StorageFull(m),
            S::Internal(m) => AppError::Internal(m),
        }
    }
}

/// The store's transaction helper (`write_tx`) ends a transaction with diesel's errors: mapped as the store maps them.
impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        waste_store::StoreError::from(e).into()
    }
}

impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> Self {
        waste_store::StoreError::from(e).into()
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
