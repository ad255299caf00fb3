//! Command-line subcommands. Each prints one line to stderr and exits non-zero on error.

use std::io::Read;
use std::process::ExitCode;
use time::{Date, OffsetDateTime};
use waste_core::Standards;

const USAGE: &str = "usage: waste-api [serve | migrate | verify [--since CHECKPOINT_FILE] | checkpoint | backup DEST | restore SRC [--force] | classify [FILE] [--on YYYY-MM-DD]]";

pub fn run(args: &[String]) -> ExitCode {
    match args.first().map(String::as_str) {
        Some("classify") => report(classify(&args[1..])),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        None | Some("serve") => report(serve()),
        Some("migrate") => report(migrate()),
        Some("verify") => match &args[1..] {
            [] => verify(None),
            [flag, file] if flag == "--since" => verify(Some(file)),
            _ => usage("verify takes no argument but --since CHECKPOINT_FILE"),
        },
        Some("checkpoint") => match &args[1..] {
            [] => checkpoint(),
            _ => usage("checkpoint takes no argument"),
        },
        Some("backup") => match &args[1..] {
            [dest] => backup(dest),
            _ => usage("backup needs one argument, the new file's path"),
        },
        Some("restore") => match &args[1..] {
            [src] => restore(src, false),
            [src, force] | [force, src] if force == "--force" => restore(src, true),
            _ => usage("restore needs the backup's path (and --force to replace a database)"),
        },
        Some(other) => {
            eprintln!("waste-api: unknown subcommand '{other}'; {USAGE}");
            ExitCode::from(2)
        }
    }
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("WASTE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn serve() -> Result<(), String> {
    init_logs();
    let s = waste_api::config::Settings::from_env();
    let mut guards = s.guards.clone();
    guards.tls = waste_api::tls::from_env()?;
    guards.backups = waste_api::ops::backup::Schedule::from_env()?;
    // Built on the runtime that serves, so that the webhook worker starts beside the server.
    actix_web::rt::System::new().block_on(async move {
        let running = waste_api::build_guarded(
            &s.bind,
            &s.database_url,
            s.bootstrap_token.as_deref(),
            s.workers,
            s.pool_size,
            guards,
        )?;
        if let Some(token) = &running.admin_token
            && s.bootstrap_token.is_none()
        {
            // Shown once: only its hash is stored.
            eprintln!(
                "waste-api: first start: administrator token (shown once, keep it safe): {token}"
            );
        }
        tracing::info!(addr = %running.addr, database = %redact(&s.database_url), "listening");
        match &running.tls {
            Some(shown) => {
                eprintln!("waste-api: listening on https://{}", running.addr);
                let fingerprint = &shown.fingerprint;
                let what = if shown.self_signed {
                    "self-signed certificate made at this start"
                } else {
                    "certificate"
                };
                // On stdout too, so a user finds it without reading the logs: compare it with what the phone shows.
                println!("waste-api: TLS {what}, SHA-256 fingerprint {fingerprint}");
                eprintln!("waste-api: TLS {what}, SHA-256 fingerprint {fingerprint}");
            }
            None => eprintln!("waste-api: listening on http://{}", running.addr),
        }
        running.server.await.map_err(|e| e.to_string())
    })
}

fn migrate() -> Result<(), String> {
    let s = waste_api::config::Settings::from_env();
    // Sealing the log's head of an upgraded database anchors it with the service's key.
    waste_api::store::events::set_audit_key(s.guards.audit_key.as_deref());
    waste_api::db::connect(&s.database_url, 1).map_err(|e| e.to_string())?;
    eprintln!(
        "waste-api: database {} is migrated",
        redact(&s.database_url)
    );
    Ok(())
}

fn usage(why: &str) -> ExitCode {
    eprintln!("waste-api: {why}; {USAGE}");
    ExitCode::from(2)
}

/// Verifies every custody chain of `DATABASE_URL` without a server and prints the report: exit 0 when every chain
/// holds, 1 at a break, 3–8 when there is no current database to verify (`ops::OpenError`); nothing is created
/// or migrated. With `--since FILE`, the log is compared with that checkpoint's signed statement too (a log that
/// did not only grow since is a break, exit 1; a statement that cannot be read or does not verify, exit 9).
fn verify(since: Option<&str>) -> ExitCode {
    let s = waste_api::config::Settings::from_env();
    // The same streaming audit as `/audit/verify`, with the heads' anchors checked when WASTE_AUDIT_KEY is set.
    let key = s.guards.audit_key.clone();
    let since = match since.map(|file| checkpoint_statement(&s, file)).transpose() {
        Ok(since) => since,
        Err(e) => {
            eprintln!("waste-api: verify: {}", e.to_string().replace('\n', " "));
            return ExitCode::from(e.exit_code());
        }
    };
    match waste_api::ops::verify_since(
        &s.database_url,
        key.as_deref().map(str::as_bytes),
        since.as_ref(),
    ) {
        waste_api::ops::Verified::Report(report) => {
            println!("{report}");
            if report["ok"] == true {
                ExitCode::SUCCESS
            } else {
                if let Some(b) = report["broken"].as_object() {
                    eprintln!(
                        "waste-api: verify: broken: {} {}",
                        b.get("aggregate").and_then(|v| v.as_str()).unwrap_or("?"),
                        b.get("kind").and_then(|v| v.as_str()).unwrap_or("?")
                    );
                }
                ExitCode::FAILURE
            }
        }
        waste_api::ops::Verified::Refused(e) => {
            eprintln!("waste-api: verify: {}", e.to_string().replace('\n', " "));
            ExitCode::from(e.exit_code())
        }
    }
}

/// The checkpoint statement in `file`, its signature checked with the checkpoint key.
fn checkpoint_statement(
    s: &waste_api::config::Settings,
    file: &str,
) -> Result<waste_api::store::audit::Since, waste_api::ops::Refusal> {
    use waste_api::ops::{Refusal, checkpoint};
    let key = checkpoint::key_path(
        std::env::var("WASTE_CHECKPOINT_KEY").ok().as_deref(),
        &s.database_url,
    )
    .map_err(Refusal::Checkpoint)?;
    checkpoint::read(std::path::Path::new(file), &key).map_err(Refusal::Checkpoint)
}

/// Takes a checkpoint of `DATABASE_URL` (after an audit that finds nothing wrong) and prints its signed statement
/// on stdout, for the operator to keep on another machine: exit 0; 1 when the audit finds a break (no checkpoint
/// is taken, the report is printed); 3–8 for the database; 9 when the signing key cannot be read or created.
fn checkpoint() -> ExitCode {
    use waste_api::ops::{Refusal, checkpoint};
    let s = waste_api::config::Settings::from_env();
    let key = s.guards.audit_key.clone();
    let taken = checkpoint::key_path(
        std::env::var("WASTE_CHECKPOINT_KEY").ok().as_deref(),
        &s.database_url,
    )
    .map_err(Refusal::Checkpoint)
    .and_then(|path| checkpoint::take(&s.database_url, key.as_deref().map(str::as_bytes), &path));
    match taken {
        Ok(Ok(statement)) => {
            println!("{statement}");
            ExitCode::SUCCESS
        }
        Ok(Err(report)) => {
            println!("{report}");
            eprintln!("waste-api: checkpoint: the audit found a break; no checkpoint was taken");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!(
                "waste-api: checkpoint: {}",
                e.to_string().replace('\n', " ")
            );
            ExitCode::from(e.exit_code())
        }
    }
}

fn ops_result(
    what: &str,
    r: Result<waste_api::ops::backup::Report, waste_api::ops::backup::Failure>,
) -> ExitCode {
    match r {
        Ok(report) => {
            println!("{}", report.json(what));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("waste-api: {what}: {}", e.to_string().replace('\n', " "));
            ExitCode::from(e.exit_code())
        }
    }
}

/// `backup DEST`: an online, checked copy of the SQLite database; one JSON line on stdout.
fn backup(dest: &str) -> ExitCode {
    let s = waste_api::config::Settings::from_env();
    let key = s.guards.audit_key.clone();
    let r = waste_api::ops::backup::backup(
        &s.database_url,
        std::path::Path::new(dest),
        key.as_deref().map(str::as_bytes),
    );
    ops_result("backup", r)
}

/// `restore SRC [--force]`: the SQLite database of `DATABASE_URL` becomes a checked copy of SRC.
fn restore(src: &str, force: bool) -> ExitCode {
    let s = waste_api::config::Settings::from_env();
    let key = s.guards.audit_key.clone();
    let r = waste_api::ops::backup::restore(
        std::path::Path::new(src),
        &s.database_url,
        force,
        key.as_deref().map(str::as_bytes),
    );
    ops_result("restore", r)
}

/// A database URL without its password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(i), Some(at)) if at > i => match url[i + 3..at].find(':') {
            Some(c) => format!("{}:***{}", &url[..i + 3 + c], &url[at..]),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

fn report(r: Result<(), String>) -> ExitCode {
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("waste-api: {}", e.replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("--on: '{s}' is not a date (YYYY-MM-DD)"))
}

/// Reads at most `MAX_REQUEST_BYTES` (a request is a few hundred bytes): a larger input is refused with its size
/// limit instead of being read into memory whole.
fn read_capped(r: impl Read, what: &str) -> Result<String, String> {
    let max = waste_core::request::MAX_REQUEST_BYTES;
    let mut buf = Vec::new();
    r.take(max as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| format!("cannot read {what}: {e}"))?;
    if buf.len() > max {
        return Err(format!(
            "{what} is larger than {max} bytes; a classification request is one JSON object of a few hundred bytes"
        ));
    }
    String::from_utf8(buf).map_err(|e| {
        format!(
            "{what} is not UTF-8 text (invalid byte at offset {}); save the file as UTF-8",
            e.utf8_error().valid_up_to()
        )
    })
}

fn classify(args: &[String]) -> Result<(), String> {
    let mut file = None;
    // Today in the deployment's zone (WASTE_TIME_ZONE), as the service reads it.
    let zone = waste_api::config::Guards::from_env().time_zone;
    let zone =
        waste_core::calendar::Zone::named(&zone).map_err(|e| format!("WASTE_TIME_ZONE: {e}"))?;
    let mut on = zone.date_of(OffsetDateTime::now_utc());
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--on" => on = parse_date(it.next().ok_or("--on needs a date")?)?,
            f if file.is_none() && !f.starts_with("--") => file = Some(f.to_owned()),
            other => return Err(format!("classify: unexpected argument '{other}'")),
        }
    }
    let input = match &file {
        Some(path) => {
            let f = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
            read_capped(f, path)?
        }
        None => read_capped(std::io::stdin().lock(), "stdin")?,
    };
    let result = waste_core::classify_json(Standards::embedded(), &input, on)
        .map_err(|e| format!("invalid request: {e}"))?;
    let json = serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}
