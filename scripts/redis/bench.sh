#!/usr/bin/env bash
# Measures gostash's redis output and input beside redis-benchmark on the
# same redis-server, in the same run:
#   produce  gostash generator -> redis output (list, json codec)   vs  redis-benchmark -t lpush
#   consume  gostash redis input (list, batch_count 125) -> dots   vs  redis-benchmark -t lpop
# redis-benchmark runs twice each: as shipped (50 connections, one command
# per round trip) and on one connection pipelining 125 commands, which is
# what gostash does with a pipeline batch of 125.
# Usage: scripts/redis/bench.sh [EVENTS]  (default 200000; server from
# GOSTASH_REDIS_PORT, default 6379, e.g. after redis.sh up).
# gostash's rows give events/s (wall clock, including start-up) and its
# CPU-seconds (user+sys, GNU time); the runs alternate BENCH_RUNS times
# (default 3) and the medians are printed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
n="${1:-200000}"
port="${GOSTASH_REDIS_PORT:-6379}"
cli=(redis-cli -h 127.0.0.1 -p "$port")
[[ "$("${cli[@]}" ping 2>/dev/null)" == PONG ]] || { echo "bench.sh: no redis-server on 127.0.0.1:$port (scripts/redis/redis.sh up)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench.sh: GNU time is needed (apt-get install -y time)" >&2; exit 1; }
work="$(mktemp -d)"
key="gostash-bench-$$"
trap '"${cli[@]}" del "$key" >/dev/null; rm -rf "$work"' EXIT
(cd "$root" && CGO_ENABLED=0 go build -o "$work/gostash" ./cmd/gostash)

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now() { date +%s%N; }
rate() { awk -v n="$n" -v s="$1" -v e="$2" 'BEGIN { printf "%.0f\n", n * 1e9 / (e - s) }'; }

# benchmark NAME TEST [ARGS...]: appends redis-benchmark's requests per
# second to NAME and its CPU-seconds to NAME.cpu; its LPUSH and LPOP use
# the key mylist, which is removed after.
benchmark() {
	local name="$1" test="$2"
	shift 2
	/usr/bin/time -o "$work/time" -f '%U %S' redis-benchmark -h 127.0.0.1 -p "$port" -t "$test" -n "$n" -d 150 --csv "$@" |
		awk -F, -v t="\"${test^^}\"" 'toupper($1) == t { gsub(/"/, "", $2); printf "%.0f\n", $2 }' >>"$work/$name"
	awk '{ print $1 + $2 }' "$work/time" >>"$work/$name.cpu"
}

runs="${BENCH_RUNS:-3}"
for f in produce consume lpush lpush.p lpop lpop.p; do : >"$work/$f" >"$work/$f.cpu"; done
for _ in $(seq "$runs"); do
	"${cli[@]}" del "$key" >/dev/null
	t0=$(now)
	/usr/bin/time -o "$work/time" -f '%U %S' "$work/gostash" --log.level error --api.enabled false -e "
input { generator { count => $n } }
output { redis { port => $port data_type => list key => \"$key\" } }" >/dev/null
	t1=$(now)
	[[ "$("${cli[@]}" llen "$key")" == "$n" ]] || { echo "bench.sh: the list does not hold $n events" >&2; exit 1; }
	rate "$t0" "$t1" >>"$work/produce"
	awk '{ print $1 + $2 }' "$work/time" >>"$work/produce.cpu"

	# The input reads the list the output filled; head stops reading after
	# the last dot, and gostash is then stopped (SIGTERM) so time reports.
	rm -f "$work/dots"
	mkfifo "$work/dots"
	t0=$(now)
	/usr/bin/time -o "$work/time" -f '%U %S' "$work/gostash" --log.level error --api.enabled false -e "
input { redis { port => $port data_type => list key => \"$key\" } }
output { stdout { codec => dots } }" >"$work/dots" &
	timer=$!
	head -c "$n" <"$work/dots" >/dev/null
	t1=$(now)
	kill "$(pgrep -P "$timer")"
	wait "$timer" || true
	rate "$t0" "$t1" >>"$work/consume"
	awk '{ print $1 + $2 }' "$work/time" >>"$work/consume.cpu"

	benchmark lpush lpush
	benchmark lpush.p lpush -c 1 -P 125
	benchmark lpop lpop
	benchmark lpop.p lpop -c 1 -P 125
	"${cli[@]}" del mylist >/dev/null
done

row() { printf '%-56s %10s %12s\n' "$1" "$(median <"$work/$2")" "$(median <"$work/$2.cpu")"; }
printf '%-56s %10s %12s\n' "redis, $n events, median of $runs" "events/s" "client CPU-s"
row "produce  gostash generator -> redis output (list)" produce
row "produce  redis-benchmark -t lpush (50 connections)" lpush
row "produce  redis-benchmark -t lpush -c 1 -P 125" lpush.p
row "consume  gostash redis input (list) -> dots" consume
row "consume  redis-benchmark -t lpop (50 connections)" lpop
row "consume  redis-benchmark -t lpop -c 1 -P 125" lpop.p
