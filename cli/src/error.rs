//! Errors of the `notif` commands that are not API errors, and the mapping of any error
//! to the documented exit status.

use std::io;

use crate::api::{
    ApiError, EXIT_AUTH, EXIT_FAILURE, EXIT_NOT_FOUND, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE,
};
use crate::config::ConfigError;

/// A command failed before or beside the API.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// No token in flags, environment or config file.
    #[error(
        "no token: run `notif login`, or pass --token or set NOTIF_TOKEN \
         (a token comes from `notif-server user add NAME`)"
    )]
    NoToken,
    /// The user asked for something that makes no sense (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The server did not answer within `--timeout` (exit 5).
    #[error("no answer from {server} within {after} (--timeout)")]
    TimedOut {
        /// The server's URL.
        server: String,
        /// The limit, as people write it (`10s`).
        after: String,
    },
    /// An id or prefix that matches nothing in the inbox (exit 4).
    #[error("no notification matches {0:?}")]
    NoMatch(String),
    /// An id prefix that matches several notifications (exit 2).
    #[error("id prefix {prefix:?} is ambiguous: it matches {}", .matches.join(", "))]
    Ambiguous {
        /// The prefix as given.
        prefix: String,
        /// The ids it matches (the first few).
        matches: Vec<String>,
    },
}

/// The exit status for `err`: the first error in its chain that knows one decides;
/// a closed stdout (broken pipe) is success; anything else is 1.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<ApiError>() {
            return e.exit_code();
        }
        if let Some(e) = cause.downcast_ref::<CliError>() {
            return match e {
                CliError::NoToken => EXIT_AUTH,
                CliError::Usage(_) | CliError::Ambiguous { .. } => EXIT_USAGE,
                CliError::NoMatch(_) => EXIT_NOT_FOUND,
                CliError::TimedOut { .. } => EXIT_UNAVAILABLE,
            };
        }
        if cause.downcast_ref::<ConfigError>().is_some() {
            return EXIT_USAGE;
        }
        if is_broken_pipe(cause) {
            return EXIT_OK;
        }
    }
    EXIT_FAILURE
}

/// Whether `err` is an I/O error from writing to a closed pipe.
pub fn is_broken_pipe(err: &(dyn std::error::Error + 'static)) -> bool {
    err.downcast_ref::<io::Error>()
        .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

/// `err` as the one line `notif` prints after `error: `: the chain joined with `: `,
/// on one line even if a message had line breaks.
pub fn one_line(err: &anyhow::Error) -> String {
    format!("{err:#}").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    #[test]
    fn api_errors_keep_their_code_through_context() {
        let err = Err::<(), _>(ApiError::from_response(403, b"", None))
            .context("sending")
            .unwrap_err();
        assert_eq!(exit_code(&err), 3);
    }

    #[test]
    fn cli_errors_map_to_documented_codes() {
        assert_eq!(exit_code(&CliError::NoToken.into()), 3);
        assert_eq!(exit_code(&CliError::NoMatch("abcdef".into()).into()), 4);
        let amb = CliError::Ambiguous {
            prefix: "abcdef".into(),
            matches: vec!["a".into()],
        };
        assert_eq!(exit_code(&amb.into()), 2);
        assert_eq!(exit_code(&anyhow::anyhow!("other")), 1);
    }

    #[test]
    fn broken_pipe_is_success() {
        let err = anyhow::Error::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert_eq!(exit_code(&err), 0);
    }

    #[test]
    fn messages_are_one_line() {
        let err = anyhow::anyhow!("bad\nthing").context("while reading");
        assert_eq!(one_line(&err), "while reading: bad thing");
    }
}
