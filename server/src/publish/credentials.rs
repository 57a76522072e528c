//! Where Gotify and ntfy tools put their token, and who the notification is for.
//!
//! Any of: `Authorization: Bearer <token>`; `Authorization: Basic` with the token as the
//! password (its user name naming the recipient); `X-Gotify-Key: <token>`; `?token=`;
//! ntfy's `?auth=` (base64url of an `Authorization` value). The recipient is the token's
//! own user for a user token; a service token needs a user name (Basic, or `?to=`).
//! A session cookie is not read here: a cross-site form may post to these routes.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hyper::header::{AUTHORIZATION, HeaderMap, HeaderValue};

use crate::error::ApiError;
use crate::model::{Principal, Scope};
use crate::publish::Query;
use crate::validate;

/// Base64 as senders write it: padding or not (ntfy's own clients leave it out).
const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);

/// The token a request carries, and the user it names (a Basic user name or `?to=`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub token: String,
    pub named_user: Option<String>,
}

/// The request's credentials: `401` with none, `400` for a malformed Basic header or
/// `?auth=`, or when the Basic user name and `?to=` name different users.
pub fn from_request(headers: &HeaderMap, query: &Query) -> Result<Credentials, ApiError> {
    let Carried {
        token,
        user: basic_user,
    } = carried(headers, query)?;
    let token = token.ok_or(ApiError::Unauthorized)?;
    let to = query.get("to").filter(|to| !to.is_empty());
    let named_user = match (basic_user, to) {
        (Some(user), Some(to)) if user != to => {
            return Err(ApiError::BadRequest(format!(
                "the Basic user name {user:?} and ?to={to:?} name different users"
            )));
        }
        (Some(user), _) => Some(user),
        (None, to) => to.map(str::to_owned),
    };
    Ok(Credentials { token, named_user })
}

/// The user the notification is for: the user token's own (`403` when another is named),
/// or the one a service token names (`400` when none or a malformed one is).
pub fn recipient(principal: &Principal, named_user: Option<&str>) -> Result<String, ApiError> {
    match (&principal.scope, named_user) {
        (Scope::User(own), Some(named)) if named != own => Err(ApiError::Forbidden(format!(
            "a user token may only notify its own user, not {named:?}"
        ))),
        (Scope::User(own), _) => Ok(own.clone()),
        (Scope::Service, Some(named)) => validate::user_id(named)
            .map_err(|problem| ApiError::BadRequest(format!("the recipient {problem}"))),
        (Scope::Service, None) => Err(ApiError::BadRequest(
            "a service token must name the recipient: as the Basic user name \
             (https://alice:TOKEN@host/…) or as ?to=alice"
                .to_owned(),
        )),
    }
}

/// What a request carries: a token, and the non-empty Basic user name if there is one.
#[derive(Debug, Default)]
struct Carried {
    token: Option<String>,
    user: Option<String>,
}

/// The first token found, in the order: `Authorization`, `X-Gotify-Key`, `?auth=`,
/// `?token=`. A Basic user name with an empty password still names the user (a tool given
/// `http://alice@host` and a key).
fn carried(headers: &HeaderMap, query: &Query) -> Result<Carried, ApiError> {
    let mut user = None;
    if let Some(value) = headers.get(AUTHORIZATION) {
        let found = authorization(
            header_text(value, "Authorization")?,
            "the Authorization header",
        )?;
        if found.token.is_some() {
            return Ok(found);
        }
        user = found.user;
    }
    let token = if let Some(key) = headers.get("x-gotify-key") {
        non_empty(header_text(key, "X-Gotify-Key")?)
    } else if let Some(auth) = query.get("auth").or_else(|| query.get("authorization")) {
        let value = decode(&URL_SAFE, auth)
            .or_else(|| decode(&STANDARD, auth))
            .ok_or_else(|| {
                ApiError::BadRequest(
                    "?auth= must be the base64url encoding of an Authorization header value".into(),
                )
            })?;
        let found = authorization(&value, "?auth=")?;
        user = user.or(found.user);
        found.token
    } else {
        query.get("token").and_then(non_empty)
    };
    Ok(Carried { token, user })
}

/// The token and Basic user name in an `Authorization` value (none for another scheme);
/// `400` for a Basic value that is not base64 of `user:password` in UTF-8.
fn authorization(value: &str, source: &str) -> Result<Carried, ApiError> {
    let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    if scheme.eq_ignore_ascii_case("bearer") {
        return Ok(Carried {
            token: non_empty(rest),
            user: None,
        });
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(Carried::default());
    }
    let malformed =
        || ApiError::BadRequest(format!("{source} is not Basic base64(user:token) in UTF-8"));
    let pair = decode(&STANDARD, rest.trim()).ok_or_else(malformed)?;
    let (user, password) = pair.split_once(':').ok_or_else(malformed)?;
    Ok(Carried {
        token: non_empty(password),
        user: (!user.is_empty()).then(|| user.to_owned()),
    })
}

/// A header's value as UTF-8 text (`400` if it is not).
fn header_text<'a>(value: &'a HeaderValue, name: &str) -> Result<&'a str, ApiError> {
    std::str::from_utf8(value.as_bytes())
        .map_err(|_| ApiError::BadRequest(format!("the {name} header is not UTF-8")))
}

