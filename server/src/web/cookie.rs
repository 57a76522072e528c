//! The session cookie's exact text: `notif_token=<session token>`, `HttpOnly` so that no
//! script (not even the page's own) can read it, `SameSite=Strict` so that another site's
//! page cannot make the browser send it, `Secure` when the server is reached over https.

/// The cookie's name, the one `auth` reads.
pub const NAME: &str = "notif_token";

/// The `Set-Cookie` value that opens a session with `token`. No `Max-Age`: the cookie lives
/// as long as the browser session, and the token until it is revoked.
pub fn open(token: &str, secure: bool) -> String {
    format!(
        "{NAME}={token}; HttpOnly; SameSite=Strict; Path=/{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that makes the browser forget the session (log out).
pub fn clear(secure: bool) -> String {
    format!(
        "{NAME}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Whether cookies must be `Secure`: the public URL is https.
pub fn secure_for(public_url: &str) -> bool {
    public_url
        .get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_cookie_is_http_only_and_strict() {
        assert_eq!(
            open("ntf_abc", false),
            "notif_token=ntf_abc; HttpOnly; SameSite=Strict; Path=/"
        );
        assert_eq!(
            open("ntf_abc", true),
            "notif_token=ntf_abc; HttpOnly; SameSite=Strict; Path=/; Secure"
        );
    }

    #[test]
    fn logging_out_expires_the_cookie_at_once() {
        assert_eq!(
            clear(false),
            "notif_token=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
        );
        assert_eq!(
            clear(true),
            "notif_token=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure"
        );
    }

    #[test]
    fn https_public_urls_make_cookies_secure() {
        assert!(secure_for("https://notif.example.com"));
        assert!(secure_for("HTTPS://notif.example.com/"));
        assert!(!secure_for("http://127.0.0.1:8080"));
        assert!(!secure_for("http"));
    }
}
