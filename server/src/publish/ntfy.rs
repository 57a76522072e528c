//! ntfy's publishing: `POST`/`PUT /<topic>` with the message as the body, or `POST`/`PUT /`
//! with a JSON body naming the topic; ntfy's headers and query parameters on both; and
//! ntfy's answer.
//!
//! Parameters are read as ntfy reads them: each has several names (`X-Title`, `Title`, `t`),
//! a header wins over the query parameter of the same name, a header may be RFC 2047
//! encoded, and blank counts as absent. In the JSON form a non-empty JSON field wins over
//! its header (apprise sends the title in JSON, the priority and tags only as headers).

use hyper::header::HeaderMap;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::fields::FieldErrors;
use crate::publish::{Draft, Query, Receipt, priority, rfc2047};

const TITLE: &[&str] = &["x-title", "title", "t"];
const MESSAGE: &[&str] = &["x-message", "message", "m"];
const PRIORITY: &[&str] = &["x-priority", "priority", "prio", "p"];
const TAGS: &[&str] = &["x-tags", "tags", "tag", "ta"];
const CLICK: &[&str] = &["x-click", "click"];

/// A topic is 1 to 64 of `[A-Za-z0-9_-]`.
pub const TOPIC_MAX: usize = 64;

/// An ntfy message, read: the draft, and the topic as sent (echoed in the answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NtfyMessage {
    pub draft: Draft,
    pub topic: String,
}

/// Whether `segment` has a topic's shape (the router also keeps the server's own path
/// names from being topics).
pub fn is_topic(segment: &str) -> bool {
    (1..=TOPIC_MAX).contains(&segment.len())
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Reads `POST`/`PUT /<topic>`: the body (UTF-8, `400` if not) is the message, unless it is
/// blank and a `Message` parameter gives one.
pub fn parse_topic(
    topic: &str,
    headers: &HeaderMap,
    query: &Query,
    body: &[u8],
) -> Result<NtfyMessage, ApiError> {
    let params = Params { headers, query };
    let body = std::str::from_utf8(body)
        .map_err(|_| ApiError::BadRequest("the message (the request body) is not UTF-8".into()))?;
    let message = match body.trim() {
        "" => params.message()?,
        text => Some(text.to_owned()),
    };
    let tags = params.tags()?;
    let priority = params.priority()?;
    Ok(NtfyMessage {
        draft: Draft {
            title: params.get(TITLE)?,
            message,
            kind: kind(&tags, priority),
            click: params.get(CLICK)?,
            category: Some(topic.to_ascii_lowercase()),
        },
        topic: topic.to_owned(),
    })
}

/// Reads `POST`/`PUT /` with ntfy's JSON body `{"topic", "message", "title", "priority",
/// "tags", "click"}`, whatever its content type: `400` when it is not JSON, `422` naming
/// the fields that break a rule (a topic that `reserved` claims is not a topic).
pub fn parse_json(
    headers: &HeaderMap,
    query: &Query,
    body: &[u8],
    reserved: impl Fn(&str) -> bool,
) -> Result<NtfyMessage, ApiError> {
    let params = Params { headers, query };
    let object = match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => object,
        Ok(_) => return Err(ApiError::not_an_object()),
        Err(err) => {
            return Err(ApiError::BadRequest(format!(
                "request body is not valid JSON: {err}"
            )));
        }
    };
    let mut errors = FieldErrors::default();
    let topic = match object.get("topic") {
        None | Some(Value::Null) => {
            errors.add("topic", "is required");
            None
        }
        Some(_) => errors.optional_str(&object, "topic", |t| topic(t, &reserved)),
    };
    let text = |errors: &mut FieldErrors, name| {
        errors
            .optional_str(&object, name, |t| Ok::<_, String>(t.trim().to_owned()))
            .filter(|t| !t.is_empty())
    };
    let title = text(&mut errors, "title");
    let message = text(&mut errors, "message");
    let click = text(&mut errors, "click");
    let json_priority = json_priority(&object).unwrap_or_else(|p| {
        errors.add("priority", p);
        None
    });
    let json_tags = json_tags(&object).unwrap_or_else(|p| {
        errors.add("tags", p);
        Vec::new()
    });
    errors.into_result(())?;
    let Some(topic) = topic else {
        // A missing or bad topic was reported just above.
        return Err(ApiError::invalid_field("topic", "is required"));
    };
    let tags = match json_tags {
        tags if tags.is_empty() => params.tags()?,
        tags => tags,
    };
    let priority = match json_priority {
        Some(p) => Some(p),
        None => params.priority()?,
    };
    Ok(NtfyMessage {
        draft: Draft {
            title: title.map_or_else(|| params.get(TITLE), |t| Ok(Some(t)))?,
            message: message.map_or_else(|| params.message(), |m| Ok(Some(m)))?,
            kind: kind(&tags, priority),
            click: click.map_or_else(|| params.get(CLICK), |c| Ok(Some(c)))?,
            category: Some(topic.to_ascii_lowercase()),
        },
        topic,
    })
}

