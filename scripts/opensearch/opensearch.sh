#!/usr/bin/env bash
# Runs a single-node OpenSearch on 127.0.0.1 for gostash's elasticsearch and
# opensearch tests and benchmarks: plain HTTP, no security plugin, no auth.
#
#   opensearch.sh fetch    resolve the node's jars from Maven Central into the cache
#   opensearch.sh up       fetch if needed, start on a fresh data dir, wait until the
#                          cluster is yellow, then set replicas to 0 (indices go green)
#   opensearch.sh down     stop the node and remove its data
#   opensearch.sh stop     stop the node, keeping its data (for restart tests)
#   opensearch.sh start    start a stopped node again on its kept data
#   opensearch.sh status   exit 0 when the node answers, 1 otherwise
#
# Environment:
#   GOSTASH_OPENSEARCH_VERSION         OpenSearch release (default 2.19.6); the module
#                                      jar versions in pom.xml belong to it
#   GOSTASH_OPENSEARCH_CACHE           jars, laid out as an OpenSearch home with lib/ and
#                                      modules/ (default ~/.cache/gostash/opensearch-<version>)
#   GOSTASH_OPENSEARCH_RUN             state dir holding pid, config, data and logs
#                                      (default ${TMPDIR:-/tmp}/gostash-opensearch)
#   GOSTASH_OPENSEARCH_PORT            HTTP port (default 9200)
#   GOSTASH_OPENSEARCH_TRANSPORT_PORT  node-to-node port (default HTTP port + 100)
#   GOSTASH_OPENSEARCH_JAVA            java binary; default: `java` when it is 17..23,
#                                      else a Java 17 or 21 under /usr/lib/jvm. Java 24
#                                      removed the SecurityManager, which 2.x requires.
#
# up and down are idempotent: up on a running node only checks that it answers.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${GOSTASH_OPENSEARCH_VERSION:-2.19.6}"
cache="${GOSTASH_OPENSEARCH_CACHE:-$HOME/.cache/gostash/opensearch-$version}"
run="${GOSTASH_OPENSEARCH_RUN:-${TMPDIR:-/tmp}/gostash-opensearch}"
port="${GOSTASH_OPENSEARCH_PORT:-9200}"
transport_port="${GOSTASH_OPENSEARCH_TRANSPORT_PORT:-$((port + 100))}"
host=127.0.0.1
url="http://$host:$port"

log() { echo "opensearch.sh: $*" >&2; }

# module_descriptor writes the plugin-descriptor.properties (and, where the
# module needs more than the default permissions, plugin-security.policy)
# that the distribution ships beside each module's jars; Maven Central has
# only the jars.
module_descriptor() {
	local dir="$1" classname="$2" extends="$3" description="$4"
	{
		echo "name=$(basename "$dir")"
		echo "description=$description"
		echo "version=$version"
		echo "opensearch.version=$version"
		echo "java.version=11"
		echo "classname=$classname"
		[[ -z "$extends" ]] || echo "extended.plugins=$extends"
	} >"$dir/plugin-descriptor.properties"
}

# fetch_stamp identifies what fetch lays out: a cache made by another
# pom.xml or module table is fetched again.
fetch_stamp() {
	cat "$here/pom.xml" "$here/opensearch.sh" | cksum
}

