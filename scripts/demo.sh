#!/usr/bin/env bash
# The blog's twitter → stdout pipeline, run for real: builds gostash and the
# in-repo Twitter-compatible stream server, starts the server on a free
# loopback port, points the twitter input at it and runs the blog's
# producer config (keywords filled in, demo credentials) printing rubydebug
# tweets. Stops after DEMO_TWEETS tweets (default 3) or on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

tweets=${DEMO_TWEETS:-3}
work=$(mktemp -d)
server_pid="" gostash_pid=""

# running tells a live process from an exited one not yet waited for.
running() {
	local stat
	stat=$(ps -o stat= -p "$1" 2>/dev/null) && [ "${stat#Z}" = "$stat" ]
}

# stop_gostash lets gostash shut down on the SIGINT it may already have
# (Ctrl-C reaches the whole process group; a second SIGINT would make it
# terminate immediately) and sends one only if it is still running.
stop_gostash() {
	[ -n "$gostash_pid" ] || return 0
	for _ in $(seq 30); do
		running "$gostash_pid" || break
		sleep 0.1
	done
	if running "$gostash_pid"; then
		kill -INT "$gostash_pid" 2>/dev/null || true
	fi
	local status=0
	wait "$gostash_pid" 2>/dev/null || status=$?
	gostash_pid=""
	return "$status"
}

cleanup() {
	trap - EXIT INT TERM
	stop_gostash || true
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

echo "demo: building gostash and the stream server" >&2
go build -o "$work/gostash" ./cmd/gostash
go build -o "$work/twitter-stream-server" ./internal/twitterstream/cmd/twitter-stream-server

"$work/twitter-stream-server" -addr 127.0.0.1:0 -tweets testdata/twitter/tweets.jsonl -rate 1 \
	>"$work/server.url" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do
	[ -s "$work/server.url" ] && break
	kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
	sleep 0.05
done
url=$(head -n1 "$work/server.url")
echo "demo: Twitter stream server at $url" >&2
export GOSTASH_TWITTER_STREAM_URL=$url GOSTASH_TWITTER_API_URL=$url

mkfifo "$work/stdout"
"$work/gostash" -f testdata/twitter/producer_demo.conf --api.enabled=false >"$work/stdout" &
gostash_pid=$!

# Print events as they come and count them: each rubydebug event ends with
# a "}" alone on its line.
seen=0
exec 3<"$work/stdout"
while IFS= read -r line <&3; do
	printf '%s\n' "$line"
	if [ "$line" = "}" ]; then
		seen=$((seen + 1))
		[ "$seen" -ge "$tweets" ] && break
	fi
done
if [ "$seen" -ge "$tweets" ]; then
	echo "demo: $seen tweets, stopping gostash" >&2
	kill -INT "$gostash_pid"
fi
cat <&3 >/dev/null # let gostash finish writing while it shuts down
status=0
stop_gostash || status=$?
exit "$status"
