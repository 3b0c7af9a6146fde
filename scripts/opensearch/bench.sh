#!/usr/bin/env bash
# Measures gostash's elasticsearch output beside the plain bulk loader on the
# same OpenSearch node, in the same run:
#   gostash   generator -> elasticsearch (Logstash's defaults: batch 125, a
#             worker per core, gzip level 1, one index)
#   bulkload  pre-built _bulk bodies of the same documents and batch size
# Both count the documents after a refresh, so a lost event fails the run.
# Usage: scripts/opensearch/bench.sh [EVENTS]  (default 200000; node from
# GOSTASH_OPENSEARCH_PORT, default 9200, e.g. after opensearch.sh up).
# Prints one markdown row per program and the ratio; RSS is gostash's peak.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
n="${1:-200000}"
url="http://127.0.0.1:${GOSTASH_OPENSEARCH_PORT:-9200}"
curl -fsS -m 5 -o /dev/null "$url/" || { echo "bench.sh: no OpenSearch on $url (scripts/opensearch/opensearch.sh up)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench.sh: GNU time is needed (apt-get install -y time)" >&2; exit 1; }
work="$(mktemp -d)"
id="bench-$(date +%s)"
trap 'curl -s -o /dev/null -X DELETE "$url/$id-*"; rm -rf "$work"' EXIT
(cd "$root" && CGO_ENABLED=0 go build -o "$work/gostash" ./cmd/gostash && go build -o "$work/bulkload" ./scripts/opensearch/bulkload)

count() {
	curl -fsS -o /dev/null -X POST "$url/$1/_refresh"
	curl -fsS "$url/$1/_count" | grep -o '"count":[0-9]*' | cut -d: -f2
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The two alternate, BENCH_RUNS times each (default 3), so that load from
# elsewhere on the machine falls on both alike; the medians are compared.
runs="${BENCH_RUNS:-3}"
: >"$work/loader.rates" >"$work/gostash.rates" >"$work/cpu" >"$work/rss"
for i in $(seq "$runs"); do
	"$work/bulkload" -url "$url" -index "$id-bulkload-$i" -docs "$n" -batch 125 >"$work/bulkload.out"
	grep -o '[0-9]* docs/s' "$work/bulkload.out" | cut -d' ' -f1 >>"$work/loader.rates"

	t0=$(date +%s%N)
	/usr/bin/time -o "$work/time" -f '%U %S %M' "$work/gostash" --log.level error --api.enabled false -b 125 -e "
input { generator { count => $n } }
output { elasticsearch { hosts => [\"$url\"] index => \"$id-gostash-$i\" } }" >/dev/null
	t1=$(date +%s%N)
	got=$(count "$id-gostash-$i")
	[ "$got" = "$n" ] || { echo "bench.sh: gostash indexed $got of $n events" >&2; exit 1; }
	echo "$n * 1000000000 / ($t1 - $t0)" | bc >>"$work/gostash.rates"
	awk '{ print $1 + $2 }' "$work/time" >>"$work/cpu"
	awk '{ print $3 }' "$work/time" >>"$work/rss"
done
rate=$(median <"$work/gostash.rates")
loader=$(median <"$work/loader.rates")

echo "| elasticsearch output, generator $n events -> OpenSearch (median of $runs) | events/s | CPU s | peak RSS MiB |"
echo "|---|---|---|---|"
printf '| gostash (wall includes start-up) | %d | %.2f | %.1f |\n' "$rate" "$(median <"$work/cpu")" "$(echo "$(median <"$work/rss") / 1024" | bc -l)"
printf '| bulkload (pre-built bodies) | %d | | |\n' "$loader"
printf 'gostash / bulkload: %.2f\n' "$(echo "$rate / $loader" | bc -l)"
