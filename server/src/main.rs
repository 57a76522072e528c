//! The `notif-server` binary (being built).

fn main() -> std::process::ExitCode {
    eprintln!("error: notif-server is not built yet");
    std::process::ExitCode::from(1)
}
