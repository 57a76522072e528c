//! The `notif` binary (placeholder until the CLI issue lands).

fn main() -> std::process::ExitCode {
    eprintln!("error: the notif CLI is not built yet");
    std::process::ExitCode::from(1)
}
