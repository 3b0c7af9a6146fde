#!/usr/bin/env bash
# Runs a PostgreSQL server from Debian's packages on 127.0.0.1 for the jdbc
# input's tests and benchmark, as a plain process (not the system service),
# with its own cluster under a state dir.
#
#   postgres.sh up       install postgresql with apt-get when missing, initdb a fresh
#                        cluster, start it and wait until it accepts connections
#   postgres.sh down     stop the server and remove its cluster
#   postgres.sh stop     stop the server, keeping its cluster (for outage tests)
#   postgres.sh start    start a stopped server again on its cluster
#   postgres.sh status   exit 0 when the server accepts connections, 1 otherwise
#
# The cluster has the user gostash (password gostash) owning the database
# gostash; the superuser postgres has the same password. Connections need
# the password (scram-sha-256). The server's time zone is UTC.
#
# Environment:
#   GOSTASH_POSTGRES_PORT  TCP port (default 5433, beside a system server's 5432)
#   GOSTASH_POSTGRES_RUN   state dir holding the cluster, socket and log
#                          (default ${TMPDIR:-/tmp}/gostash-postgres)
#
# up and down are idempotent: up on a running server only checks that it answers.
# Run as root, the server runs as the postgres user, which refuses root.
set -euo pipefail

port="${GOSTASH_POSTGRES_PORT:-5433}"
run="${GOSTASH_POSTGRES_RUN:-${TMPDIR:-/tmp}/gostash-postgres}"
host=127.0.0.1

log() { echo "postgres.sh: $*" >&2; }

# bindir finds the newest installed server's programs, installing the
# package first when there is none.
bindir() {
	local d
	d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
	if [[ -z "$d" || ! -x "$d/initdb" ]]; then
		log "installing postgresql with apt-get"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -qq postgresql >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; }
		d="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
	fi
	echo "$d"
}

# as_owner runs a command as the cluster's owner: postgres when we are root.
as_owner() {
	if [[ "$(id -u)" == 0 ]]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

answers() {
	local bin
	bin="$(bindir)"
	"$bin/pg_isready" -q -h "$host" -p "$port" -t 2
}

pg_ctl_do() {
	local bin
	bin="$(bindir)"
	as_owner "$bin/pg_ctl" -D "$run/data" -l "$run/server.log" -w -t 60 "$@" >/dev/null
}

start() {
	if [[ ! -d "$run/data" ]]; then
		log "no cluster in $run (run up first)"
		exit 1
	fi
	if answers; then
		return
	fi
	pg_ctl_do start || { tail -n 30 "$run/server.log" >&2; exit 1; }
}

stop() {
	[[ -f "$run/data/postmaster.pid" ]] || return 0
	pg_ctl_do stop -m fast || true
}

up() {
	local bin
	bin="$(bindir)"
	if [[ -f "$run/data/postmaster.pid" ]] && answers; then
		return
	fi
	if answers; then
		log "something else already answers on $host:$port; not starting another server"
		exit 1
	fi
	rm -rf "$run"
	mkdir -p "$run"
	echo gostash >"$run/pwfile"
	[[ "$(id -u)" != 0 ]] || chown -R postgres: "$run"
	as_owner "$bin/initdb" -D "$run/data" -U postgres --pwfile="$run/pwfile" --auth=scram-sha-256 \
		-E UTF8 --locale=C.UTF-8 >"$run/initdb.log" 2>&1 || { cat "$run/initdb.log" >&2; exit 1; }
	cat >>"$run/data/postgresql.conf" <<CONF
listen_addresses = '$host'
port = $port
unix_socket_directories = '$run'
timezone = 'UTC'
log_timezone = 'UTC'
fsync = off
synchronous_commit = off
CONF
	pg_ctl_do start || { tail -n 30 "$run/server.log" >&2; exit 1; }
	PGPASSWORD=gostash "$bin/psql" -q -h "$host" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
		-c "CREATE ROLE gostash LOGIN PASSWORD 'gostash'" -c "CREATE DATABASE gostash OWNER gostash" >/dev/null
	log "PostgreSQL ready on $host:$port (database gostash, user gostash)"
}

down() {
	stop
	rm -rf "$run"
}

case "${1:-}" in
up) up ;;
down) down ;;
stop) stop ;;
start) start ;;
status) answers ;;
*)
	echo "usage: $0 up|down|stop|start|status" >&2
	exit 2
	;;
esac
