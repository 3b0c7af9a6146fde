#!/usr/bin/env bash
# Whole-process benchmarks of gostash, printed as a markdown table: start-up
# time, Logstash benchmark-cli's `baseline` (generator -> stdout) and
# `apache` (grok + date) cases, a mutate + json_lines pipeline, the file
# input reading a large file (MB/s beside cat), and the blog's Twitter
# producer pipeline
# fed by the in-repo stream server. Each figure is the median of
# BENCH_RUNS runs (default 3); CPU is user + system seconds, RSS the peak
# resident set, both from /usr/bin/time.
#
# Environment: GOSTASH (binary; default: bin/gostash, built from this tree),
# BENCH_RUNS, BENCH_EVENTS (generator events, default 3000000),
# BENCH_APACHE_EVENTS (access-log lines, default 200000), BENCH_FILE_MB
# (the file input's file, default 1024),
# BENCH_TWITTER_SECONDS (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${BENCH_RUNS:-3}
events=${BENCH_EVENTS:-3000000}
twitter_seconds=${BENCH_TWITTER_SECONDS:-5}
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

if [ ! -x /usr/bin/time ]; then
	echo "bench: installing GNU time (apt-get install -y time)" >&2
	if [ "$(id -u)" = 0 ]; then apt-get install -y -qq time >/dev/null; else sudo apt-get install -y -qq time >/dev/null; fi
fi
# The binary under test: GOSTASH, or bin/gostash rebuilt from this tree
# (as `make build` does) so a stale binary is never measured.
bin=${GOSTASH:-}
if [ -z "$bin" ]; then
	bin=bin/gostash
	mkdir -p bin
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$bin" ./cmd/gostash
fi

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# timed LABEL COUNT ARGS...: runs gostash ARGS RUNS times with stdin from
# $stdin_file and stdout to /dev/null, and prints a table row. COUNT is the
# number of events (0: none).
stdin_file=/dev/null
timed() {
	local label=$1 count=$2
	shift 2
	: >"$work/walls"
	: >"$work/cpus"
	: >"$work/rss"
	for _ in $(seq "$runs"); do
		local start end
		start=$(date +%s%N)
		if ! /usr/bin/time -o "$work/time" -f '%U %S %M' "$bin" --api.enabled false "$@" <"$stdin_file" >/dev/null 2>"$work/stderr"; then
			echo "| $label | failed: $(grep -m1 -E 'ERROR|FATAL' "$work/stderr" | cut -c1-80) | | | | | |"
			return
		fi
		end=$(date +%s%N)
		echo "$(( (end - start) / 1000 ))" >>"$work/walls" # microseconds
		awk '{ print $1 + $2 }' "$work/time" >>"$work/cpus"
		awk '{ print $3 }' "$work/time" >>"$work/rss"
	done
	local wall cpu rss
	wall=$(median <"$work/walls")
	cpu=$(median <"$work/cpus")
	rss=$(median <"$work/rss")
	if [ "$count" = 0 ]; then
		printf '| %s | | | %.1f ms | %.3f | | %.1f |\n' "$label" "$(echo "$wall / 1000" | bc -l)" "$cpu" "$(echo "$rss / 1024" | bc -l)"
	else
		printf '| %s | %d | %.0f | %.2f s | %.2f | %.0f | %.1f |\n' "$label" "$count" "$(echo "$count * 1000000 / $wall" | bc -l)" \
			"$(echo "$wall / 1000000" | bc -l)" "$cpu" "$(echo "$count / $cpu" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
	fi
}

# usable CONFIG: whether gostash accepts CONFIG (its plugins all exist).
usable() {
	"$bin" -t --log.level error -e "$1" >/dev/null 2>"$work/check" && return 0
	echo "bench: skipping: $(grep -m1 -oE "Couldn't find any [a-z]+ plugin named '[^']+'" "$work/check" || head -c 200 "$work/check")" >&2
	return 1
}

echo "## gostash benchmarks"
echo
echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); gostash: $("$bin" --version 2>/dev/null | head -n1)"
echo "- machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM"
echo "- go: $(go version | cut -d' ' -f3-); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- GOGC: ${GOGC:-unset, so the gostash default of 125}"
echo "- median of $runs runs; stdout to /dev/null; API off except for the Twitter case. On a busy machine wall"
echo "  time and events/s drop with the load; events per CPU-second (events / (user + system)) hold up better"
echo
echo "| benchmark | events | events/s | wall | CPU s | events per CPU-s | peak RSS MiB |"
echo "|---|---|---|---|---|---|---|"

