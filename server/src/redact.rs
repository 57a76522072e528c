//! Keeping secrets out of what the server prints: the password of a URL such as `--smtp-url`
//! is replaced by `***` in every message that mentions the URL, whether or not the URL parses.

/// `url` with the password of its user information (`scheme://user:PASSWORD@host`) replaced by
/// `***`. Works on the text, so a URL that a parser refuses is redacted too.
pub fn url(url: &str) -> String {
    match password_span(url) {
        Some((start, end)) => format!("{}***{}", &url[..start], &url[end..]),
        None => url.to_owned(),
    }
}

/// `message` with every occurrence of `url`'s password (as written, and percent-decoded)
/// replaced by `***`: for errors of libraries that may quote the URL or its parts.
pub fn message(message: &str, url: &str) -> String {
    let Some((start, end)) = password_span(url) else {
        return message.to_owned();
    };
    let raw = &url[start..end];
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned();
    let mut out = message.to_owned();
    for secret in [raw, decoded.as_str()] {
        if !secret.is_empty() {
            out = out.replace(secret, "***");
        }
    }
    out
}

/// Where the password is in `url`: after the first `:` of the user information, which runs
/// from `://` to the last `@` before the path, query or fragment.
fn password_span(url: &str) -> Option<(usize, usize)> {
    let authority_start = url.find("://")? + 3;
    let rest = &url[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let userinfo_len = authority.rfind('@')?;
    let colon = authority[..userinfo_len].find(':')?;
    let start = authority_start + colon + 1;
    let end = authority_start + userinfo_len;
    (end > start).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_replaced_whether_the_url_parses_or_not() {
        assert_eq!(
            url("smtps://mail:s3cret@relay.example:465"),
            "smtps://mail:***@relay.example:465"
        );
        assert_eq!(
            url("smtp://u:p@ss w@rd@host/x?tls=required"),
            "smtp://u:***@host/x?tls=required"
        );
        assert_eq!(url("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
        assert_eq!(url("smtp://user@host"), "smtp://user@host");
        assert_eq!(url("not a url"), "not a url");
    }

    #[test]
    fn messages_lose_the_password_in_both_spellings() {
        let smtp = "smtp://u:p%40ss@host";
        assert_eq!(message("bad p%40ss and p@ss", smtp), "bad *** and ***");
        assert_eq!(message("nothing secret", "smtp://host"), "nothing secret");
    }
}
