//! Re-embed the migrations when a migration directory is added or removed (docs/rules.md "Persistence notes").
//!
//! libtest has no runtime skip: a test that returns early is reported as passed. So whether PostgreSQL is
//! reachable is probed here, at build time, and without it (outside CI) the crash tests' PostgreSQL cases are
//! compiled as `#[ignore]` (reported as ignored). Under `CI=true` they never are: a missing PostgreSQL fails them.
//! Set `WASTE_E2E_PG_PROBE` to any new value to probe again without other changes (the same as `tests/build.rs`).

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
    println!("cargo:rustc-check-cfg=cfg(no_postgres)");
    println!("cargo:rerun-if-env-changed=CI");
    println!("cargo:rerun-if-env-changed=WASTE_E2E_PG_PROBE");
    println!("cargo:rerun-if-changed=build.rs");
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let addr = SocketAddr::from(([127, 0, 0, 1], 5432));
    if !ci && TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err() {
        println!("cargo:rustc-cfg=no_postgres");
        println!(
            "cargo:warning=PostgreSQL is not reachable at 127.0.0.1:5432: the PostgreSQL crash tests are marked ignored"
        );
    }
}
