//! The one error envelope: `{"error": {"code", "message", "details"}}`. Every failure maps to a status here, in
//! one place; a client's mistake is never a 500.

use crate::app::AppError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Value, json};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400/422: malformed or invalid input; `field` names what was wrong.
    #[error("{message}")]
    Invalid {
        status: StatusCode,
        code: &'static str,
        message: String,
        details: Value,
    },
    #[error("authentication required: send Authorization: Bearer <token>")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("the current training record has expired or is missing")]
    TrainingExpired,
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 409 with a rule's refusal.
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        details: Value,
    },
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the database is busy or unavailable; retry")]
    Unavailable(String),
    /// 507: the database's disk is full (issue 28); the detail is logged, never sent.
    #[error(
        "服务器磁盘已满，本次操作未保存，请联系管理员。The server's disk is full: nothing was saved; tell the administrator."
    )]
    StorageFull(String),
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = message.into();
        ApiError::Invalid {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_input",
            message: format!("{field}: {message}"),
            details: json!({ "field": field }),
        }
    }

    pub fn malformed(message: impl Into<String>) -> Self {
        ApiError::Invalid {
            status: StatusCode::BAD_REQUEST,
            code: "malformed_request",
            message: message.into(),
            details: json!({}),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>, details: Value) -> Self {
        ApiError::Conflict {
            code,
            message: message.into(),
            details,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { code, .. } | Self::Conflict { code, .. } => code,
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden(_) => "forbidden",
            Self::TrainingExpired => "training_expired",
            Self::NotFound(_) => "not_found",
            Self::TooLarge(_) => "payload_too_large",
            Self::Unavailable(_) => "unavailable",
            Self::StorageFull(_) => "storage_full",
            Self::Internal(_) => "internal",
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Invalid { status, .. } => *status,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::TrainingExpired => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::StorageFull(_) => StatusCode::INSUFFICIENT_STORAGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let details = match self {
            Self::Invalid { details, .. } | Self::Conflict { details, .. } => details.clone(),
            _ => json!({}),
        };
        if let Self::Internal(detail) | Self::Unavailable(detail) | Self::StorageFull(detail) = self
        {
            tracing::error!(code = self.code(), detail = %detail, "request failed");
        }
        let mut resp = HttpResponse::build(self.status_code());
        if let Some(s) = details.get("retry_after_s").and_then(Value::as_i64)
            && self.status_code() == StatusCode::TOO_MANY_REQUESTS
        {
            resp.insert_header(("Retry-After", s.max(1).to_string()));
        }
        resp.json(json!({
            "error": { "code": self.code(), "message": self.to_string(), "details": details }
        }))
    }
}

impl From<waste_store::StoreError> for ApiError {
    fn from(e: waste_store::StoreError) -> Self {
        AppError::from(e).into()
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid { field, message } => ApiError::invalid(field, message),
            AppError::Malformed(m) => ApiError::malformed(m),
            AppError::Forbidden(m) => ApiError::Forbidden(m),
            AppError::TrainingExpired => ApiError::TrainingExpired,
            AppError::NotFound(what) => ApiError::NotFound(what),
            AppError::Refused {
                code,
                message,
                details,
            } => ApiError::Conflict {
                code,
                message,
                details,
            },
            AppError::Denied {
                code,
                message,
                details,
            } => ApiError::Invalid {
                status: StatusCode::FORBIDDEN,
                code,
                message,
                details,
            },
            e @ AppError::RateLimited { retry_after_s } => ApiError::Invalid {
                status: StatusCode::TOO_MANY_REQUESTS,
                code: "rate_limited",
                message: e.to_string(),
                details: json!({ "retry_after_s": retry_after_s }),
            },
            AppError::Unavailable(m) => ApiError::Unavailable(m),
            AppError::StorageFull(m) => ApiError::StorageFull(m),
            AppError::Internal(m) => ApiError::Internal(m),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        AppError::from(e).into()
    }
}

impl From<r2d2::Error> for ApiError {
    fn from(e: r2d2::Error) -> Self {
        ApiError::Unavailable(e.to_string())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<waste_core::InputError> for ApiError {
    fn from(e: waste_core::InputError) -> Self {
        ApiError::invalid(e.field, e.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::ResponseError;
    use diesel::result::{DatabaseErrorKind, Error};

    #[test]
    fn a_lost_database_connection_is_503_unavailable_not_500() {
        for kind in [
            DatabaseErrorKind::ClosedConnection,
            DatabaseErrorKind::UnableToSendCommand,
        ] {
            let e = ApiError::from(Error::DatabaseError(
                kind,
                Box::new("server closed the connection unexpectedly".to_owned()),
            ));
            assert_eq!(e.code(), "unavailable");
            assert_eq!(e.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        }
        let other = ApiError::from(Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("something else".to_owned()),
        ));
        assert_eq!(other.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    /// Issue 28 item 3: SQLite's `SQLITE_FULL` and PostgreSQL's "No space left on device" are 507 `storage_full`,
    /// worded in Chinese and English, without the database's text.
    #[test]
    fn a_full_disk_is_507_storage_full() {
        for text in [
            "database or disk is full",
            "could not extend file \"base/16384/2619\": No space left on device",
        ] {
            let e = ApiError::from(Error::DatabaseError(
                DatabaseErrorKind::Unknown,
                Box::new(text.to_owned()),
            ));
            assert_eq!(
                (e.code(), e.status_code()),
                ("storage_full", StatusCode::INSUFFICIENT_STORAGE)
            );
            let message = e.to_string();
            assert!(
                message.contains("磁盘已满")
                    && message.contains("disk is full")
                    && !message.contains(text)
            );
        }
    }
}
