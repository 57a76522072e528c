//! The email channel (issue 6) against a real SMTP conversation: an SMTP sink inside the test
//! listens on loopback, and the server's delivery worker talks to it through lettre.

use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::time::timeout;

use crate::support::http::id_of;
use crate::support::{FLAGS, TestServer};

/// Upper bound for an email to reach the sink.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(20);

/// A minimal SMTP server: accepts every message and hands its raw text to the test.
struct Sink {
    messages: mpsc::UnboundedReceiver<String>,
    task: tokio::task::JoinHandle<()>,
}

impl Sink {
    /// Listens on `port` (0: any free port); returns the sink and its port.
    async fn start(port: u16) -> (Sink, u16) {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind the SMTP sink");
        let port = listener.local_addr().unwrap().port();
        let (tx, messages) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(converse(socket, tx.clone()));
            }
        });
        (Sink { messages, task }, port)
    }

    /// The next message, or a failure naming what was awaited.
    async fn next(&mut self) -> String {
        timeout(DELIVERY_TIMEOUT, self.messages.recv())
            .await
            .expect("an email reaches the SMTP sink in time")
            .expect("the sink is running")
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One SMTP session: greeting, EHLO, MAIL, RCPT, DATA … `.`, QUIT.
async fn converse(socket: tokio::net::TcpStream, messages: mpsc::UnboundedSender<String>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
        return;
    }
    while let Ok(Some(line)) = lines.next_line().await {
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" | "HELO" => b"250-sink\r\n250 8BITMIME\r\n",
            "DATA" => {
                if write.write_all(b"354 go ahead\r\n").await.is_err() {
                    return;
                }
                let mut message = String::new();
                while let Ok(Some(data)) = lines.next_line().await {
                    if data == "." {
                        break;
                    }
                    message.push_str(&data);
                    message.push('\n');
                }
                let _ = messages.send(message);
                b"250 accepted\r\n"
            }
            "QUIT" => {
                let _ = write.write_all(b"221 bye\r\n").await;
                return;
            }
            _ => b"250 ok\r\n",
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

/// A port with nothing listening on it (bound, then released).
async fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

async fn email_server(smtp_port: u16, extra: &[&str]) -> TestServer {
    email_server_on(TestServer::start, smtp_port, extra)
}

/// [`email_server`] started by `start` (`TestServer::start_sqlite` for a test that reaches
/// into the SQLite file).
fn email_server_on(start: fn(&[&str]) -> TestServer, smtp_port: u16, extra: &[&str]) -> TestServer {
    let url = format!("smtp://127.0.0.1:{smtp_port}");
    let mut args = vec![
        "--smtp-url",
        url.as_str(),
        "--mail-from",
        "notif <notif@example.test>",
    ];
    args.extend_from_slice(extra);
    start(&args)
}

/// Creates user alice with an email address; returns her token.
async fn alice_with_email(server: &TestServer) -> String {
    let token = server.add_user("alice");
    server.admin(&["user", "set", "alice", "--email", "alice@example.com"]);
    token
}

/// A relay ready to receive, a server sending through it, and alice with an email address:
/// the relay, the server and alice's token.
async fn alice_and_her_relay() -> (Sink, TestServer, String) {
    let (sink, port) = Sink::start(0).await;
    let server = email_server(port, &[]).await;
    let token = alice_with_email(&server).await;
    (sink, server, token)
}

/// Notifies `token`'s user with `title`, asserting `201` with an email promised.
async fn notify_promising_email(server: &TestServer, token: &str, title: &str) {
    let reply = server
        .notify_raw(token, &json!({ "title": title }))
        .await
        .expect_json(201);
    assert_eq!(reply["delivered"]["email"], true, "{reply}");
}

/// Waits until a line of `outbox list --all` about `title` satisfies `done` (its columns:
/// id, status, attempts, …); returns the listing.
async fn wait_for_outbox(
    server: &TestServer,
    title: &str,
    done: impl Fn(&[&str]) -> bool,
) -> String {
    let deadline = tokio::time::Instant::now() + DELIVERY_TIMEOUT;
    loop {
        let list = server.admin(&["outbox", "list", "--all"]);
        let found = list.lines().filter(|l| l.contains(title)).any(|l| {
            let columns: Vec<&str> = l.split_whitespace().collect();
            done(&columns)
        });
        if found {
            return list;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the outbox never got there for {title:?}:\n{list}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the email titled `title` has `status`.
async fn wait_for_status(server: &TestServer, title: &str, status: &str) -> String {
    wait_for_outbox(server, title, |columns| columns.get(1) == Some(&status)).await
}

#[tokio::test]
async fn an_email_is_delivered_with_its_headers_and_both_parts() {
    let (mut sink, server, token) = alice_and_her_relay().await;

    let body = json!({"title": "Deploy failed", "type": "ERROR", "body": "web-1 & web-2 <down>",
                      "link": "https://ci.example.com/runs/42", "category": "deploy"});
    let reply = server.notify_raw(&token, &body).await.expect_json(201);
    assert_eq!(reply["delivered"], json!({"inApp": true, "email": true}));
    let id = id_of(&reply["notification"]);

    let message = sink.next().await;
    for expected in [
        "Subject: [ERROR] Deploy failed".to_owned(),
        format!("Message-ID: <{id}@notif>"),
        "To: alice@example.com".to_owned(),
        "From: notif <notif@example.test>".to_owned(),
        format!("List-Unsubscribe: <{}/#preferences>", server.url()),
        "Content-Type: text/plain".to_owned(),
        "Content-Type: text/html".to_owned(),
        "https://ci.example.com/runs/42".to_owned(),
        "web-1 &amp; web-2 &lt;down&gt;".to_owned(),
    ] {
        assert!(
            message.contains(&expected),
            "missing {expected:?} in:\n{message}"
        );
    }
    wait_for_status(&server, "Deploy failed", "sent").await;
    let metrics = server.get("/metrics", "").await.expect(200).body;
    assert!(metrics.contains("notif_emails_sent_total 1"), "{metrics}");
}

#[tokio::test]
async fn a_category_override_turns_email_off() {
    let (mut sink, server, token) = alice_and_her_relay().await;
    server
        .set_preferences(&token, &json!({"categories": {"deploy": {"email": false}}}))
        .await;

    let quiet = server
        .notify_raw(
            &token,
            &json!({"title": "quiet deploy", "category": "deploy"}),
        )
        .await
        .expect_json(201);
    assert_eq!(quiet["delivered"], json!({"inApp": true, "email": false}));
    let loud = server
        .notify_raw(&token, &json!({"title": "loud build", "category": "build"}))
        .await
        .expect_json(201);
    assert_eq!(loud["delivered"], json!({"inApp": true, "email": true}));

    let message = sink.next().await;
    assert!(message.contains("loud build"), "{message}");
    wait_for_status(&server, "loud build", "sent").await;
    assert!(
        sink.messages.try_recv().is_err(),
        "the deploy notification must not be emailed"
    );
    let outbox = server.admin(&["outbox", "list", "--all"]);
    assert!(!outbox.contains("quiet deploy"), "{outbox}");
}

#[tokio::test]
async fn in_app_off_still_sends_the_email() {
    let (mut sink, server, token) = alice_and_her_relay().await;
    server.set_in_app(&token, false).await;
    let reply = server
        .notify_not_in_app(&token, &json!({"title": "mail only"}))
        .await;
    assert_eq!(reply["delivered"], json!({"inApp": false, "email": true}));
    assert!(sink.next().await.contains("Subject: [INFO] mail only"));
}

#[tokio::test]
async fn without_smtp_or_an_address_no_email_is_promised() {
    let server = TestServer::start(FLAGS);
    let token = alice_with_email(&server).await;
    let reply = server
        .notify_raw(&token, &json!({"title": "x"}))
        .await
        .expect_json(201);
    assert_eq!(reply["delivered"], json!({"inApp": true, "email": false}));
    assert!(
        server.log().contains("email channel off"),
        "{}",
        server.log()
    );

    let (_sink, port) = Sink::start(0).await;
    let server = email_server(port, &[]).await;
    let token = server.add_user("bob");
    let reply = server
        .notify_raw(&token, &json!({"title": "x"}))
        .await
        .expect_json(201);
    assert_eq!(reply["delivered"]["email"], false, "bob has no address");
}

#[tokio::test]
async fn a_relay_that_is_down_at_first_gets_the_email_exactly_once() {
    let port = free_port().await;
    let server = email_server(port, &["--email-retry-base", "100ms"]).await;
    let token = alice_with_email(&server).await;
    notify_promising_email(&server, &token, "relay test").await;

    // Wait until at least one attempt failed against the closed port.
    wait_for_outbox(&server, "relay test", |columns| {
        columns.get(1) == Some(&"pending") && columns.get(2).is_some_and(|a| *a != "0")
    })
    .await;

    let (mut sink, _) = Sink::start(port).await;
    assert!(sink.next().await.contains("relay test"));
    wait_for_status(&server, "relay test", "sent").await;
    assert!(sink.messages.try_recv().is_err(), "sent exactly once");
    let metrics = server.get("/metrics", "").await.expect(200).body;
    assert!(
        !metrics.contains("notif_emails_retried_total 0"),
        "{metrics}"
    );
}

#[tokio::test]
async fn an_email_committed_before_a_sigkill_is_delivered_after_restart() {
    // A relay that accepts and then never answers: the first attempt hangs, so the server
    // is killed after the commit and before any delivery result.
    let hole = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = hole.local_addr().unwrap().port();
    let mut server = email_server(port, &[]).await;
    let token = alice_with_email(&server).await;
    notify_promising_email(&server, &token, "crash test").await;
    let (_held, _) = timeout(DELIVERY_TIMEOUT, hole.accept())
        .await
        .expect("the worker connects to the relay")
        .unwrap();

    server.kill();
    drop(hole);
    let (mut sink, _) = Sink::start(port).await;
    server.restart();
    let message = sink.next().await;
    assert!(message.contains("Subject: [INFO] crash test"), "{message}");
    wait_for_status(&server, "crash test", "sent").await;
}

#[tokio::test]
async fn issue11_point4_an_email_is_not_resent_while_its_send_is_unrecorded() {
    let port = free_port().await;
    // It holds SQLite's write lock from another process: a SQLite test on either store run.
    let server = email_server_on(
        TestServer::start_sqlite,
        port,
        &["--email-retry-base", "3s"],
    );
    let token = alice_with_email(&server).await;
    server
        .notify_raw(&token, &json!({"title": "record test"}))
        .await
        .expect(201);
    // The first attempt fails against the closed port; the next is 3 s later.
    wait_for_outbox(&server, "record test", |columns| {
        columns.get(1) == Some(&"pending") && columns.get(2).is_some_and(|a| *a != "0")
    })
    .await;

    // Another process holds the write lock: the retry reaches the relay, but its result
    // cannot be recorded (the writer gives up after its 5 s busy timeout).
    let lock = rusqlite::Connection::open(server.db()).unwrap();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (mut sink, _) = Sink::start(port).await;
    assert!(sink.next().await.contains("record test"));
    let again = timeout(Duration::from_secs(8), sink.messages.recv()).await;
    assert!(
        again.is_err(),
        "sent again while its first send was unrecorded"
    );
    drop(lock);
    wait_for_status(&server, "record test", "sent").await;
    assert!(sink.messages.try_recv().is_err(), "sent exactly once");
}
