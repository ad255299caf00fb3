//! Checkpoints of the custody log (issue 29, item 8): `waste-api checkpoint` prints a statement of the log's
//! size and digest signed with an Ed25519 key that never enters the database, for the operator to keep on
//! another machine; `waste-api verify --since FILE` shows the log has only grown since (docs/operations.md,
//! "Audit and checkpoints").
//!
//! The key: the file `WASTE_CHECKPOINT_KEY` names, or beside a SQLite database `<file>.checkpoint-key`; created
//! (PKCS#8, mode 0600) by the first checkpoint when it does not exist. A statement is checked with the public key
//! of that file, never with the one the statement names, so a statement made with another key is refused.

use crate::store::audit::{self, Since};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

use ring::rand::SystemRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};

/// Why a checkpoint cannot be made or used. Exit code 9 (`verify` keeps 1 for a break, 2 for usage and 3–8 for
/// the database).
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("{0}")]
    Key(String),
    #[error("checkpoint file {0}: {1}")]
    Statement(String, String),
}

/// Where the signing key is: `WASTE_CHECKPOINT_KEY`, or beside a SQLite database.
pub fn key_path(setting: Option<&str>, database_url: &str) -> Result<PathBuf, CheckpointError> {
    if let Some(p) = setting.filter(|p| !p.trim().is_empty()) {
        return Ok(PathBuf::from(p.trim()));
    }
    match crate::db::DbUrl::parse(database_url) {
        Ok(u) if u.backend == crate::db::Backend::Sqlite => {
            Ok(PathBuf::from(format!("{}.checkpoint-key", u.target)))
        }
        _ => Err(CheckpointError::Key(
            "WASTE_CHECKPOINT_KEY is not set: on PostgreSQL name the file of the checkpoint signing key (created on first use)"
                .into(),
        )),
    }
}

/// The signing key at `path`; with `create`, made there first when there is none.
fn load_key(path: &Path, create: bool) -> Result<Ed25519KeyPair, CheckpointError> {
    let shown = path.display();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
                .map_err(|_| CheckpointError::Key("cannot generate a signing key".into()))?;
            write_private(path, doc.as_ref())
                .map_err(|e| CheckpointError::Key(format!("cannot create {shown}: {e}")))?;
            doc.as_ref().to_vec()
        }
        Err(e) => {
            return Err(CheckpointError::Key(format!(
                "cannot read the checkpoint key {shown}: {e}"
            )));
        }
    };
    Ed25519KeyPair::from_pkcs8(&bytes)
        .map_err(|_| CheckpointError::Key(format!("{shown} is not an Ed25519 key (PKCS#8)")))
}

/// Creates `path` readable by its owner only, never over an existing file.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// The bytes a statement's signature covers: its canonical JSON.
fn signed_bytes(statement: &Value) -> Vec<u8> {
    let mut out = String::new();
    waste_core::custody::canonical_json(statement, &mut out);
    out.into_bytes()
}

/// Takes a checkpoint of the database at `url` after an audit of it found nothing wrong, and returns the signed
/// statement (one line of JSON). `Ok(Err(report))` is the audit's report of a break (no checkpoint taken).
pub fn take(
    url: &str,
    audit_key: Option<&[u8]>,
    key_path: &Path,
) -> Result<Result<Value, Value>, super::Refusal> {
    let signer = load_key(key_path, true).map_err(super::Refusal::Checkpoint)?;
    let db = super::open_existing(url, super::Pending::Refused).map_err(super::Refusal::Open)?;
    let report = audit::verify(&db, audit_key)
        .map_err(|e| super::Refusal::Open(super::OpenError::Unreadable(e.to_string())))?;
    if report["ok"] != true {
        return Ok(Err(report));
    }
    let mut conn = db
        .dedicated()
        .map_err(|e| super::Refusal::Open(super::OpenError::Unreadable(e.to_string())))?;
    let taken = crate::store::write_tx(&mut conn, |tx| crate::store::log::checkpoint(tx))
        .map_err(|e| super::Refusal::Open(super::OpenError::Unreadable(e.to_string())))?;
    let statement = json!({
        "what": "waste-api custody log checkpoint",
        "version": 1,
        "checkpoint": taken.epoch,
        "count": taken.count,
        "digest": taken.digest,
        "at": waste_core::custody::format_at(time::OffsetDateTime::now_utc()),
        "public_key": hex::encode(signer.public_key().as_ref()),
    });
    let signature = hex::encode(signer.sign(&signed_bytes(&statement)).as_ref());
    Ok(Ok(
        json!({ "statement": statement, "signature": signature }),
    ))
}

/// Reads a statement from `file` and checks its signature with the key at `key_path`.
pub fn read(file: &Path, key_path: &Path) -> Result<Since, CheckpointError> {
    let shown = file.display().to_string();
    let bad = |why: &str| CheckpointError::Statement(shown.clone(), why.to_owned());
    let text = std::fs::read_to_string(file).map_err(|e| bad(&e.to_string()))?;
    let v: Value =
        serde_json::from_str(text.trim()).map_err(|_| bad("not a checkpoint statement (JSON)"))?;
    let statement = &v["statement"];
    if statement["what"] != "waste-api custody log checkpoint" || statement["version"] != 1 {
        return Err(bad("not a checkpoint statement of this service"));
    }
    let signer = load_key(key_path, false)?;
    let signature = v["signature"]
        .as_str()
        .and_then(|s| hex::decode(s).ok())
        .ok_or_else(|| bad("no signature"))?;
    UnparsedPublicKey::new(&ED25519, signer.public_key().as_ref())
        .verify(&signed_bytes(statement), &signature)
        .map_err(|_| {
            bad(&format!(
                "the signature does not verify with the checkpoint key {} (changed, or made with another key)",
                key_path.display()
            ))
        })?;
    match (
        statement["checkpoint"].as_i64(),
        statement["count"].as_i64(),
        statement["digest"].as_str(),
    ) {
        (Some(epoch), Some(count), Some(digest)) => Ok(Since {
            epoch,
            count,
            digest: digest.to_owned(),
        }),
        _ => Err(bad("incomplete statement")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_verifies_only_unchanged_and_with_its_own_key() {
        let dir = std::env::temp_dir().join(format!("ckpt-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("dir");
        let key = dir.join("k");
        let signer = load_key(&key, true).expect("created");
        let statement = json!({ "what": "waste-api custody log checkpoint", "version": 1,
            "checkpoint": 3, "count": 10, "digest": "ab" });
        let sig = hex::encode(signer.sign(&signed_bytes(&statement)).as_ref());
        let file = dir.join("c.json");
        std::fs::write(
            &file,
            json!({ "statement": statement, "signature": sig }).to_string(),
        )
        .expect("write");
        let since = read(&file, &key).expect("verifies");
        assert_eq!((since.epoch, since.count), (3, 10));
        // Changed: one figure.
        let mut changed = statement.clone();
        changed["count"] = json!(11);
        std::fs::write(
            &file,
            json!({ "statement": changed, "signature": sig }).to_string(),
        )
        .expect("write");
        assert!(read(&file, &key).is_err(), "a changed count is refused");
        // Another key.
        std::fs::write(
            &file,
            json!({ "statement": statement, "signature": sig }).to_string(),
        )
        .expect("write");
        let other = dir.join("other");
        load_key(&other, true).expect("another key");
        assert!(read(&file, &other).is_err(), "another key is refused");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key).expect("key").permissions().mode();
            assert_eq!(mode & 0o077, 0, "the key file is its owner's only");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
