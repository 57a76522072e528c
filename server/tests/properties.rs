//! Property tests of the server's pure parts, against the rules of `API.md`: field
//! validation, the list cursor, SSE framing (checked with two independent parsers) and the
//! router. Cases are kept modest (`PROPTEST_CASES` raises them) so the suite runs in
//! seconds; a failing case is shrunk and printed by proptest.

#![allow(clippy::unwrap_used)]

use futures_util::StreamExt;
use hyper::Method;
use notif_server::cursor::Cursor;
use notif_server::model::{InboxEvent, Kind, Notification};
use notif_server::router::{self, ROUTES};
use notif_server::sse::{self, events};
use notif_server::validate;
use notif_tests::frames::parse_all;
use proptest::prelude::*;

/// Cases per property unless `PROPTEST_CASES` says otherwise.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(256),
        ..ProptestConfig::default()
    }
}

/// Characters a hostile or careless client sends: printable Unicode, every kind of
/// whitespace and line end, controls, and astral-plane characters.
fn nasty_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        2 => prop::sample::select(vec![
            ' ', '\t', '\n', '\r', '\u{0}', '\u{7f}', '\u{85}', '\u{a0}', '\u{2028}',
            '\u{3000}', '\u{feff}', '\u{200b}', 'é', '日', '🚀', ':', '.', '-', '_', '@',
        ]),
        4 => prop::char::range('a', 'z'),
    ]
}

/// Strings of [`nasty_char`]s, long enough to cross the 200-character title limit.
fn nasty_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(nasty_char(), 0..max).prop_map(|cs| cs.into_iter().collect())
}

// --- validation ----------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// Titles: any Unicode is fine; valid iff 1..=200 characters after trimming and no
    /// control character; the stored title is the trimmed one.
    #[test]
    fn title_rule(raw in prop_oneof![nasty_string(260), "\\PC{195,205}", "[ \t]{0,3}\\PC{0,10}[ \t]{0,3}"]) {
        let trimmed = raw.trim();
        let n = trimmed.chars().count();
        let expect_ok = (1..=200).contains(&n) && !trimmed.chars().any(char::is_control);
        let got = validate::title(&raw);
        prop_assert_eq!(got.is_ok(), expect_ok, "title {:?} -> {:?}", raw, got);
        if let Ok(title) = got {
            prop_assert_eq!(title, trimmed);
        }
    }

    /// Bodies: at most 10,000 characters, anything else goes (newlines included).
    #[test]
    fn body_rule(len in 9_990usize..10_010, fill in nasty_char()) {
        let raw: String = std::iter::repeat_n(fill, len).collect();
        prop_assert_eq!(validate::body(&raw).is_ok(), len <= 10_000);
    }

    /// Categories: exactly the strings `[a-z0-9._-]{1,64}`.
    #[test]
    fn category_rule(raw in prop_oneof!["[a-z0-9._-]{0,70}", nasty_string(70)]) {
        let expect_ok = (1..=64).contains(&raw.len())
            && raw.bytes().all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-'));
        prop_assert_eq!(validate::category(&raw).is_ok(), expect_ok, "{:?}", raw);
    }

    /// User ids: exactly the strings `[A-Za-z0-9._@-]{1,64}`.
    #[test]
    fn user_id_rule(raw in prop_oneof!["[A-Za-z0-9._@-]{0,70}", nasty_string(70)]) {
        let expect_ok = (1..=64).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b"._@-".contains(&b));
        prop_assert_eq!(validate::user_id(&raw).is_ok(), expect_ok, "{:?}", raw);
    }

    /// Idempotency keys: 1 to 255 printable ASCII characters.
    #[test]
    fn idempotency_key_rule(raw in prop_oneof!["[ -~]{0,260}", nasty_string(40)]) {
        let expect_ok = (1..=255).contains(&raw.len()) && raw.bytes().all(|b| (0x20..0x7f).contains(&b));
        prop_assert_eq!(validate::idempotency_key(&raw).is_ok(), expect_ok, "{:?}", raw);
    }

    /// Well-formed http(s) and mailto links are accepted.
    #[test]
    fn web_and_mail_links_are_accepted(
        scheme in prop::sample::select(vec!["http", "https", "HTTPS"]),
        host in "[a-z][a-z0-9-]{0,20}(\\.[a-z]{2,6}){0,2}",
        port in prop::option::of(1u16..),
        path in "(/[A-Za-z0-9._~%!$&'()*+,;=:@-]{0,12}){0,4}",
        query in prop::option::of("[A-Za-z0-9=&]{0,20}"),
        mailbox in "[a-z0-9.+]{1,12}@[a-z]{1,10}\\.[a-z]{2,4}",
    ) {
        // A label starting `xn--` is punycode, and a random one is not valid punycode: such
        // a host is not well-formed (the URL standard refuses it).
        prop_assume!(!host.starts_with("xn--"));
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        let query = query.map(|q| format!("?{q}")).unwrap_or_default();
        let url = format!("{scheme}://{host}{port}{path}{query}");
        prop_assert!(validate::link(&url).is_ok(), "{url}");
        let mail = format!("mailto:{mailbox}");
        prop_assert!(validate::link(&mail).is_ok(), "{mail}");
    }

    /// Every other scheme, relative references and over-long links are refused, and no
    /// string makes the rule panic.
    #[test]
    fn other_links_are_refused(
        scheme in "[a-zA-Z][a-zA-Z0-9+.-]{0,10}",
        rest in nasty_string(40),
        raw in nasty_string(80),
    ) {
        let _ = validate::link(&raw);
        let lower = scheme.to_ascii_lowercase();
        if !["http", "https", "mailto"].contains(&lower.as_str()) {
            let url = format!("{scheme}:{rest}");
            prop_assert!(validate::link(&url).is_err(), "{url:?}");
            let js = format!("javascript:{rest}");
            prop_assert!(validate::link(&js).is_err(), "{js:?}");
        }
        let relative = format!("/{rest}");
        prop_assert!(validate::link(&relative).is_err(), "{relative:?}");
        let long = format!("https://example.com/{}", "a".repeat(2_048));
        prop_assert!(validate::link(&long).is_err());
    }

    /// Types: exactly the four upper-case names.
    #[test]
    fn kind_rule(raw in prop_oneof!["[A-Za-z]{0,8}", Just("SUCCESS".to_owned()), Just("WARNING".to_owned())]) {
        let expect_ok = ["INFO", "SUCCESS", "WARNING", "ERROR"].contains(&raw.as_str());
        prop_assert_eq!(validate::kind(&raw).is_ok(), expect_ok, "{:?}", raw);
    }
}

