//! How a running server learns that a token stopped being valid, even when another process
//! (an admin command) revoked it: every revocation, once committed, appends a byte to a file
//! beside the database (`notif.db-revocations`). A server keeps the tokens it has looked up
//! in memory ([`super::token_cache`]) only while that file looks as it did: a `stat` per
//! request, where the lookup it saves is a read transaction.
//!
//! The file only grows, so its length changes at every revocation; its inode and modification time
//! are compared too, so that a file removed and made again never passes for the old one. A
//! file that cannot be read (removed, say) keeps nothing in memory until it is back.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rusqlite::Connection;

use super::{StoreError, private_file};

/// The file a database's revocations are announced in.
#[derive(Debug, Clone)]
pub struct RevocationMark {
    path: PathBuf,
}

/// What the mark looked like: any revocation since changes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generation {
    inode: u64,
    length: u64,
    changed: Option<SystemTime>,
}

impl RevocationMark {
    /// The mark of the database at `database`.
    pub fn beside(database: &Path) -> RevocationMark {
        let mut name = database.as_os_str().to_owned();
        name.push("-revocations");
        RevocationMark {
            path: PathBuf::from(name),
        }
    }

    /// The mark of the database `conn` has open, if it is a file.
    pub fn of(conn: &Connection) -> Option<RevocationMark> {
        conn.path()
            .filter(|path| !path.is_empty())
            .map(|path| RevocationMark::beside(Path::new(path)))
    }

    /// Tells running servers that a token may have stopped being valid. Call it after the
    /// revocation is committed, never before: a server reading the database between the two
    /// would keep the token again.
    pub fn announce(&self) -> Result<(), StoreError> {
        private_file::owner_only()
            .append(true)
            .create(true)
            .open(&self.path)?
            .write_all(b"r")?;
        Ok(())
    }

    /// Makes the file if there is none, so that tokens can be kept from the first request.
    pub fn ensure(&self) -> Result<(), StoreError> {
        match std::fs::metadata(&self.path) {
            Ok(_) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => self.announce(),
            Err(err) => Err(err.into()),
        }
    }

    /// What the file looks like now; `None` when it cannot be read.
    pub fn generation(&self) -> Option<Generation> {
        let meta = std::fs::metadata(&self.path).ok()?;
        Some(Generation {
            inode: inode(&meta),
            length: meta.len(),
            changed: meta.modified().ok(),
        })
    }
}

#[cfg(unix)]
fn inode(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(meta)
}

#[cfg(not(unix))]
fn inode(_: &std::fs::Metadata) -> u64 {
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_announcement_and_a_new_file_change_the_generation() {
        let dir = tempfile::tempdir().unwrap();
        let mark = RevocationMark::beside(&dir.path().join("notif.db"));
        assert_eq!(mark.generation(), None, "no file yet");
        mark.ensure().unwrap();
        let first = mark.generation().unwrap();
        mark.ensure().unwrap();
        assert_eq!(
            mark.generation(),
            Some(first),
            "ensure keeps an existing file"
        );
        mark.announce().unwrap();
        let second = mark.generation().unwrap();
        assert_ne!(second, first);
        std::fs::remove_file(dir.path().join("notif.db-revocations")).unwrap();
        assert_eq!(mark.generation(), None);
        mark.announce().unwrap();
        assert_ne!(mark.generation(), Some(second));
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_its_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        RevocationMark::beside(&dir.path().join("notif.db"))
            .announce()
            .unwrap();
        let meta = std::fs::metadata(dir.path().join("notif.db-revocations")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
}
