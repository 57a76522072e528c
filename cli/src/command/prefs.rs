//! `notif prefs`: show or change delivery preferences (global, or per category).

use clap::Subcommand;

use super::Context;
use crate::api::PreferencesPatch;
use crate::api::types::CategoryPreferences;
use crate::cli::Switch;
use crate::error::CliError;
use crate::output;

/// Show or change delivery preferences.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Examples:
  notif prefs
  notif prefs set --email off
  notif prefs set --category deploy --in-app on --email off
  notif prefs unset --category deploy

A category's setting wins over the global one; unset falls back to global.")]
pub struct Args {
    /// What to change; nothing shows the preferences
    #[command(subcommand)]
    pub action: Option<Action>,
}

/// The changes `notif prefs` can make.
#[derive(Debug, Subcommand)]
pub enum Action {
    /// Change flags, globally or (with --category) for one category
    #[command(after_help = "Example:\n  notif prefs set --category deploy --email off")]
    Set {
        /// In-app delivery (inbox and live stream)
        #[arg(long, value_name = "on|off")]
        in_app: Option<Switch>,
        /// Email delivery
        #[arg(long, value_name = "on|off")]
        email: Option<Switch>,
        /// Apply the flags to this category only
        #[arg(long, value_name = "NAME")]
        category: Option<String>,
    },
    /// Remove a category's settings, so that the global ones apply
    #[command(after_help = "Example:\n  notif prefs unset --category deploy")]
    Unset {
        /// The category to reset
        #[arg(long, value_name = "NAME", required = true)]
        category: String,
    },
}

impl Args {
    /// Shows the preferences, after applying the change if one was asked for.
    pub async fn run(self, ctx: &Context) -> anyhow::Result<()> {
        let client = ctx.client()?;
        let prefs = match self.action {
            None => client.preferences().await?,
            Some(action) => client.set_preferences(&action.patch()?).await?,
        };
        if ctx.out.json {
            return Ok(ctx.out.json(&prefs, false)?);
        }
        Ok(ctx.out.text(&output::preferences(&prefs))?)
    }
}

impl Action {
    /// The `PUT` body for this change.
    fn patch(self) -> Result<PreferencesPatch, CliError> {
        match self {
            Action::Set {
                in_app: None,
                email: None,
                ..
            } => Err(CliError::Usage(
                "nothing to set: give --in-app on|off and/or --email on|off".to_owned(),
            )),
            Action::Set {
                in_app,
                email,
                category: None,
            } => Ok(PreferencesPatch {
                in_app: in_app.map(Into::into),
                email: email.map(Into::into),
                categories: None,
            }),
            Action::Set {
                in_app,
                email,
                category: Some(name),
            } => {
                let entry = CategoryPreferences {
                    in_app: in_app.map(Into::into),
                    email: email.map(Into::into),
                };
                Ok(PreferencesPatch {
                    categories: Some([(name, Some(entry))].into_iter().collect()),
                    ..PreferencesPatch::default()
                })
            }
            Action::Unset { category } => Ok(PreferencesPatch {
                categories: Some([(category, None)].into_iter().collect()),
                ..PreferencesPatch::default()
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(action: Action) -> serde_json::Value {
        serde_json::to_value(action.patch().unwrap()).unwrap()
    }

    #[test]
    fn patches_match_the_contract() {
        let set = |in_app, email, category: Option<&str>| Action::Set {
            in_app,
            email,
            category: category.map(str::to_owned),
        };
        assert_eq!(
            body(set(None, Some(Switch::Off), None)),
            json!({"email": false})
        );
        assert_eq!(
            body(set(Some(Switch::On), Some(Switch::Off), Some("deploy"))),
            json!({"categories": {"deploy": {"inApp": true, "email": false}}})
        );
        assert_eq!(
            body(Action::Unset {
                category: "deploy".into()
            }),
            json!({"categories": {"deploy": null}})
        );
        assert!(set(None, None, Some("x")).patch().is_err());
    }
}
