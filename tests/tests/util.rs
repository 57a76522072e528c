//! The end-to-end tests' harness: the workspace's test kit (`notif_tests`, `tests/src/`) plus
//! what needs the CLI's own library, which the kit must not depend on: alice's typed API
//! client ([`AliceApi`]) for setting up data quickly.

pub use notif_tests::cli::TIMEOUT;
pub use notif_tests::{Alice, Lines};

/// Setting up and checking alice's inbox through the CLI's typed API client.
pub trait AliceApi {
    /// An API client acting as alice.
    fn api(&self) -> notif::api::Client;
    /// Sends a notification to alice through the API and returns its id.
    fn seed(&self, title: &str) -> String;
    /// alice's notifications, all pages.
    fn inbox(&self) -> Vec<notif::api::Notification>;
}

impl AliceApi for Alice {
    fn api(&self) -> notif::api::Client {
        notif::api::Client::new(&self.url(), Some(self.token.clone())).unwrap()
    }

    fn seed(&self, title: &str) -> String {
        let req = notif::api::NotifyRequest::new(title);
        let key = format!("setup-{title}-{}", rand_suffix());
        let resp = block_on(self.api().notify(&req, &key)).unwrap();
        resp.notification.expect("in-app delivery is on").id
    }

    fn inbox(&self) -> Vec<notif::api::Notification> {
        let client = self.api();
        let mut query = notif::api::ListQuery {
            limit: Some(200),
            ..Default::default()
        };
        let mut all = Vec::new();
        loop {
            let page = block_on(client.list(&query)).unwrap();
            all.extend(page.notifications);
            match page.next_cursor {
                Some(c) => query.cursor = Some(c),
                None => return all,
            }
        }
    }
}

/// A few random hex digits, for unique keys.
pub fn rand_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{nanos:x}")
}

/// Runs a future to completion on a fresh current-thread runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}
