//! The admin commands: `user add|set|list|rm`, `token add|list|revoke` and `outbox list`,
//! run against the database file directly (safe beside a running server).

use std::path::PathBuf;

use anyhow::{Context, bail};
use rusqlite::Connection;

use crate::args::{BackupArgs, DbArg, OutboxCommand, TokenCommand, UserCommand};
use crate::store::OutboxStatus;
use crate::store::admin;
use crate::store::sqlite::{SqliteStore, open_connection};
use crate::timestamp::format_ms;
use crate::validate;

/// The database path `--db` / `NOTIF_DB` names, or the platform default.
pub fn db_path(db: &DbArg) -> anyhow::Result<PathBuf> {
    match &db.db {
        Some(path) => Ok(path.clone()),
        None => SqliteStore::default_path()
            .context("no home directory to keep the database in; pass --db PATH"),
    }
}

fn open(db: &DbArg) -> anyhow::Result<Connection> {
    let path = db_path(db)?;
    open_connection(&path)
        .with_context(|| format!("could not open the database {}", path.display()))
}

pub fn user(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add { name, email, db } => {
            if let Err(problem) = validate::user_id(&name) {
                bail!("user name {problem}");
            }
            if let Some(email) = &email {
                check_email(email)?;
            }
            let conn = open(&db)?;
            admin::add_user(&conn, &name, email.as_deref())?;
            let (_, token) = admin::add_token(&conn, Some(&name), Some("created with the user"))?;
            println!("created user {name}; its token (shown only now):");
            println!("{token}");
        }
        UserCommand::Set { name, email, db } => {
            check_email(&email)?;
            admin::set_email(&open(&db)?, &name, &email)?;
            println!("user {name} now gets email at {email}");
        }
        UserCommand::List { db } => {
            let users = admin::list_users(&open(&db)?)?;
            println!(
                "{:<24} {:<32} {:>13}  CREATED",
                "USER", "EMAIL", "NOTIFICATIONS"
            );
            for u in users {
                println!(
                    "{:<24} {:<32} {:>13}  {}",
                    u.id,
                    u.email.as_deref().unwrap_or("-"),
                    u.notifications,
                    format_ms(u.created_at)
                );
            }
        }
        UserCommand::Rm { name, db } => {
            admin::remove_user(&open(&db)?, &name)?;
            println!("removed user {name} with their notifications and tokens");
        }
    }
    Ok(())
}

pub fn token(command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Add {
            user, label, db, ..
        } => {
            let conn = open(&db)?;
            let (id, token) = admin::add_token(&conn, user.as_deref(), label.as_deref())?;
            match &user {
                Some(user) => println!("created token {id} for user {user} (shown only now):"),
                None => println!("created service token {id} (shown only now):"),
            }
            println!("{token}");
        }
        TokenCommand::List { db } => {
            let tokens = admin::list_tokens(&open(&db)?)?;
            println!(
                "{:>4}  {:<8} {:<20} {:<24} {:<24} {:<24} REVOKED",
                "ID", "SCOPE", "USER", "LABEL", "CREATED", "LAST USED"
            );
            for t in tokens {
                println!(
                    "{:>4}  {:<8} {:<20} {:<24} {:<24} {:<24} {}",
                    t.id,
                    t.scope,
                    t.user_id.as_deref().unwrap_or("-"),
                    t.label.as_deref().unwrap_or("-"),
                    format_ms(t.created_at),
                    t.last_used_at.map_or("never".to_owned(), format_ms),
                    t.revoked_at.map_or("-".to_owned(), format_ms),
                );
            }
        }
        TokenCommand::Revoke { id, db } => {
            if admin::revoke_token(&open(&db)?, id)? {
                println!("revoked token {id}");
            } else {
                println!("token {id} was already revoked");
            }
        }
    }
    Ok(())
}

fn check_email(address: &str) -> anyhow::Result<()> {
    address
        .parse::<lettre::Address>()
        .map(|_| ())
        .map_err(|e| anyhow::anyhow!("{address:?} is not an email address: {e}"))
}

/// `notif-server backup PATH`: copies the live database (see `store::backup`).
pub fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let db = db_path(&args.db)?;
    crate::store::backup::backup(&db, &args.path).with_context(|| {
        format!(
            "could not back up {} to {}",
            db.display(),
            args.path.display()
        )
    })?;
    println!("backed up {} to {}", db.display(), args.path.display());
    Ok(())
}

pub fn outbox(command: OutboxCommand) -> anyhow::Result<()> {
    match command {
        OutboxCommand::List { all, db } => {
            let entries = crate::store::outbox::list(&open(&db)?, all)?;
            println!(
                "{:>6}  {:<8} {:>8}  {:<28} {:<24} {:<32} LAST ERROR",
                "ID", "STATUS", "ATTEMPTS", "TO", "NEXT ATTEMPT", "TITLE"
            );
            for e in entries {
                let next = if e.status == OutboxStatus::Pending {
                    format_ms(e.next_attempt_at)
                } else {
                    "-".to_owned()
                };
                let title: String = e.title.chars().take(32).collect();
                println!(
                    "{:>6}  {:<8} {:>8}  {:<28} {:<24} {:<32} {}",
                    e.id,
                    e.status,
                    e.attempts,
                    e.to_address,
                    next,
                    title,
                    e.last_error.as_deref().unwrap_or("-")
                );
            }
        }
    }
    Ok(())
}
