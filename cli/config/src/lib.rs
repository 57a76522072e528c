//! The config file of the `notif` CLI: what it holds ([`ConfigFile`]), where it lives
//! ([`default_path`]), how it is read ([`load`]) and written ([`save`]).
//!
//! It is its own small crate so that `notif login` and `notif-server quickstart` write
//! the file by the same rules — directory 0700, file 0600, replaced atomically — without
//! the server depending on the whole CLI (HTTP client, terminal UI).

mod write;

use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use write::{Saved, save};

/// A config file that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read (or, when it was named explicitly, does not exist).
    /// The I/O error is part of the message, not a separate cause, so that a one-line
    /// report of the error chain names it once.
    #[error("cannot read config file {}: {reason}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: io::Error,
    },
    /// The file is not valid TOML, or a key has the wrong type.
    #[error("invalid config file {}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The TOML parser's explanation, on one line.
        message: String,
    },
    /// Writing failed.
    #[error("cannot write config file {}: {reason}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: io::Error,
    },
    /// There is no home directory to put the default config file in.
    #[error("no config directory found; pass --config PATH or set NOTIF_CONFIG")]
    NoConfigDir,
}

/// The contents of the config file; missing keys are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ConfigFile {
    /// Server URL.
    pub server: Option<String>,
    /// Token.
    pub token: Option<String>,
    /// What the server said the token is when it was saved (`token_scope`), so that the
    /// CLI can refuse what the token may not do before asking; `None` when not known (a
    /// file written before the key existed, or a value this version does not know).
    #[serde(default, deserialize_with = "known_scope")]
    pub token_scope: Option<TokenScope>,
}

/// The scope of a token, as `GET /api/me` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenScope {
    /// Acts as one user.
    User,
    /// May only notify (any user, named in the request).
    Service,
}

impl TokenScope {
    /// The name in the config file (and in `GET /api/me`).
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::User => "user",
            TokenScope::Service => "service",
        }
    }

    fn from_name(name: &str) -> Option<TokenScope> {
        [TokenScope::User, TokenScope::Service]
            .into_iter()
            .find(|scope| scope.as_str() == name)
    }
}

/// `token_scope`: an unknown value reads as unknown, not as a broken file.
fn known_scope<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<TokenScope>, D::Error> {
    let name = Option::<String>::deserialize(deserializer)?;
    Ok(name.as_deref().and_then(TokenScope::from_name))
}

/// The platform's default config file, such as `~/.config/notif/config.toml`.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "notif").map(|d| d.config_dir().join("config.toml"))
}

/// Whether a missing file is an error: a file the user named (`--config`,
/// `NOTIF_CONFIG`) must exist, the default one need not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// A missing file reads as an empty config.
    IsEmpty,
    /// A missing file is [`ConfigError::Read`].
    IsError,
}

/// Reads the config file at `path`.
pub fn load(path: &Path, missing: Missing) -> Result<ConfigFile, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound && missing == Missing::IsEmpty => {
            return Ok(ConfigFile::default());
        }
        Err(reason) => {
            return Err(ConfigError::Read {
                path: path.to_owned(),
                reason,
            });
        }
    };
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.message().replace('\n', " "),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn missing_file_is_empty_only_when_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let none = dir.path().join("none.toml");
        assert_eq!(
            load(&none, Missing::IsEmpty).unwrap(),
            ConfigFile::default()
        );
        let err = load(&none, Missing::IsError).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("cannot read config file {}: ", none.display())),
            "{err}"
        );
    }

    #[test]
    fn token_scope_reads_known_values_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        for (text, scope) in [
            ("token_scope = \"service\"\n", Some(TokenScope::Service)),
            ("token_scope = \"user\"\n", Some(TokenScope::User)),
            ("token_scope = \"admin\"\n", None),
            ("token = \"t\"\n", None),
        ] {
            std::fs::write(&path, text).unwrap();
            assert_eq!(
                load(&path, Missing::IsError).unwrap().token_scope,
                scope,
                "{text}"
            );
        }
    }

    #[test]
    fn bad_file_names_itself() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "server = 3\n").unwrap();
        let err = load(&bad, Missing::IsEmpty).unwrap_err().to_string();
        assert!(err.contains("bad.toml"), "{err}");
    }

    #[test]
    fn a_directory_is_reported_once() {
        let dir = tempfile::tempdir().unwrap();
        let err = load(dir.path(), Missing::IsError).unwrap_err();
        assert!(
            std::error::Error::source(&err).is_none(),
            "cause printed twice"
        );
        assert!(err.to_string().contains(&dir.path().display().to_string()));
    }
}
