//! `waste-api`: the service (default) and its command-line tools.
//!
//! - `waste-api [serve]`: serve HTTP (`WASTE_BIND`, `DATABASE_URL`, `WASTE_BOOTSTRAP_TOKEN`).
//! - `waste-api migrate`: create or migrate the database and exit.
//! - `waste-api verify`: verify every custody chain of `DATABASE_URL`; exit 1 with the first broken link, 3–8 when
//!   there is no current database there (nothing is created or migrated).
//! - `waste-api backup DEST`: an online, checked copy of the SQLite database (one JSON line).
//! - `waste-api restore SRC [--force]`: the SQLite database becomes a checked copy of the backup SRC.
//! - `waste-api classify [FILE] [--on YYYY-MM-DD]`: classify one request (FILE or stdin), print the result JSON.

mod cli;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    cli::run(&args)
}
