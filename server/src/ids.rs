//! Identifiers and secrets: cuid2-style notification ids, bearer tokens and their hashes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

const ID_LEN: usize = 24;
/// The random head of an id: a letter and 11 base36 digits (about 62 bits).
const HEAD_LEN: usize = 12;
/// Base36 digits of the creation time (Unix milliseconds) in an id's tail.
const TIME_DIGITS: usize = 9;
const BASE36: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// A new notification id made at `now_ms`: 24 characters of lowercase base36, starting with
/// a letter, as cuid2 ids do. The first 12 are random, so a short prefix tells ids apart
/// (the CLI takes 6); the last 12 are the time in milliseconds and 3 more random digits, so
/// that the SQLite store can keep its unique index on ids in time order (`store::stored_id`)
/// and a new id lands at the end of it instead of anywhere. The 21 random digits (about 108
/// bits, 62 of them ahead of the time) make a collision as unlikely as with cuid2.
pub fn notification_id(now_ms: i64) -> String {
    let mut rng = rand::rng();
    let mut id = String::with_capacity(ID_LEN);
    id.push(char::from(BASE36[rng.random_range(10..36)]));
    for _ in 1..HEAD_LEN {
        id.push(char::from(BASE36[rng.random_range(0..36)]));
    }
    push_base36(&mut id, u64::try_from(now_ms).unwrap_or(0), TIME_DIGITS);
    for _ in HEAD_LEN + TIME_DIGITS..ID_LEN {
        id.push(char::from(BASE36[rng.random_range(0..36)]));
    }
    id
}

/// Appends `value` in exactly `width` base36 digits: zero-padded, and its lowest digits
/// when it does not fit (in the year 5138 for a time in milliseconds).
fn push_base36(out: &mut String, mut value: u64, width: usize) {
    let mut digits = [b'0'; 16];
    for digit in digits[..width].iter_mut().rev() {
        *digit = BASE36[(value % 36) as usize];
        value /= 36;
    }
    out.extend(digits[..width].iter().map(|&d| char::from(d)));
}

/// A new bearer token: 256 random bits, URL-safe, with a prefix that makes it recognisable in
/// a leaked config file or a secret scanner.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("ntf_{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// What the database keeps of a token: its SHA-256. Lookups go by this hash, so no token is
/// ever compared byte by byte.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A stable digest of a request body, to tell an idempotent retry from a different request.
pub fn body_hash(canonical_json: &str) -> [u8; 32] {
    Sha256::digest(canonical_json.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_cuid2() {
        let now = 1_764_000_000_000;
        let id = notification_id(now);
        assert_eq!(id.len(), 24);
        assert!(id.as_bytes()[0].is_ascii_lowercase());
        assert!(id.bytes().all(|b| BASE36.contains(&b)));
        assert_ne!(id, notification_id(now));
        assert_ne!(
            id[..6],
            notification_id(now)[..6],
            "6-character prefixes differ"
        );
    }

    #[test]
    fn the_tail_of_an_id_is_its_time() {
        let earlier = notification_id(1_764_000_000_000);
        let later = notification_id(1_764_000_000_001);
        assert!(earlier[12..21] < later[12..21]);
        assert_eq!(&earlier[12..13], "0", "zero-padded to 9 digits");
        let mut digits = String::new();
        push_base36(&mut digits, 36 * 36 + 35, 4);
        assert_eq!(digits, "010z");
    }

    #[test]
    fn tokens_are_long_and_hash_apart() {
        let token = new_token();
        assert!(token.starts_with("ntf_") && token.len() >= 40);
        assert_ne!(token_hash(&token), token_hash(&new_token()));
    }

    #[test]
    fn token_hash_is_sha256() {
        // The FIPS 180-2 test vector: a hash that changed would lock every user out.
        let hex: String = token_hash("abc")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
