//! Gotify's `POST /message`: `title`, `message`, `priority` (0–10) and `extras` sent as
//! JSON, as an urlencoded form or as a multipart form (Gotify's own `curl -F` example), and
//! Gotify's answer.
//!
//! Every body is first read into one JSON object (form fields become strings), so the three
//! encodings share one set of rules. Like Gotify (whose form binding reads the query string
//! too), a form request may also carry its fields in the query; the body's win.

use std::convert::Infallible;

use bytes::Bytes;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::fields::FieldErrors;
use crate::model::Kind;
use crate::publish::{Draft, Query, Receipt, priority};
use crate::timestamp;

/// The fields Gotify reads; anything else in a body is ignored.
const FIELDS: [&str; 4] = ["title", "message", "priority", "extras"];

/// A Gotify message, read: the draft, and the priority it gave (echoed in the answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GotifyMessage {
    pub draft: Draft,
    pub priority: Option<i64>,
}

/// Reads a `POST /message` body: `400` when it cannot be parsed, `422` naming the fields
/// that break a rule. A body that starts with `{` is JSON whatever its content type.
pub async fn parse(
    content_type: Option<&str>,
    query: &Query,
    body: Bytes,
) -> Result<GotifyMessage, ApiError> {
    let mime = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let object = if mime == "application/json" || body.trim_ascii_start().starts_with(b"{") {
        json_object(&body)?
    } else {
        let mut fields = if mime == "multipart/form-data" {
            multipart(content_type.unwrap_or_default(), body).await?
        } else {
            urlencoded(&body)
        };
        for name in FIELDS {
            if let (false, Some(value)) = (fields.contains_key(name), query.get(name)) {
                fields.insert(name.to_owned(), Value::String(value.to_owned()));
            }
        }
        fields
    };
    read(&object)
}

/// The answer Gotify gives: the message as stored, `id` being notif's sequence number.
pub fn answer<'a>(message: &'a GotifyMessage, receipt: &'a Receipt) -> Answer<'a> {
    Answer {
        id: receipt.seq.unwrap_or(0),
        appid: 0,
        title: &receipt.title,
        message: message.draft.message.as_deref().unwrap_or_default(),
        priority: message.priority.unwrap_or(0),
        date: timestamp::format_ms(receipt.created_at),
    }
}

/// Gotify's message JSON, in Gotify's field order.
#[derive(Debug, Serialize)]
pub struct Answer<'a> {
    id: i64,
    appid: i64,
    title: &'a str,
    message: &'a str,
    priority: i64,
    date: String,
}

fn json_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(ApiError::not_an_object()),
        Err(err) => Err(ApiError::BadRequest(format!(
            "request body is not valid JSON: {err}"
        ))),
    }
}

fn urlencoded(body: &[u8]) -> Map<String, Value> {
    let mut fields = Map::new();
    for (name, value) in form_urlencoded::parse(body) {
        if FIELDS.contains(&name.as_ref()) && !fields.contains_key(name.as_ref()) {
            fields.insert(name.into_owned(), Value::String(value.into_owned()));
        }
    }
    fields
}

/// The text fields of a `multipart/form-data` body (multer: the parser axum uses, which
/// handles quoted boundaries, preambles and per-part headers).
async fn multipart(content_type: &str, body: Bytes) -> Result<Map<String, Value>, ApiError> {
    let malformed = |err: multer::Error| {
        ApiError::BadRequest(format!("the multipart form cannot be read: {err}"))
    };
    let boundary = multer::parse_boundary(content_type).map_err(malformed)?;
    let stream = futures_util::stream::once(async move { Ok::<_, Infallible>(body) });
    let mut form = multer::Multipart::new(stream, boundary);
    let mut fields = Map::new();
    while let Some(field) = form.next_field().await.map_err(malformed)? {
        let Some(name) = field
            .name()
            .filter(|n| FIELDS.contains(n))
            .map(str::to_owned)
        else {
            continue;
        };
        let text = field.text().await.map_err(malformed)?;
        if !fields.contains_key(&name) {
            fields.insert(name, Value::String(text));
        }
    }
    Ok(fields)
}

/// The message an object of Gotify fields describes.
fn read(object: &Map<String, Value>) -> Result<GotifyMessage, ApiError> {
    let mut errors = FieldErrors::default();
    let title = errors.optional_str(object, "title", |t| Ok::<_, String>(t.to_owned()));
    let message = errors.optional_str(object, "message", |m| Ok::<_, String>(m.to_owned()));
    let priority = read_priority(object.get("priority")).unwrap_or_else(|problem| {
        errors.add("priority", problem);
        None
    });
    let click = read_click(object.get("extras")).unwrap_or_else(|problem| {
        errors.add("extras", problem);
        None
    });
    errors.into_result(())?;
    let kind = priority
        .and_then(priority::gotify_kind)
        .unwrap_or(Kind::Info);
    Ok(GotifyMessage {
        draft: Draft {
            title,
            message,
            kind,
            click,
            category: None,
        },
        priority,
    })
}

/// An integer from 0 to 10, as a JSON number or as text (forms); absent, null or empty
/// is none.
fn read_priority(value: Option<&Value>) -> Result<Option<i64>, String> {
    let priority = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) if text.trim().is_empty() => return Ok(None),
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(text)) => text.trim().parse().ok(),
        Some(_) => None,
    };
    match priority {
        Some(p) if priority::gotify_kind(p).is_some() => Ok(Some(p)),
        _ => Err(format!(
            "must be an integer from 0 to {}",
            priority::GOTIFY_MAX
        )),
    }
}

/// `extras["client::notification"]["click"]["url"]`; `extras` is an object, or its JSON
/// text in a form. Other extras are ignored.
fn read_click(extras: Option<&Value>) -> Result<Option<String>, String> {
    let parsed;
    let extras = match extras {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) if text.trim().is_empty() => return Ok(None),
        Some(Value::String(text)) => {
            parsed = serde_json::from_str::<Value>(text).map_err(|_| "must be a JSON object")?;
            &parsed
        }
        Some(value) => value,
    };
    if !extras.is_object() {
        return Err("must be a JSON object".to_owned());
    }
    Ok(extras
        .pointer("/client::notification/click/url")
        .and_then(Value::as_str)
        .map(str::to_owned))
}

#[cfg(test)]
mod tests;
