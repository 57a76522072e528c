//! `notif completions`: every shell works and matches the committed scripts.

use crate::util::Alice;

#[test]
fn completions_match_the_committed_files() {
    let server = Alice::start();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../completions");
    for (shell, file) in [
        ("bash", "notif.bash"),
        ("zsh", "_notif"),
        ("fish", "notif.fish"),
        ("elvish", "notif.elv"),
        ("powershell", "_notif.ps1"),
    ] {
        let run = server.bare(&["completions", shell]).run().success();
        let committed = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(
            run.stdout == committed,
            "completions/{file} differs from `notif completions {shell}`; \
            regenerate with `NOTIF_UPDATE_COMPLETIONS=1 cargo test -p notif completions`"
        );
    }
    server.bare(&["completions", "tcsh"]).run().code(2);
}
