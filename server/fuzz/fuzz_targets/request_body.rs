//! libFuzzer entry: arbitrary bytes as a request body of `POST /api/internal/notify` and
//! `PUT /api/notifications/preferences`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| notif_server_fuzz::body::check(data));
