#!/usr/bin/env bash
# Runs a MariaDB server from Debian's packages on 127.0.0.1 for the jdbc
# input's tests and benchmark, as a plain process (not the system service),
# with its own data dir.
#
#   mariadb.sh up       install mariadb-server with apt-get when missing, create a
#                       fresh data dir, start the server and wait until it answers
#   mariadb.sh down     stop the server and remove its data
#   mariadb.sh stop     stop the server, keeping its data (for outage tests)
#   mariadb.sh start    start a stopped server again on its data
#   mariadb.sh status   exit 0 when the server answers, 1 otherwise
#
# The server has the user gostash (password gostash) with every right on the
# database gostash; root has no password and logs in over the socket only.
# The server's time zone is UTC.
#
# Environment:
#   GOSTASH_MARIADB_PORT  TCP port (default 3307, beside a system server's 3306)
#   GOSTASH_MARIADB_RUN   state dir holding the data, socket, pid and log
#                         (default ${TMPDIR:-/tmp}/gostash-mariadb)
#
# up and down are idempotent: up on a running server only checks that it answers.
# Run as root, the server runs as the mysql user.
set -euo pipefail

port="${GOSTASH_MARIADB_PORT:-3307}"
run="${GOSTASH_MARIADB_RUN:-${TMPDIR:-/tmp}/gostash-mariadb}"
host=127.0.0.1

log() { echo "mariadb.sh: $*" >&2; }

install() {
	if [[ -x /usr/sbin/mariadbd ]] && command -v mariadb-install-db >/dev/null; then
		return
	fi
	log "installing mariadb-server with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq mariadb-server mariadb-client >/dev/null 2>&1 ||
		{ apt-get update -qq && apt-get install -y -qq mariadb-server mariadb-client >/dev/null; }
}

owner() {
	if [[ "$(id -u)" == 0 ]]; then echo mysql; else id -un; fi
}

answers() {
	mariadb-admin --no-defaults -h "$host" -P "$port" -u gostash -pgostash --connect-timeout=2 ping >/dev/null 2>&1
}

pid_alive() {
	[[ -f "$run/pid" ]] && kill -0 "$(cat "$run/pid")" 2>/dev/null
}

launch() {
	/usr/sbin/mariadbd --no-defaults --user="$(owner)" --datadir="$run/data" --socket="$run/sock" \
		--pid-file="$run/pid" --log-error="$run/server.log" --bind-address="$host" --port="$port" \
		--default-time-zone=+00:00 --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
		--innodb-flush-log-at-trx-commit=0 --innodb-buffer-pool-size=64M --skip-log-bin \
		>/dev/null 2>&1 &
	local i
	for i in $(seq 1 120); do
		if mariadb-admin --no-defaults -S "$run/sock" -u root ping >/dev/null 2>&1; then
			return
		fi
		sleep 0.5
	done
	log "the server did not start; its log:"
	tail -n 30 "$run/server.log" >&2
	exit 1
}

start() {
	if [[ ! -d "$run/data" ]]; then
		log "no data in $run (run up first)"
		exit 1
	fi
	pid_alive && return
	launch
}

stop() {
	pid_alive || return 0
	local pid
	pid="$(cat "$run/pid")"
	kill "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
}

up() {
	install
	if pid_alive && answers; then
		return
	fi
	if answers; then
		log "something else already answers on $host:$port; not starting another server"
		exit 1
	fi
	stop
	rm -rf "$run"
	mkdir -p "$run"
	[[ "$(id -u)" != 0 ]] || chown mysql: "$run"
	mariadb-install-db --no-defaults --user="$(owner)" --datadir="$run/data" \
		--auth-root-authentication-method=normal --skip-test-db >"$run/install.log" 2>&1 ||
		{ cat "$run/install.log" >&2; exit 1; }
	launch
	mariadb --no-defaults -S "$run/sock" -u root -e "
		CREATE DATABASE gostash CHARACTER SET utf8mb4;
		CREATE USER 'gostash'@'127.0.0.1' IDENTIFIED BY 'gostash';
		CREATE USER 'gostash'@'localhost' IDENTIFIED BY 'gostash';
		GRANT ALL ON gostash.* TO 'gostash'@'127.0.0.1';
		GRANT ALL ON gostash.* TO 'gostash'@'localhost';"
	log "MariaDB ready on $host:$port (database gostash, user gostash)"
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
