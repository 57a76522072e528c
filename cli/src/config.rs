//! Where `notif` finds its server and token: flag, then environment, then the config
//! file, then the default.
//!
//! The config file is TOML (`server = "…"`, `token = "…"`), shared with
//! `notif-server quickstart`, at [`default_path`] unless `--config PATH` or
//! `NOTIF_CONFIG` points elsewhere. `notif login` writes it with mode 0600.
//! Resolution takes the environment as a function, so tests need not touch the
//! process environment.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The server used when nothing else names one.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:8787";
/// Environment variable naming the server URL.
pub const ENV_SERVER: &str = "NOTIF_SERVER";
/// Environment variable holding the token.
pub const ENV_TOKEN: &str = "NOTIF_TOKEN";
/// Environment variable naming the config file.
pub const ENV_CONFIG: &str = "NOTIF_CONFIG";

/// A config file that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Reading failed for another reason than "not found".
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file is not valid TOML, or a key has the wrong type.
    #[error("invalid config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The TOML parser's explanation, on one line.
        message: String,
    },
    /// Writing failed.
    #[error("cannot write config file {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
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
}

/// Where a setting came from, for `--verbose` and error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag.
    Flag,
    /// An environment variable.
    Env(&'static str),
    /// The config file.
    File(PathBuf),
    /// The built-in default.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag => f.write_str("command line"),
            Source::Env(var) => write!(f, "environment variable {var}"),
            Source::File(path) => write!(f, "config file {}", path.display()),
            Source::Default => f.write_str("default"),
        }
    }
}

/// The values given on the command line, before resolution.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--server`.
    pub server: Option<String>,
    /// `--token`.
    pub token: Option<String>,
    /// `--config`.
    pub config: Option<PathBuf>,
}

/// The resolved settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Server URL.
    pub server: String,
    /// Where [`Settings::server`] came from.
    pub server_source: Source,
    /// Token, if any source had one.
    pub token: Option<String>,
    /// Where [`Settings::token`] came from (`Default` when there is none).
    pub token_source: Source,
    /// The config file consulted (and written by `notif login`), if one could be named.
    pub config_path: Option<PathBuf>,
}

/// The platform's default config file, such as `~/.config/notif/config.toml`.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "notif").map(|d| d.config_dir().join("config.toml"))
}

/// The config file to use: `--config`, else `NOTIF_CONFIG`, else [`default_path`].
pub fn config_path(flag: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    flag.map(Path::to_path_buf)
        .or_else(|| non_empty(env(ENV_CONFIG)).map(PathBuf::from))
        .or_else(default_path)
}

/// Reads the config file; a missing file is an empty config.
pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.message().to_owned(),
    })
}

/// Resolves every setting: flag > environment > file > default. Empty values count
/// as unset.
pub fn resolve(
    flags: &Overrides,
    env: &dyn Fn(&str) -> Option<String>,
    file: &ConfigFile,
    config_path: Option<PathBuf>,
) -> Settings {
    let file_source = || Source::File(config_path.clone().unwrap_or_default());
    let pick = |flag: &Option<String>, var: &'static str, from_file: &Option<String>| {
        if let Some(v) = non_empty(flag.clone()) {
            Some((v, Source::Flag))
        } else if let Some(v) = non_empty(env(var)) {
            Some((v, Source::Env(var)))
        } else {
            non_empty(from_file.clone()).map(|v| (v, file_source()))
        }
    };
    let (server, server_source) = pick(&flags.server, ENV_SERVER, &file.server)
        .unwrap_or_else(|| (DEFAULT_SERVER.to_owned(), Source::Default));
    let (token, token_source) = match pick(&flags.token, ENV_TOKEN, &file.token) {
        Some((t, s)) => (Some(t), s),
        None => (None, Source::Default),
    };
    Settings {
        server,
        server_source,
        token,
        token_source,
        config_path,
    }
}