// --- cursor --------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// Every cursor the server hands out reads back as itself.
    #[test]
    fn cursor_round_trips(unread in any::<bool>(), seq in 0i64..) {
        let cursor = Cursor { unread, seq };
        prop_assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
    }

    /// No string makes `decode` panic, and whatever it accepts is a cursor the server
    /// could have made (a non-negative sequence number) that re-encodes to a cursor
    /// decoding to the same position.
    #[test]
    fn cursor_decode_accepts_only_positions(raw in prop_oneof![
        nasty_string(40),
        "[A-Za-z0-9_-]{0,40}",
        prop::collection::vec(any::<u8>(), 0..30).prop_map(|b| b64(&b)),
        ("v[0-9]", "[0-9+-]{0,3}", "[+-]?[0-9]{0,22}", prop::option::of("[0-9.]{0,3}"))
            .prop_map(|(v, u, s, tail)| b64(format!("{v}.{u}.{s}{}", tail.map(|t| format!(".{t}")).unwrap_or_default()).as_bytes())),
    ]) {
        if let Some(cursor) = Cursor::decode(&raw) {
            prop_assert!(cursor.seq >= 0, "{raw:?} -> {cursor:?}");
            prop_assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        }
    }
}

/// URL-safe base64 without padding, the cursor's outer encoding.
fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn negative_positions_are_never_decoded() {
    let cursor = Cursor {
        unread: true,
        seq: -1,
    };
    assert_eq!(Cursor::decode(&cursor.encode()), None);
}

// --- SSE -----------------------------------------------------------------------------

/// One event as a WHATWG `EventSource` dispatches it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Parsed {
    event: String,
    id: String,
    data: String,
}

/// What a WHATWG `EventSource` (HTML §9.2.6) dispatches for `stream`, read by the test kit's
/// frame reader (`notif_tests::frames`, written from the spec, independent of
/// `server/src/sse.rs`): a frame dispatches when it has data, as `message` when unnamed, with
/// the last `id:` seen so far on the connection.
fn whatwg_parse(stream: &str) -> Vec<Parsed> {
    let mut last_id = String::new();
    let mut out = Vec::new();
    for frame in parse_all(stream.as_bytes()) {
        if let Some(id) = &frame.id {
            last_id.clone_from(id);
        }
        if let (Some(kind), Some(data)) = (frame.kind(), &frame.data) {
            out.push(Parsed {
                event: kind.to_owned(),
                id: last_id.clone(),
                data: data.clone(),
            });
        }
    }
    out
}