fetch() {
	if [[ -f "$cache/.complete" && "$(cat "$cache/.complete")" == "$(fetch_stamp)" ]]; then
		return
	fi
	command -v mvn >/dev/null || { log "mvn is needed to fetch the node's jars (apt-get install -y maven)"; exit 1; }
	log "fetching OpenSearch $version jars into $cache"
	rm -rf "$cache.tmp"
	mkdir -p "$cache.tmp/plugins"
	mvn -q -B -Dstyle.color=never -f "$here/pom.xml" -Dopensearch.version="$version" \
		-Dlib.dir="$cache.tmp/lib" -Dmodules.dir="$cache.tmp/modules" \
		dependency:copy-dependencies@lib dependency:copy@modules
	rm -rf "$here/target"
	local m="$cache.tmp/modules"
	module_descriptor "$m/transport-netty4" org.opensearch.transport.Netty4Plugin "" "HTTP and transport layers on Netty 4"
	cat >"$m/transport-netty4/plugin-security.policy" <<'EOF'
grant {
  // Netty reads the kernel's accept backlog, accepts and opens sockets,
  // sets its threads' context class loader and probes sun.nio.ch.bugLevel.
  permission java.io.FilePermission "/proc/sys/net/core/somaxconn", "read";
  permission java.net.SocketPermission "*", "accept,connect";
  permission java.lang.RuntimePermission "*", "setContextClassLoader";
  permission java.lang.RuntimePermission "getClassLoader";
  permission java.util.PropertyPermission "sun.nio.ch.bugLevel", "write";
};
EOF
	module_descriptor "$m/lang-painless" org.opensearch.painless.PainlessPlugin "" "The Painless scripting language"
	cat >"$m/lang-painless/plugin-security.policy" <<'EOF'
grant {
  // Painless compiles scripts to classes in class loaders of its own.
  permission java.lang.RuntimePermission "createClassLoader";
  permission java.lang.RuntimePermission "getClassLoader";
};
EOF
	# Both ship a Painless allow-list extension, so they extend lang-painless.
	module_descriptor "$m/ingest-common" org.opensearch.ingest.common.IngestCommonPlugin lang-painless "Common ingest processors"
	module_descriptor "$m/analysis-common" org.opensearch.analysis.common.CommonAnalysisPlugin lang-painless "Built-in analyzers"
	module_descriptor "$m/mapper-extras" org.opensearch.index.mapper.MapperExtrasPlugin "" "Extra field mappers"
	module_descriptor "$m/parent-join" org.opensearch.join.ParentJoinPlugin "" "The join field type"
	rm -rf "$cache"
	mv "$cache.tmp" "$cache"
	fetch_stamp >"$cache/.complete"
}

# pick_java sets java to a binary that can run OpenSearch 2.x here (Java 17
# to 23) and java_build to its exact VM build, which keys the class archive.
pick_java() {
	local candidates=("${GOSTASH_OPENSEARCH_JAVA:-}")
	[[ -n "${candidates[0]}" ]] ||
		candidates=(java /usr/lib/jvm/java-17-openjdk-*/bin/java /usr/lib/jvm/java-21-openjdk-*/bin/java)
	local candidate props major
	for candidate in "${candidates[@]}"; do
		command -v "$candidate" >/dev/null 2>&1 || continue
		props="$("$candidate" -XshowSettings:properties -version 2>&1)"
		major="$(sed -n 's/^ *java\.specification\.version = //p' <<<"$props")"
		if [[ "$major" =~ ^[0-9]+$ ]] && ((major >= 17 && major <= 23)); then
			java="$candidate"
			java_build="$(sed -n 's/^ *java\.vm\.version = //p' <<<"$props")"
			return
		fi
	done
	log "no Java 17..23 found (OpenSearch $version needs the SecurityManager Java 24 removed);" \
		"apt-get install -y openjdk-17-jre-headless or set GOSTASH_OPENSEARCH_JAVA"
	exit 1
}

pid_alive() {
	[[ -f "$run/pid" ]] && kill -0 "$(cat "$run/pid")" 2>/dev/null
}

# answers checks that an HTTP server on the port replies to GET /.
answers() {
	curl -fsS -m 2 -o /dev/null "$url/" 2>/dev/null
}

write_config() {
	mkdir -p "$run/config" "$run/data" "$run/logs" "$run/tmp"
	cat >"$run/config/opensearch.yml" <<EOF
cluster.name: gostash-test
node.name: gostash-node
path.data: $run/data
path.logs: $run/logs
network.host: $host
http.port: $port
transport.port: $transport_port
discovery.type: single-node
# Elasticsearch clients (Logstash's output among them) check the version in
# GET /; 7.10.2 is the last release both engines share.
compatibility.override_main_response_version: true
# A nearly full CI disk must not turn test indices read-only.
cluster.routing.allocation.disk.threshold_enabled: false
# Without JNA (see java_opts) there is no seccomp filter to install.
bootstrap.system_call_filter: false
EOF
	cat >"$run/config/log4j2.properties" <<'EOF'
status = error
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${sys:opensearch.logs.base_path}${sys:file.separator}${sys:opensearch.logs.cluster_name}.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d{ISO8601}][%-5p][%c{1.}] [%node_name]%marker %m%n
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
EOF
}

