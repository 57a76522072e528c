//! A full disk turns writes into `503 unavailable` with a clear message, while reads and
//! open streams go on, and writes work again once there is room.
//!
//! The database lives on a small `tmpfs` the test mounts (root may, on this machine and
//! CI's). Where `mount` is refused, the test says so on stderr and passes as skipped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Api, runtime};
use crate::util::Alice;

/// The file system's size: room for the database and the log, little more.
const SIZE: &str = "3m";
/// Notifications of ~10 KB tried before the test gives up waiting for the disk to fill.
const MAX_WRITES: usize = 2_000;

/// A tmpfs mounted for one test, lazily unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts a tmpfs of [`SIZE`] on `dir`, or says why it cannot.
    fn mount(dir: &Path) -> Result<Tmpfs, String> {
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={SIZE},mode=0700"),
                "tmpfs",
            ])
            .arg(dir)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if out.status.success() {
            Ok(Tmpfs(dir.to_owned()))
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
        }
    }

    /// Fills the file system to the last byte; the filler, to delete for room again.
    fn fill(&self) -> PathBuf {
        let path = self.0.join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let block = vec![0u8; 64 * 1024];
        let mut size = block.len();
        while size > 0 {
            if file.write_all(&block[..size]).is_err() {
                size /= 2;
            }
        }
        let _ = file.sync_all();
        path
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_makes_writes_503_while_reads_and_streams_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let tmpfs = match Tmpfs::mount(dir.path()) {
        Ok(tmpfs) => tmpfs,
        Err(reason) => {
            eprintln!("SKIPPED a_full_disk_makes_writes_503…: cannot mount a tmpfs: {reason}");
            return;
        }
    };
    let server = Alice::start_in(
        dir,
        &["--ping-interval", "200ms", "--stream-buffer", "100000"],
    );
    let _unmount_first = tmpfs; // dropped before `server`: a lazy unmount, then cleanup
    let api = Api::new(&server.url(), &server.token);
    let rt = runtime();
    rt.block_on(async {
        let (status, _) = api.notify("before the disk filled", "").await.unwrap();
        assert_eq!(status, 201);
        let mut stream = api.stream(None).await;
        stream.expect("unread").await;

        let filler = _unmount_first.fill();
        let big = "x".repeat(9_000);
        let mut answer = None;
        for i in 0..MAX_WRITES {
            let (status, body) = api.notify(&format!("disk full {i}"), &big).await.unwrap();
            if status != 201 {
                answer = Some((status, body));
                break;
            }
        }
        let (status, body) = answer.expect("the disk never filled: every write succeeded");
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (503, Some("unavailable")),
            "a write on a full disk: expected 503 unavailable, got {status} {body}"
        );
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "503 without a message: {body}");

        let (status, page) = api.list("limit=5").await;
        assert_eq!(status, 200, "a read on a full disk: {page}");
        assert!(page["unreadCount"].as_u64().unwrap() >= 1, "{page}");
        stream.expect("ping").await; // the open stream is still served
        let mut late = api.stream(None).await; // and new streams open
        late.expect("unread").await;

        std::fs::remove_file(filler).unwrap();
        let (status, body) = api.notify("after room came back", "").await.unwrap();
        assert_eq!(status, 201, "a write once there is room again: {body}");
        while stream.expect("notification").await.json()["title"] != "after room came back" {}
    });
}
