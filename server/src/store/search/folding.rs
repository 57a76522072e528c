//! Which words the full-text index can be trusted to find.
//!
//! A search compares case-folded text: `notif_contains` with Rust's `to_lowercase`, the
//! trigram index with SQLite's own folding tables, which are older and fold some letters
//! otherwise or not at all (`İ`, Cherokee, Georgian capitals, letters added to Unicode
//! since). A row holding such a letter is not named by the index for the lower-case word
//! `notif_contains` accepts: before migration 0007 it was never found through the index,
//! and since the index is brought up to date every few batches it would be found while it
//! waits (`search_pending`), then lost. So a word that holds the lower case of such a
//! letter is left out of the index's query ([`super::plan`] then checks it on the rows).
//!
//! The letters are found by asking SQLite, once per process: each letter with a lower
//! case of its own, three times over, is indexed in a table of the same tokenizer in
//! memory, and looked up by its lower case. Of the letters that fail, the non-ASCII
//! characters of their lower case are the ones a word must not hold (İ's is "i" and a
//! combining dot: the dot, as a word without it cannot match "i̇" in the text either).

use std::collections::HashSet;
use std::sync::OnceLock;

use rusqlite::Connection;

use super::fold;

/// Whether the index finds `word` (already folded) wherever `notif_contains` does.
pub fn index_agrees(word: &str) -> bool {
    match untrusted() {
        Some(chars) => !word.chars().any(|c| chars.contains(&c)),
        // Without the list, only words in ASCII, which both fold alike.
        None => word.is_ascii(),
    }
}

/// The characters a word must not hold to be looked up in the index; `None` if SQLite
/// could not be asked.
fn untrusted() -> Option<&'static HashSet<char>> {
    static UNTRUSTED: OnceLock<Option<HashSet<char>>> = OnceLock::new();
    UNTRUSTED
        .get_or_init(|| match ask_sqlite() {
            Ok(chars) => Some(chars),
            Err(err) => {
                tracing::warn!(%err, "could not compare case folding with SQLite's: searches for words outside ASCII read the inbox");
                None
            }
        })
        .as_ref()
}

fn ask_sqlite() -> rusqlite::Result<HashSet<char>> {
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
    let mut untrusted = HashSet::new();
    for c in cased {
        let lower = fold(&c.to_string().repeat(3));
        let phrase = format!("\"{}\"", lower.replace('"', "\"\""));
        let count: i64 = found.query_row((phrase, u32::from(c)), |r| r.get(0))?;
        if count == 0 {
            untrusted.extend(fold(&c.to_string()).chars().filter(|l| !l.is_ascii()));
        }
    }
    Ok(untrusted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_sqlite_folds_otherwise_stay_out_of_the_index() {
        for word in [
            "disk",
            "web-1",
            "école",
            "fermée",
            "привет",
            "日本語",
            "straße",
        ] {
            assert!(index_agrees(&fold(word)), "{word}");
        }
        // İ (lower case "i̇"), Cherokee, Georgian capitals' lower case.
        for word in ["İzmir", "ᏣᎳᎩ", "გამარჯობა"] {
            assert!(!index_agrees(&fold(word)), "{word}");
        }
        assert!(untrusted().is_some(), "SQLite was asked");
    }
}
