//! Failed authentication, limited per client address: a client that presents more unknown or
//! revoked tokens than `--auth-failure-limit` within `--auth-failure-window` is answered `429`
//! (with `Retry-After`) before its token is even looked up, so guessing tokens costs the
//! server nothing and gets nowhere.
//!
//! Other callers are never refused for it: the limit is per address, and a token that has
//! authenticated successfully before is let through even from a refused address (clients
//! behind one proxy share its address; a bad client there must not lock out the good ones).
//! Requests without any token are not failures: they are `401` at no cost to the server.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Duration;

use crate::ratelimit::RateLimiter;

/// Known-good token hashes remembered at most; past it the set starts again (a forgotten
/// token is simply looked up as usual, and only matters from a refused address).
const KNOWN_GOOD_MAX: usize = 10_000;

/// The peer address of the connection a request came on, set on every request by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub SocketAddr);

/// The failed-authentication limit, shared by every request.
pub struct FailedAuth {
    failures: RateLimiter<IpAddr>,
    known_good: Mutex<HashSet<[u8; 32]>>,
}

impl FailedAuth {
    /// At most `count` failures per address in any `window`; `count == 0` turns it off.
    pub fn new(count: u32, window: Duration) -> FailedAuth {
        FailedAuth {
            failures: RateLimiter::per_window(count, window),
            known_good: Mutex::new(HashSet::new()),
        }
    }

    /// Whether the token with this hash may be looked up for `client`: always, unless the
    /// address is over its failures and the token never authenticated; else how long to wait.
    pub fn admit(&self, client: Option<IpAddr>, token_hash: &[u8; 32]) -> Result<(), Duration> {
        let Some(client) = client else {
            return Ok(());
        };
        match self.failures.peek(&counted_as(client)) {
            Ok(()) => Ok(()),
            Err(_) if self.known_good().contains(token_hash) => Ok(()),
            Err(wait) => Err(wait),
        }
    }

    /// The token with this hash authenticated.
    pub fn succeeded(&self, token_hash: [u8; 32]) {
        if !self.failures.is_on() {
            return;
        }
        let mut known = self.known_good();
        if known.len() >= KNOWN_GOOD_MAX && !known.contains(&token_hash) {
            known.clear();
        }
        known.insert(token_hash);
    }

    /// The token with this hash is unknown or revoked: one failure for `client`.
    pub fn failed(&self, client: Option<IpAddr>, token_hash: &[u8; 32]) {
        self.known_good().remove(token_hash);
        if let Some(client) = client {
            // An address already over its limit stays refused until its bucket refills.
            let _ = self.failures.check(&counted_as(client));
        }
    }

    fn known_good(&self) -> std::sync::MutexGuard<'_, HashSet<[u8; 32]>> {
        self.known_good.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The key an address's failures count under: an IPv4 address itself (also when it reaches
/// a dual-stack socket as `::ffff:a.b.c.d`), an IPv6 address by its /64, the block one
/// host is usually given, so that a host cannot start afresh from each of its addresses.
fn counted_as(client: IpAddr) -> IpAddr {
    match client.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BAD: [u8; 32] = [1; 32];
    const GOOD: [u8; 32] = [2; 32];

    fn ip(last: u8) -> Option<IpAddr> {
        Some(IpAddr::from([127, 0, 0, last]))
    }

    #[test]
    fn an_address_over_its_failures_is_refused_but_not_others() {
        let guard = FailedAuth::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(guard.admit(ip(1), &BAD).is_ok());
            guard.failed(ip(1), &BAD);
        }
        let wait = guard.admit(ip(1), &BAD).unwrap_err();
        assert!(wait > Duration::from_secs(10), "{wait:?}");
        assert!(
            guard.admit(ip(2), &BAD).is_ok(),
            "another address is not refused"
        );
    }

    #[test]
    fn a_token_that_authenticated_before_passes_a_refused_address() {
        let guard = FailedAuth::new(1, Duration::from_secs(60));
        guard.succeeded(GOOD);
        guard.failed(ip(1), &BAD);
        assert!(guard.admit(ip(1), &BAD).is_err());
        assert!(guard.admit(ip(1), &GOOD).is_ok());
        // Once it fails (revoked), it is no longer known good.
        guard.failed(ip(1), &GOOD);
        assert!(guard.admit(ip(1), &GOOD).is_err());
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_block() {
        let guard = FailedAuth::new(1, Duration::from_secs(60));
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let same_block: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other_block: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        guard.failed(Some(one), &BAD);
        assert!(guard.admit(Some(same_block), &BAD).is_err());
        assert!(guard.admit(Some(other_block), &BAD).is_ok());
        let mapped: IpAddr = "::ffff:127.0.0.1".parse().unwrap();
        guard.failed(ip(1), &BAD);
        assert!(guard.admit(Some(mapped), &BAD).is_err());
    }

    #[test]
    fn zero_is_off() {
        let guard = FailedAuth::new(0, Duration::from_secs(60));
        for _ in 0..100 {
            guard.failed(ip(1), &BAD);
        }
        assert!(guard.admit(ip(1), &BAD).is_ok());
    }
}
