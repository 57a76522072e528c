//! Where the workspace's binaries are. `CARGO_BIN_EXE_*` exists only in the tests of the
//! package that owns a binary (STYLE.md, "Traps in our layout" 1), so the kit looks in
//! `target/<profile>/`, next to the running test or bench executable.

use std::path::PathBuf;

/// `target/<profile>/NAME` for the running executable (a test in `target/<profile>/deps/`
/// or a binary in `target/<profile>/`), or `None` when it is not built.
pub fn find(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let mut dir = exe.parent()?;
    if dir.ends_with("deps") {
        dir = dir.parent()?;
    }
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    path.is_file().then_some(path)
}

/// Like [`find`], panicking with one line that says how to build the binary.
pub fn bin(name: &str) -> PathBuf {
    find(name).unwrap_or_else(|| {
        panic!("{name} is not built next to this test: run `cargo build --workspace --bins` first")
    })
}

/// The `notif-server` binary.
pub fn server() -> PathBuf {
    bin("notif-server")
}

/// The `notif` binary.
pub fn notif() -> PathBuf {
    bin("notif")
}
