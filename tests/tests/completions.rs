//! `notif completions`: the real binary prints every shell's script, equal to the
//! committed one, and refuses an unknown shell. No server is needed.

use std::process::Command;

use notif_tests::bins::bin;

#[test]
fn completions_match_the_committed_files() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../completions");
    for (shell, file) in [
        ("bash", "notif.bash"),
        ("zsh", "_notif"),
        ("fish", "notif.fish"),
        ("elvish", "notif.elv"),
        ("powershell", "_notif.ps1"),
    ] {
        let out = Command::new(bin("notif"))
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "notif completions {shell}: {out:?}");
        let committed = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout) == committed,
            "completions/{file} differs from `notif completions {shell}`; \
            regenerate with `NOTIF_UPDATE_COMPLETIONS=1 cargo test -p notif completions`"
        );
    }
    let out = Command::new(bin("notif"))
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
