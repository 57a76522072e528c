//! Another web site for the browser tests: a one-page HTTP server on its own loopback port
//! (so a different origin from notif's, but the same site, as an app next to notif on one
//! host would be), serving one HTML page at every path.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// A page served on `url` until the test ends.
pub struct OtherOrigin {
    /// `http://127.0.0.1:PORT`, the page's origin.
    pub url: String,
    page: Arc<Mutex<String>>,
}

impl OtherOrigin {
    /// A new loopback origin, serving an empty page until [`OtherOrigin::set_page`]: its
    /// URL is known first, so that a notif server can be started allowing it.
    pub fn start() -> OtherOrigin {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let page = Arc::new(Mutex::new(String::new()));
        let served = Arc::clone(&page);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                    line.clear();
                }
                let html = served.lock().unwrap().clone();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                     Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{html}",
                    html.len()
                );
            }
        });
        OtherOrigin { url, page }
    }

    /// Serves `html` at every path of a new loopback origin.
    pub fn serve(html: &str) -> OtherOrigin {
        let origin = OtherOrigin::start();
        origin.set_page(html);
        origin
    }

    /// The page served from now on.
    pub fn set_page(&self, html: &str) {
        *self.page.lock().unwrap() = html.to_owned();
    }
}
