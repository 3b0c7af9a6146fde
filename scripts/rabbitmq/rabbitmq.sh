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
#   GOSTASH_RABBITMQ_PORT       AMQP port (default 5672); AMQPS (TLS) listens on the
#                               port below it (5671), the Erlang distribution on
#                               this plus 20000, as RabbitMQ derives it. The TLS
#                               listener's test CA, server certificate and client
#                               PKCS12 (password changeit) are in $GOSTASH_RABBITMQ_RUN/tls
#   GOSTASH_RABBITMQ_RUN        state dir (default ${TMPDIR:-/tmp}/gostash-rabbitmq)
#
# up and down are idempotent: up on a running node only checks that it answers.
# The node's default user is guest/guest, which RabbitMQ admits from loopback only.
set -euo pipefail

port="${GOSTASH_RABBITMQ_PORT:-5672}"
tls_port="$((port - 1))"
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
	# The package's scripts run Erlang tools that start an epmd listening on
	# every address; with no node registered it goes, and up starts one on
	# loopback.
	if ! /usr/lib/erlang/bin/epmd -names 2>/dev/null | grep -q '^name '; then
		/usr/lib/erlang/bin/epmd -kill >/dev/null 2>&1 || true
	fi
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

# make_certs writes a test CA, a server certificate for 127.0.0.1 and
# localhost signed by it, and a client key and certificate in a PKCS12 file
# (password "changeit", holding the CA too), under $run/tls. Kept across
# stop/start; remade by up.
make_certs() {
	local d="$run/tls"
	[[ -f $d/client.p12 ]] && return
	command -v openssl >/dev/null || { log "openssl is needed for the TLS listener (apt-get install -y openssl)"; exit 1; }
	mkdir -p "$d"
	(
		cd "$d"
		openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=gostash test CA" -keyout ca.key -out ca.pem 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile server.ext -out server.pem 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -subj "/CN=gostash test client" -keyout client.key -out client.csr 2>/dev/null
		printf 'extendedKeyUsage=clientAuth\n' >client.ext
		openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile client.ext -out client.pem 2>/dev/null
		openssl pkcs12 -export -in client.pem -inkey client.key -certfile ca.pem -passout pass:changeit -out client.p12
		# A CA nobody trusts, for the tests of a server that must be refused.
		openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=untrusted CA" -keyout other.key -out other.pem 2>/dev/null
		openssl pkcs12 -export -in other.pem -inkey other.key -passout pass:changeit -out untrusted.p12
		chmod 644 ./*
	)
}

configure() {
	mkdir -p "$run/mnesia" "$run/log"
	chmod 755 "$run"
	make_certs
	cat >"$run/rabbitmq.conf" <<-EOF
		listeners.tcp.default = 127.0.0.1:$port
		listeners.ssl.default = 127.0.0.1:$tls_port
		ssl_options.cacertfile = $run/tls/ca.pem
		ssl_options.certfile = $run/tls/server.pem
		ssl_options.keyfile = $run/tls/server.key
		ssl_options.verify = verify_peer
		ssl_options.fail_if_no_peer_cert = false
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
		rm -rf "$run/mnesia" "$run/tls"
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
