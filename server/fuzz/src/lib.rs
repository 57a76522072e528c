//! The checks the fuzz targets run, kept out of the `fuzz_targets/` shims so that
//! `server/tests/properties.rs` can run them over the committed corpus on stable.
//!
//! Each check feeds raw bytes to the server's public parsing pieces and panics when an
//! invariant of `API.md` breaks; a panic is what libFuzzer reports as a finding.

pub mod body;
pub mod query;
