#!/usr/bin/env bash
# Network inputs → stdout dots, with the sender's own rate beside each:
#   beats: Elastic's go-lumber client (internal/lumbersend: Filebeat-like
#          documents, windows of 2048, zlib level 3, 2 windows in flight);
#          alone, it sends to go-lumber's own server acknowledging at once.
#   tcp:   netcat (netcat-openbsd) sending a file of log lines; alone, it
#          sends to `nc -l` writing to /dev/null.
# Rows are markdown table rows in scripts/bench.sh's columns; events/s runs
# from the sender's start to the last dot, CPU is gostash's user + system.
# Environment: GOSTASH (binary; default bin/gostash, built), BENCH_NET_EVENTS
# (default 500000).
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${BENCH_NET_EVENTS:-500000}
command -v nc >/dev/null || { echo "bench: nc is needed (apt-get install -y netcat-openbsd)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: GNU time is needed (apt-get install -y time)" >&2; exit 1; }
bin=${GOSTASH:-}
if [ -z "$bin" ]; then
	bin=bin/gostash
	mkdir -p bin
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$bin" ./cmd/gostash
fi
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/lumber-send" ./internal/lumbersend

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s%N; }

# run_gostash CONFIG: starts gostash writing dots to a file and waits for
# its listener; sets gs_pid and dots.
run_gostash() {
	dots=$work/dots
	: >"$dots"
	/usr/bin/time -o "$work/time" -f '%U %S %M' "$bin" --api.enabled false -w 2 -e "$1" >"$dots" 2>"$work/stderr" &
	gs_pid=$!
	pids+=("$gs_pid")
	for _ in $(seq 600); do grep -q -E 'Starting (server on port|tcp input listener)' "$work/stderr" && return; sleep 0.05; done
	echo "bench: gostash did not start: $(head -c 300 "$work/stderr")" >&2
	exit 1
}

# finish LABEL START: waits for n dots, stops gostash and prints the row.
finish() {
	local label=$1 start=$2
	while [ "$(stat -c %s "$dots")" -lt "$n" ]; do sleep 0.01; done
	local end
	end=$(now)
	kill -INT "$(cat "/proc/$gs_pid/task/$gs_pid/children")"
	wait "$gs_pid" || true
	read -r user sys rss <"$work/time"
	awk -v n="$n" -v s="$start" -v e="$end" -v u="$user" -v y="$sys" -v r="$rss" -v l="$label" 'BEGIN {
		w = (e - s) / 1e9
		printf "| %s | %d | %.0f | %.2f s | %.2f | %.0f | %.1f |\n", l, n, n / w, w, u + y, n / (u + y), r / 1024 }'
}

# Sender alone: go-lumber client -> go-lumber server.
"$work/lumber-send" -sink 127.0.0.1:0 >"$work/sink" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/sink" ] && break; sleep 0.05; done
alone=$("$work/lumber-send" -addr "$(head -n1 "$work/sink")" -n "$n" | awk '{ print $(NF-1) }')

port=$(free_port)
run_gostash "input { beats { host => \"127.0.0.1\" port => $port } } output { stdout { codec => dots } }"
start=$(now)
"$work/lumber-send" -addr "127.0.0.1:$port" -n "$n" >/dev/null
finish "beats: go-lumber client (Filebeat-like, windows of 2048, zlib 3) -> stdout dots, -w 2 (the client alone: $alone events/s)" "$start"

# A ~150-byte log line, n times.
line='2026-01-02T03:04:05.678Z host-17 app[4242]: GET /api/v1/items/31337?expand=owner 200 1534 "Mozilla/5.0 (X11; Linux x86_64)" rt=0.012'
{ yes "$line" || true; } | head -n "$n" >"$work/lines"

port=$(free_port)
nc -l 127.0.0.1 "$port" >/dev/null &
sink=$!
pids+=("$sink")
sleep 0.2
start=$(now)
nc -N 127.0.0.1 "$port" <"$work/lines"
wait "$sink" || true
alone=$(awk -v n="$n" -v s="$start" -v e="$(now)" 'BEGIN { printf "%.0f", n / ((e - s) / 1e9) }')

port=$(free_port)
run_gostash "input { tcp { host => \"127.0.0.1\" port => $port } } output { stdout { codec => dots } }"
start=$(now)
nc -N 127.0.0.1 "$port" <"$work/lines"
finish "tcp: netcat, 150-byte lines -> stdout dots, -w 2 (netcat alone into nc -l: $alone events/s)" "$start"
