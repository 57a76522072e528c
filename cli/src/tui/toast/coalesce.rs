//! Burst coalescing for desktop toasts, as a pure, clock-free state machine.
//!
//! The toaster thread ([`super::Toaster`]) feeds arrivals in and asks when to flush;
//! this module decides what a person sees. Rules:
//! - an arrival is held for a short quiet period ([`GATHER`]) so that a burst arriving
//!   at once (a script sending ten, a replay after a reconnect) is seen whole;
//! - a flush that, counted with the arrivals of the last [`WINDOW`], makes more than
//!   [`BURST`] notifications becomes **one** toast "N new notifications";
//! - after such a burst the next flush waits a whole window, so a steady stream
//!   gives one summary every two seconds instead of a toast each.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::{Toast, Urgency};

/// Quiet time after the last arrival before held toasts are shown.
pub const GATHER: Duration = Duration::from_millis(250);
/// Longest a toast is held while arrivals keep coming, outside a burst.
pub const MAX_HOLD: Duration = Duration::from_secs(1);
/// The window in which more than [`BURST`] arrivals count as a burst.
pub const WINDOW: Duration = Duration::from_secs(2);
/// More than this many arrivals within [`WINDOW`] become one summary toast.
pub const BURST: usize = 3;
/// How many titles a summary toast lists in its body.
const SUMMARY_TITLES: usize = 5;

/// Holds arrivals and decides, at each deadline, which toasts to show.
#[derive(Debug, Default)]
pub struct Coalescer {
    /// Toasts not shown yet, with their arrival time.
    held: Vec<(Instant, Toast)>,
    /// Arrival times of toasts already flushed, pruned to the last [`WINDOW`].
    recent: VecDeque<Instant>,
    /// When the held toasts are due; `None` when nothing is held.
    deadline: Option<Instant>,
    /// After a coalesced burst, nothing is flushed before this instant.
    burst_until: Option<Instant>,
}

impl Coalescer {
    /// Records one arrival at `now`.
    pub fn push(&mut self, toast: Toast, now: Instant) {
        let first = self.held.first().map_or(now, |(at, _)| *at);
        self.held.push((now, toast));
        let quiet = (now + GATHER).min(first + MAX_HOLD);
        let due = match self.burst_until {
            Some(until) => quiet.max(until),
            None => quiet,
        };
        self.deadline = Some(due);
    }

    /// When [`Coalescer::flush`] should next be called, if anything is held.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Returns the toasts to show now (empty before the deadline).
    pub fn flush(&mut self, now: Instant) -> Vec<Toast> {
        match self.deadline {
            Some(due) if due <= now => {}
            _ => return Vec::new(),
        }
        self.deadline = None;
        while self
            .recent
            .front()
            .is_some_and(|at| now.duration_since(*at) > WINDOW)
        {
            self.recent.pop_front();
        }
        let held = std::mem::take(&mut self.held);
        let is_burst = self.recent.len() + held.len() > BURST;
        self.recent.extend(held.iter().map(|(at, _)| *at));
        if !is_burst {
            self.burst_until = None;
            return held.into_iter().map(|(_, toast)| toast).collect();
        }
        self.burst_until = Some(now + WINDOW);
        let mut toasts: Vec<Toast> = held.into_iter().map(|(_, toast)| toast).collect();
        if toasts.len() == 1 {
            return toasts;
        }
        toasts.sort_by_key(|toast| std::cmp::Reverse(toast.urgency));
        vec![summary(&toasts)]
    }
}

