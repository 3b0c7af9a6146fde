#!/usr/bin/env bash
# Measures gostash's rabbitmq output and input beside an independent client
# (Debian's python3-pika; RabbitMQ's own PerfTest is not in Debian) on the
# same node, in the same run, the two alternating BENCH_RUNS times (default
# 3) so that load from elsewhere on the machine falls on both alike:
#   publish: gostash generator -> rabbitmq output (confirmed, persistent)
#            vs a pika producer of the same bodies (persistent, unconfirmed as
#            Logstash publishes, done once the queue holds them all: with
#            pika's blocking client, waiting for each confirmation would
#            measure the broker's disk latency, not the client)
#   consume: gostash rabbitmq input (ack) -> dots
#            vs a pika consumer acknowledging each message
# Every run checks the count, so a lost message fails it.
# Usage: scripts/rabbitmq/bench.sh [EVENTS]  (default 50000; node from
# GOSTASH_RABBITMQ_PORT, default 5672, e.g. after rabbitmq.sh up).
# Prints one markdown row per program: median events/s (wall, start-up
# included), median CPU seconds (user+sys) and, for gostash, peak RSS.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
n="${1:-50000}"
port="${GOSTASH_RABBITMQ_PORT:-5672}"
runs="${BENCH_RUNS:-3}"
py=/usr/bin/python3
"$here/rabbitmq.sh" status || { echo "bench.sh: no RabbitMQ node on 127.0.0.1:$port (scripts/rabbitmq/rabbitmq.sh up)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench.sh: GNU time is needed (apt-get install -y time)" >&2; exit 1; }
work="$(mktemp -d)"
id="gostash-bench-$(date +%s)"
gostash="${GOSTASH:-}"
if [ -z "$gostash" ]; then
	(cd "$root" && CGO_ENABLED=0 go build -o "$work/gostash" ./cmd/gostash)
	gostash="$work/gostash"
fi

# The independent client: declare, purge, count, produce and consume.
cat >"$work/client.py" <<'EOF'
import sys, pika
port, cmd, queue = int(sys.argv[1]), sys.argv[2], sys.argv[3]
conn = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1", port))
ch = conn.channel()
if cmd == "setup":      # exchange and queue, both durable
    ch.exchange_declare(queue, exchange_type="direct", durable=True)
    ch.queue_declare(queue, durable=True)
    ch.queue_bind(queue, queue, routing_key="logstash")
elif cmd == "purge":
    ch.queue_purge(queue)
elif cmd == "delete":
    ch.queue_delete(queue)
    ch.exchange_delete(queue)
elif cmd == "count":
    print(ch.queue_declare(queue, passive=True).method.message_count)
elif cmd == "produce":  # N copies of BODY, persistent; done when the queue holds them
    import time
    n, body = int(sys.argv[4]), sys.argv[5].encode()
    props = pika.BasicProperties(delivery_mode=2)
    for _ in range(n):
        ch.basic_publish(queue, "logstash", body, props)
    deadline = time.monotonic() + 300
    while ch.queue_declare(queue, passive=True).method.message_count < n and time.monotonic() < deadline:
        time.sleep(0.01)
elif cmd == "consume":  # N messages, acknowledged each
    n = int(sys.argv[4])
    ch.basic_qos(prefetch_count=256)
    got = 0
    def on(ch, method, props, body):
        global got
        ch.basic_ack(method.delivery_tag)
        got += 1
        if got == n:
            ch.stop_consuming()
    ch.basic_consume(queue, on)
    ch.start_consuming()
conn.close()
EOF
client() { "$py" "$work/client.py" "$port" "$@"; }
trap 'client delete "$id" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
client setup "$id"

