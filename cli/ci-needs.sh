#!/usr/bin/env bash
# System packages the notif CLI's tests need, installed when missing (Debian/Ubuntu):
# - dbus: `dbus-daemon --session` for cli/tests/tui_toast.rs (desktop toasts);
# - coreutils: `stty`, to check that `notif tui` gives the terminal back (tui_e2e.rs).
# The pseudo-terminal tests need no tmux: they use portable-pty and vt100.
set -euo pipefail

missing=()
command -v dbus-daemon >/dev/null 2>&1 || missing+=(dbus)
command -v stty >/dev/null 2>&1 || missing+=(coreutils)

if ((${#missing[@]})); then
    echo "== installing ${missing[*]} for the TUI tests"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi
