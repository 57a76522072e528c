//! Issue 11, point 9a: the password of `--smtp-url` is never printed: not in the start-up
//! error for an unusable URL, not in the log, not in `--help` when it comes from the
//! environment.

use std::process::Stdio;

use tokio::process::Command;

use crate::support::{BIN, scrub_env};

const PASSWORD: &str = "s3cret-Pa55word";

/// Runs `notif-server ARGS` with `env` set; its exit success, stdout and stderr.
async fn run(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .arg("--db")
        .arg(dir.path().join("notif.db"))
        .stdin(Stdio::null())
        .kill_on_drop(true);
    scrub_env(&mut cmd);
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = tokio::time::timeout(std::time::Duration::from_secs(20), cmd.output())
        .await
        .expect("notif-server exits in time")
        .unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), printed)
}

#[tokio::test]
async fn point9a_the_smtp_password_is_never_printed() {
    for url in [
        // Refused by the SMTP client (an unknown TLS mode), but a well-formed URL.
        format!("smtp://mailer:{PASSWORD}@relay.example?tls=sometimes"),
        // Not even a URL (no such port).
        format!("smtp://mailer:{PASSWORD}@relay.example:99999"),
        format!("gopher://mailer:{PASSWORD}@relay.example"),
    ] {
        let (ok, printed) = run(
            &["serve", "--listen", "127.0.0.1:0", "--smtp-url", &url],
            &[],
        )
        .await;
        assert!(!ok, "{url} is refused at start:\n{printed}");
        assert!(
            printed.contains("--smtp-url"),
            "the error names the flag:\n{printed}"
        );
        assert!(
            printed.contains("mailer:***@"),
            "the error shows the URL without its password:\n{printed}"
        );
        assert!(
            !printed.contains(PASSWORD),
            "the password is printed:\n{printed}"
        );
    }
    let (_, help) = run(
        &["serve", "--help"],
        &[(
            "NOTIF_SMTP_URL",
            &format!("smtp://mailer:{PASSWORD}@relay.example"),
        )],
    )
    .await;
    assert!(help.contains("NOTIF_SMTP_URL"), "{help}");
    assert!(
        !help.contains(PASSWORD),
        "--help shows the password:\n{help}"
    );
}
