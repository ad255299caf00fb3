//! The README's walkthrough ("Your first ten minutes", the JSON API part) runs against the real binary, as a
//! newcomer would paste it: every `sh` block in order, in one shell, on a fresh SQLite database. `curl` is
//! wrapped so that every answer's status and error code is logged; the run fails on any error answer the README
//! does not announce, so an example whose date went by, or whose request the service no longer takes, is found
//! by the suite and not by the next newcomer.

mod common;

use std::process::{Command, Stdio};

/// The error codes the walkthrough shows on purpose, in order.
const ANNOUNCED: &[&str] = &["incompatible_addition"];

/// The `sh` blocks of the README's "Your first ten minutes" section that call the API (not the ones that start
/// the service: the test starts it).
fn walkthrough() -> Vec<String> {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("## Your first ten minutes")
        .expect("the README has its walkthrough");
    let section = &readme[start..];
    let end = section[3..].find("\n## ").map_or(section.len(), |e| e + 3);
    let section = &section[..end];
    let mut blocks = Vec::new();
    let mut rest = section;
    while let Some(i) = rest.find("```sh\n") {
        let body = &rest[i + 6..];
        let close = body.find("\n```").expect("a closed block");
        let block = &body[..close];
        if !block.contains("cargo run") {
            blocks.push(block.to_owned());
        }
        rest = &body[close + 4..];
    }
    blocks
}

/// Logs each answer's status and error code to `$CURL_LOG`, then gives the body as curl would.
const CURL_WRAPPER: &str = r#"
curl() {
  local out status body
  out=$(command curl -sS -w '\n%{http_code}' "$@") || { echo "000 curl_failed $*" >> "$CURL_LOG"; return 0; }
  status=${out##*$'\n'}
  body=${out%$'\n'*}
  code=$(printf '%s' "$body" | jq -r 'if type == "object" then (.error.code // "") else "" end' 2>/dev/null)
  echo "$status $code" >> "$CURL_LOG"
  printf '%s\n' "$body"
}
"#;

#[test]
fn the_readme_walkthrough_runs_today() {
    for tool in ["jq", "curl", "bash"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            found,
            "the walkthrough needs {tool} (scripts/test.sh installs it)"
        );
    }
    let blocks = walkthrough();
    assert!(blocks.len() >= 4, "found {} blocks", blocks.len());
    // The walkthrough has the newcomer make a token of their own and paste it where it says so.
    const PASTE: &str = "<the token printed in the first terminal>";
    assert!(
        blocks.iter().any(|b| b.contains(PASTE)),
        "the walkthrough says where to paste the token"
    );
    let token = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let dir = std::env::temp_dir().join(format!("waste-readme-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let port = common::free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_waste-api"))
        .env("WASTE_BOOTSTRAP_TOKEN", &token)
        .env("WASTE_BIND", format!("127.0.0.1:{port}"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/waste.db", dir.display()),
        )
        .env("WASTE_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the service starts");
    if !common::ready(port) {
        let _ = server.kill();
        let out = server.wait_with_output().expect("the service's output");
        panic!(
            "the service did not answer /readyz: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let log = dir.join("curl.log");
    let script = format!(
        "set -u\n{CURL_WRAPPER}\n{}\n",
        blocks
            .join("\n")
            .replace("http://127.0.0.1:8080", &format!("http://127.0.0.1:{port}"))
            .replace(PASTE, &token)
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(&dir)
        .env("CURL_LOG", &log)
        .output()
        .expect("bash runs");
    let _ = server.kill();
    let _ = server.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let answers = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "the walkthrough's shell failed: {stderr}\n{stdout}"
    );
    let errors: Vec<&str> = answers.lines().filter(|l| !l.starts_with('2')).collect();
    let codes: Vec<&str> = errors
        .iter()
        .map(|l| l.split_whitespace().nth(1).unwrap_or("(no code)"))
        .collect();
    assert_eq!(
        codes, ANNOUNCED,
        "answers other than the README announces: {errors:?}\nall answers:\n{answers}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        answers.lines().count() > 30,
        "the walkthrough made {} requests",
        answers.lines().count()
    );
}
