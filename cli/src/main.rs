//! The `notif` binary: everything is in the library ([`notif::run`]).

fn main() -> std::process::ExitCode {
    notif::run(std::env::args_os())
}