/// The same bytes through `eventsource-stream` (the parser `reqwest-eventsource`, and so
/// the `notif` CLI, uses), fed in the given chunk sizes.
fn crate_parse(bytes: &[u8], chunks: &[usize]) -> Vec<Parsed> {
    let mut pieces = Vec::new();
    let mut at = 0;
    for size in chunks.iter().copied().cycle().take(bytes.len() + 1) {
        if at >= bytes.len() {
            break;
        }
        let end = (at + size.max(1)).min(bytes.len());
        pieces.push(Ok::<_, std::convert::Infallible>(bytes[at..end].to_vec()));
        at = end;
    }
    let stream = eventsource_stream::EventStream::new(futures_util::stream::iter(pieces));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        stream
            .map(|event| {
                let event = event.unwrap();
                Parsed {
                    event: event.event,
                    id: event.id,
                    data: event.data,
                }
            })
            .collect()
            .await
    })
}

/// What SSE can carry of a text: its lines, whatever ended them, joined by LF.
fn normalise_line_ends(data: &str) -> String {
    data.replace("\r\n", "\n").replace('\r', "\n")
}

/// Data with every kind of line end, empty lines, leading spaces and colons.
fn sse_data() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => nasty_char().prop_map(String::from),
            1 => prop::sample::select(vec!["\r\n", "\n\n", "\r\r", "\n\r", ": ", " ", "data: x", "\r\n\r\n"])
                .prop_map(str::to_owned),
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

fn notification(seq: i64, title: String, body: Option<String>) -> Notification {
    Notification {
        seq,
        id: "tz4a98xxat96iws9zmbrgj3a".to_owned(),
        user_id: "alice".to_owned(),
        kind: Kind::Warning,
        title,
        body,
        link: None,
        category: None,
        read_at: None,
        created_at: 1_795_000_000_123,
    }
}

proptest! {
    #![proptest_config(config())]

    /// Any data, framed by `sse::Event`, reads back through a WHATWG parser and through
    /// `eventsource-stream` (fed in arbitrary chunks) as the same event: same name, same
    /// id, same data, line ends being the one thing SSE normalises to LF.
    #[test]
    fn sse_data_round_trips(
        datas in prop::collection::vec(sse_data(), 1..4),
        seq in 0i64..,
        chunks in prop::collection::vec(1usize..40, 1..8),
    ) {
        let mut wire = sse::RETRY_FRAME.to_vec();
        let mut expected = Vec::new();
        for (i, data) in datas.iter().enumerate() {
            let id = seq.saturating_add(i as i64);
            wire.extend_from_slice(&sse::Event::new("notification", data).id(id).to_bytes());
            expected.push(Parsed { event: "notification".into(), id: id.to_string(), data: normalise_line_ends(data) });
        }
        let text = std::str::from_utf8(&wire).unwrap();
        prop_assert_eq!(&whatwg_parse(text), &expected, "wire {:?}", text);
        prop_assert_eq!(&crate_parse(&wire, &chunks), &expected, "wire {:?}", text);
    }

    /// A notification's title and body, whatever they hold (`\n`, `\r\n`, lone `\r`,
    /// controls, any Unicode), come back exactly from the `notification` frame.
    #[test]
    fn notification_frames_carry_titles_and_bodies_exactly(
        title in nasty_string(80),
        body in prop::option::of(sse_data()),
        seq in 1i64..,
        chunks in prop::collection::vec(1usize..64, 1..6),
    ) {
        let n = notification(seq, title.clone(), body.clone());
        let event = InboxEvent::Created(n);
        prop_assert_eq!(event.seq(), Some(seq));
        let frame = events::render(&event).unwrap();
        for parsed in [whatwg_parse(std::str::from_utf8(&frame).unwrap()), crate_parse(&frame, &chunks)] {
            prop_assert_eq!(parsed.len(), 1);
            prop_assert_eq!(&parsed[0].event, "notification");
            prop_assert_eq!(&parsed[0].id, &seq.to_string());
            let json: serde_json::Value = serde_json::from_str(&parsed[0].data).unwrap();
            prop_assert_eq!(json["title"].as_str(), Some(title.as_str()));
            prop_assert_eq!(json["body"].as_str(), body.as_deref());
        }
    }
}

