#!/usr/bin/env bash
# The ruby filter's cost: generator -> ruby -> stdout dots, beside the same
# pipeline without the filter, run interleaved (A, B, C, A, B, C, ...) so
# a change in the machine's load hits every row alike. Rows are markdown
# table rows in scripts/bench.sh's columns plus CPU seconds per million
# events. CPU is user + system of gostash and its Ruby workers together:
# /usr/bin/time counts the children gostash waited for, and gostash waits
# for every Ruby worker it started before it exits.
#
# Cases: without ruby; trivial code that only writes a field (the round
# trip's own cost); code that reads a field (the events are decoded in
# Ruby).
#
# Environment: GOSTASH (binary; default bin/gostash, built), BENCH_RUNS
# (default 3), BENCH_RUBY_EVENTS (default 1000000), BENCH_RUBY_WORKERS
# (-w, default 2).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${BENCH_RUNS:-3}
n=${BENCH_RUBY_EVENTS:-1000000}
workers=${BENCH_RUBY_WORKERS:-2}
command -v ruby >/dev/null || { echo "| generator -> ruby -> stdout dots | skipped (no ruby: apt-get install -y ruby) | | | | | |"; exit 0; }
[ -x /usr/bin/time ] || { echo "bench: GNU time is needed (apt-get install -y time)" >&2; exit 1; }
bin=${GOSTASH:-}
if [ -z "$bin" ]; then
	bin=bin/gostash
	mkdir -p bin
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$bin" ./cmd/gostash
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

labels=(
	"generator -> stdout dots (no ruby), -w $workers"
	"generator -> ruby (event.set only) -> stdout dots, -w $workers"
	"generator -> ruby (event.get and event.set) -> stdout dots, -w $workers"
)
filters=(
	""
	"ruby { code => \"event.set('seen', true)\" }"
	"ruby { code => \"event.set('length', event.get('message').length)\" }"
)

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for i in "${!labels[@]}"; do : >"$work/wall$i" >"$work/cpu$i" >"$work/rss$i"; done
for _ in $(seq "$runs"); do
	for i in "${!labels[@]}"; do
		conf="input { generator { threads => 1 count => $n } } filter { ${filters[$i]} } output { stdout { codec => dots } }"
		start=$(date +%s%N)
		if ! /usr/bin/time -o "$work/time" -f '%U %S %M' "$bin" --api.enabled false -w "$workers" -e "$conf" \
			>"$work/dots" 2>"$work/stderr"; then
			echo "bench: ${labels[$i]} failed: $(grep -m1 -E 'ERROR|FATAL' "$work/stderr" | cut -c1-200)" >&2
			exit 1
		fi
		end=$(date +%s%N)
		got=$(stat -c %s "$work/dots")
		[ "$got" = "$n" ] || { echo "bench: ${labels[$i]}: $got dots, want $n" >&2; exit 1; }
		echo "$(((end - start) / 1000))" >>"$work/wall$i"
		awk '{ print $1 + $2 }' "$work/time" >>"$work/cpu$i"
		awk '{ print $3 }' "$work/time" >>"$work/rss$i"
	done
done
for i in "${!labels[@]}"; do
	awk -v n="$n" -v l="${labels[$i]}" -v w="$(median <"$work/wall$i")" -v c="$(median <"$work/cpu$i")" -v r="$(median <"$work/rss$i")" 'BEGIN {
		printf "| %s | %d | %.0f | %.2f s | %.2f (%.2f per 1M) | %.0f | %.1f |\n", l, n, n * 1e6 / w, w / 1e6, c, c * 1e6 / n, n / c, r / 1024 }'
done
