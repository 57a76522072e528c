#!/usr/bin/env bash
# The server's user-space instructions per notification at full ingest, counted by
# callgrind: a figure that does not drift with the host's speed, for changes too small for
# notif-bench's rates to tell apart (the kernel's share, system calls and the disk, is not
# counted). Run it for the build before and after a change, twice each.
#
#   cargo build --release -p notif-server -p notif-tests
#   tests/callgrind-ingest.sh [SERVER_BINARY]      # default: target/release/notif-server
#
# It starts the server under callgrind on a fresh database (--sync full, no rate limit),
# drives it with `notif-bench ingest --addr` (64 connections), counts from 4 s to 12 s
# (after the warm-up) and prints the notifications created in that window (from /metrics),
# the writer's mean batch and the instructions per notification. Needs valgrind and curl.
# notif-bench's admin commands run target/release/notif-server, so a SERVER_BINARY of
# another build must have the same migrations.
set -euo pipefail

cd "$(dirname "$0")/.."
server=${1:-target/release/notif-server}
bench=target/release/notif-bench
port=${PORT:-8812}
dir=$(mktemp -d)
trap 'kill "$valgrind" 2>/dev/null || true; rm -rf "$dir"' EXIT

token=$("$server" token add --service --db "$dir/n.db" 2>/dev/null | tail -1)
valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" \
    "$server" serve --db "$dir/n.db" --listen "127.0.0.1:$port" --sync full \
    --rate-limit 0 --max-per-user 1000000000 >"$dir/server.log" 2>&1 &
valgrind=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.2; done

"$bench" ingest --addr "127.0.0.1:$port" --service-token "$token" --db "$dir/n.db" \
    --connections 64 --duration 14s >"$dir/bench.out" 2>&1 &
bench_pid=$!

# notifications created, batch sizes' sum, batches
counters() {
    curl -sf "http://127.0.0.1:$port/metrics" |
        awk '/^notif_notifications_created_total /{c=$2} /^notif_commit_batch_size_sum /{s=$2}
             /^notif_commit_batch_size_count /{n=$2} END{print c, s, n}'
}
sleep 4
read -r created0 sum0 count0 < <(counters)
callgrind_control -z "$valgrind" >/dev/null 2>&1
sleep 8
callgrind_control -d "$valgrind" >/dev/null 2>&1
read -r created1 sum1 count1 < <(counters)
wait "$bench_pid"

instructions=$(callgrind_annotate "$dir/cg.out.1" | awk '/PROGRAM TOTALS/{gsub(",", "", $1); print $1; exit}')
notifications=$((created1 - created0))
awk -v n="$notifications" -v i="$instructions" -v s=$((sum1 - sum0)) -v b=$((count1 - count0)) \
    'BEGIN{printf "notifications %d, batch %.1f, instructions per notification %d\n", n, s / b, i / n}'