#[test]
fn the_reference_parser_follows_the_spec_examples() {
    // The examples of HTML §9.2.4/§9.2.6.
    let parsed = whatwg_parse("data: YHOO\ndata: +2\ndata: 10\n\n");
    assert_eq!(parsed[0].data, "YHOO\n+2\n10");
    let parsed = whatwg_parse(
        ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n",
    );
    let datas: Vec<_> = parsed
        .iter()
        .map(|p| (p.data.as_str(), p.id.as_str()))
        .collect();
    assert_eq!(
        datas,
        [
            ("first event", "1"),
            ("second event", ""),
            (" third event", "")
        ]
    );
    let parsed = whatwg_parse("data\n\ndata\ndata\n\ndata:\r");
    let datas: Vec<_> = parsed.iter().map(|p| p.data.as_str()).collect();
    assert_eq!(datas, ["", "\n"]);
}

// --- router --------------------------------------------------------------------------

/// Percent-encodes every byte outside the URI's unreserved set.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn any_method() -> impl Strategy<Value = Method> {
    prop_oneof![
        prop::sample::select(vec![
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::PATCH,
            Method::HEAD,
            Method::OPTIONS,
            Method::TRACE,
            Method::CONNECT,
        ]),
        "[A-Z]{1,10}".prop_map(|m| Method::from_bytes(m.as_bytes()).unwrap()),
    ]
}

/// Paths made of route-like and random segments.
fn any_path() -> impl Strategy<Value = String> {
    prop_oneof![
        nasty_string(60),
        prop::collection::vec(
            prop_oneof![
                prop::sample::select(vec![
                    "api",
                    "notifications",
                    "stream",
                    "read",
                    "unread",
                    "read-all",
                    "preferences",
                    "internal",
                    "notify",
                    "healthz",
                    "metrics",
                    "me",
                    "openapi.json",
                    "",
                    "%2F",
                    "..",
                    ".",
                ])
                .prop_map(str::to_owned),
                "[^/]{0,8}",
            ],
            0..6,
        )
        .prop_map(|segments| format!("/{}", segments.join("/"))),
    ]
}

/// The literal segments a `{id}` never stands for at that position.
const RESERVED: &[&str] = &["stream", "preferences", "read-all"];

proptest! {
    #![proptest_config(config())]

    /// No method and path make the router panic; it answers a route, 404 or 405, and a
    /// 405 only for a path some route has.
    #[test]
    fn router_never_panics(method in any_method(), path in any_path()) {
        match router::resolve(&method, &path) {
            Ok((route, _)) => prop_assert!(route.label.starts_with(method.as_str())),
            Err(err) => {
                let status = err.status().as_u16();
                prop_assert!(status == 404 || status == 405, "{method} {path:?} -> {status}");
                if status == 405 {
                    let known = ROUTES.iter().any(|r| router::resolve(&r.method, &path).is_ok());
                    prop_assert!(known, "405 for {method} {path:?}, which no route has");
                }
            }
        }
    }

    /// Every route resolves to its handler, and an `{id}` route captures the segment,
    /// percent-decoded, whatever text the id is.
    #[test]
    fn known_routes_resolve_and_capture_ids(index in 0..ROUTES.len(), id in prop_oneof!["[A-Za-z0-9_-]{1,30}", "\\PC{1,20}"]) {
        prop_assume!(!RESERVED.contains(&id.as_str()));
        let route = &ROUTES[index];
        if route.pattern.contains("{topic}") {
            prop_assume!(router::is_topic(&id));
        }
        let path = route.pattern.replace("{id}", &percent_encode(&id)).replace("{topic}", &id);
        let (got, captured) = router::resolve(&route.method, &path).unwrap();
        prop_assert_eq!(got.label, route.label);
        if route.pattern.contains("{id}") || route.pattern.contains("{topic}") {
            prop_assert_eq!(captured, Some(id));
        } else {
            prop_assert_eq!(captured, None);
        }
    }

    /// RFC 3986 lets a path segment hold `!$&'()*+,;=:@` as they are; an `{id}` route
    /// captures such a segment verbatim (a `&` is not a separator in a path).
    #[test]
    fn ids_with_literal_sub_delimiters_are_captured_verbatim(id in "[A-Za-z0-9!$&'()*+,;=:@._~-]{1,20}") {
        prop_assume!(!RESERVED.contains(&id.as_str()) && id != "." && id != "..");
        let path = format!("/api/notifications/{id}/read");
        let (route, captured) = router::resolve(&Method::POST, &path).unwrap();
        prop_assert_eq!(route.label, "POST /api/notifications/{id}/read");
        prop_assert_eq!(captured, Some(id));
    }

    /// Paths outside the API's tree, and paths deeper than any route, are 404 for every
    /// method (but publishing to a one-segment topic, with POST or PUT).
    #[test]
    fn unknown_paths_are_404(method in any_method(), segments in prop::collection::vec("[a-z0-9%._-]{1,10}", 1..4), id in "[a-z0-9]{1,10}") {
        let first = &segments[0];
        prop_assume!(!["api", "healthz", "metrics", "message"].contains(&first.as_str()));
        let outside = format!("/{}", segments.join("/"));
        let publishes = segments.len() == 1
            && router::is_topic(first)
            && (method == Method::POST || method == Method::PUT);
        let want = if publishes { 200 } else { 404 };
        prop_assert_eq!(status(&method, &outside), want, "{}", outside);
        for route in ROUTES {
            // No route is deeper than four segments; this path has at least five.
            let deeper = format!("{}/{}/x/y/z", route.pattern.replace("{id}", &id), segments.join("/"));
            prop_assert_eq!(status(&method, &deeper), 404, "{}", deeper);
        }
    }
}

