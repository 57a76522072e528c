//! `notif-server quickstart`: a working local setup in one command. Ensures a user and a
//! token, writes them where the `notif` CLI looks (its config file), then serves.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::admin::database;
use crate::args::QuickstartArgs;
use crate::server::{self, ServeConfig};
use crate::store::database::AdminDb;

/// The `notif` CLI's config file: `config.toml` in the platform config directory.
pub fn cli_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "notif").map(|d| d.config_dir().join("config.toml"))
}

pub async fn run(args: QuickstartArgs) -> anyhow::Result<()> {
    let db = database(&args.serve.db)?;
    let config_path = match args.config.clone() {
        Some(path) => path,
        None => {
            cli_config_path().context("no home directory for the CLI config; pass --config PATH")?
        }
    };
    let server_url = format!("http://{}", args.serve.listen);
    let conn = AdminDb::open(&db).await?;
    if !conn.user_exists(&args.user).await? {
        conn.add_user(&args.user, None).await?;
        println!("created user {}", args.user);
    }
    let mut config = read_config(&config_path)?;
    let current = config
        .get("token")
        .and_then(|t| t.as_str())
        .map(str::to_owned);
    let valid = match &current {
        Some(token) => conn.token_belongs_to(token, &args.user).await?,
        None => false,
    };
    if !valid {
        let (_, token) = conn.add_token(Some(&args.user), Some("quickstart")).await?;
        config.insert("token".into(), token.into());
    }
    config.insert("server".into(), server_url.clone().into());
    write_config(&config_path, &config)?;
    drop(conn);
    println!(
        "the notif CLI is set up for user {} in {}",
        args.user,
        config_path.display()
    );
    println!("try, in another terminal:  notif send \"hello\" && notif list");
    let serve = ServeConfig::from_args(args.serve)?;
    server::run(serve, server::signal()?).await
}

fn read_config(path: &Path) -> anyhow::Result<toml::Table> {
    match fs::read_to_string(path) {
        Ok(text) => text
            .parse()
            .with_context(|| format!("{} is not valid TOML", path.display())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(toml::Table::new()),
        Err(err) => Err(err).with_context(|| format!("could not read {}", path.display())),
    }
}

/// Writes the config readable by its owner only: it holds a token.
fn write_config(path: &Path, config: &toml::Table) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        if path.exists() {
            fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
        }
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("could not write {}", path.display()))?;
    file.write_all(toml::to_string(config)?.as_bytes())?;
    Ok(())
}
