//! The preferences write: a patch applied to the global flags and the category entries.

use rusqlite::{Connection, params};

use crate::model::{Preferences, PreferencesPatch};
use crate::store::{StoreError, queries};
use crate::validate::MAX_CATEGORIES;

/// Applies `patch` to `user_id`'s preferences and returns the result; `Invalid` if the user
/// would end up with more than `MAX_CATEGORIES` category entries (counting those already stored).
pub fn update_preferences(
    conn: &Connection,
    user_id: &str,
    patch: &PreferencesPatch,
) -> Result<Preferences, StoreError> {
    conn.prepare_cached(
        "INSERT INTO preferences (user_id, in_app, email) VALUES (?1, coalesce(?2, 1), coalesce(?3, 1))
         ON CONFLICT (user_id) DO UPDATE SET
             in_app = coalesce(?2, in_app), email = coalesce(?3, email)",
    )?
    .execute(params![user_id, patch.in_app, patch.email])?;
    for (category, entry) in &patch.categories {
        match entry {
            None => {
                conn.prepare_cached(
                    "DELETE FROM category_preferences WHERE user_id = ?1 AND category = ?2",
                )?
                .execute(params![user_id, category])?;
            }
            Some(entry) => {
                conn.prepare_cached(
                    "INSERT INTO category_preferences (user_id, category, in_app, email) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (user_id, category) DO UPDATE SET
                         in_app = coalesce(?3, in_app), email = coalesce(?4, email)",
                )?
                .execute(params![user_id, category, entry.in_app, entry.email])?;
            }
        }
    }
    let count: usize = conn
        .prepare_cached("SELECT count(*) FROM category_preferences WHERE user_id = ?1")?
        .query_row([user_id], |r| r.get::<_, i64>(0))?
        .try_into()
        .unwrap_or(usize::MAX);
    if count > MAX_CATEGORIES {
        return Err(StoreError::Invalid {
            field: "categories".into(),
            problem: format!(
                "must hold at most {MAX_CATEGORIES} categories in all (this would make {count})"
            ),
        });
    }
    queries::preferences(conn, user_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CategoryPreference;
    use crate::store::testing::{add_user, database};

    fn category(in_app: Option<bool>, email: Option<bool>) -> Option<CategoryPreference> {
        Some(CategoryPreference { in_app, email })
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let conn = database();
        add_user(&conn, "alice", None);
        let mut patch = PreferencesPatch {
            email: Some(false),
            ..PreferencesPatch::default()
        };
        patch
            .categories
            .insert("deploy".into(), category(Some(false), None));
        let prefs = update_preferences(&conn, "alice", &patch).unwrap();
        assert!(prefs.in_app && !prefs.email);
        assert_eq!(
            prefs.categories["deploy"],
            CategoryPreference {
                in_app: Some(false),
                email: None
            }
        );

        let mut patch = PreferencesPatch::default();
        patch
            .categories
            .insert("deploy".into(), category(None, Some(true)));
        let prefs = update_preferences(&conn, "alice", &patch).unwrap();
        assert!(prefs.in_app && !prefs.email, "omitted flags are kept");
        assert_eq!(
            prefs.categories["deploy"],
            CategoryPreference {
                in_app: Some(false),
                email: Some(true)
            }
        );
        assert_eq!(queries::preferences(&conn, "alice").unwrap(), prefs);

        let mut patch = PreferencesPatch::default();
        patch.categories.insert("deploy".into(), None);
        let prefs = update_preferences(&conn, "alice", &patch).unwrap();
        assert!(
            prefs.categories.is_empty(),
            "a category set to null is removed"
        );
    }

    #[test]
    fn the_category_entries_are_capped_in_all() {
        let conn = database();
        add_user(&conn, "alice", None);
        let mut patch = PreferencesPatch::default();
        for i in 0..MAX_CATEGORIES {
            patch
                .categories
                .insert(format!("c{i}"), category(Some(true), None));
        }
        update_preferences(&conn, "alice", &patch).unwrap();
        let mut one_more = PreferencesPatch::default();
        one_more
            .categories
            .insert("extra".into(), category(None, None));
        let err = update_preferences(&conn, "alice", &one_more).unwrap_err();
        assert!(matches!(err, StoreError::Invalid { field, .. } if field == "categories"));
    }
}
