//! Identifiers and secrets: cuid2-style notification ids, bearer tokens and their hashes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

const ID_LEN: usize = 24;
const BASE36: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// A new notification id: 24 characters of lowercase base36, starting with a letter, as cuid2
/// ids do; 23 random base36 digits give about 119 bits, so ids never collide in practice.
pub fn notification_id() -> String {
    let mut rng = rand::rng();
    let mut id = String::with_capacity(ID_LEN);
    id.push(char::from(BASE36[rng.random_range(10..36)]));
    for _ in 1..ID_LEN {
        id.push(char::from(BASE36[rng.random_range(0..36)]));
    }
    id
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
        let id = notification_id();
        assert_eq!(id.len(), 24);
        assert!(id.as_bytes()[0].is_ascii_lowercase());
        assert!(id.bytes().all(|b| BASE36.contains(&b)));
        assert_ne!(id, notification_id());
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
