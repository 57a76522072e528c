//! notif-server: the notification inbox API of `API.md` on hyper 1.x and SQLite.
