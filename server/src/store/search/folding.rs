//! What of a word the full-text index can be trusted to find.
//!
//! A search compares case-folded text: `notif_contains` with Rust's `to_lowercase`, the
//! trigram index with SQLite's own folding tables, which are older and fold some letters
//! otherwise or not at all (`İ`, Cherokee, Georgian capitals, letters added to Unicode
//! since). A row holding such a letter is not named by the index for the lower-case word
//! `notif_contains` accepts: before migration 0007 it was never found through the index,
//! and since the index is brought up to date every few batches it would be found while it
//! waits (above the index's watermark), then lost. So [`index_form`] keeps such words out of the
//! index's query ([`super::plan`] then checks them on the rows), or trims them.
//!
//! The letters are found by asking SQLite, once per process (about 40 ms, at the first
//! search): each letter with a lower case of its own, three times over, is indexed in a
//! table of the same tokenizer in memory, and looked up by its lower case. Of a letter
//! that fails:
//! - the non-ASCII characters of its lower case may not appear in a word looked up;
//! - its lower case's ASCII beginning may end one: `İ` folds to "i" and a combining dot,
//!   so "taksi" is in "taksi̇" (from "TAKSİ"), where the index has "taksİ". Such an end is
//!   trimmed from the word the index looks up ("taks"), which finds the row; the row is
//!   then checked against the whole word.

use std::collections::HashSet;
use std::sync::OnceLock;

use rusqlite::Connection;

use super::fold;

/// The letters SQLite folds otherwise, as they show in folded words.
struct Mismatches {
    /// Characters a word looked up in the index may not hold.
    untrusted: HashSet<char>,
    /// Word ends to trim before looking a word up: the ASCII beginnings of those
    /// letters' lower cases.
    ends: Vec<String>,
}

/// What to look `word` (already folded) up by in the index so that the index names every
/// row `notif_contains` accepts for it: the word, or the word trimmed; `None` when the index
/// cannot be trusted with it.
pub fn index_form(word: &str) -> Option<&str> {
    let Some(mismatches) = mismatches() else {
        // Without SQLite's answer: only ASCII, trimmed of the one end known (`İ`'s "i").
        return word
            .is_ascii()
            .then(|| word.strip_suffix('i').unwrap_or(word));
    };
    if word.chars().any(|c| mismatches.untrusted.contains(&c)) {
        return None;
    }
    let trimmed = mismatches
        .ends
        .iter()
        .filter_map(|end| word.strip_suffix(end.as_str()))
        .min_by_key(|rest| rest.len());
    Some(trimmed.unwrap_or(word))
}

/// SQLite's answer, asked once; `None` if it could not be asked (then kept for the life of
/// the process: searches for words outside ASCII read the inbox, slower but right).
fn mismatches() -> Option<&'static Mismatches> {
    static MISMATCHES: OnceLock<Option<Mismatches>> = OnceLock::new();
    MISMATCHES
        .get_or_init(|| match ask_sqlite() {
            Ok(mismatches) => Some(mismatches),
            Err(err) => {
                tracing::warn!(%err, "could not compare case folding with SQLite's: searches for words outside ASCII read the inbox");
                None
            }
        })
        .as_ref()
}

fn ask_sqlite() -> rusqlite::Result<Mismatches> {
    let conn = Connection::open_in_memory()?;
    conn.execute_batch("CREATE VIRTUAL TABLE letters USING fts5 (text, tokenize = 'trigram')")?;
    let cased: Vec<char> = (0..=char::MAX as u32)
        .filter_map(char::from_u32)
        .filter(|c| !c.to_lowercase().eq([*c]))
        .collect();
    let tx = conn.unchecked_transaction()?;
    {
        let mut insert = tx.prepare("INSERT INTO letters (rowid, text) VALUES (?1, ?2)")?;
        for c in &cased {
            insert.execute((u32::from(*c), c.to_string().repeat(3)))?;
        }
    }
    tx.commit()?;
    let mut found =
        conn.prepare("SELECT count(*) FROM letters WHERE letters MATCH ?1 AND rowid = ?2")?;
    let mut mismatches = Mismatches {
        untrusted: HashSet::new(),
        ends: Vec::new(),
    };
    for c in cased {
        let phrase = format!(
            "\"{}\"",
            fold(&c.to_string().repeat(3)).replace('"', "\"\"")
        );
        let count: i64 = found.query_row((phrase, u32::from(c)), |r| r.get(0))?;
        if count == 0 {
            mismatches.note(&fold(&c.to_string()));
        }
    }
    Ok(mismatches)
}

impl Mismatches {
    /// Notes the lower case of a letter SQLite folds otherwise.
    fn note(&mut self, lower: &str) {
        let head: String = lower.chars().take_while(char::is_ascii).collect();
        if head.len() == lower.len() {
            // All ASCII (no such letter today): a word holding its characters could miss.
            self.untrusted.extend(lower.chars());
            return;
        }
        self.untrusted
            .extend(lower.chars().filter(|c| !c.is_ascii()));
        for end in 1..=head.len() {
            let end = head[..end].to_owned();
            if !self.ends.contains(&end) {
                self.ends.push(end);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(word: &str) -> Option<String> {
        index_form(&fold(word)).map(str::to_owned)
    }

    #[test]
    fn words_sqlite_folds_otherwise_stay_out_of_the_index_or_are_trimmed() {
        for word in [
            "disk",
            "web-1",
            "école",
            "fermée",
            "привет",
            "日本語",
            "straße",
            "οδος",
        ] {
            assert_eq!(form(word), Some(fold(word)), "{word}");
        }
        // İ (lower case "i̇"), Cherokee, Georgian capitals' lower case.
        for word in ["İzmir", "ᏣᎳᎩ", "გამარჯობა"] {
            assert_eq!(form(word), None, "{word}");
        }
        assert_eq!(
            form("taksi").as_deref(),
            Some("taks"),
            "İ's lower case starts with i"
        );
        assert!(mismatches().is_some(), "SQLite was asked");
    }
}
