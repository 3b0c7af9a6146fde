#!/usr/bin/env bash
# Runs a single-node Apache Kafka broker (KRaft, no ZooKeeper) on 127.0.0.1
# for gostash's kafka tests and benchmarks.
#
#   kafka.sh fetch    resolve the broker jars from Maven Central into the cache
#   kafka.sh up       fetch if needed, format a fresh store, start, wait until it answers
#   kafka.sh down     stop the broker and remove its data
#   kafka.sh stop     stop the broker, keeping its data (for restart tests)
#   kafka.sh start    start a stopped broker again on its kept data
#   kafka.sh status   exit 0 when the broker answers, 1 otherwise
#
# Environment:
#   GOSTASH_KAFKA_VERSION   Kafka release (default 4.2.0, the client version Logstash's
#                           kafka integration 12.1.4 ships)
#   GOSTASH_KAFKA_CACHE     jar cache (default ~/.cache/gostash/kafka-<version>)
#   GOSTASH_KAFKA_RUN       state dir holding pid, config, data and log
#                           (default ${TMPDIR:-/tmp}/gostash-kafka)
#   GOSTASH_KAFKA_PORT      broker port (default 9092); the controller listens on port+1
#
# up and down are idempotent: up on a running broker only checks that it answers.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${GOSTASH_KAFKA_VERSION:-4.2.0}"
cache="${GOSTASH_KAFKA_CACHE:-$HOME/.cache/gostash/kafka-$version}"
run="${GOSTASH_KAFKA_RUN:-${TMPDIR:-/tmp}/gostash-kafka}"
port="${GOSTASH_KAFKA_PORT:-9092}"
controller_port=$((port + 1))
host=127.0.0.1

log() { echo "kafka.sh: $*" >&2; }

fetch() {
	if [[ -f "$cache/.complete" ]]; then
		return
	fi
	command -v mvn >/dev/null || { log "mvn is needed to fetch the broker jars (apt-get install -y maven)"; exit 1; }
	log "fetching Apache Kafka $version jars into $cache"
	rm -rf "$cache.tmp"
	mkdir -p "$cache.tmp"
	mvn -q -B -Dstyle.color=never -f "$here/pom.xml" -Dkafka.version="$version" \
		dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$cache.tmp/libs"
	rm -rf "$cache"
	mv "$cache.tmp" "$cache"
	touch "$cache/.complete"
}

classpath() { echo "$cache/libs/*"; }

pid_alive() {
	[[ -f "$run/pid" ]] && kill -0 "$(cat "$run/pid")" 2>/dev/null
}

# answers checks that the broker accepts TCP connections and replies to a
# Kafka Metadata request, sent by hand over bash's /dev/tcp (a JVM admin
# client would take seconds to start on every probe).
answers() {
	{ exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null || return 1
	# MetadataRequest v1 (api key 3), correlation id 1, client id "probe",
	# topics = null (-1): all topics. Size-prefixed.
	printf '\x00\x00\x00\x13\x00\x03\x00\x01\x00\x00\x00\x01\x00\x05probe\xff\xff\xff\xff' >&3
	local size
	size="$(timeout 2 head -c 4 <&3 | od -An -tu1 | tr -s ' ')" || { exec 3<&-; return 1; }
	exec 3<&-
	# A reply starts with a non-zero 4-byte length.
	[[ -n "${size// /}" && "$size" != " 0 0 0 0" ]]
}

write_config() {
	mkdir -p "$run/data"
	cat >"$run/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$host:$controller_port
listeners=PLAINTEXT://$host:$port,CONTROLLER://$host:$controller_port
advertised.listeners=PLAINTEXT://$host:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$run/data
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.segment.bytes=67108864
log.retention.check.interval.ms=300000
EOF
	cat >"$run/log4j2.properties" <<EOF
rootLogger.level=WARN
rootLogger.appenderRef.file.ref=file
appender.file.type=File
appender.file.name=file
appender.file.fileName=$run/server.log
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=[%d] %p %m (%c)%n
EOF
}

java_opts=(-Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20
	-Djava.awt.headless=true -Dlog4j2.configurationFile="$run/log4j2.properties")

up() {
	fetch
	if pid_alive; then
		wait_ready
		return
	fi
	if answers; then
		log "something else already answers on $host:$port; not starting another broker"
		exit 1
	fi
	rm -rf "$run"
	write_config
	local cluster_id
	cluster_id="$(java -cp "$(classpath)" kafka.tools.StorageTool random-uuid)"
	java "${java_opts[@]}" -cp "$(classpath)" kafka.tools.StorageTool format \
		-t "$cluster_id" -c "$run/server.properties" >"$run/format.log" 2>&1 \
		|| { cat "$run/format.log" >&2; exit 1; }
	launch
}

launch() {
	log "starting Kafka $version on $host:$port (controller $host:$controller_port, data $run/data)"
	nohup java "${java_opts[@]}" -cp "$(classpath)" kafka.Kafka "$run/server.properties" \
		>>"$run/stdout.log" 2>&1 </dev/null &
	echo $! >"$run/pid"
	wait_ready
}

start() {
	if pid_alive; then
		wait_ready
		return
	fi
	[[ -f "$run/server.properties" ]] || { log "no stopped broker in $run; use up"; exit 1; }
	launch
}

wait_ready() {
	local deadline=$((SECONDS + 90))
	until answers; do
		if ! pid_alive; then
			log "broker exited during start-up:"
			tail -n 40 "$run/stdout.log" "$run/server.log" >&2 2>/dev/null || true
			exit 1
		fi
		if ((SECONDS > deadline)); then
			log "broker did not answer on $host:$port within 90s"
			exit 1
		fi
		sleep 0.5
	done
	log "broker answers on $host:$port"
}

stop() {
	if pid_alive; then
		local pid
		pid="$(cat "$run/pid")"
		kill "$pid"
		for _ in $(seq 1 60); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.5
		done
		if kill -0 "$pid" 2>/dev/null; then
			log "broker did not stop within 30s; killing it"
			kill -9 "$pid" 2>/dev/null || true
		fi
		log "broker stopped"
	fi
	rm -f "$run/pid"
}

down() {
	stop
	rm -rf "$run"
}

status() {
	if answers; then
		echo "kafka: answering on $host:$port"
	else
		echo "kafka: not answering on $host:$port"
		return 1
	fi
}

case "${1:-}" in
fetch) fetch ;;
up) up ;;
down) down ;;
stop) stop ;;
start) start ;;
status) status ;;
*)
	echo "usage: $0 fetch|up|down|stop|start|status" >&2
	exit 2
	;;
esac
