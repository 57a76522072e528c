//! How the SQLite store keeps a notification's id: its two halves swapped, time first.
//!
//! An id starts with 12 random characters and ends with its creation time (`ids`). Kept as
//! it is, every new row would land at a random place in the unique index on `id`, and each
//! commit would rewrite about one index page per notification. Kept with its halves swapped
//! (`0mxyz1234abc` + `k3j9…`), new rows land at the end of the index, on pages the commit
//! writes anyway. The API never sees the stored form: rows are read through [`from_stored`].
//!
//! Ids stored before this form (and any id that is not 24 characters) start with a letter
//! and are kept as they are; a stored id that starts with a digit is a swapped one. So the
//! two forms never meet in the index, and a lookup asks for both ([`lookup_forms`]).

/// Where an id's random head ends and its time tail begins.
const HALF: usize = 12;
const LEN: usize = 2 * HALF;

/// The stored form of a new id from `ids::notification_id`.
pub fn to_stored(id: &str) -> String {
    match swap(id) {
        Some(stored) if starts_with_digit(&stored) => stored,
        _ => id.to_owned(),
    }
}

/// The id of a stored row, as the API shows it.
pub fn from_stored(stored: String) -> String {
    if starts_with_digit(&stored) {
        swap(&stored).unwrap_or(stored)
    } else {
        stored
    }
}

/// The stored forms the API's `id` may have: as it is (an id stored before the swap, or not
/// made by `ids`), and swapped when that gives a stored new id.
pub fn lookup_forms(id: &str) -> (String, Option<String>) {
    let swapped = swap(id).filter(|s| starts_with_digit(s));
    (id.to_owned(), swapped)
}

/// `id` with its halves swapped, if it is 24 ASCII characters.
fn swap(id: &str) -> Option<String> {
    if id.len() != LEN || !id.is_ascii() {
        return None;
    }
    Some(format!("{}{}", &id[HALF..], &id[..HALF]))
}

fn starts_with_digit(text: &str) -> bool {
    text.as_bytes().first().is_some_and(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids;

    #[test]
    fn a_new_id_is_stored_time_first_and_read_back_as_it_was() {
        let id = ids::notification_id(1_764_000_000_000);
        let stored = to_stored(&id);
        assert_eq!(&stored[..HALF], &id[HALF..]);
        assert!(stored.starts_with('0'));
        assert_eq!(from_stored(stored.clone()), id);
        assert_eq!(lookup_forms(&id), (id.clone(), Some(stored)));
    }

    #[test]
    fn later_ids_sort_after_earlier_ones_once_stored() {
        let earlier = to_stored(&ids::notification_id(1_764_000_000_000));
        let later = to_stored(&ids::notification_id(1_764_000_000_001));
        assert!(earlier < later);
    }

    #[test]
    fn ids_of_other_forms_are_kept_as_they_are() {
        for id in ["n0", "tz4a98xxat96iws9zmbrgj3a", "from-elsewhere", "é", ""] {
            assert_eq!(to_stored(id), id);
            assert_eq!(from_stored(id.to_owned()), id);
        }
        // An older cuid2 id whose 13th character is a digit could also be a swapped one:
        // a lookup asks for both.
        let older = "tz4a98xxat961ws9zmbrgj3a";
        assert_eq!(
            lookup_forms(older),
            (
                older.to_owned(),
                Some("1ws9zmbrgj3atz4a98xxat96".to_owned())
            )
        );
        assert_eq!(lookup_forms("n0"), ("n0".to_owned(), None));
    }
}