# Start-up: one event, wall time to exit.
saved_runs=$runs
runs=$((runs * 3))
timed "start-up: generator count => 1 -> stdout dots" 0 -e 'input { generator { count => 1 } } output { stdout { codec => dots } }'
runs=$saved_runs

# Logstash benchmark-cli `baseline`: generator (its default "Hello world!"
# message, one thread) -> stdout; with dots as the issue asks, and with the
# rubydebug default exactly as benchmark-cli configures it.
baseline="input { generator { threads => 1 count => $events } } output { stdout { codec => dots } }"
timed "baseline (generator -> stdout dots), -w 1" "$events" -w 1 -e "$baseline"
timed "baseline (generator -> stdout dots), -w 2" "$events" -w 2 -e "$baseline"
rubydebug_events=$((events / 3))
timed "benchmark-cli baseline exactly (stdout rubydebug), -w 2 -b 128" "$rubydebug_events" -w 2 -b 128 \
	-e "input { generator { threads => 1 count => $rubydebug_events } } output { stdout { } }"

mutate="input { generator { count => $rubydebug_events } }
filter { mutate { add_field => { \"[service][name]\" => \"bench-%{[event][sequence]}\" } rename => { \"message\" => \"msg\" } uppercase => [\"msg\"] convert => { \"[event][sequence]\" => \"string\" } } }
output { stdout { codec => json_lines } }"
if usable "$mutate"; then
	timed "generator -> mutate -> stdout json_lines, -w 2" "$rubydebug_events" -w 2 -e "$mutate"
else
	echo "| generator -> mutate -> stdout json_lines | skipped (plugin missing) | | | | |"
fi

# The ruby filter beside the same pipeline without it, interleaved runs
# (scripts/ruby/bench.sh).
GOSTASH="$bin" BENCH_RUNS="$runs" BENCH_RUBY_EVENTS="$rubydebug_events" scripts/ruby/bench.sh

# Logstash benchmark-cli's `apache` case: Apache combined access-log lines
# on stdin through grok COMBINEDAPACHELOG and date. The lines are made up
# here (seeded, so every run reads the same ones): a spread of clients,
# paths, statuses, sizes, referrers and user agents over one day.
apache_events=${BENCH_APACHE_EVENTS:-200000}
apache="input { stdin { } }
filter {
  grok { match => { \"message\" => \"%{COMBINEDAPACHELOG}\" } }
  date { match => [ \"timestamp\", \"dd/MMM/yyyy:HH:mm:ss Z\" ] }
}
output { stdout { codec => dots } }"
if usable "$apache"; then
	awk -v n="$apache_events" 'BEGIN {
		srand(42)
		split("GET GET GET GET GET POST POST HEAD PUT DELETE", methods, " ")
		split("/ /index.html /favicon.ico /robots.txt /blog/ /blog/2015/05/logstash-grok.html /images/kibana-search.png /images/logo.png /css/style.css /js/app.min.js /api/v1/users /api/v1/orders/8812 /search?q=elasticsearch+tutorial&page=2 /presentations/logstash-monitorama-2013/images/sad-medic.png /articles/dynamic-dns-with-dhcp/ /files/xdotool/docs/html/osx__hacks_8h_source.html /reset.css /downloads/gostash-1.0.tar.gz", paths, " ")
		split("200 200 200 200 200 200 200 304 304 301 302 404 404 403 500 503", statuses, " ")
		split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", months, " ")
		ref[1] = "-"; ref[2] = "http://semicomplete.com/presentations/logstash-monitorama-2013/"
		ref[3] = "https://www.google.com/search?q=logstash+grok"; ref[4] = "http://www.example.org/blog/"
		ua[1] = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"
		ua[2] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0"
		ua[3] = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
		ua[4] = "curl/7.68.0"
		ua[5] = "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.5 Mobile/15E148 Safari/604.1"
		for (i = 0; i < n; i++) {
			s = i * 86400 / n
			status = statuses[int(rand() * 16) + 1]
			size = (status == 304) ? "-" : int(rand() * 250000)
			user = (rand() < 0.05) ? "alice" : "-"
			printf "%d.%d.%d.%d - %s [%02d/%s/2015:%02d:%02d:%02d +0000] \"%s %s HTTP/1.1\" %s %s \"%s\" \"%s\"\n",
				int(rand() * 223) + 1, int(rand() * 256), int(rand() * 256), int(rand() * 254) + 1, user,
				17, months[5], int(s / 3600), int(s / 60) % 60, s % 60,
				methods[int(rand() * 10) + 1], paths[int(rand() * 18) + 1], status, size,
				ref[int(rand() * 4) + 1], ua[int(rand() * 5) + 1]
		}
	}' >"$work/apache.log"
	stdin_file=$work/apache.log
	timed "apache (stdin -> grok COMBINEDAPACHELOG, date -> stdout dots), -w 2" "$apache_events" -w 2 -e "$apache"
	stdin_file=/dev/null
else
	echo "| apache (grok, date) | skipped (plugin missing) | | | | | |"
fi

# The file input reading a large file (read mode, plain codec) -> dots:
# MB/s over the median wall, beside `cat file > /dev/null` on the same
# file in the same run (both from the page cache, cat first to warm it).
file_mb=${BENCH_FILE_MB:-1024}
file_conf="input { file { path => \"$work/big.log\" mode => read exit_after_read => true file_completed_action => log file_completed_log_path => \"/dev/null\" sincedb_path => \"/dev/null\" } } output { stdout { codec => dots } }"
if usable "$file_conf"; then
	awk -v bytes="$((file_mb * 1048576))" 'BEGIN {
		for (i = 0; n < bytes; i++) {
			line = sprintf("10.0.%d.%d - - [17/May/2015:10:05:%02d +0000] \"GET /articles/%d HTTP/1.1\" 200 %d \"-\" \"Mozilla/5.0\"", i % 256, i % 199, i % 60, i, 1000 + i % 5000)
			print line
			n += length(line) + 1
		}
	}' >"$work/big.log"
	file_lines=$(wc -l <"$work/big.log")
	file_bytes=$(stat -c %s "$work/big.log")
	: >"$work/catwalls"
	for _ in $(seq $((runs + 1))); do
		start=$(date +%s%N)
		cat "$work/big.log" >/dev/null
		echo "$(( ($(date +%s%N) - start) / 1000 ))" >>"$work/catwalls"
	done
	timed "file input (read mode, $file_mb MiB) -> stdout dots, -w 2" "$file_lines" -w 2 -e "$file_conf"
	printf '| file input: %.0f MB/s; cat file > /dev/null: %.0f MB/s | | | | | | |\n' \
		"$(echo "$file_bytes / $(median <"$work/walls")" | bc -l)" "$(echo "$file_bytes / $(median <"$work/catwalls")" | bc -l)"
	rm -f "$work/big.log"
else
	echo "| file input -> dots | skipped (plugin missing) | | | | | |"
fi

# The blog's producer pipeline (twitter -> stdout rubydebug) against the
# in-repo stream server replaying its tweets as fast as it can. Throughput
# is read from gostash's own monitoring API (events.out over the run).
twitter_note=""
twitter_conf=testdata/twitter/producer_demo.conf
if [ -d internal/twitterstream/cmd/twitter-stream-server ] && [ -f "$twitter_conf" ] && usable "$(cat "$twitter_conf")"; then
	go build -o "$work/twitter-stream-server" ./internal/twitterstream/cmd/twitter-stream-server
	"$work/twitter-stream-server" -addr 127.0.0.1:0 -tweets testdata/twitter/tweets.jsonl -rate 1000000 -repeat \
		>"$work/server.url" 2>"$work/server.log" &
	pids+=($!)
	for _ in $(seq 100); do [ -s "$work/server.url" ] && break; sleep 0.05; done
	url=$(head -n1 "$work/server.url")
	api_out() { # events.out of pipeline main, from the API on port $1
		local reply
		exec 3<>"/dev/tcp/127.0.0.1/$1"
		printf 'GET /_node/stats/pipelines/main HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
		reply=$(cat <&3)
		exec 3<&-
		grep -o '"out":[0-9]*' <<<"$reply" | head -n1 | cut -d: -f2
	}
	: >"$work/rates"
	: >"$work/cpus"
	: >"$work/rss"
	: >"$work/percpu"
	for _ in $(seq "$runs"); do
		GOSTASH_TWITTER_STREAM_URL=$url GOSTASH_TWITTER_API_URL=$url \
			/usr/bin/time -o "$work/time" -f '%U %S %M' "$bin" -f "$twitter_conf" --api.http.port 9600-9700 \
			>/dev/null 2>"$work/stderr" &
		timer_pid=$!
		port=""
		for _ in $(seq 100); do
			port=$(grep -o 'API endpoint {"port"=>[0-9]*' "$work/stderr" | grep -o '[0-9]*$' || true)
			[ -n "$port" ] && break
			sleep 0.05
		done
		[ -n "$port" ] || { echo "bench: gostash did not start its API: $(head -c 300 "$work/stderr")" >&2; break; }
		sleep 1 # connected and streaming
		first=$(api_out "$port")
		t0=$(date +%s%N)
		sleep "$twitter_seconds"
		last=$(api_out "$port")
		t1=$(date +%s%N)
		kill -INT "$(cat "/proc/$timer_pid/task/$timer_pid/children")"
		wait "$timer_pid" || true
		echo "($last - $first) * 1000000000 / ($t1 - $t0)" | bc -l >>"$work/rates"
		awk '{ print $1 + $2 }' "$work/time" >>"$work/cpus"
		awk '{ print $3 }' "$work/time" >>"$work/rss"
		# Events so far over the whole run's CPU (start-up included).
		awk -v n="$last" '{ print n / ($1 + $2) }' "$work/time" >>"$work/percpu"
	done
	if [ -s "$work/rates" ]; then
		printf '| blog producer: twitter (stream server) -> stdout rubydebug, %ss | | %.0f | %d s | %.2f | %.0f | %.1f |\n' \
			"$twitter_seconds" "$(median <"$work/rates")" "$((twitter_seconds + 1))" "$(median <"$work/cpus")" \
			"$(median <"$work/percpu")" "$(echo "$(median <"$work/rss") / 1024" | bc -l)"
		twitter_note=1
	fi
else
	echo "| blog producer: twitter -> stdout rubydebug | skipped (stream server or twitter input missing) | | | | | |"
fi
if [ -n "${twitter_note:-}" ]; then
	echo
	echo "The stream server paces its messages (a timer per message) and replays an 8-message fixture that"
	echo "includes a rate-limit notice, which gostash logs as a WARN each time; the Twitter row is bounded by"
	echo "that pacing, so its events per CPU-second say more about gostash than its events/s."
fi

# The network inputs (beats through go-lumber's client, tcp through netcat),
# each beside its sender's own rate.
GOSTASH="$bin" BENCH_NET_EVENTS=$((events / 6)) scripts/inputs/bench.sh

# The elasticsearch output against the project's OpenSearch node, beside a
# plain _bulk loader posting the same documents in the same run.
if scripts/opensearch/opensearch.sh status >/dev/null 2>&1; then
	echo
	scripts/opensearch/bench.sh "${BENCH_ES_EVENTS:-200000}"
else
	echo "| elasticsearch output | skipped (no OpenSearch node: make opensearch-up) | | | | | |"
fi

# The rabbitmq input and output against the project's RabbitMQ node, beside
# Debian's pika client in the same run.
if scripts/rabbitmq/rabbitmq.sh status >/dev/null 2>&1; then
	echo
	scripts/rabbitmq/bench.sh "${BENCH_RABBITMQ_EVENTS:-50000}"
else
	echo "| rabbitmq | skipped (no RabbitMQ node: make rabbitmq-up) | | | |"
fi

# The redis output and input against the project's redis-server, beside
# redis-benchmark in the same run.
if scripts/redis/redis.sh status >/dev/null 2>&1; then
	echo
	scripts/redis/bench.sh "${BENCH_REDIS_EVENTS:-200000}"
else
	echo "| redis output and input | skipped (no redis-server: make redis-up) | | | | | |"
fi

# The jdbc input against the project's PostgreSQL and MariaDB, beside psql
# and the mariadb client in the same run.
if scripts/postgres/postgres.sh status >/dev/null 2>&1 && scripts/mariadb/mariadb.sh status >/dev/null 2>&1; then
	echo
	scripts/jdbc/bench.sh
else
	echo "| jdbc input | skipped (no PostgreSQL/MariaDB: make postgres-up mariadb-up) | | | |"
fi