# -Djna.nosys and -Djna.nounpack keep JNA from loading its native library.
# Without it OpenSearch cannot tell it runs as root (it refuses root when it
# can tell; the machines here run everything as root) and skips mlockall and
# the seccomp filter, none of which a throwaway test node needs.
java_opts() {
	echo -Xms256m -Xmx512m -Xss1m -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow \
		-Djava.security.manager=allow -Djava.locale.providers=SPI,COMPAT \
		-Djna.nosys=true -Djna.nounpack=true -Dfile.encoding=UTF-8 \
		-Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true \
		-Dio.netty.recycler.maxCapacityPerThread=0 -Dio.netty.allocator.numDirectArenas=0 \
		-Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true -Dlog4j2.formatMsgNoLookups=true \
		-Djava.io.tmpdir="$run/tmp" \
		-Dopensearch.path.home="$cache" -Dopensearch.path.conf="$run/config" \
		-Dopensearch.distribution.type=tar -Dopensearch.bundled_jdk=false
}

up() {
	fetch
	if pid_alive; then
		wait_ready
		no_replicas
		return
	fi
	if answers; then
		log "something else already answers on $url; not starting another node"
		exit 1
	fi
	rm -rf "$run"
	write_config
	launch
	no_replicas
}

# no_replicas makes indices created without an explicit replica count
# (daily indices, data stream backing indices, template-made ones) green: a
# single node cannot place replicas. It is a persistent cluster setting, kept
# in the data dir across stop/start; as a node setting in opensearch.yml it
# is shown but not applied to new indices.
no_replicas() {
	curl -fsS -m 10 -o /dev/null -X PUT "$url/_cluster/settings" -H 'Content-Type: application/json' \
		-d '{"persistent":{"cluster.default_number_of_replicas":0}}' ||
		{ log "could not set cluster.default_number_of_replicas"; exit 1; }
}

# Start-up is CPU-bound (class loading, Painless building its allow-lists,
# the JIT): about 18 s of CPU. A class-data-sharing archive of the classes a
# node loaded cuts that to about 11 s. The first node to exit cleanly writes
# it (stop moves it into the cache); later starts on the same Java map it.
# An archive the JVM cannot use is ignored with a warning, never fatal.
launch() {
	local java java_build
	pick_java
	local archive
	archive="$cache/classes-$(cksum <<<"$java_build" | cut -d' ' -f1).jsa"
	local cds=(-XX:SharedArchiveFile="$archive")
	if [[ ! -f "$archive" ]]; then
		cds=(-XX:ArchiveClassesAtExit="$run/classes.jsa")
		echo "$archive" >"$run/classes.target"
	fi
	log "starting OpenSearch $version on $url (transport $host:$transport_port, data $run/data)"
	# shellcheck disable=SC2046 # java_opts is a list of words
	nohup "$java" $(java_opts) "${cds[@]}" -cp "$cache/lib/*" org.opensearch.bootstrap.OpenSearch \
		>>"$run/stdout.log" 2>&1 </dev/null &
	echo $! >"$run/pid"
	wait_ready
}

# keep_class_archive moves the archive a cleanly exited node wrote into the
# cache, copying first so that a reader never maps a half-written file.
keep_class_archive() {
	if [[ -s "$run/classes.jsa" && -f "$run/classes.target" ]]; then
		local target
		target="$(cat "$run/classes.target")"
		cp "$run/classes.jsa" "$target.$$" && mv "$target.$$" "$target"
	fi
	rm -f "$run/classes.jsa" "$run/classes.target"
}

start() {
	if pid_alive; then
		wait_ready
		return
	fi
	[[ -f "$run/config/opensearch.yml" ]] || { log "no stopped node in $run; use up"; exit 1; }
	launch
}

# wait_ready waits until the cluster is at least yellow: the node answers,
# has elected itself and recovered its indices.
wait_ready() {
	local deadline=$((SECONDS + 120))
	until curl -fsS -m 5 -o /dev/null "$url/_cluster/health?wait_for_status=yellow&timeout=2s" 2>/dev/null; do
		if ! pid_alive; then
			log "node exited during start-up:"
			tail -n 40 "$run/stdout.log" "$run/logs/gostash-test.log" >&2 2>/dev/null || true
			exit 1
		fi
		if ((SECONDS > deadline)); then
			log "node was not yellow on $url within 120s"
			exit 1
		fi
		sleep 0.5
	done
	log "node answers on $url"
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
			log "node did not stop within 30s; killing it"
			kill -9 "$pid" 2>/dev/null || true
			rm -f "$run/classes.jsa"
		fi
		log "node stopped"
		keep_class_archive
	fi
	rm -f "$run/pid"
}

down() {
	stop
	rm -rf "$run"
}

status() {
	if answers; then
		echo "opensearch: answering on $url"
	else
		echo "opensearch: not answering on $url"
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
