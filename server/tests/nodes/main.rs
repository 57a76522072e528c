//! Several `notif-server` nodes on one PostgreSQL, as a deployment runs them: the real
//! binary three times over a private cluster, clients that pick any node, a node killed with
//! SIGKILL and PostgreSQL restarted mid-run. What must hold: every notification is seen
//! exactly once, in order, on every stream of its user, whichever nodes they were read
//! from; nothing acknowledged is lost.
#![allow(clippy::unwrap_used)]

mod clients;
mod run;
mod startup;
