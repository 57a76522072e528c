//! One outbox entry as an email: subject `[TYPE] title`, a plain-text and an HTML part,
//! a `Message-ID` derived from the notification id, and a `List-Unsubscribe` hint.

use lettre::Message;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

use crate::store::OutboxEntry;

/// The `List-Unsubscribe` header, which lettre has no type for.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// The email for `entry`, from `from`; `public_url` is where the web inbox is, whose
/// preferences the `List-Unsubscribe` link opens.
pub fn build(entry: &OutboxEntry, from: &Mailbox, public_url: &str) -> Result<Message, String> {
    let to: Mailbox = entry
        .to_address
        .parse()
        .map_err(|e| format!("bad address {:?}: {e}", entry.to_address))?;
    // The web inbox opens on its preferences at this fragment (web/assets/session.js).
    let preferences = format!("{}/#preferences", public_url.trim_end_matches('/'));
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(format!("[{}] {}", entry.kind, entry.title))
        .message_id(Some(format!("<{}@notif>", entry.notification_id)))
        .header(ListUnsubscribe(format!("<{preferences}>")))
        .multipart(MultiPart::alternative_plain_html(text(entry), html(entry)))
        .map_err(|e| format!("could not build the email: {e}"))
}

fn footer(entry: &OutboxEntry) -> String {
    let category = entry
        .category
        .as_deref()
        .map_or(String::new(), |c| format!(" in category {c}"));
    format!(
        "You get this email because your notif preferences send {}{category} notifications by email. \
         To stop: notif prefs set --email off{}",
        entry.kind,
        entry
            .category
            .as_deref()
            .map_or(String::new(), |c| format!(" --category {c}"))
    )
}

fn text(entry: &OutboxEntry) -> String {
    let mut out = format!("{}\n", entry.title);
    if let Some(body) = &entry.body {
        out.push_str(&format!("\n{body}\n"));
    }
    if let Some(link) = &entry.link {
        out.push_str(&format!("\n{link}\n"));
    }
    out.push_str(&format!("\n-- \n{}\n", footer(entry)));
    out
}

fn html(entry: &OutboxEntry) -> String {
    let mut out = format!(
        "<!doctype html>\n<html><body>\n<h2>{}</h2>\n",
        escape(&entry.title)
    );
    if let Some(body) = &entry.body {
        out.push_str(&format!(
            "<p style=\"white-space: pre-wrap\">{}</p>\n",
            escape(body)
        ));
    }
    if let Some(link) = &entry.link {
        let link = escape(link);
        out.push_str(&format!("<p><a href=\"{link}\">{link}</a></p>\n"));
    }
    out.push_str(&format!(
        "<hr><p><small>{}</small></p>\n</body></html>\n",
        escape(&footer(entry))
    ));
    out
}

/// HTML text escaping.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use crate::store::OutboxStatus;

    fn entry() -> OutboxEntry {
        OutboxEntry {
            id: 1,
            notification_id: "ckabc123".into(),
            user_id: "alice".into(),
            to_address: "alice@example.com".into(),
            kind: Kind::Error,
            title: "Deploy <failed>".into(),
            body: Some("web-1 & web-2".into()),
            link: Some("https://ci.example.com/runs/42".into()),
            category: Some("deploy".into()),
            status: OutboxStatus::Pending,
            attempts: 0,
            next_attempt_at: 0,
            last_error: None,
            created_at: 0,
        }
    }

    #[test]
    fn email_has_the_promised_headers_and_parts() {
        let from: Mailbox = "notif <notif@localhost>".parse().unwrap();
        let raw = String::from_utf8(
            build(&entry(), &from, "http://notif.local:8787/")
                .unwrap()
                .formatted(),
        )
        .unwrap();
        assert!(raw.contains("Subject: [ERROR] Deploy <failed>"), "{raw}");
        assert!(raw.contains("Message-ID: <ckabc123@notif>"), "{raw}");
        assert!(
            raw.contains("List-Unsubscribe: <http://notif.local:8787/#preferences>"),
            "{raw}"
        );
        assert!(raw.contains("Content-Type: text/plain"), "{raw}");
        assert!(raw.contains("Content-Type: text/html"), "{raw}");
        assert!(raw.contains("Deploy &lt;failed&gt;"), "{raw}");
        assert!(raw.contains("https://ci.example.com/runs/42"), "{raw}");
    }

    #[test]
    fn a_bad_address_is_an_error_not_a_panic() {
        let from: Mailbox = "notif@localhost".parse().unwrap();
        let bad = OutboxEntry {
            to_address: "not an address".into(),
            ..entry()
        };
        assert!(build(&bad, &from, "http://x").is_err());
    }
}
