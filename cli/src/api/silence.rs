//! When a silent stream counts as dead. The server pings every stream on a fixed
//! interval (30 s by default, `--ping-interval`), which the client is not told; so the
//! client learns it from the gaps between pings it hears, and takes the stream for dead
//! after twice the longest such gap plus a margin. Until two pings have been heard it
//! waits [`CEILING`], the longest a default server may be silent.

use std::time::Duration;

use tokio::time::Instant;

/// The longest silence ever accepted: three missed pings of a default (30 s) server.
pub const CEILING: Duration = Duration::from_secs(95);
/// Slack for scheduling and network delays on top of twice the ping interval.
const MARGIN: Duration = Duration::from_secs(5);

/// What a stream has heard, for deciding when it has gone silent.
#[derive(Debug, Clone)]
pub struct Silence {
    /// When the connection last yielded anything (its opening included).
    last_heard: Instant,
    /// When the last ping came on this connection.
    last_ping: Option<Instant>,
    /// The longest gap between two pings on any connection so far: the server's ping
    /// interval, as well as it can be told.
    ping_gap: Option<Duration>,
}

impl Silence {
    /// Nothing heard yet; the clock starts `now`.
    pub fn new(now: Instant) -> Self {
        Self {
            last_heard: now,
            last_ping: None,
            ping_gap: None,
        }
    }

    /// A new connection opened at `now`: its silence counts from here. What was
    /// learnt about the ping interval is kept.
    pub fn connected(&mut self, now: Instant) {
        self.last_heard = now;
        self.last_ping = None;
    }

    /// Something arrived at `now`; `ping` when it was a ping.
    pub fn heard(&mut self, now: Instant, ping: bool) {
        self.last_heard = now;
        if ping {
            if let Some(previous) = self.last_ping {
                let gap = now.saturating_duration_since(previous);
                self.ping_gap = Some(self.ping_gap.map_or(gap, |g| g.max(gap)));
            }
            self.last_ping = Some(now);
        }
    }

    /// The server's ping interval, once two pings have shown it.
    pub fn ping_interval(&self) -> Option<Duration> {
        self.ping_gap
    }

    /// How long the stream may stay silent: twice the ping interval plus a margin once
    /// it is known, never more than [`CEILING`].
    pub fn limit(&self) -> Duration {
        match self.ping_gap {
            Some(gap) => (gap * 2 + MARGIN).min(CEILING),
            None => CEILING,
        }
    }

    /// The instant the stream counts as dead if nothing arrives before.
    pub fn deadline(&self) -> Instant {
        self.last_heard + self.limit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_follows_the_pings_heard() {
        let t0 = Instant::now();
        let secs = |s: u64| t0 + Duration::from_secs(s);
        let mut silence = Silence::new(t0);
        assert_eq!(silence.deadline(), t0 + CEILING);
        // A notification right after the opening says nothing about the interval.
        silence.heard(secs(0), false);
        silence.heard(secs(2), true);
        assert_eq!(silence.limit(), CEILING);
        silence.heard(secs(4), true);
        assert_eq!(silence.limit(), Duration::from_secs(9));
        assert_eq!(silence.deadline(), secs(13));
        // Events between pings do not shorten what was learnt.
        silence.heard(secs(5), false);
        silence.heard(secs(6), true);
        assert_eq!(silence.limit(), Duration::from_secs(9));
        assert_eq!(silence.deadline(), secs(15));
        // A reconnect restarts the clock and keeps the interval.
        silence.connected(secs(100));
        assert_eq!(silence.deadline(), secs(109));
        // A slow server never gets more than the ceiling.
        silence.heard(secs(101), true);
        silence.heard(secs(201), true);
        assert_eq!(silence.limit(), CEILING);
    }
}
