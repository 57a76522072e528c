//! Writing the config file: private (directory 0700, file 0600, since it holds a
//! token) and atomic (a temporary file renamed over the old one).

use std::io;
use std::path::Path;

use crate::{ConfigError, TokenScope};

/// What [`save`] writes: a server, its token and, when known, the token's scope.
#[derive(Debug, Clone, Copy)]
pub struct Saved<'a> {
    /// Server URL.
    pub server: &'a str,
    /// Token.
    pub token: &'a str,
    /// What the server said the token is; `None` removes what the file said of the
    /// token it had before.
    pub scope: Option<TokenScope>,
}

/// Writes server, token and scope into the config file at `path`, keeping any other keys,
/// creating the directory, with mode 0600. The file is replaced atomically, so a reader
/// never sees half a file.
pub fn save(path: &Path, saved: Saved<'_>) -> Result<(), ConfigError> {
    let write_err = |reason| ConfigError::Write {
        path: path.to_owned(),
        reason,
    };
    let mut table = match std::fs::read_to_string(path) {
        Ok(text) => text.parse::<toml::Table>().unwrap_or_default(),
        Err(_) => toml::Table::new(),
    };
    let string = |value: &str| toml::Value::String(value.to_owned());
    table.insert("server".to_owned(), string(saved.server));
    table.insert("token".to_owned(), string(saved.token));
    match saved.scope {
        Some(scope) => table.insert("token_scope".to_owned(), string(scope.as_str())),
        None => table.remove("token_scope"),
    };
    let text = toml::to_string(&table).map_err(|e| write_err(io::Error::other(e)))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir).map_err(write_err)?;
    }
    let tmp = path.with_extension("toml.tmp");
    write_private(&tmp, text.as_bytes()).map_err(write_err)?;
    std::fs::rename(&tmp, path).map_err(write_err)
}

/// Creates `dir` and its missing parents; new directories are private (0700), since
/// the file inside holds a secret. Existing directories are left as they are.
fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates `path` readable and writable by its owner only, and writes `bytes`.
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let mut file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(bytes)?;
        file.sync_all()
    }
    #[cfg(not(unix))]
    {
        let mut file = options.open(path)?;
        file.write_all(bytes)?;
        file.sync_all()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{ConfigFile, Missing, load};

    #[test]
    fn save_then_load_keeps_other_keys_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        let saved = |token, scope| Saved {
            server: "http://x:1",
            token,
            scope,
        };
        save(&path, saved("first", None)).unwrap();
        std::fs::write(&path, "editor = \"vi\"\ntoken = \"old\"\n").unwrap();
        save(&path, saved("secret", Some(TokenScope::Service))).unwrap();
        let expected = ConfigFile {
            server: Some("http://x:1".into()),
            token: Some("secret".into()),
            token_scope: Some(TokenScope::Service),
        };
        assert_eq!(load(&path, Missing::IsError).unwrap(), expected);
        // A token saved with no known scope drops the scope of the token it replaces.
        save(&path, saved("other", None)).unwrap();
        assert_eq!(load(&path, Missing::IsError).unwrap().token_scope, None);
        assert!(std::fs::read_to_string(&path).unwrap().contains("editor"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let dir_mode = std::fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(dir_mode & 0o777, 0o700);
        }
    }
}
