#!/usr/bin/env bash
# Measures gostash's kafka throughput beside kcat's on the same broker:
#   produce: generator -> kafka output            vs  kcat -P
#   consume: kafka input -> json_lines -> /dev/null  vs  kcat -C
# Usage: scripts/kafka/bench.sh [EVENTS]   (default 500000; broker from
# GOSTASH_KAFKA_BROKERS, default 127.0.0.1:9092, e.g. after kafka.sh up).
# Times are wall clock and include process start-up and, for the consumers,
# joining the consumer group; each topic has one partition.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
n="${1:-500000}"
brokers="${GOSTASH_KAFKA_BROKERS:-127.0.0.1:9092}"
command -v kcat >/dev/null || { echo "bench.sh: kcat is needed (apt-get install -y kcat)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/gostash" ./cmd/gostash)
id="bench-$(date +%s)"
# A typical ~150-byte log line.
line='2026-01-02T03:04:05.678Z host-17 app[4242]: GET /api/v1/items/31337?expand=owner 200 1534 "Mozilla/5.0 (X11; Linux x86_64)" rt=0.012'

now() { date +%s.%N; }
rate() { awk -v n="$n" -v s="$1" -v e="$2" 'BEGIN { printf "%8.0f events/s  (%.2f s)", n / (e - s), e - s }'; }

t0="$(now)"
"$work/gostash" --log.level error -e "
input { generator { count => $n message => '$line' } }
output { kafka { bootstrap_servers => '$brokers' topic_id => '$id-gostash' } }" >/dev/null
t1="$(now)"
echo "produce  gostash generator -> kafka (plain codec)      $(rate "$t0" "$t1")"

{ yes "$line" || true; } | head -n "$n" >"$work/lines"
t0="$(now)"
kcat -P -b "$brokers" -t "$id-kcat" -l "$work/lines"
t1="$(now)"
echo "produce  kcat -P                                        $(rate "$t0" "$t1")"

# Both consumers read the topic kcat filled, so they see the same bytes.
# head stops reading after the last event; gostash is then stopped by pid.
mkfifo "$work/events"
t0="$(now)"
"$work/gostash" --log.level error -e "
input { kafka { bootstrap_servers => '$brokers' topics => ['$id-kcat'] group_id => '$id' auto_offset_reset => 'earliest' } }
output { stdout { codec => json_lines } }" >"$work/events" &
consumer=$!
head -n "$n" <"$work/events" >/dev/null
t1="$(now)"
kill "$consumer"
wait "$consumer" || true
echo "consume  gostash kafka -> json_lines -> /dev/null       $(rate "$t0" "$t1")"

t0="$(now)"
kcat -C -b "$brokers" -t "$id-kcat" -o beginning -c "$n" -q -f '%s\n' >/dev/null
t1="$(now)"
echo "consume  kcat -C                                        $(rate "$t0" "$t1")"
