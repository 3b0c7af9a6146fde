#!/usr/bin/env bash
# Runs Debian's redis-server on 127.0.0.1 for gostash's redis tests and
# benchmarks, with its own config and state, apart from any system service.
#
#   redis.sh up       install redis-server if missing, start a fresh server, wait until it answers
#   redis.sh down     stop the server and remove its state
#   redis.sh stop     stop the server, keeping its data (for restart tests)
#   redis.sh start    start a stopped server again on its kept data
#   redis.sh status   exit 0 when the server answers, 1 otherwise
#
# Environment:
#   GOSTASH_REDIS_PORT   TCP port (default 6379)
#   GOSTASH_REDIS_RUN    state dir holding config, pid, log, the unix socket
#                        redis.sock and the data (default ${TMPDIR:-/tmp}/gostash-redis)
#
# up and down are idempotent: up on a running server only checks that it answers.
# The data is kept in an append-only file, which redis-server syncs when it
# is stopped: stop/start keeps every acknowledged write.
set -euo pipefail

run="${GOSTASH_REDIS_RUN:-${TMPDIR:-/tmp}/gostash-redis}"
port="${GOSTASH_REDIS_PORT:-6379}"
host=127.0.0.1

log() { echo "redis.sh: $*" >&2; }

install() {
	command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return
	log "installing redis-server and redis-tools (Debian)"
	local sudo=()
	[[ "$(id -u)" == 0 ]] || sudo=(sudo)
	"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y redis-server redis-tools >&2 ||
		{ "${sudo[@]}" apt-get update >&2 && "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y redis-server redis-tools >&2; }
}

pid_alive() {
	[[ -f "$run/redis.pid" ]] && kill -0 "$(cat "$run/redis.pid")" 2>/dev/null
}

answers() {
	[[ "$(redis-cli -h "$host" -p "$port" ping 2>/dev/null)" == PONG ]]
}

write_config() {
	mkdir -p "$run/data"
	cat >"$run/redis.conf" <<CONF
bind $host
port $port
protected-mode yes
unixsocket $run/redis.sock
unixsocketperm 700
daemonize yes
pidfile $run/redis.pid
logfile $run/redis.log
dir $run/data
save ""
appendonly yes
appendfsync everysec
CONF
}

launch() {
	log "starting redis-server on $host:$port and $run/redis.sock (data $run/data)"
	redis-server "$run/redis.conf"
	wait_ready
}

wait_ready() {
	local deadline=$((SECONDS + 30))
	until answers; do
		if ((SECONDS > deadline)); then
			log "redis-server did not answer on $host:$port within 30s:"
			tail -n 20 "$run/redis.log" >&2 2>/dev/null || true
			exit 1
		fi
		sleep 0.1
	done
	log "redis-server answers on $host:$port"
}

up() {
	install
	if pid_alive; then
		wait_ready
		return
	fi
	if answers; then
		log "something else already answers on $host:$port; not starting another server"
		exit 1
	fi
	rm -rf "$run"
	write_config
	launch
}

start() {
	if pid_alive; then
		wait_ready
		return
	fi
	[[ -f "$run/redis.conf" ]] || { log "no stopped server in $run; use up"; exit 1; }
	launch
}

stop() {
	if pid_alive; then
		local pid
		pid="$(cat "$run/redis.pid")"
		kill "$pid"
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			log "redis-server did not stop within 10s; killing it"
			kill -9 "$pid" 2>/dev/null || true
		fi
		log "redis-server stopped"
	fi
	rm -f "$run/redis.pid"
}

down() {
	stop
	rm -rf "$run"
}

status() {
	if answers; then
		echo "redis: answering on $host:$port"
	else
		echo "redis: not answering on $host:$port"
		return 1
	fi
}

case "${1:-}" in
up) up ;;
down) down ;;
stop) stop ;;
start) start ;;
status) status ;;
*)
	echo "usage: $0 up|down|stop|start|status" >&2
	exit 2
	;;
esac