/// Writes `server` and `token` into the config file at `path`, keeping any other keys,
/// creating the directory, with mode 0600 (the file holds a secret). The file is
/// replaced atomically.
pub fn save(path: &Path, server: &str, token: &str) -> Result<(), ConfigError> {
    let write_err = |source| ConfigError::Write {
        path: path.to_owned(),
        source,
    };
    let mut table = match std::fs::read_to_string(path) {
        Ok(text) => text.parse::<toml::Table>().unwrap_or_default(),
        Err(_) => toml::Table::new(),
    };
    table.insert("server".to_owned(), toml::Value::String(server.to_owned()));
    table.insert("token".to_owned(), toml::Value::String(token.to_owned()));
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

/// `None` for a missing or blank value.
fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn file(server: &str, token: &str) -> ConfigFile {
        ConfigFile {
            server: Some(server.into()),
            token: Some(token.into()),
        }
    }

    #[test]
    fn flag_beats_env_beats_file_beats_default() {
        let path = Some(PathBuf::from("/c.toml"));
        let flags = Overrides {
            server: Some("http://flag".into()),
            token: Some("tf".into()),
            config: None,
        };
        let env = env_of(&[("NOTIF_SERVER", "http://env"), ("NOTIF_TOKEN", "te")]);
        let f = file("http://file", "tfile");

        let s = resolve(&flags, &env, &f, path.clone());
        assert_eq!(
            (s.server.as_str(), s.token.as_deref()),
            ("http://flag", Some("tf"))
        );
        assert_eq!(s.server_source, Source::Flag);

        let s = resolve(&Overrides::default(), &env, &f, path.clone());
        assert_eq!(
            (s.server.as_str(), s.token.as_deref()),
            ("http://env", Some("te"))
        );
        assert_eq!(s.token_source, Source::Env("NOTIF_TOKEN"));

        let s = resolve(&Overrides::default(), &env_of(&[]), &f, path.clone());
        assert_eq!(
            (s.server.as_str(), s.token.as_deref()),
            ("http://file", Some("tfile"))
        );
        assert_eq!(s.server_source, Source::File(PathBuf::from("/c.toml")));

        let s = resolve(
            &Overrides::default(),
            &env_of(&[]),
            &ConfigFile::default(),
            path,
        );
        assert_eq!((s.server.as_str(), s.token), (DEFAULT_SERVER, None));
        assert_eq!(s.server_source, Source::Default);
    }

    #[test]
    fn each_setting_resolves_on_its_own_and_blank_is_unset() {
        let env = env_of(&[("NOTIF_SERVER", ""), ("NOTIF_TOKEN", "te")]);
        let s = resolve(
            &Overrides::default(),
            &env,
            &file("http://file", "tfile"),
            None,
        );
        assert_eq!(
            (s.server.as_str(), s.token.as_deref()),
            ("http://file", Some("te"))
        );
    }

    #[test]
    fn config_path_flag_then_env_then_default() {
        let env = env_of(&[("NOTIF_CONFIG", "/env.toml")]);
        assert_eq!(
            config_path(Some(Path::new("/flag.toml")), &env),
            Some("/flag.toml".into())
        );
        assert_eq!(config_path(None, &env), Some("/env.toml".into()));
        assert_eq!(config_path(None, &env_of(&[])), default_path());
    }

    #[test]
    fn save_then_load_keeps_other_keys_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        save(&path, "http://x:1", "first").unwrap();
        std::fs::write(&path, "editor = \"vi\"\ntoken = \"old\"\n").unwrap();
        save(&path, "http://x:1", "secret").unwrap();
        assert_eq!(load(&path).unwrap(), file("http://x:1", "secret"));
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

    #[test]
    fn missing_file_is_empty_and_bad_file_names_itself() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            load(&dir.path().join("none.toml")).unwrap(),
            ConfigFile::default()
        );
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "server = 3\n").unwrap();
        let err = load(&bad).unwrap_err().to_string();
        assert!(err.contains("bad.toml"), "{err}");
    }
}