/// The status `resolve` leads to (200 standing for "a handler").
fn status(method: &Method, path: &str) -> u16 {
    router::resolve(method, path).map_or_else(|e| e.status().as_u16(), |_| 200)
}

#[test]
fn literal_segments_are_not_ids() {
    for literal in RESERVED {
        let path = format!("/api/notifications/{literal}");
        let got = router::resolve(&Method::DELETE, &path);
        assert!(
            !matches!(got, Ok((route, _)) if route.pattern == "/api/notifications/{id}"),
            "{path} taken as an id"
        );
    }
}

// --- the fuzz targets' inputs, on stable ---------------------------------------------

/// The checks of `server/fuzz` (see its README section), run here over the committed
/// inputs so CI exercises them without nightly or cargo-fuzz.
#[path = "../fuzz/src/body.rs"]
mod fuzz_body;
#[path = "../fuzz/src/query.rs"]
mod fuzz_query;

/// Runs `check` on every file under `server/fuzz/{seeds,regressions}/<target>/`, naming
/// the inputs that fail.
fn run_fuzz_inputs(target: &str, check: fn(&[u8])) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut failures = Vec::new();
    let mut count = 0;
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            count += 1;
            if let Err(panic) = std::panic::catch_unwind(|| check(&data)) {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                failures.push(format!("{}: {why}", path.display()));
            }
        }
    }
    assert!(count > 0, "no inputs for {target}");
    assert!(
        failures.is_empty(),
        "fuzz inputs failing:\n{}",
        failures.join("\n")
    );
}

#[test]
fn fuzz_inputs_request_body() {
    run_fuzz_inputs("request_body", fuzz_body::check);
}

#[test]
fn fuzz_inputs_query() {
    run_fuzz_inputs("query", fuzz_query::check);
}

proptest! {
    #![proptest_config(config())]

    /// The fuzz checks on generated JSON bodies, so CI explores beyond the saved inputs.
    #[test]
    fn fuzz_body_check_on_generated_bodies(
        title in prop::option::of(nasty_string(40)),
        body in prop::option::of(sse_data()),
        link in prop::option::of(prop_oneof!["https://[a-z]{1,8}\\.com/[a-z0-9]{0,8}", "mailto:[a-z]{1,8}@x\\.org"]),
        category in prop::option::of("[a-z0-9._-]{1,10}"),
    ) {
        let json = serde_json::json!({"title": title, "body": body, "link": link, "category": category});
        fuzz_body::check(json.to_string().as_bytes());
    }

    /// The fuzz checks on generated request targets.
    #[test]
    fn fuzz_query_check_on_generated_targets(path in any_path(), query in "[a-zA-Z0-9=&%+._-]{0,40}") {
        let encoded: String = path.chars().filter(|c| c.is_ascii_graphic() && *c != '?' && *c != '#').collect();
        fuzz_query::check(format!("{encoded}?{query}").as_bytes());
    }
}

/// A link is an http, https or mailto URL; a string holding a control character (an
/// ESC that a terminal would act on, a NUL, a newline) is not a URL.
#[test]
fn links_hold_no_control_characters() {
    for link in [
        "https://x.com/\u{1b}[31mred",
        "\u{1}\u{2}https://x.com",
        "ht\ttps://x.com/a",
        "https://x.com/a\nb",
        "https://x.com/\u{7f}",
    ] {
        assert!(
            validate::link(link).is_err(),
            "link {link:?} accepted (control characters)"
        );
    }
}
