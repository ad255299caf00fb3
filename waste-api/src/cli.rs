//! Command-line subcommands. Each prints one line to stderr and exits non-zero on error.

use std::io::Read;
use std::process::ExitCode;
use time::{Date, OffsetDateTime};
use waste_core::Standards;

const USAGE: &str = "usage: waste-api [serve | classify [FILE] [--on YYYY-MM-DD]]";

pub fn run(args: &[String]) -> ExitCode {
    match args.first().map(String::as_str) {
        Some("classify") => report(classify(&args[1..])),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        None | Some("serve") => {
            eprintln!(
                "waste-api: the HTTP service is not built yet (it arrives with the service issue); try `waste-api classify`"
            );
            ExitCode::from(2)
        }
        Some(other) => {
            eprintln!("waste-api: unknown subcommand '{other}'; {USAGE}");
            ExitCode::from(2)
        }
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

fn classify(args: &[String]) -> Result<(), String> {
    let mut file = None;
    let mut on = OffsetDateTime::now_utc().date();
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
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?
        }
        None => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| format!("cannot read stdin: {e}"))?;
            s
        }
    };
    let result = waste_core::classify_json(Standards::embedded(), &input, on)
        .map_err(|e| format!("invalid request: {e}"))?;
    let json = serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}
