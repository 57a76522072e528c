//! `notif-server quickstart`: a working local setup in one command. Binds the address first
//! (so a port in use changes nothing), ensures a user and a token, writes them with the
//! bound address where the `notif` CLI looks (its config file), then serves.

use anyhow::{Context, bail};
use notif_config::Missing;

use crate::admin::db_path;
use crate::args::QuickstartArgs;
use crate::server::{self, ServeConfig};
use crate::store::admin;
use crate::store::sqlite::open_connection;
use crate::validate;

/// Ensures the user, a token and the CLI config file, then serves.
pub async fn run(args: QuickstartArgs) -> anyhow::Result<()> {
    if let Err(problem) = validate::user_id(&args.user) {
        bail!("user name {problem}");
    }
    let db = db_path(&args.serve.db)?;
    let config_path = match args.config.clone() {
        Some(path) => path,
        None => notif_config::default_path()
            .context("no home directory for the CLI config; pass --config PATH")?,
    };
    // Bind before touching the database or the config: a port in use must leave both as they
    // were, and `--listen 127.0.0.1:0` must write the port actually bound.
    let listener = server::bind(&args.serve.listen).await?;
    let server_url = format!("http://{}", listener.local_addr()?);
    let conn = open_connection(&db)
        .with_context(|| format!("could not open the database {}", db.display()))?;
    if !admin::user_exists(&conn, &args.user)? {
        admin::add_user(&conn, &args.user, None)?;
        println!("created user {}", args.user);
    }
    // The same reader and writer as `notif login`: directory 0700, file 0600, atomic.
    let current = notif_config::load(&config_path, Missing::IsEmpty)?.token;
    let token = match current {
        Some(token) if admin::token_belongs_to(&conn, &token, &args.user)? => token,
        _ => admin::add_token(&conn, Some(&args.user), Some("quickstart"))?.1,
    };
    notif_config::save(&config_path, &server_url, &token)?;
    drop(conn);
    println!(
        "the notif CLI is set up for user {} in {}",
        args.user,
        config_path.display()
    );
    println!("try, in another terminal:  notif send \"hello\" && notif list");
    let serve = ServeConfig::from_args(args.serve)?;
    server::run_on(listener, serve, server::signal()?).await
}
