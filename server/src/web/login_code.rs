//! One-time login codes: what `POST /api/session/links` hands out inside a URL fragment and
//! `POST /api/session` trades for a session. A code is random (192 bits), valid a few
//! minutes, used once, and stored only as its SHA-256, as tokens are.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

/// How long a code may wait to be used.
pub const VALID_FOR_MS: i64 = 5 * 60 * 1000;

/// A new login code: URL-safe, so that it sits in a fragment unescaped.
pub fn new_code() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The sign-in URL for `code` on the server at `public_url`: the code is in the fragment,
/// which the browser never sends in a request.
pub fn login_url(public_url: &str, code: &str) -> String {
    format!("{}/login#{code}", public_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_url_safe_and_new_each_time() {
        let code = new_code();
        assert_eq!(code.len(), 32);
        assert!(
            code.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_ne!(code, new_code());
    }

    #[test]
    fn the_code_travels_in_the_fragment() {
        assert_eq!(
            login_url("http://127.0.0.1:8080/", "abc"),
            "http://127.0.0.1:8080/login#abc"
        );
        assert_eq!(
            login_url("https://n.example/notif", "abc"),
            "https://n.example/notif/login#abc"
        );
    }
}
