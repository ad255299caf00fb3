//! Request bodies: JSON parsed with the path of any bad field, and the `Idempotency-Key` replay store.

use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::store::idempotency::KeyRow;
use crate::store::{Tx, write_tx};
use actix_web::HttpRequest;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// Largest accepted body. Larger bodies get 413 before any parsing.
pub const MAX_BODY: usize = 64 * 1024;

/// Parses JSON, naming the field of any error (`components[0].fraction: ...`).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::malformed("the request body is empty; send JSON"));
    }
    if has_nul_escape(bytes) {
        // Named by the field that holds it, when the body is JSON at all.
        let field = serde_json::from_slice::<serde_json::Value>(bytes)
            .ok()
            .and_then(|v| nul_path(&v, &mut Vec::new()))
            .unwrap_or_else(|| "body".to_owned());
        return Err(ApiError::invalid(
            field,
            "contains the NUL character (U+0000), which no text here may contain",
        ));
    }
    // A UTF-8 byte-order mark (what Windows Notepad writes) is not content.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let v = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        // serde_json reports a wrong-typed enum (`"form": 1`) as a syntax error: it is malformed only when the
        // text itself is not JSON.
        let not_json = serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_err();
        if inner.is_eof() || (inner.is_syntax() && not_json) {
            ApiError::malformed(format!("malformed JSON: {inner}"))
        } else {
            let field = if path == "." { "body".to_owned() } else { path };
            let message = waste_core::request::with_accepted_values(&field, inner.to_string());
            ApiError::invalid(field, message)
        }
    })?;
    de.end().map_err(|e| {
        ApiError::malformed(format!(
            "unexpected content after the JSON object ({e}); send exactly one object"
        ))
    })?;
    Ok(v)
}

/// Whether the JSON text holds a `\u0000` escape (a raw NUL byte is not valid JSON anyway). PostgreSQL cannot
/// store U+0000 in text and SQLite can: refusing it here keeps both backends answering alike, with a 422.
fn has_nul_escape(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            if bytes.get(i + 1) == Some(&b'u')
                && bytes.get(i + 2..i + 6) == Some(b"0000".as_slice())
            {
                return true;
            }
            i += 2; // the escaped character, so `\\u0000` (a backslash, then text) is not taken for a NUL
        } else {
            i += 1;
        }
    }
    false
}

/// The path (`components[0].name`) of the first key or string holding U+0000.
fn nul_path(v: &serde_json::Value, at: &mut Vec<String>) -> Option<String> {
    let here = |at: &Vec<String>| {
        if at.is_empty() {
            "body".to_owned()
        } else {
            at.join("").trim_start_matches('.').to_owned()
        }
    };
    match v {
        serde_json::Value::String(s) if s.contains('\0') => Some(here(at)),
        serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| {
            at.push(format!("[{i}]"));
            let found = nul_path(x, at);
            at.pop();
            found
        }),
        serde_json::Value::Object(m) => m.iter().find_map(|(k, x)| {
            at.push(format!(".{k}"));
            let found = if k.contains('\0') {
                Some(here(at))
            } else {
                nul_path(x, at)
            };
            at.pop();
            found
        }),
        _ => None,
    }
}

/// The `Idempotency-Key` of a creating POST, if any (at most 200 visible ASCII characters).
pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(v) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let s = v
        .to_str()
        .map_err(|_| ApiError::invalid("Idempotency-Key", "must be visible ASCII"))?
        .trim();
    if s.is_empty() || s.len() > 200 {
        return Err(ApiError::invalid(
            "Idempotency-Key",
            "must be 1 to 200 characters",
        ));
    }
    Ok(Some(s.to_owned()))
}

pub fn request_hash(path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(path.as_bytes());
    h.update([0]);
    h.update(body);
    hex::encode(h.finalize())
}

/// A response to store for replay, or one replayed.
pub struct Stored {
    pub status: u16,
    pub body: String,
    /// True when this is the stored answer to an earlier request with the same key.
    pub replayed: bool,
}

impl Stored {
    pub fn created(body: String) -> Self {
        Stored {
            status: 201,
            body,
            replayed: false,
        }
    }
}