/// One toast standing for several: "N new notifications", the most urgent first.
fn summary(toasts: &[Toast]) -> Toast {
    let mut lines: Vec<&str> = toasts
        .iter()
        .take(SUMMARY_TITLES)
        .map(|toast| toast.summary.as_str())
        .collect();
    let more = toasts.len().saturating_sub(SUMMARY_TITLES);
    let tail = format!("…and {more} more");
    if more > 0 {
        lines.push(&tail);
    }
    Toast {
        summary: format!("{} new notifications", toasts.len()),
        body: lines.join("\n"),
        urgency: toasts
            .iter()
            .map(|toast| toast.urgency)
            .max()
            .unwrap_or(Urgency::Low),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toast(title: &str, urgency: Urgency) -> Toast {
        Toast {
            summary: title.to_owned(),
            body: String::new(),
            urgency,
        }
    }

    fn titles(toasts: &[Toast]) -> Vec<&str> {
        toasts.iter().map(|t| t.summary.as_str()).collect()
    }

    #[test]
    fn a_single_arrival_is_shown_after_the_quiet_period() {
        let t0 = Instant::now();
        let mut c = Coalescer::default();
        c.push(toast("one", Urgency::Low), t0);
        assert_eq!(c.deadline(), Some(t0 + GATHER));
        assert!(c.flush(t0 + GATHER / 2).is_empty());
        assert_eq!(titles(&c.flush(t0 + GATHER)), ["one"]);
        assert_eq!(c.deadline(), None);
    }

    #[test]
    fn three_at_once_are_shown_one_by_one() {
        let t0 = Instant::now();
        let mut c = Coalescer::default();
        for name in ["a", "b", "c"] {
            c.push(toast(name, Urgency::Low), t0);
        }
        assert_eq!(titles(&c.flush(t0 + GATHER)), ["a", "b", "c"]);
    }

    #[test]
    fn a_burst_becomes_one_summary_with_the_highest_urgency() {
        let t0 = Instant::now();
        let mut c = Coalescer::default();
        for i in 0..10 {
            let urgency = if i == 7 {
                Urgency::Critical
            } else {
                Urgency::Low
            };
            c.push(
                toast(&format!("n{i}"), urgency),
                t0 + Duration::from_millis(20 * i),
            );
        }
        let shown = c.flush(c.deadline().unwrap());
        assert_eq!(titles(&shown), ["10 new notifications"]);
        assert_eq!(shown[0].urgency, Urgency::Critical);
        assert!(shown[0].body.starts_with("n7\n"), "{}", shown[0].body);
        assert!(shown[0].body.ends_with("…and 5 more"), "{}", shown[0].body);
    }

    #[test]
    fn a_steady_stream_gives_one_summary_per_window() {
        let t0 = Instant::now();
        let mut c = Coalescer::default();
        let mut shown = Vec::new();
        // One arrival every 100 ms for 4 s, flushing whenever due.
        for i in 0..40 {
            let now = t0 + Duration::from_millis(100 * i);
            if let Some(due) = c.deadline().filter(|due| *due <= now) {
                shown.extend(c.flush(due));
            }
            c.push(toast(&format!("n{i}"), Urgency::Low), now);
        }
        shown.extend(c.flush(c.deadline().unwrap()));
        assert!(shown.len() <= 4, "{:?}", titles(&shown));
        let summaries = shown
            .iter()
            .filter(|t| t.summary.contains("new notifications"));
        let counted: usize = summaries
            .map(|t| {
                t.summary
                    .split(' ')
                    .next()
                    .unwrap()
                    .parse::<usize>()
                    .unwrap()
            })
            .sum();
        assert_eq!(counted, 40, "{:?}", titles(&shown));
    }

    #[test]
    fn arrivals_spaced_beyond_the_window_are_all_shown() {
        let t0 = Instant::now();
        let mut c = Coalescer::default();
        let mut shown = Vec::new();
        for i in 0..6 {
            let now = t0 + Duration::from_secs(i);
            c.push(toast(&format!("n{i}"), Urgency::Normal), now);
            shown.extend(c.flush(c.deadline().unwrap()));
        }
        // At most 3 in any 2 s window, so no summary ever.
        assert_eq!(titles(&shown), ["n0", "n1", "n2", "n3", "n4", "n5"]);
    }
}