# A typical ~150-byte log line, encoded by the output's default json codec;
# the pika producer sends the very bytes gostash sends.
line='2026-01-02T03:04:05.678Z host-17 app[4242]: GET /api/v1/items/31337?expand=owner 200 1534 "Mozilla/5.0 (X11; Linux x86_64)" rt=0.012'
body="$(GOSTASH_NOW=2026-01-02T03:04:05.678Z "$gostash" --log.level error --api.enabled false -e "
input { generator { count => 1 message => '$line' } }
output { stdout { codec => json } }")"

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
now() { date +%s%N; }
expect_count() {
	local got
	got="$(client count "$id")"
	[ "$got" = "$1" ] || { echo "bench.sh: the queue holds $got messages, want $1 ($2)" >&2; exit 1; }
}
# timed LABEL CMD...: runs CMD under GNU time, appending its rate and CPU
# seconds to $work/LABEL.{rate,cpu,rss}.
timed() {
	local label="$1" t0 t1
	shift
	t0="$(now)"
	/usr/bin/time -o "$work/time" -f '%U %S %M' "$@"
	t1="$(now)"
	echo "$n * 1000000000 / ($t1 - $t0)" | bc >>"$work/$label.rate"
	awk '{ print $1 + $2 }' "$work/time" >>"$work/$label.cpu"
	awk '{ print $3 }' "$work/time" >>"$work/$label.rss"
}

# gostash_consume runs the input until the queue is drained and N dots are
# out, then stops it (SIGTERM): the input never ends by itself. Its CPU
# time and peak RSS are read from /proc just before, so that the polling
# here is not counted.
gostash_consume() {
	local t0 t1 pid tck
	tck="$(getconf CLK_TCK)"
	t0="$(now)"
	"$gostash" --log.level error --api.enabled false -e "
input { rabbitmq { host => '127.0.0.1' port => $port queue => '$id' durable => true passive => true } }
output { stdout { codec => dots } }" >"$work/dots" &
	pid=$!
	while [ "$(stat -c %s "$work/dots")" -lt "$n" ]; do
		kill -0 "$pid" 2>/dev/null || { echo "bench.sh: the gostash consumer exited early" >&2; exit 1; }
		sleep 0.1
	done
	t1="$(now)"
	awk -v tck="$tck" '{ print ($14 + $15) / tck }' "/proc/$pid/stat" >>"$work/gostash-consume.cpu"
	awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" >>"$work/gostash-consume.rss"
	echo "$n * 1000000000 / ($t1 - $t0)" | bc >>"$work/gostash-consume.rate"
	kill -TERM "$pid"
	wait "$pid"
}

for _ in $(seq "$runs"); do
	client purge "$id"
	timed pika-produce "$py" "$work/client.py" "$port" produce "$id" "$n" "$body"
	expect_count "$n" "pika producer"
	timed pika-consume "$py" "$work/client.py" "$port" consume "$id" "$n"
	expect_count 0 "pika consumer"

	timed gostash-produce "$gostash" --log.level error --api.enabled false -e "
input { generator { count => $n message => '$line' } }
output { rabbitmq { host => '127.0.0.1' port => $port exchange => '$id' exchange_type => 'direct' } }"
	expect_count "$n" "gostash output"
	gostash_consume
	expect_count 0 "gostash input"
done

row() {
	local rss=""
	[ "${3:-}" = rss ] && rss="$(printf '%.1f' "$(echo "$(median <"$work/$2.rss") / 1024" | bc -l)")"
	printf '| %s | %.0f | %s | %s |\n' "$1" "$(median <"$work/$2.rate")" "$(median <"$work/$2.cpu")" "$rss"
}
echo "| rabbitmq, $n events of ~300 bytes, median of $runs | events/s (wall, start-up included) | CPU s | peak RSS MiB |"
echo "|---|---|---|---|"
row "publish: gostash generator -> rabbitmq output (persistent, confirmed)" gostash-produce rss
row "publish: pika producer (persistent, unconfirmed)" pika-produce
row "consume: gostash rabbitmq input (ack) -> dots" gostash-consume rss
row "consume: pika consumer (ack each)" pika-consume
