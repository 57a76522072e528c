//! `notif send`: notify yourself (or, with `--to`, someone else), retrying transient
//! failures with one idempotency key so that a retry never notifies twice.

use std::io::Read;
use std::time::Duration;

use anyhow::Context as _;
use rand::distr::{Alphanumeric, SampleString};

use super::Context;
use crate::api::retry::{Backoff, with_retries};
use crate::api::{ApiError, NotifyRequest};
use crate::cli::TypeArg;
use crate::config::TokenScope;
use crate::error::CliError;

/// Send a notification.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  notif send \"Deploy finished\" --type success --link https://ci.example.com/runs/42
  make test 2>&1 | tail -20 | notif send \"Tests failed\" --type error --body -
  notif send \"Backup done\" --to alice --category backup   (with a service token)

Prints the new notification's id (with --json, the server's response).")]
pub struct Args {
    /// Title: one line, 1 to 200 characters
    pub title: String,
    /// Body text; `-` reads it from stdin
    #[arg(long, short, value_name = "TEXT")]
    pub body: Option<String>,
    /// Type, in any case [default: info]
    #[arg(long = "type", short = 't', value_name = "TYPE", ignore_case = true)]
    pub kind: Option<TypeArg>,
    /// Link: an absolute http, https or mailto URL (spaces are percent-encoded)
    #[arg(long, short, value_name = "URL", value_parser = parse_link)]
    pub link: Option<String>,
    /// Category, which selects the recipient's per-category preference
    #[arg(long, short, value_name = "NAME")]
    pub category: Option<String>,
    /// Recipient user id (default: the token's own user; required with a service token,
    /// checked before sending when `notif login` saved it)
    #[arg(long, value_name = "USER")]
    pub to: Option<String>,
    /// Key that makes retries safe: the server creates nothing for a repeated key;
    /// 1 to 255 printable ASCII characters [default: a random key per invocation]
    #[arg(long, value_name = "KEY", value_parser = parse_idempotency_key)]
    pub idempotency_key: Option<String>,
    /// How many times to retry when the server is unreachable, failing (5xx) or busy (429)
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub retries: u32,
}

impl Args {
    /// Sends the notification; see [`Args`].
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let client = ctx.client()?;
        self.check_recipient(ctx)?;
        let request = self.request()?;
        let key = self.idempotency_key.clone().unwrap_or_else(new_key);
        let backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(8));
        let attempts = self.retries + 1;
        let mut attempt = 1;
        let response = ctx
            .within(async {
                Ok(with_retries(
                    self.retries,
                    backoff,
                    || client.notify(&request, &key),
                    |err: &ApiError, delay: Duration| {
                        attempt += 1;
                        eprintln!(
                            "notif: {err}; retrying in {:.1}s (attempt {attempt} of {attempts})",
                            delay.as_secs_f32()
                        );
                    },
                )
                .await?)
            })
            .await
            .map_err(|e| self.explain(e))?;
        if ctx.out.json {
            return Ok(ctx.out.json(&response, false)?);
        }
        match &response.notification {
            Some(n) => ctx.out.text(&format!("{}\n", n.id))?,
            None => eprintln!(
                "notif: not stored: in-app delivery is off for this notification (email: {})",
                if response.delivered.email {
                    "queued"
                } else {
                    "off"
                }
            ),
        }
        Ok(())
    }

    /// A service token without `--to` is a usage error (exit 2), refused before any
    /// request when `notif login` recorded the token's scope in the config file.
    fn check_recipient(&self, ctx: &Context) -> Result<(), CliError> {
        if self.to.is_none() && ctx.settings.token_scope == Some(TokenScope::Service) {
            return Err(CliError::Usage(format!(
                "the token in {} is a service token: name the recipient with --to USER",
                ctx.settings.token_source
            )));
        }
        Ok(())
    }

    /// A service token without `--to` as the usage error it is (exit 2), for a token
    /// whose scope is not known beforehand (`--token`, `NOTIF_TOKEN`, an older config
    /// file): only the server knows what kind of token it was given, so this is told by
    /// its answer.
    fn explain(&self, err: anyhow::Error) -> anyhow::Error {
        let missing_to = self.to.is_none()
            && err
                .downcast_ref::<ApiError>()
                .is_some_and(|e| e.status() == Some(422) && e.to_string().contains("userId"));
        if missing_to {
            return CliError::Usage(
                "this token is a service token: name the recipient with --to USER".to_owned(),
            )
            .into();
        }
        err
    }

    /// The request body, reading the body from stdin for `--body -`.
    fn request(&self) -> anyhow::Result<NotifyRequest> {
        let body = match self.body.as_deref() {
            Some("-") => read_stdin()?,
            other => other.map(str::to_owned),
        };
        Ok(NotifyRequest {
            user_id: self.to.clone(),
            kind: self.kind.map(Into::into),
            title: self.title.clone(),
            body,
            link: self.link.clone(),
            category: self.category.clone(),
        })
    }
}

