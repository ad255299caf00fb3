//! What a page receives and how it refuses: query strings and form bodies (percent-decoded, UTF-8), and why a
//! page could not be shown.

use crate::error::ApiError;
use actix_web::ResponseError;
use actix_web::http::StatusCode;

/// Decoded `key=value` pairs of a query string or a form body, in order (repeated keys kept).
pub fn query_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex_val(bytes[i + 1]), hex_val(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A submitted form (urlencoded body), repeated fields kept.
pub struct Form(pub Vec<(String, String)>);

impl Form {
    pub fn parse(body: &[u8]) -> Form {
        Form(query_pairs(&String::from_utf8_lossy(body)))
    }
    pub fn get(&self, key: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect()
    }
}

/// Why a page could not be shown: an HTTP status and a sentence in the page's language.
#[derive(Debug)]
pub struct WebError {
    pub status: StatusCode,
    pub key: &'static str,
    /// Text shown after the translated sentence (e.g. the rule's own message), escaped like all text.
    pub detail: String,
    /// The refusal's code, when the catalogue may have its own sentence for it (`err.<code>`).
    pub code: &'static str,
}

impl WebError {
    pub fn new(status: StatusCode, key: &'static str) -> WebError {
        WebError {
            status,
            key,
            detail: String::new(),
            code: "",
        }
    }
    pub fn bad(key: &'static str) -> WebError {
        WebError::new(StatusCode::UNPROCESSABLE_ENTITY, key)
    }
    pub fn not_found() -> WebError {
        WebError::new(StatusCode::NOT_FOUND, "err.not_found")
    }
    pub fn forbidden() -> WebError {
        WebError::new(StatusCode::FORBIDDEN, "err.forbidden")
    }
}

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> WebError {
        let key = match &e {
            ApiError::NotFound(_) => "err.not_found",
            ApiError::Forbidden(_) => "err.forbidden",
            ApiError::TrainingExpired => "err.training_expired",
            ApiError::Unauthenticated => "err.forbidden",
            ApiError::Invalid { .. } => "err.invalid",
            ApiError::Conflict { .. } => "err.conflict",
            ApiError::Unavailable(_) => "err.unavailable",
            ApiError::StorageFull(_) => "err.storage_full",
            _ => "err.internal",
        };
        let detail = match &e {
            ApiError::Internal(_) | ApiError::Unavailable(_) | ApiError::StorageFull(_) => {
                String::new()
            }
            other => other.to_string(),
        };
        WebError {
            status: e.status_code(),
            key,
            detail,
            code: e.code(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_pairs_decode_utf8_and_plus() {
        let p = query_pairs("q=%E4%BA%8C%E6%B0%AF&cas=75-09-2&cas=7647-01-0&x=a+b&bad=%zz");
        assert_eq!(p[0], ("q".into(), "二氯".into()));
        assert_eq!(p[1].1, "75-09-2");
        assert_eq!(p[3].1, "a b");
        assert_eq!(p[4].1, "%zz");
        assert_eq!(decode(&encode("二氯 甲烷&x")), "二氯 甲烷&x");
    }
}
