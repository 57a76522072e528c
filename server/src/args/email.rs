//! The flags of the email channel (`serve`, `quickstart`): the SMTP relay, the sender, the
//! public URL its links point to, and the retry schedule.

use std::time::Duration;

use clap::Args;

use super::parse_duration;

/// The email channel. Without `--smtp-url` it is off.
#[derive(Debug, Clone, Args)]
pub struct EmailArgs {
    /// SMTP relay, e.g. smtp://127.0.0.1:2525, smtps://user:pass@host, smtp://host?tls=required.
    /// Its password is never printed (not even by --help when it comes from NOTIF_SMTP_URL).
    #[arg(
        long,
        env = "NOTIF_SMTP_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub smtp_url: Option<String>,
    /// The From of notification emails.
    #[arg(
        long,
        env = "NOTIF_MAIL_FROM",
        default_value = "notif <notif@localhost>",
        value_name = "ADDRESS"
    )]
    pub mail_from: String,
    /// Where people reach this server: emails' links, web sign-in links, and the web inbox's
    /// own origin (https makes its cookie Secure). Default: http://LISTEN.
    #[arg(long, env = "NOTIF_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// Wait after an email's first failed attempt; it doubles with each further failure.
    #[arg(long, env = "NOTIF_EMAIL_RETRY_BASE", default_value = "5s", value_parser = parse_duration, value_name = "DURATION")]
    pub email_retry_base: Duration,
    /// Attempts before an email is marked failed.
    #[arg(long, env = "NOTIF_EMAIL_MAX_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub email_max_attempts: u32,
}
