//! Drops test databases leaked by earlier runs (`oms_test_*` older than an hour by default).
//!
//! `cargo run -q -p oms-test-support --bin oms-purge-test-databases [-- --older-than-minutes N]`
//! Uses `OMS_PG_ADMIN_URL` (default `postgres://postgres@127.0.0.1:5432`). Exit code 1 when the
//! server cannot be reached, so a `make` target stops there.

use std::process::ExitCode;
use std::time::Duration;

const DEFAULT_MINUTES: u64 = 60;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let minutes = match parse_minutes(std::env::args().skip(1)) {
        Ok(minutes) => minutes,
        Err(message) => {
            eprintln!("{message}\nusage: oms-purge-test-databases [--older-than-minutes N]");
            return ExitCode::from(2);
        }
    };
    let admin_url = oms_test_support::env::pg_admin_url();
    match oms_test_support::purge_stale_databases(&admin_url, Duration::from_secs(minutes * 60))
        .await
    {
        Ok(dropped) => {
            for name in &dropped {
                println!("dropped {name}");
            }
            println!(
                "purged {} test database(s) older than {minutes} minute(s)",
                dropped.len()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("cannot purge test databases: {error}");
            ExitCode::FAILURE
        }
    }
}

fn parse_minutes(mut args: impl Iterator<Item = String>) -> Result<u64, String> {
    match (args.next().as_deref(), args.next(), args.next()) {
        (None, _, _) => Ok(DEFAULT_MINUTES),
        (Some("--older-than-minutes"), Some(value), None) => value
            .parse()
            .map_err(|_| format!("not a number of minutes: {value}")),
        _ => Err("unexpected arguments".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn arguments_are_the_age_in_minutes() {
        assert_eq!(parse_minutes(args(&[])), Ok(60));
        assert_eq!(parse_minutes(args(&["--older-than-minutes", "5"])), Ok(5));
        assert!(parse_minutes(args(&["--older-than-minutes", "x"])).is_err());
        assert!(parse_minutes(args(&["--other"])).is_err());
    }
}