/// Looks up a key inside the caller's write transaction: the stored response to replay, or a refusal when the
/// key was used for a different request.
pub fn replay(
    conn: &mut AnyConnection,
    user_id: &str,
    key: &str,
    hash: &str,
) -> Result<Option<Stored>, ApiError> {
    match crate::store::idempotency::find(conn, user_id, key)? {
        None => Ok(None),
        Some(KeyRow {
            request_hash,
            status,
            body,
        }) if request_hash == hash => Ok(Some(Stored {
            status: u16::try_from(status).unwrap_or(200),
            body,
            replayed: true,
        })),
        Some(_) => Err(ApiError::conflict(
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request",
            serde_json::json!({ "key": key }),
        )),
    }
}

/// Stores the response of a successful creation in the same transaction that created it, so a retry replays it.
pub fn remember(
    conn: &mut AnyConnection,
    user_id: &str,
    key: &str,
    hash: &str,
    status: u16,
    body: &str,
) -> Result<(), ApiError> {
    let row = KeyRow {
        request_hash: hash.to_owned(),
        status: i32::from(status),
        body: body.to_owned(),
    };
    Ok(crate::store::idempotency::insert(
        conn,
        user_id,
        key,
        &row,
        &crate::state::now(),
    )?)
}

/// Runs a creating write in one transaction with its idempotency record: a replay returns the stored response,
/// a new request runs `create` and stores its response with it. Two concurrent requests with one key cannot both
/// create: the second collides on the key's primary key and its transaction is rolled back.
pub fn idempotent<F>(
    conn: &mut AnyConnection,
    user_id: &str,
    key: Option<&str>,
    hash: &str,
    create: F,
) -> Result<Stored, ApiError>
where
    F: FnOnce(&mut Tx) -> Result<Stored, ApiError>,
{
    write_tx(conn, |c| {
        if let Some(k) = key
            && let Some(s) = replay(c, user_id, k, hash)?
        {
            return Ok(s);
        }
        let out = create(c)?;
        if let Some(k) = key {
            remember(c, user_id, k, hash, out.status, &out.body)?;
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_escape_is_found_and_an_escaped_backslash_is_not_one() {
        assert!(has_nul_escape(br#"{"a": "x\u0000"}"#));
        assert!(has_nul_escape(br#"{"a\u0000": 1}"#));
        // A backslash escape, then a NUL escape.
        assert!(has_nul_escape(br#"{"a": "\\\u0000"}"#));
        // A backslash escape, then the text "u0000".
        assert!(!has_nul_escape(br#"{"a": "\\u0000"}"#));
        assert!(has_nul_escape(br#"{"a": "\u00001"}"#));
        assert!(!has_nul_escape(br#"{"a": "\u0001 u0000"}"#));
    }

    #[test]
    fn a_nul_is_refused_naming_its_field() {
        #[derive(serde::Deserialize, Debug)]
        struct Body {
            #[allow(dead_code)]
            items: Vec<std::collections::BTreeMap<String, String>>,
        }
        let e = parse_json::<Body>(br#"{"items": [{"k": "ok"}, {"name": "a\u0000b"}]}"#)
            .expect_err("refused");
        assert_eq!(
            e.to_string(),
            "items[1].name: contains the NUL character (U+0000), which no text here may contain"
        );
        assert!(parse_json::<Body>(br#"{"items": [{"k": "a\\u0000b"}]}"#).is_ok());
    }

    /// Issue 17 item 5 on the API: trailing content refused (400), a UTF-8 BOM accepted, an enum of the wrong type
    /// answered with the accepted values.
    #[test]
    fn trailing_content_is_refused_and_a_bom_is_accepted() {
        let one = br#"{"form":"liquid","origin":"other"}"#;
        let mut trailing = one.to_vec();
        trailing.extend_from_slice(b" {}");
        let e = parse_json::<waste_core::WasteRequest>(&trailing).expect_err("refused");
        assert_eq!(e.code(), "malformed_request");
        assert!(e.to_string().contains("after the JSON object"), "{e}");
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(one);
        assert!(parse_json::<waste_core::WasteRequest>(&bom).is_ok());
        let e = parse_json::<waste_core::WasteRequest>(br#"{"form":1,"origin":"other"}"#)
            .expect_err("refused");
        assert!(e.to_string().contains("`gas_in_container`"), "{e}");
    }
}
