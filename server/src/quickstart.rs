//! `notif-server quickstart`: a working local setup in one command. Binds the address first
//! (so a port in use changes nothing), ensures a user and a token, writes them with the
//! bound address where the `notif` CLI looks (its config file), prints a one-time link that
//! opens the web inbox signed in, then serves.

use anyhow::{Context, bail};
use notif_config::Missing;

use crate::admin::database;
use crate::args::QuickstartArgs;
use crate::server::{self, ServeConfig};
use crate::store::database::AdminDb;
use crate::validate;
use crate::web::login_code;

/// Ensures the user, a token and the CLI config file, then serves.
pub async fn run(args: QuickstartArgs) -> anyhow::Result<()> {
    if let Err(problem) = validate::user_id(&args.user) {
        bail!("user name {problem}");
    }
    let db = database(&args.serve.db)?;
    let config_path = match args.config.clone() {
        Some(path) => path,
        None => notif_config::default_path()
            .context("no home directory for the CLI config; pass --config PATH")?,
    };
    // Bind before touching the database or the config: a port in use must leave both as they
    // were, and `--listen 127.0.0.1:0` must write the port actually bound.
    let listener = server::bind(&args.serve.listen).await?;
    let server_url = format!("http://{}", listener.local_addr()?);
    let conn = AdminDb::open(&db).await?;
    if !conn.user_exists(&args.user).await? {
        conn.add_user(&args.user, None).await?;
        println!("created user {}", args.user);
    }
    // The same reader and writer as `notif login`: directory 0700, file 0600, atomic.
    let current = notif_config::load(&config_path, Missing::IsEmpty)?.token;
    let token = match current {
        Some(token) if conn.token_belongs_to(&token, &args.user).await? => token,
        _ => {
            conn.add_token(Some(&args.user), Some("quickstart"))
                .await?
                .1
        }
    };
    let saved = notif_config::Saved {
        server: &server_url,
        token: &token,
        scope: Some(notif_config::TokenScope::User),
    };
    notif_config::save(&config_path, saved)?;
    let public_url = args
        .serve
        .email
        .public_url
        .as_deref()
        .unwrap_or(&server_url);
    let (code, _) = conn.create_login_code(&args.user).await?;
    let sign_in = login_code::login_url(public_url, &code);
    drop(conn);
    println!(
        "the notif CLI is set up for user {} in {}",
        args.user,
        config_path.display()
    );
    println!("try, in another terminal:  notif send \"hello\" && notif list");
    println!(
        "open the web inbox, signed in (this link works once, within 5 minutes; later, `notif web`):"
    );
    println!("  {sign_in}");
    let serve = ServeConfig::from_args(args.serve)?;
    server::run_on(listener, serve, server::signal()?).await
}
