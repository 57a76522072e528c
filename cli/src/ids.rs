//! Id arguments: full ids or unique prefixes of at least [`MIN_PREFIX`] characters,
//! resolved against the user's inbox (read and unread).

use crate::api::{Client, ListQuery, MAX_PAGE};
use crate::error::CliError;

/// The shortest prefix accepted, so that a prefix is rarely ambiguous.
pub const MIN_PREFIX: usize = 6;

/// Resolves each of `given` to a full id, paging through the inbox once (stopping as
/// soon as every argument has an exact match). An exact id always wins over prefixes.
/// Each notification comes once, in the order first named, however often it was
/// named (the same id twice, or a prefix and its full id).
pub async fn resolve(client: &Client, given: &[String]) -> anyhow::Result<Vec<String>> {
    if let Some(short) = given.iter().find(|g| g.chars().count() < MIN_PREFIX) {
        return Err(CliError::Usage(format!(
            "id {short:?} is too short: give the full id or at least {MIN_PREFIX} characters"
        ))
        .into());
    }
    let mut matches: Vec<Vec<String>> = vec![Vec::new(); given.len()];
    let mut query = ListQuery {
        limit: Some(MAX_PAGE),
        ..ListQuery::default()
    };
    loop {
        let page = client.list(&query).await?;
        for n in &page.notifications {
            for (arg, found) in given.iter().zip(matches.iter_mut()) {
                if n.id.starts_with(arg.as_str()) && !found.contains(&n.id) {
                    found.push(n.id.clone());
                }
            }
        }
        let all_exact = given.iter().zip(&matches).all(|(g, m)| m.contains(g));
        match page.next_cursor {
            Some(cursor) if !all_exact && !page.notifications.is_empty() => {
                query.cursor = Some(cursor)
            }
            _ => break,
        }
    }
    let resolved = given
        .iter()
        .zip(matches)
        .map(|(g, m)| pick(g, m))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(first_of_each(resolved))
}

/// `ids` without repeats, keeping the first of each.
fn first_of_each(ids: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    ids.into_iter()
        .filter(|id| seen.insert(id.clone()))
        .collect()
}

/// The one id `arg` stands for among `matches`.
fn pick(arg: &str, mut matches: Vec<String>) -> anyhow::Result<String> {
    if matches.iter().any(|m| m == arg) {
        return Ok(arg.to_owned());
    }
    match matches.len() {
        0 => Err(CliError::NoMatch(arg.to_owned()).into()),
        1 => Ok(matches.remove(0)),
        _ => {
            matches.truncate(5);
            Err(CliError::Ambiguous {
                prefix: arg.to_owned(),
                matches,
            }
            .into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::exit_code;

    #[test]
    fn exact_unique_ambiguous_and_missing() {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(pick("abcdef", ids(&["abcdef12"])).unwrap(), "abcdef12");
        assert_eq!(
            pick("abcdef", ids(&["abcdef", "abcdefg"])).unwrap(),
            "abcdef"
        );
        let amb = pick("abcdef", ids(&["abcdef1", "abcdef2"])).unwrap_err();
        assert_eq!(exit_code(&amb), 2);
        assert!(amb.to_string().contains("abcdef1, abcdef2"), "{amb}");
        assert_eq!(exit_code(&pick("abcdef", vec![]).unwrap_err()), 4);
    }

    #[test]
    fn an_id_named_twice_counts_once() {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            first_of_each(ids(&["b", "a", "b", "a", "c"])),
            ids(&["b", "a", "c"])
        );
    }
}
