//! `notif-server backup PATH`: a consistent copy of a live database, through SQLite's online
//! backup API, without stopping the server.
//!
//! The copy is made in one step, inside one read transaction: with WAL, the server's writer
//! goes on committing meanwhile, and the copy is the database exactly as it was when the
//! step began (a step-by-step copy would restart whenever the server commits). It is written
//! to `PATH.partial` and renamed, so `PATH` is never a half-written file.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use super::sqlite::BUSY_TIMEOUT;
use super::{StoreError, private_file};

/// Copies the database at `db` to `to` (replacing it), readable by its owner only.
pub fn backup(db: &Path, to: &Path) -> Result<(), StoreError> {
    super::sqlite::require_existing(db)?;
    let source = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    source.busy_timeout(BUSY_TIMEOUT)?;
    let partial = partial_path(to);
    match std::fs::remove_file(&partial) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err.into()),
        _ => {}
    }
    create_private(&partial)?;
    let mut copy = Connection::open(&partial)?;
    copy_all(&Backup::new(&source, &mut copy)?)?;
    let check: String = copy.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    drop(copy);
    if check != "ok" {
        return Err(StoreError::Commit(format!(
            "the copy fails its check: {check}"
        )));
    }
    std::fs::rename(&partial, to)?;
    Ok(())
}

/// Runs the backup in one step (all pages, one read transaction); a busy or locked source
/// is retried for up to the busy timeout.
fn copy_all(backup: &Backup<'_, '_>) -> Result<(), StoreError> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            StepResult::Busy | StepResult::Locked if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            _ => {
                return Err(StoreError::Unwritable(
                    "the database stayed locked; try again".to_owned(),
                ));
            }
        }
    }
}

fn partial_path(to: &Path) -> PathBuf {
    let mut name = OsString::from(to.as_os_str());
    name.push(".partial");
    PathBuf::from(name)
}

fn create_private(path: &Path) -> Result<(), StoreError> {
    private_file::owner_only()
        .write(true)
        .create_new(true)
        .open(path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NotifyCommand;
    use crate::store::sqlite::open_connection;
    use crate::store::testing::add_user;
    use crate::store::writes::notify;

    #[test]
    fn the_copy_holds_what_was_committed_and_opens() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("notif.db");
        let live = open_connection(&db).unwrap();
        add_user(&live, "alice", None);
        notify(&live, &NotifyCommand::plain("alice", "kept"), false, 0).unwrap();
        let to = dir.path().join("copy.db");
        std::fs::write(&to, b"an older copy").unwrap();
        backup(&db, &to).unwrap();
        let copy = open_connection(&to).unwrap();
        let title: String = copy
            .query_row("SELECT title FROM notifications", [], |r| r.get(0))
            .unwrap();
        assert_eq!(title, "kept");
        assert!(!partial_path(&to).exists());
        assert!(backup(&dir.path().join("none.db"), &to).is_err());
    }
}
