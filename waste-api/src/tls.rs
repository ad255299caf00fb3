//! Optional HTTPS in the binary (README, "HTTPS for phones on the LAN"): a phone's browser opens the camera only
//! on HTTPS or localhost, so a school that serves the binary on its intranet needs TLS without a reverse proxy.
//!
//! Either a certificate chain and its key by path (`WASTE_TLS_CERT` + `WASTE_TLS_KEY`, PEM), or a self-signed
//! certificate made at start for the names in `WASTE_TLS_SELF_SIGNED` (host names or IP addresses, comma
//! separated). Either way the leaf certificate's SHA-256 fingerprint is printed at start, so a user can compare
//! it with the one the phone shows before trusting it. rustls with the `ring` provider (no system OpenSSL).

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Arc;

/// Where the certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSource {
    /// PEM files: the certificate chain (leaf first) and its private key (PKCS#8, PKCS#1 or SEC1).
    Files { cert: PathBuf, key: PathBuf },
    /// A self-signed certificate made at start for these names (DNS names or IP addresses).
    SelfSigned(Vec<String>),
}

/// The TLS settings of the environment: None when neither is set; an error (the service refuses to start) when
/// only one of the certificate and the key is given, or both files and a self-signed certificate are asked for.
pub fn from_env() -> Result<Option<TlsSource>, String> {
    let var = |k: &str| {
        std::env::var(k)
            .ok()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    source(
        var("WASTE_TLS_CERT"),
        var("WASTE_TLS_KEY"),
        var("WASTE_TLS_SELF_SIGNED"),
    )
}

/// `from_env` on given values.
pub fn source(
    cert: Option<String>,
    key: Option<String>,
    self_signed: Option<String>,
) -> Result<Option<TlsSource>, String> {
    match (cert, key, self_signed) {
        (None, None, None) => Ok(None),
        (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => Err(
            "TLS: set either WASTE_TLS_CERT and WASTE_TLS_KEY, or WASTE_TLS_SELF_SIGNED, not both".into(),
        ),
        (Some(cert), Some(key), None) => Ok(Some(TlsSource::Files {
            cert: cert.into(),
            key: key.into(),
        })),
        (Some(_), None, None) => Err(
            "TLS: WASTE_TLS_CERT is set but WASTE_TLS_KEY is not: give the private key's PEM file too".into(),
        ),
        (None, Some(_), None) => Err(
            "TLS: WASTE_TLS_KEY is set but WASTE_TLS_CERT is not: give the certificate's PEM file too".into(),
        ),
        (None, None, Some(names)) => {
            let names: Vec<String> = names
                .split(',')
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty())
                .collect();
            if names.is_empty() || names.len() > 20 {
                return Err("TLS: WASTE_TLS_SELF_SIGNED lists 1 to 20 host names or IP addresses, comma separated (e.g. 192.168.1.20,waste.school.lan)".into());
            }
            Ok(Some(TlsSource::SelfSigned(names)))
        }
    }
}

/// A loaded TLS configuration and the leaf certificate it presents.
pub struct Tls {
    pub config: rustls::ServerConfig,
    pub presented: Presented,
}

/// What a user compares on the phone: the certificate the service presents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    /// The SHA-256 of the leaf certificate (DER), as colon-separated upper-case hex pairs.
    pub fingerprint: String,
    /// The certificate was made at this start (it changes at every start).
    pub self_signed: bool,
}

/// SHA-256 of `der` as `AB:CD:…`, the form browsers show.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Reads the files or makes the certificate, and builds the server configuration (HTTP/1.1 and HTTP/2).
pub fn load(source: &TlsSource) -> Result<Tls, String> {
    let (chain, key, self_signed) = match source {
        TlsSource::Files { cert, key } => {
            let chain = CertificateDer::pem_file_iter(cert)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| {
                    format!(
                        "TLS: cannot read the certificate {} (WASTE_TLS_CERT): {e}",
                        cert.display()
                    )
                })?;
            if chain.is_empty() {
                return Err(format!(
                    "TLS: {} (WASTE_TLS_CERT) holds no PEM certificate",
                    cert.display()
                ));
            }
            let k = PrivateKeyDer::from_pem_file(key).map_err(|e| {
                format!(
                    "TLS: cannot read a private key from {} (WASTE_TLS_KEY): {e}",
                    key.display()
                )
            })?;
            (chain, k, false)
        }
        TlsSource::SelfSigned(names) => {
            let made = rcgen::generate_simple_self_signed(names.clone())
                .map_err(|e| format!("TLS: cannot make a self-signed certificate: {e}"))?;
            let key =
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
            (vec![made.cert.der().clone()], key, true)
        }
    };
    let fingerprint = fingerprint(chain[0].as_ref());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("TLS: the certificate and the key do not make a usable pair: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Tls {
        config,
        presented: Presented {
            fingerprint,
            self_signed,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_a_configuration_is_refused_with_what_is_missing() {
        let s = |v: &str| Some(v.to_owned());
        assert_eq!(source(None, None, None), Ok(None));
        assert!(
            source(s("c.pem"), None, None)
                .expect_err("refused")
                .contains("WASTE_TLS_KEY is not")
        );
        assert!(
            source(None, s("k.pem"), None)
                .expect_err("refused")
                .contains("WASTE_TLS_CERT is not")
        );
        assert!(
            source(s("c.pem"), s("k.pem"), s("a"))
                .expect_err("refused")
                .contains("not both")
        );
        assert!(source(None, None, s(" , ")).is_err());
        assert_eq!(
            source(None, None, s("192.168.1.20, waste.lan")),
            Ok(Some(TlsSource::SelfSigned(vec![
                "192.168.1.20".into(),
                "waste.lan".into()
            ])))
        );
    }

    #[test]
    fn the_fingerprint_is_colon_separated_upper_hex_of_sha_256() {
        let f = fingerprint(b"abc");
        assert_eq!(
            f,
            "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"
        );
    }

    #[test]
    fn a_self_signed_certificate_is_made_for_names_and_addresses() {
        let t = load(&TlsSource::SelfSigned(vec![
            "127.0.0.1".into(),
            "waste.lan".into(),
        ]))
        .expect("made");
        assert!(t.presented.self_signed);
        assert_eq!(t.presented.fingerprint.len(), 32 * 3 - 1);
    }

    #[test]
    fn a_missing_file_names_the_file_and_the_setting() {
        let e = load(&TlsSource::Files {
            cert: "/nonexistent/cert.pem".into(),
            key: "/nonexistent/key.pem".into(),
        })
        .err()
        .expect("refused");
        assert!(
            e.contains("/nonexistent/cert.pem") && e.contains("WASTE_TLS_CERT"),
            "{e}"
        );
    }
}
