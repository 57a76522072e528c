//! The admin commands: `user add|set|list|rm`, `token add|list|revoke` and `outbox list`,
//! run against the database directly (safe beside running servers): a SQLite file, or
//! PostgreSQL.

use anyhow::bail;

use crate::args::{BackupArgs, DbArg, OutboxCommand, TokenCommand, UserCommand};
use crate::store::OutboxStatus;
use crate::store::database::{AdminDb, Database};
use crate::store::sqlite::require_existing;
use crate::timestamp::format_ms;
use crate::validate;

/// The database `--db` / `NOTIF_DB` names, or the platform default.
pub fn database(db: &DbArg) -> anyhow::Result<Database> {
    Database::from_arg(db.db.as_ref())
}

/// Opens the database, creating a SQLite file that is missing (`user add`, `token add
/// --service`).
async fn open(db: &DbArg) -> anyhow::Result<AdminDb> {
    AdminDb::open(&database(db)?).await
}

/// Opens a database that must exist already: a command with nothing to do in a new one
/// (listing, changing, removing, a token for a user) does not make one where a mistyped
/// `--db` points.
async fn open_existing(db: &DbArg) -> anyhow::Result<AdminDb> {
    let database = database(db)?;
    if let Database::Sqlite(path) = &database {
        require_existing(path).map_err(|e| {
            anyhow::anyhow!(
                "{e} (check --db or NOTIF_DB; `serve`, `quickstart`, `user add` and `token add \
                 --service` create one)"
            )
        })?;
    }
    AdminDb::open(&database).await
}

pub async fn user(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add { name, email, db } => {
            if let Err(problem) = validate::user_id(&name) {
                bail!("user name {problem}");
            }
            if let Some(email) = &email {
                check_email(email)?;
            }
            let conn = open(&db).await?;
            conn.add_user(&name, email.as_deref()).await?;
            let (_, token) = conn
                .add_token(Some(&name), Some("created with the user"))
                .await?;
            println!("created user {name}; its token (shown only now):");
            println!("{token}");
        }
        UserCommand::Set { name, email, db } => {
            check_email(&email)?;
            open_existing(&db).await?.set_email(&name, &email).await?;
            println!("user {name} now gets email at {email}");
        }
        UserCommand::List { db } => {
            let users = open_existing(&db).await?.list_users().await?;
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
            open_existing(&db).await?.remove_user(&name).await?;
            println!("removed user {name} with their notifications and tokens");
        }
    }
    Ok(())
}

pub async fn token(command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Add {
            user, label, db, ..
        } => {
            // A user token needs its user, so a database that has it.
            let conn = if user.is_some() {
                open_existing(&db).await?
            } else {
                open(&db).await?
            };
            let (id, token) = conn.add_token(user.as_deref(), label.as_deref()).await?;
            match &user {
                Some(user) => println!("created token {id} for user {user} (shown only now):"),
                None => println!("created service token {id} (shown only now):"),
            }
            println!("{token}");
        }
        TokenCommand::List { db } => {
            let tokens = open_existing(&db).await?.list_tokens().await?;
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
            if open_existing(&db).await?.revoke_token(id).await? {
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

/// `notif-server backup PATH`: copies a live SQLite database (see `store::backup`). A
/// PostgreSQL database is backed up with PostgreSQL's own tools (`pg_dump`).
pub fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let db = match database(&args.db)? {
        Database::Sqlite(path) => path,
        Database::Postgres(_) => {
            bail!("backup copies a SQLite database; back up PostgreSQL with pg_dump")
        }
    };
    crate::store::backup::backup(&db, &args.path).map_err(|e| {
        anyhow::anyhow!(
            "could not back up {} to {}: {e}",
            db.display(),
            args.path.display()
        )
    })?;
    println!("backed up {} to {}", db.display(), args.path.display());
    Ok(())
}

pub async fn outbox(command: OutboxCommand) -> anyhow::Result<()> {
    match command {
        OutboxCommand::List { all, db } => {
            let entries = open_existing(&db).await?.outbox(all).await?;
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
