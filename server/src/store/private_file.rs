//! The SQLite database file is readable by its owner only: it holds every user's
//! notifications and the token hashes.

use std::path::{Path, PathBuf};

use super::StoreError;

/// Options under which a file the store creates is readable and writable by its owner only
/// (the database, its backups, the revocations file).
pub(super) fn owner_only() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Creates the database file readable by its owner only, if it does not exist yet: it holds
/// every user's notifications and the token hashes. SQLite gives the WAL the same mode.
pub(super) fn create_private(path: &Path) -> Result<(), StoreError> {
    match owner_only().write(true).create_new(true).open(path) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => Err(err.into()),
    }
}

/// Makes an existing database (and its WAL and shared-memory files) readable by its owner
/// only: a file created by an older version, a copy or a restore may be readable by others.
pub(super) fn tighten(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut files = vec![path.to_path_buf()];
        for suffix in ["-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            files.push(PathBuf::from(name));
        }
        for file in files {
            match std::fs::metadata(&file) {
                Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                    tracing::info!(file = %file.display(), "made the database readable by its owner only");
                    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
                }
                Ok(_) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(err.into()),
            }
        }
    }
    Ok(())
}
