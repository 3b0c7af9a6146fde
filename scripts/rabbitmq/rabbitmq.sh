#!/usr/bin/env bash
# Runs a RabbitMQ node (Debian's rabbitmq-server) on 127.0.0.1 for gostash's
# rabbitmq input and output tests and benchmarks. The node is a plain
# process of this script, not the Debian service: its state, logs, cookie
# and plugin list live under one directory, so it neither needs nor touches
# /var/lib/rabbitmq, and every listener (AMQP, Erlang distribution, epmd)
# is bound to the loopback address.
#
#   rabbitmq.sh up      install rabbitmq-server (and python3-pika, the tests'
#                       independent client) when missing, start the node on a
#                       fresh state dir, wait until it accepts AMQP connections
#   rabbitmq.sh down    stop the node and remove its state
#   rabbitmq.sh stop    stop the node, keeping its state (for restart tests)
#   rabbitmq.sh start   start a stopped node again on its kept state
#   rabbitmq.sh status  exit 0 when the node answers, 1 otherwise
#
# Environment:
#   GOSTASH_RABBITMQ_PORT       AMQP port (default 5672); the Erlang distribution
#                               port is this plus 20000, as RabbitMQ derives it
#   GOSTASH_RABBITMQ_RUN        state dir (default ${TMPDIR:-/tmp}/gostash-rabbitmq)
#
# up and down are idempotent: up on a running node only checks that it answers.
# The node's default user is guest/guest, which RabbitMQ admits from loopback only.
set -euo pipefail

port="${GOSTASH_RABBITMQ_PORT:-5672}"
run="${GOSTASH_RABBITMQ_RUN:-${TMPDIR:-/tmp}/gostash-rabbitmq}"
node="gostash-$port@localhost"
server=/usr/lib/rabbitmq/bin/rabbitmq-server
ctl=/usr/lib/rabbitmq/bin/rabbitmqctl

log() { echo "rabbitmq.sh: $*" >&2; }

install() {
	# python3-pika is the tests' and the benchmark's independent AMQP client.
	[[ -x $server ]] && /usr/bin/python3 -c 'import pika' 2>/dev/null && return
	log "installing Debian's rabbitmq-server and python3-pika"
	# A policy-rc.d that refuses keeps the package from starting its own
	# service (bound to every address) while it installs.
	local policy=/usr/sbin/policy-rc.d own_policy=
	if [[ ! -e $policy ]]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod +x "$policy"
		own_policy=1
	fi
	# A machine that never ran apt-get update has no package lists yet.
	apt-cache show rabbitmq-server >/dev/null 2>&1 || apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq rabbitmq-server python3-pika >&2 || {
		[[ -z $own_policy ]] || rm -f "$policy"
		exit 1
	}
	[[ -z $own_policy ]] || rm -f "$policy"
	stop_debian_service
}

# stop_debian_service stops and disables the packaged service if anything
# started it: it would hold port 5672 on every address.
stop_debian_service() {
	if command -v systemctl >/dev/null && systemctl is-active --quiet rabbitmq-server 2>/dev/null; then
		log "stopping and disabling the Debian rabbitmq-server service"
		systemctl disable --now rabbitmq-server >&2 || true
	elif [[ -x /etc/init.d/rabbitmq-server ]] && /etc/init.d/rabbitmq-server status >/dev/null 2>&1; then
		log "stopping the Debian rabbitmq-server service"
		/etc/init.d/rabbitmq-server stop >&2 || true
		command -v update-rc.d >/dev/null && update-rc.d rabbitmq-server disable >/dev/null 2>&1 || true
	fi
}

# node_env runs a command with the environment that makes RabbitMQ's
# scripts use this node: its name, state dirs, config, and cookie (in HOME).
node_env() {
	env HOME="$run" \
		RABBITMQ_NODENAME="$node" \
		RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
		RABBITMQ_NODE_PORT="$port" \
		RABBITMQ_DIST_PORT="$((port + 20000))" \
		RABBITMQ_MNESIA_BASE="$run/mnesia" \
		RABBITMQ_LOG_BASE="$run/log" \
		RABBITMQ_PID_FILE="$run/node.pid" \
		RABBITMQ_CONFIG_FILE="$run/rabbitmq.conf" \
		RABBITMQ_ADVANCED_CONFIG_FILE="$run/advanced.config" \
		RABBITMQ_ENABLED_PLUGINS_FILE="$run/enabled_plugins" \
		RABBITMQ_CONF_ENV_FILE="$run/rabbitmq-env.conf" \
		RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
		ERL_EPMD_ADDRESS=127.0.0.1 \
		"$@"
}

status() {
	[[ -x $ctl && -f $run/node.pid ]] || return 1
	node_env "$ctl" -n "$node" -q status >/dev/null 2>&1
}

configure() {
	mkdir -p "$run/mnesia" "$run/log"
	chmod 700 "$run"
	cat >"$run/rabbitmq.conf" <<-EOF
		listeners.tcp.default = 127.0.0.1:$port
		loopback_users.guest = true
		log.file.level = info
		log.console = false
		# A shared CI machine is often short of disk; do not block publishers for it.
		disk_free_limit.absolute = 50MB
	EOF
	echo '[].' >"$run/advanced.config"
	echo '[].' >"$run/enabled_plugins"
	: >"$run/rabbitmq-env.conf"
	[[ -f $run/.erlang.cookie ]] || {
		head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$run/.erlang.cookie"
		chmod 400 "$run/.erlang.cookie"
	}
}

start() {
	if status; then
		return
	fi
	configure
	# Erlang would start epmd itself, listening on every address; started
	# here first, it listens on loopback only (a running epmd is kept).
	ERL_EPMD_ADDRESS=127.0.0.1 /usr/lib/erlang/bin/epmd -address 127.0.0.1 -daemon
	log "starting node $node on 127.0.0.1:$port (state in $run)"
	node_env setsid "$server" >"$run/log/stdout.log" 2>&1 </dev/null &
	local i
	for ((i = 0; i < 120; i++)); do
		if node_env "$ctl" -n "$node" -q await_startup --timeout 1 >/dev/null 2>&1; then
			log "node $node is up"
			return
		fi
		if [[ -f $run/node.pid ]] && ! kill -0 "$(cat "$run/node.pid")" 2>/dev/null; then
			break
		fi
		sleep 1
	done
	log "the node did not start; its logs:"
	tail -n 40 "$run/log/stdout.log" "$run"/log/*.log >&2 || true
	exit 1
}

stop() {
	[[ -f $run/node.pid ]] || return 0
	local pid
	pid="$(cat "$run/node.pid")"
	if kill -0 "$pid" 2>/dev/null; then
		node_env "$ctl" -n "$node" -q stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
		local i
		for ((i = 0; i < 60; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.5
		done
		if kill -0 "$pid" 2>/dev/null; then
			log "node $pid did not stop; killing it"
			kill -9 "$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$run/node.pid"
}

case "${1:-}" in
up)
	install
	stop_debian_service
	if ! status; then
		stop
		rm -rf "$run/mnesia"
		start
	fi
	;;
down)
	stop
	rm -rf "$run"
	# The epmd that up started goes too, unless other nodes use it.
	if [[ -x /usr/lib/erlang/bin/epmd ]] && ! /usr/lib/erlang/bin/epmd -names 2>/dev/null | grep -q '^name '; then
		/usr/lib/erlang/bin/epmd -kill >/dev/null 2>&1 || true
	fi
	;;
stop) stop ;;
start)
	install
	start
	;;
status) status ;;
*)
	echo "usage: $0 up|down|stop|start|status" >&2
	exit 2
	;;
esac
