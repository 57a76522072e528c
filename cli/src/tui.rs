//! `notif tui`: the live terminal inbox.
//!
//! State ([`app`]) is kept apart from drawing ([`ui`]) and from the event sources
//! (keys, the SSE stream, background actions, a tick), so every screen and key can be
//! tested without a terminal or a server. Desktop toasts live in [`toast`].

pub mod toast;
