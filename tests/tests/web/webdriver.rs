//! A small WebDriver client for the browser tests: it starts Debian's `chromedriver` on a
//! free port, opens one headless Chromium with a fresh profile, and speaks the W3C WebDriver
//! protocol (JSON over HTTP/1.1 on loopback) with blocking calls, like the rest of the
//! harness. Chromium-only extras go through chromedriver's DevTools pass-through
//! ([`Browser::cdp`]): colour scheme emulation and scripts installed before a page's own.
//!
//! A missing `chromedriver` or `chromium` is a failure, never a skip:
//! `.ci/install-test-deps` installs both.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tempfile::TempDir;

/// How long a condition may take to come true in the page.
pub const WAIT: Duration = Duration::from_secs(20);

/// The W3C key of an element reference in WebDriver's JSON.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One headless Chromium under its own chromedriver, closed on drop.
pub struct Browser {
    driver: Child,
    /// `127.0.0.1:PORT` of chromedriver.
    addr: String,
    /// `/session/<id>`.
    session: String,
    /// The browser profile, fresh for each browser.
    _profile: TempDir,
}

/// A reference to an element of the current page.
#[derive(Debug, Clone)]
pub struct Element(String);

fn chromium_binary() -> PathBuf {
    if let Ok(path) = std::env::var("NOTIF_TEST_CHROMIUM") {
        return PathBuf::from(path);
    }
    ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("Chromium not found: install Debian's `chromium` and `chromium-driver` (bash .ci/install-test-deps)")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl Browser {
    /// Starts chromedriver and a headless Chromium, `width`×`height`, with the notification
    /// permission granted (the tests observe what the page does with it).
    pub fn start(width: u32, height: u32) -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver not found: install Debian's `chromium-driver` (bash .ci/install-test-deps)");
        let profile = tempfile::tempdir().unwrap();
        let mut browser = Browser {
            driver,
            addr: format!("127.0.0.1:{port}"),
            session: String::new(),
            _profile: profile,
        };
        browser.wait_for_driver();
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            format!("--user-data-dir={}", browser._profile.path().display()),
            format!("--window-size={width},{height}"),
        ];
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "unhandledPromptBehavior": "accept",
            "goog:chromeOptions": {
                "binary": chromium_binary(),
                "args": args,
                "prefs": {"profile.default_content_setting_values.notifications": 1},
            },
        }}});
        let answer = browser.call("POST", "/session", Some(capabilities));
        let id = answer["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {answer}"));
        browser.session = format!("/session/{id}");
        browser
    }

    fn wait_for_driver(&self) {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if TcpStream::connect(&self.addr).is_ok() {
                let status = self.call("GET", "/status", None);
                if status["ready"] == true {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("chromedriver did not start on {}", self.addr);
    }

    /// One WebDriver command: `path` is absolute (`/status`) or under the session (`url`).
    /// Returns the answer's `value`, panicking with WebDriver's message on an error.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("{}/{path}", self.session)
        };
        let (status, text) = http(&self.addr, method, &path, body.as_ref());
        let answer: Value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("{method} {path}: not JSON ({status}): {text}"));
        assert!(
            status < 300,
            "{method} {path} failed ({status}): {}",
            answer["value"]
        );
        answer["value"].clone()
    }

    /// Loads `url` in the current tab.
    pub fn goto(&self, url: &str) {
        self.call("POST", "url", Some(json!({"url": url})));
    }

    /// The current tab's title.
    pub fn title(&self) -> String {
        self.call("GET", "title", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page and returns
    /// what it returns. Test scripts run outside the page's Content-Security-Policy.
    pub fn run(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Like [`Browser::run`] for a script that ends by calling `arguments[arguments.length - 1]`
    /// with its result (awaiting promises in the page).
    pub fn run_async(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "execute/async",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Awaits `expression` (JavaScript) becoming truthy in the page; returns its value.
    /// Panics after [`WAIT`] with `what` and the page's last value.
    pub fn wait_until(&self, what: &str, expression: &str) -> Value {
        let script = format!("try {{ return ({expression}); }} catch (e) {{ return null; }}");
        let deadline = Instant::now() + WAIT;
        loop {
            let value = self.run(&script, json!([]));
            let truthy = !matches!(&value, Value::Null | Value::Bool(false))
                && value != json!(0)
                && value != json!("");
            if truthy {
                return value;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what} ({expression}); last value {value}; page: {}",
                    self.run(
                        "return document.body ? document.body.innerText : ''",
                        json!([])
                    )
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The first element matching the CSS `selector`, waiting for it to exist.
    pub fn find(&self, selector: &str) -> Element {
        let deadline = Instant::now() + WAIT;
        loop {
            let (status, text) = http(
                &self.addr,
                "POST",
                &format!("{}/element", self.session),
                Some(&json!({"using": "css selector", "value": selector})),
            );
            if status < 300 {
                let answer: Value = serde_json::from_str(&text).unwrap();
                return Element(answer["value"][ELEMENT].as_str().unwrap().to_owned());
            }
            assert!(Instant::now() < deadline, "no element {selector}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Clicks the element matching `selector`.
    pub fn click(&self, selector: &str) {
        let Element(id) = self.find(selector);
        self.call("POST", &format!("element/{id}/click"), Some(json!({})));
    }

    /// Types `text` into the element matching `selector` (after focusing it).
    pub fn type_into(&self, selector: &str, text: &str) {
        let Element(id) = self.find(selector);
        self.call(
            "POST",
            &format!("element/{id}/value"),
            Some(json!({"text": text})),
        );
    }

    /// Presses and releases each key of `keys` (single characters, as a person types them),
    /// sent to whatever has the focus.
    pub fn press(&self, keys: &str) {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|c| {
                let key = c.to_string();
                [
                    json!({"type": "keyDown", "value": key}),
                    json!({"type": "keyUp", "value": key}),
                ]
            })
            .collect();
        self.call(
            "POST",
            "actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        );
        self.call("DELETE", "actions", None);
    }

    /// The value of the cookie `name` for the current page, if the browser has it (WebDriver
    /// sees HttpOnly cookies, which the page's scripts cannot).
    pub fn cookie(&self, name: &str) -> Option<String> {
        let (status, text) = http(
            &self.addr,
            "GET",
            &format!("{}/cookie/{name}", self.session),
            None,
        );
        let answer: Value = serde_json::from_str(&text).unwrap();
        (status < 300).then(|| answer["value"]["value"].as_str().unwrap().to_owned())
    }

    /// A PNG of the current viewport.
    pub fn screenshot(&self) -> Vec<u8> {
        use base64::Engine as _;
        let data = self.call("GET", "screenshot", None);
        base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap())
            .unwrap()
    }

    /// A Chrome DevTools Protocol command, through chromedriver.
    pub fn cdp(&self, command: &str, params: Value) -> Value {
        self.call(
            "POST",
            "goog/cdp/execute",
            Some(json!({"cmd": command, "params": params})),
        )
    }

    /// Makes the page see `prefers-color-scheme: <scheme>` ("light" or "dark").
    pub fn color_scheme(&self, scheme: &str) {
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": scheme}]}),
        );
    }

    /// Runs `script` in every page this tab loads from now on, before the page's own.
    pub fn before_each_page(&self, script: &str) {
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": script}),
        );
    }

    /// Opens a new tab, switches to it and returns its handle.
    pub fn new_tab(&self) -> String {
        let answer = self.call("POST", "window/new", Some(json!({"type": "tab"})));
        let handle = answer["handle"].as_str().unwrap().to_owned();
        self.switch_to(&handle);
        handle
    }

    /// The current tab's handle.
    pub fn tab(&self) -> String {
        self.call("GET", "window", None)
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Makes `handle` the current tab.
    pub fn switch_to(&self, handle: &str) {
        self.call("POST", "window", Some(json!({"handle": handle})));
    }

    /// Sets the window's size (for the narrow screenshots).
    pub fn resize(&self, width: u32, height: u32) {
        self.call(
            "POST",
            "window/rect",
            Some(json!({"width": width, "height": height})),
        );
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            // Closes Chromium; the answer does not matter, the driver goes next.
            let _ = std::panic::catch_unwind(|| http(&self.addr, "DELETE", &self.session, None));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// One HTTP/1.1 request on loopback (one connection each, closed by the server after the
/// answer): its status and body.
pub fn http(addr: &str, method: &str, path: &str, body: Option<&Value>) -> (u16, String) {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{method} {path}: bad status line {status_line:?}"));
    let mut chunked = false;
    let mut length = None;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        if name.eq_ignore_ascii_case("transfer-encoding") && value.contains("chunked") {
            chunked = true;
        }
        if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut bytes = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).unwrap();
            let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if size == 0 {
                break;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).unwrap();
            bytes.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(length) = length {
        bytes.resize(length, 0);
        reader.read_exact(&mut bytes).unwrap();
    } else {
        reader.read_to_end(&mut bytes).unwrap();
    }
    (status, String::from_utf8_lossy(&bytes).into_owned())
}