/// All of stdin, without trailing line breaks; `None` when that leaves nothing.
fn read_stdin() -> anyhow::Result<Option<String>> {
    let mut body = String::new();
    std::io::stdin()
        .read_to_string(&mut body)
        .context("cannot read the body from stdin (it must be UTF-8 text)")?;
    Ok(trim_body(body))
}

/// Drops trailing line breaks (what `echo` and most tools add); empty becomes `None`.
fn trim_body(mut body: String) -> Option<String> {
    let kept = body.trim_end_matches(['\n', '\r']).len();
    body.truncate(kept);
    (!body.is_empty()).then_some(body)
}

/// `--idempotency-key`: 1 to 255 printable ASCII characters, as the API requires.
fn parse_idempotency_key(key: &str) -> Result<String, String> {
    if (1..=255).contains(&key.len()) && key.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
        Ok(key.to_owned())
    } else {
        Err("must be 1 to 255 printable ASCII characters".to_owned())
    }
}

/// `--link`: an absolute URL, sent as given except that spaces are percent-encoded
/// (`https://example.com/a b` becomes `…/a%20b`). A link that is no URL even then
/// (a space in the host, a relative path) is refused before anything is sent; which
/// schemes are allowed is the server's rule (http, https, mailto).
fn parse_link(link: &str) -> Result<String, String> {
    let encoded = link.trim().replace(' ', "%20");
    match url::Url::parse(&encoded) {
        Ok(_) => Ok(encoded),
        Err(e) => Err(format!("not an absolute URL: {e}")),
    }
}

/// A fresh idempotency key: `notif-` and 32 random letters and digits (190 bits).
fn new_key() -> String {
    format!("notif-{}", Alphanumeric.sample_string(&mut rand::rng(), 32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdin_bodies_lose_trailing_newlines_only() {
        assert_eq!(
            trim_body("line 1\n  line 2\n\n".into()).as_deref(),
            Some("line 1\n  line 2")
        );
        assert_eq!(trim_body("\n".into()), None);
        assert_eq!(trim_body("  x".into()).as_deref(), Some("  x"));
    }

    #[test]
    fn links_are_encoded_when_they_can_be_and_refused_otherwise() {
        assert_eq!(
            parse_link("https://example.com/a b").unwrap(),
            "https://example.com/a%20b"
        );
        assert_eq!(
            parse_link("https://x.example").unwrap(),
            "https://x.example"
        );
        assert!(parse_link("http://exa mple.com").is_err());
        assert!(parse_link("example.com").is_err());
    }

    #[test]
    fn idempotency_keys_are_checked_before_sending() {
        assert!(parse_idempotency_key("k1").is_ok());
        assert!(parse_idempotency_key("").is_err());
        assert!(parse_idempotency_key("é").is_err());
        assert!(parse_idempotency_key(&"k".repeat(256)).is_err());
    }

    #[test]
    fn keys_are_fresh_and_printable() {
        let (a, b) = (new_key(), new_key());
        assert_ne!(a, b);
        assert!(a.len() <= 255 && a.chars().all(|c| c.is_ascii_graphic()));
    }
}
