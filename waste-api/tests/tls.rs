//! HTTPS in the binary (README, "HTTPS for phones on the LAN"): the real binary serves TLS with a given certificate
//! and key, or with a self-signed certificate whose printed fingerprint is the one it presents; half a setting or
//! an unreadable file stops the start with a message naming the setting.

use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const TOKEN: &str = "tls-admin-4b7e1c9d0a2f5e83c6d1b9a7f0e4c2d8";

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "waste-tls-{tag}-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The binary, serving with `env` on a free port of its own choosing.
struct Served {
    child: Child,
    addr: String,
    stderr: Vec<String>,
    stdout: mpsc::Receiver<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn lines(r: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn spawn(dir: &Path, env: &[(&str, String)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_waste-api"))
        .arg("serve")
        .env("DATABASE_URL", format!("sqlite://{}/w.db", dir.display()))
        .env("WASTE_BIND", "127.0.0.1:0")
        .env("WASTE_BOOTSTRAP_TOKEN", TOKEN)
        .env("WASTE_LOG", "warn")
        .env("WASTE_WORKERS", "1")
        .env_remove("WASTE_TLS_CERT")
        .env_remove("WASTE_TLS_KEY")
        .env_remove("WASTE_TLS_SELF_SIGNED")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("waste-api runs")
}

/// Starts the binary and waits for its "listening on https://" line.
fn serve(dir: &Path, env: &[(&str, String)]) -> Served {
    let mut child = spawn(dir, env);
    let err = lines(child.stderr.take().expect("stderr"));
    let stdout = lines(child.stdout.take().expect("stdout"));
    let mut stderr = Vec::new();
    loop {
        match err.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => {
                let addr = line
                    .strip_prefix("waste-api: listening on https://")
                    .map(str::to_owned);
                stderr.push(line);
                if let Some(addr) = addr {
                    // The fingerprint line follows the address.
                    if let Ok(l) = err.recv_timeout(Duration::from_secs(10)) {
                        stderr.push(l);
                    }
                    return Served {
                        child,
                        addr,
                        stderr,
                        stdout,
                    };
                }
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("no HTTPS listener announced: {stderr:?}");
            }
        }
    }
}

/// Runs the binary to its end (a refused start) and returns its exit code and stderr.
fn refused(dir: &Path, env: &[(&str, String)]) -> (i32, String) {
    let out = spawn(dir, env).wait_with_output().expect("waste-api ends");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn colon_hex(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The fingerprint the binary printed on stdout.
fn printed_fingerprint(s: &Served) -> String {
    let line = s
        .stdout
        .recv_timeout(Duration::from_secs(10))
        .expect("a line on stdout");
    line.split("SHA-256 fingerprint ")
        .nth(1)
        .unwrap_or_else(|| panic!("no fingerprint in '{line}'"))
        .trim()
        .to_owned()
}

/// A certificate for 127.0.0.1 and localhost, written as PEM files: (cert path, key path, cert PEM, cert DER).
fn certificate(dir: &Path) -> (PathBuf, PathBuf, String, Vec<u8>) {
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
        .expect("certificate");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).expect("write cert");
    std::fs::write(&key, made.signing_key.serialize_pem()).expect("write key");
    (cert, key, made.cert.pem(), made.cert.der().to_vec())
}

fn trusting(pem: &str) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).expect("pem"))
        .https_only(true)
        .tls_info(true)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

#[test]
fn serves_https_with_the_given_certificate_and_key() {
    let dir = temp_dir("files");
    let (cert, key, pem, der) = certificate(&dir);
    let s = serve(
        &dir,
        &[
            ("WASTE_TLS_CERT", cert.display().to_string()),
            ("WASTE_TLS_KEY", key.display().to_string()),
        ],
    );
    assert_eq!(printed_fingerprint(&s), colon_hex(&der), "{:?}", s.stderr);
    let client = trusting(&pem);
    let base = format!("https://{}", s.addr);
    let ready = client
        .get(format!("{base}/readyz"))
        .send()
        .expect("readyz over HTTPS");
    assert_eq!(ready.status().as_u16(), 200);
    // A page, and its cookies marked Secure: the browser sends them back over HTTPS only.
    let login = client
        .get(format!("{base}/login?lang=en"))
        .send()
        .expect("login page over HTTPS");
    assert_eq!(login.status().as_u16(), 200);
    let cookies: Vec<String> = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    assert!(
        cookies.len() >= 2 && cookies.iter().all(|c| c.ends_with("; Secure")),
        "{cookies:?}"
    );
    assert!(login.text().unwrap_or_default().contains("<form"));
    // A client that does not trust this certificate gets no answer; plain HTTP on the port gets none either.
    let stranger = reqwest::blocking::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    assert!(stranger.get(format!("{base}/readyz")).send().is_err());
    let plain = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
        .get(format!("http://{}/readyz", s.addr))
        .send();
    assert!(plain.map(|r| r.status().as_u16() != 200).unwrap_or(true));
    drop(s);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_self_signed_certificate_prints_the_fingerprint_it_presents() {
    let dir = temp_dir("self");
    let s = serve(
        &dir,
        &[("WASTE_TLS_SELF_SIGNED", "127.0.0.1, localhost".into())],
    );
    let printed = printed_fingerprint(&s);
    assert!(
        s.stderr
            .iter()
            .any(|l| l.contains("self-signed") && l.contains(&printed)),
        "{:?}",
        s.stderr
    );
    // The phone's view: accept the certificate on sight, then compare what it presents with what was printed.
    let client = reqwest::blocking::Client::builder()
        .use_rustls_tls()
        .danger_accept_invalid_certs(true)
        .tls_info(true)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let resp = client
        .get(format!("https://{}/readyz", s.addr))
        .send()
        .expect("readyz over HTTPS");
    assert_eq!(resp.status().as_u16(), 200);
    let presented = resp
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|i| i.peer_certificate())
        .expect("the peer certificate")
        .to_vec();
    assert_eq!(colon_hex(&presented), printed);
    drop(s);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn half_a_setting_or_a_bad_file_refuses_to_start_with_a_clear_message() {
    let dir = temp_dir("bad");
    let (cert, key, _, _) = certificate(&dir);
    let (code, err) = refused(&dir, &[("WASTE_TLS_CERT", cert.display().to_string())]);
    assert_ne!(code, 0);
    assert!(err.contains("WASTE_TLS_KEY is not"), "{err}");
    let (code, err) = refused(&dir, &[("WASTE_TLS_KEY", key.display().to_string())]);
    assert_ne!(code, 0);
    assert!(err.contains("WASTE_TLS_CERT is not"), "{err}");
    let missing = dir.join("nowhere.pem");
    let (code, err) = refused(
        &dir,
        &[
            ("WASTE_TLS_CERT", missing.display().to_string()),
            ("WASTE_TLS_KEY", key.display().to_string()),
        ],
    );
    assert_ne!(code, 0);
    assert!(
        err.contains(&missing.display().to_string()) && err.contains("WASTE_TLS_CERT"),
        "{err}"
    );
    // A key that is not the certificate's.
    let other = dir.join("other");
    std::fs::create_dir_all(&other).expect("dir");
    let (_, other_key, _, _) = certificate(&other);
    let (code, err) = refused(
        &dir,
        &[
            ("WASTE_TLS_CERT", cert.display().to_string()),
            ("WASTE_TLS_KEY", other_key.display().to_string()),
        ],
    );
    assert_ne!(code, 0);
    assert!(err.contains("do not make a usable pair"), "{err}");
    // A certificate file that holds no certificate.
    let (code, err) = refused(
        &dir,
        &[
            ("WASTE_TLS_CERT", key.display().to_string()),
            ("WASTE_TLS_KEY", key.display().to_string()),
        ],
    );
    assert_ne!(code, 0);
    assert!(err.contains("WASTE_TLS_CERT"), "{err}");
    // Nothing was served or created: the refusal comes before the database.
    assert!(!dir.join("w.db").exists());
    let _ = std::fs::remove_dir_all(dir);
}
