//! libFuzzer entry: arbitrary bytes as a request target (`path?query`).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| notif_server_fuzz::query::check(data));