/// The answer ntfy gives: the message event, with notif's notification id.
pub fn answer<'a>(message: &'a NtfyMessage, receipt: &'a Receipt) -> Answer<'a> {
    Answer {
        id: receipt.id.as_deref().unwrap_or_default(),
        time: receipt.created_at.div_euclid(1000),
        event: "message",
        topic: &message.topic,
        title: &receipt.title,
        message: message.draft.message.as_deref().unwrap_or_default(),
    }
}

/// ntfy's message JSON, in ntfy's field order.
#[derive(Debug, Serialize)]
pub struct Answer<'a> {
    id: &'a str,
    time: i64,
    event: &'static str,
    topic: &'a str,
    title: &'a str,
    message: &'a str,
}

/// The topic as sent, if it is one: the right characters, and not a name `reserved` claims.
fn topic(raw: &str, reserved: impl Fn(&str) -> bool) -> Result<String, String> {
    if !is_topic(raw) {
        return Err(format!(
            "must be 1 to {TOPIC_MAX} of A-Z, a-z, 0-9, '_', '-'"
        ));
    }
    if reserved(raw) {
        return Err(format!(
            "{raw:?} is one of the server's own paths, not a topic"
        ));
    }
    Ok(raw.to_owned())
}

/// Tags give the type (the most severe wins); without a mapped tag, the priority does.
fn kind(tags: &[String], priority: Option<u8>) -> crate::model::Kind {
    priority::tags_kind(tags.iter().map(String::as_str))
        .unwrap_or_else(|| priority::ntfy_kind(priority))
}

/// A JSON priority: 1–5 or a name; 0 is ntfy's "not set".
fn json_priority(object: &Map<String, Value>) -> Result<Option<u8>, String> {
    let parsed = match object.get("priority") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) if n.as_u64() == Some(0) => return Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|p| priority::ntfy_priority(&p.to_string())),
        Some(Value::String(text)) => priority::ntfy_priority(text),
        Some(_) => None,
    };
    parsed.map(Some).ok_or_else(|| PRIORITY_RULE.to_owned())
}

const PRIORITY_RULE: &str = "must be 1 to 5 or min, low, default, high, max, urgent";

/// JSON tags: a list of strings (or, leniently, one comma-separated string).
fn json_tags(object: &Map<String, Value>) -> Result<Vec<String>, String> {
    match object.get("tags") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(text)) => Ok(split_tags(text)),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| "must be a list of strings".to_owned()),
        Some(_) => Err("must be a list of strings".to_owned()),
    }
}

fn split_tags(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// ntfy's parameters: headers first, then the query.
struct Params<'a> {
    headers: &'a HeaderMap,
    query: &'a Query,
}

impl Params<'_> {
    /// The first non-blank value among `names`, as a header (RFC 2047 decoded) or else as a
    /// query parameter; `400` for a header that is not UTF-8.
    fn get(&self, names: &[&str]) -> Result<Option<String>, ApiError> {
        for name in names {
            let Some(value) = self.headers.get(*name) else {
                continue;
            };
            let value = std::str::from_utf8(value.as_bytes())
                .map_err(|_| ApiError::BadRequest(format!("the {name} header is not UTF-8")))?;
            let value = rfc2047::decode(value);
            if !value.trim().is_empty() {
                return Ok(Some(value.trim().to_owned()));
            }
        }
        Ok(names
            .iter()
            .filter_map(|name| self.query.get(name))
            .map(str::trim)
            .find(|value| !value.is_empty())
            .map(str::to_owned))
    }

    /// A `Message` parameter; `\n` in it stands for a line break, as in ntfy.
    fn message(&self) -> Result<Option<String>, ApiError> {
        Ok(self.get(MESSAGE)?.map(|m| m.replace("\\n", "\n")))
    }

    fn tags(&self) -> Result<Vec<String>, ApiError> {
        Ok(self
            .get(TAGS)?
            .as_deref()
            .map(split_tags)
            .unwrap_or_default())
    }

    /// A `Priority` parameter: `400` when it is not one of ntfy's values.
    fn priority(&self) -> Result<Option<u8>, ApiError> {
        self.get(PRIORITY)?
            .map(|raw| {
                priority::ntfy_priority(&raw).ok_or_else(|| {
                    ApiError::BadRequest(format!("the priority {raw:?} {PRIORITY_RULE}"))
                })
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests;
