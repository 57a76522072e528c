//! The environment a test's child process runs with. A developer's `NOTIF_*` settings
//! (`NOTIF_DB`, `NOTIF_SERVER`, `NOTIF_TOKEN`, limits, SMTP, …), `RUST_LOG` and colour
//! preferences must never change what a test sees, so every child the kit starts goes
//! through [`scrub`].

use std::ffi::OsString;
use std::process::Command;

/// Variables outside `NOTIF_*` that change what the binaries print or do.
const OTHER: [&str; 4] = [
    "RUST_LOG",
    "NO_COLOR",
    "CLICOLOR_FORCE",
    "DBUS_SESSION_BUS_ADDRESS",
];

/// The names to remove from a child's environment: every `NOTIF_*`, plus [`OTHER`].
pub fn removed() -> Vec<OsString> {
    let mut names: Vec<OsString> = std::env::vars_os()
        .map(|(name, _)| name)
        .filter(|name| name.to_string_lossy().starts_with("NOTIF_"))
        .collect();
    names.extend(OTHER.iter().map(OsString::from));
    names
}

/// Removes [`removed`] from `cmd`'s environment (for a tokio command, pass `as_std_mut()`).
pub fn scrub(cmd: &mut Command) -> &mut Command {
    for name in removed() {
        cmd.env_remove(name);
    }
    cmd
}