/// `text` as base64 in `engine`, decoded to UTF-8 text.
fn decode(engine: &GeneralPurpose, text: &str) -> Option<String> {
    let bytes = engine.decode(text.trim()).ok()?;
    String::from_utf8(bytes).ok()
}

fn non_empty(token: &str) -> Option<String> {
    let token = token.trim();
    (!token.is_empty()).then(|| token.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE as B64URL, URL_SAFE_NO_PAD};

    fn creds(headers: &[(&str, &[u8])], query: &str) -> Result<Credentials, u16> {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            let name = hyper::header::HeaderName::from_bytes(name.as_bytes()).unwrap();
            map.append(name, HeaderValue::from_bytes(value).unwrap());
        }
        from_request(&map, &Query::parse(Some(query))).map_err(|e| e.status().as_u16())
    }

    fn ok(token: &str, user: Option<&str>) -> Result<Credentials, u16> {
        Ok(Credentials {
            token: token.to_owned(),
            named_user: user.map(str::to_owned),
        })
    }

    fn basic(pair: &str) -> Vec<u8> {
        format!("Basic {}", B64.encode(pair)).into_bytes()
    }

    #[test]
    fn every_place_a_token_can_be() {
        assert_eq!(
            creds(&[("authorization", b"Bearer tk1")], ""),
            ok("tk1", None)
        );
        assert_eq!(
            creds(&[("authorization", b"bearer  tk1 ")], ""),
            ok("tk1", None)
        );
        assert_eq!(
            creds(&[("authorization", &basic(":tk2"))], ""),
            ok("tk2", None)
        );
        assert_eq!(
            creds(&[("authorization", &basic("alice:tk2"))], ""),
            ok("tk2", Some("alice"))
        );
        assert_eq!(creds(&[("x-gotify-key", b"tk3")], ""), ok("tk3", None));
        assert_eq!(creds(&[], "token=tk4"), ok("tk4", None));
        let bearer = URL_SAFE_NO_PAD.encode("Bearer tk5");
        assert_eq!(creds(&[], &format!("auth={bearer}")), ok("tk5", None));
        let basic_auth = B64URL.encode(basic("bob:tk6"));
        assert_eq!(
            creds(&[], &format!("auth={}", basic_auth.replace('=', "%3D"))),
            ok("tk6", Some("bob"))
        );
    }

    #[test]
    fn the_header_wins_and_to_names_the_user() {
        assert_eq!(
            creds(
                &[("authorization", b"Bearer a"), ("x-gotify-key", b"b")],
                "token=c"
            ),
            ok("a", None)
        );
        assert_eq!(
            creds(&[("x-gotify-key", b"b")], "token=c&to=bob"),
            ok("b", Some("bob"))
        );
        assert_eq!(
            creds(&[("authorization", &basic("bob:t"))], "to=bob"),
            ok("t", Some("bob"))
        );
        assert_eq!(
            creds(&[("authorization", &basic("bob:t"))], "to=carol"),
            Err(400)
        );
        assert_eq!(
            creds(&[("authorization", b"Digest x=1")], "token=c"),
            ok("c", None)
        );
    }

    #[test]
    fn no_token_is_401_and_malformed_ones_400() {
        assert_eq!(creds(&[], ""), Err(401));
        assert_eq!(creds(&[], "token="), Err(401));
        assert_eq!(creds(&[("authorization", b"Bearer ")], ""), Err(401));
        assert_eq!(creds(&[("authorization", &basic("alice:"))], ""), Err(401));
        assert_eq!(creds(&[("x-gotify-key", b" ")], ""), Err(401));
        assert_eq!(creds(&[("authorization", b"Basic !!!")], ""), Err(400));
        assert_eq!(
            creds(&[("authorization", &basic("no-colon"))], ""),
            Err(400)
        );
        let not_utf8 = format!("Basic {}", B64.encode([0xff, b':', b'x']));
        assert_eq!(
            creds(&[("authorization", not_utf8.as_bytes())], ""),
            Err(400)
        );
        assert_eq!(creds(&[("authorization", b"Bearer \xff")], ""), Err(400));
        assert_eq!(creds(&[], "auth=%%%"), Err(400));
    }

    fn principal(scope: Scope) -> Principal {
        Principal {
            token_id: 1,
            scope,
            last_used_at: None,
        }
    }

    #[test]
    fn recipients_by_scope() {
        let alice = principal(Scope::User("alice".into()));
        let service = principal(Scope::Service);
        let status = |r: Result<String, ApiError>| r.map_err(|e| e.status().as_u16());
        assert_eq!(status(recipient(&alice, None)), Ok("alice".into()));
        assert_eq!(status(recipient(&alice, Some("alice"))), Ok("alice".into()));
        assert_eq!(status(recipient(&alice, Some("bob"))), Err(403));
        assert_eq!(status(recipient(&service, Some("bob"))), Ok("bob".into()));
        assert_eq!(status(recipient(&service, None)), Err(400));
        assert_eq!(status(recipient(&service, Some("b o b"))), Err(400));
    }
}
