//! Where `notif` finds its server and token: flag, then environment, then the config
//! file, then the default.
//!
//! The config file is TOML (`server = "…"`, `token = "…"`), shared with
//! `notif-server quickstart` through the `notif-config` crate, at [`default_path`] unless `--config PATH` or
//! `NOTIF_CONFIG` points elsewhere. `notif login` writes it with mode 0600.
//! Resolution takes the environment as a function, so tests need not touch the
//! process environment.

use std::fmt;
use std::path::{Path, PathBuf};

pub use notif_config::{
    ConfigError, ConfigFile, Missing, Saved, TokenScope, default_path, load, save,
};

/// The server used when nothing else names one.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:8787";
/// Environment variable naming the server URL.
pub const ENV_SERVER: &str = "NOTIF_SERVER";
/// Environment variable holding the token.
pub const ENV_TOKEN: &str = "NOTIF_TOKEN";
/// Environment variable naming the config file.
pub const ENV_CONFIG: &str = "NOTIF_CONFIG";

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
    /// The token's scope as `notif login` recorded it: only for a token from the config
    /// file (`None` for one from `--token`/`NOTIF_TOKEN`, or when the file does not say).
    pub token_scope: Option<TokenScope>,
    /// The config file consulted (and written by `notif login`), if one could be named.
    pub config_path: Option<PathBuf>,
}

/// The config file to use and whether it must exist: `--config`, else `NOTIF_CONFIG`
/// (both must name an existing file, so that a misspelt path is not silently ignored),
/// else [`default_path`] (which need not exist yet).
pub fn config_path(
    flag: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<(PathBuf, Missing)> {
    let named = flag
        .map(Path::to_path_buf)
        .or_else(|| non_empty(env(ENV_CONFIG)).map(PathBuf::from));
    match named {
        Some(path) => Some((path, Missing::IsError)),
        None => default_path().map(|path| (path, Missing::IsEmpty)),
    }
}

/// Whether the config file has anything to add: not when flags or environment already
/// give both the server and the token (then a named file need not exist either).
pub fn needs_file(flags: &Overrides, env: &dyn Fn(&str) -> Option<String>) -> bool {
    let given = |flag: &Option<String>, var: &str| {
        non_empty(flag.clone()).is_some() || non_empty(env(var)).is_some()
    };
    !(given(&flags.server, ENV_SERVER) && given(&flags.token, ENV_TOKEN))
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
    let token_scope = match token_source {
        Source::File(_) => file.token_scope,
        _ => None,
    };
    Settings {
        server,
        server_source,
        token,
        token_source,
        token_scope,
        config_path,
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
            token_scope: Some(TokenScope::Service),
        }
    }

    #[test]
    fn the_recorded_scope_goes_with_the_files_token_only() {
        let f = file("http://file", "tfile");
        let s = resolve(&Overrides::default(), &env_of(&[]), &f, None);
        assert_eq!(s.token_scope, Some(TokenScope::Service));
        let env = env_of(&[("NOTIF_TOKEN", "te")]);
        let s = resolve(&Overrides::default(), &env, &f, None);
        assert_eq!(s.token_scope, None);
        let flags = Overrides {
            token: Some("tf".into()),
            ..Overrides::default()
        };
        assert_eq!(resolve(&flags, &env_of(&[]), &f, None).token_scope, None);
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
            Some(("/flag.toml".into(), Missing::IsError))
        );
        assert_eq!(
            config_path(None, &env),
            Some(("/env.toml".into(), Missing::IsError))
        );
        assert_eq!(
            config_path(None, &env_of(&[])),
            default_path().map(|p| (p, Missing::IsEmpty))
        );
    }
}
