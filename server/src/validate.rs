//! The contract's field rules, one function per field, each returning what is wrong in a
//! sentence fit for the `fields` map of a `422`.

use url::Url;

use crate::model::Kind;

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 10_000;
pub const LINK_MAX: usize = 2_048;
pub const CATEGORY_MAX: usize = 64;
pub const USER_ID_MAX: usize = 64;
pub const IDEMPOTENCY_KEY_MAX: usize = 255;
/// Category entries a user's preferences may hold at most: a change naming more is refused
/// whole, and so is one that would leave more once merged.
pub const MAX_CATEGORIES: usize = 100;

/// 1 to 200 characters after trimming, no control characters. Returns the trimmed title.
pub fn title(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    let len = trimmed.chars().count();
    if len == 0 {
        return Err("must not be empty".into());
    }
    if len > TITLE_MAX {
        return Err(format!(
            "must be at most {TITLE_MAX} characters (got {len})"
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(trimmed.to_owned())
}

/// At most 10,000 characters.
pub fn body(raw: &str) -> Result<String, String> {
    let len = raw.chars().count();
    if len > BODY_MAX {
        return Err(format!("must be at most {BODY_MAX} characters (got {len})"));
    }
    Ok(raw.to_owned())
}

/// An absolute `http`, `https` or `mailto` URL of at most 2,048 characters.
pub fn link(raw: &str) -> Result<String, String> {
    if raw.chars().count() > LINK_MAX {
        return Err(format!("must be at most {LINK_MAX} characters"));
    }
    // The URL parser drops tabs and line breaks silently, and a terminal would act on an
    // escape sequence: refuse any control character outright.
    if raw.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    // The parser would accept a space in a path and store it raw; a link is stored as sent,
    // so it must already be a valid URL: spaces percent-encoded, as in the host they must be.
    if raw.chars().any(char::is_whitespace) {
        return Err("must not contain spaces (percent-encode them as %20)".into());
    }
    let url = Url::parse(raw).map_err(|_| "must be an absolute URL".to_owned())?;
    match url.scheme() {
        "http" | "https" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(raw.to_owned()),
        "mailto" => Ok(raw.to_owned()),
        "http" | "https" => Err("must name a host".into()),
        _ => Err("must be an http, https or mailto URL".into()),
    }
}

/// 1 to 64 of `[a-z0-9._-]`.
pub fn category(raw: &str) -> Result<String, String> {
    let ok = (1..=CATEGORY_MAX).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "must be 1 to {CATEGORY_MAX} of a-z, 0-9, '.', '_', '-'"
        ))
    }
}

/// 1 to 64 of `[A-Za-z0-9._@-]`.
pub fn user_id(raw: &str) -> Result<String, String> {
    let ok = (1..=USER_ID_MAX).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._@-".contains(&b));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "must be 1 to {USER_ID_MAX} of A-Z, a-z, 0-9, '.', '_', '@', '-'"
        ))
    }
}

/// One of `INFO`, `SUCCESS`, `WARNING`, `ERROR`.
pub fn kind(raw: &str) -> Result<Kind, String> {
    raw.parse()
        .map_err(|()| "must be one of INFO, SUCCESS, WARNING, ERROR".to_owned())
}

/// 1 to 255 printable ASCII characters.
pub fn idempotency_key(raw: &str) -> Result<String, String> {
    let ok = (1..=IDEMPOTENCY_KEY_MAX).contains(&raw.len())
        && raw.bytes().all(|b| (0x20..0x7f).contains(&b));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "Idempotency-Key must be 1 to {IDEMPOTENCY_KEY_MAX} printable ASCII characters"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(title("  Deploy  ").unwrap(), "Deploy");
        assert!(title("   ").is_err());
        assert!(title(&"é".repeat(200)).is_ok());
        assert!(title(&"é".repeat(201)).is_err());
        assert!(title("a\u{7}b").is_err());
        assert!(title("line\nbreak").is_err());
    }

    #[test]
    fn links_must_be_absolute_web_or_mail() {
        assert!(link("https://ci.example.com/runs/42").is_ok());
        assert!(link("mailto:ops@example.com").is_ok());
        assert!(link("javascript:alert(1)").is_err());
        assert!(link("/relative").is_err());
        assert!(link("ftp://example.com").is_err());
        assert!(link("https://x.com/\u{1b}[31mred").is_err());
        assert!(link("https://x.com/a\tb").is_err());
        assert!(link("https://example.com/a b").is_err());
        assert!(link("http://exa mple.com").is_err());
        assert!(link("https://example.com/a%20b").is_ok());
        assert!(link(&format!("https://e.com/{}", "a".repeat(2048))).is_err());
    }

    #[test]
    fn categories_and_users_follow_their_charsets() {
        assert!(category("deploy.prod_1-x").is_ok());
        assert!(category("Deploy").is_err());
        assert!(category("").is_err());
        assert!(category(&"a".repeat(65)).is_err());
        assert!(user_id("Alice.B@corp-1_x").is_ok());
        assert!(user_id("al ice").is_err());
        assert!(user_id(&"a".repeat(65)).is_err());
    }

    #[test]
    fn kinds_are_upper_case_only() {
        assert_eq!(kind("ERROR").unwrap(), Kind::Error);
        assert!(kind("error").is_err());
    }

    #[test]
    fn idempotency_keys_are_printable_ascii() {
        assert!(idempotency_key("abc-123 x").is_ok());
        assert!(idempotency_key("").is_err());
        assert!(idempotency_key("é").is_err());
        assert!(idempotency_key(&"k".repeat(256)).is_err());
    }
}
