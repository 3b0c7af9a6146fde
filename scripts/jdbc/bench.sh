#!/usr/bin/env bash
# Measures the jdbc input's read rate beside each database's own command-line
# client on the same table, interleaved (gostash, client, gostash, client...):
#   PostgreSQL: jdbc -> json_lines -> /dev/null  vs  psql \copy (SELECT ...) TO /dev/null
#   MariaDB:    jdbc -> json_lines -> /dev/null  vs  mariadb --batch -e 'SELECT ...' > /dev/null
# Usage: scripts/jdbc/bench.sh [ROWS] [ROUNDS]   (default 200000 rows, 3 rounds),
# after scripts/postgres/postgres.sh up and scripts/mariadb/mariadb.sh up (an
# engine whose server does not answer is skipped). Ports from
# GOSTASH_POSTGRES_PORT (5433) and GOSTASH_MARIADB_PORT (3307).
# Each line gives the client process's CPU seconds (user+sys; the server's
# work is not counted for either) and wall-clock rows/s, including start-up.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
n="${1:-200000}"
rounds="${2:-3}"
pg_port="${GOSTASH_POSTGRES_PORT:-5433}"
my_port="${GOSTASH_MARIADB_PORT:-3307}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/gostash" ./cmd/gostash)

columns="id, created, name, amount"
statement="SELECT $columns FROM bench_rows ORDER BY id"

# measure LABEL CMD...: runs CMD and prints its CPU seconds and rows/s.
measure() {
	local label="$1"
	shift
	local TIMEFORMAT="%R %U %S"
	local t
	t="$( { time "$@" >/dev/null 2>"$work/err"; } 2>&1)" || { cat "$work/err" >&2; exit 1; }
	read -r real user sys <<<"$t"
	LABEL="$label" awk -v n="$n" -v r="$real" -v u="$user" -v s="$sys" \
		'BEGIN { printf "%-52s %6.2f CPU-s  %9.0f rows/CPU-s  %9.0f rows/s\n", ENVIRON["LABEL"], u + s, n / (u + s), n / r }'
}

gostash_run() {
	"$work/gostash" --log.level error --api.enabled false -w 1 -e "
input { jdbc { jdbc_driver_class => '$1' jdbc_connection_string => '$2' jdbc_user => 'gostash' jdbc_password => 'gostash'
  statement => '$statement' record_last_run => false } }
output { stdout { codec => json_lines } }"
}

if PGPASSWORD=gostash psql -q -h 127.0.0.1 -p "$pg_port" -U gostash -d gostash -c "SELECT 1" >/dev/null 2>&1; then
	export PGPASSWORD=gostash
	psql -q -h 127.0.0.1 -p "$pg_port" -U gostash -d gostash -v ON_ERROR_STOP=1 >/dev/null <<SQL
SET client_min_messages TO warning;
DROP TABLE IF EXISTS bench_rows;
CREATE TABLE bench_rows AS SELECT g AS id, timestamp '2026-01-01' + g * interval '1 second' AS created,
  'name-' || g AS name, (g % 100000) / 100.0 :: numeric(10,2) AS amount FROM generate_series(1, $n) g;
SQL
	echo "PostgreSQL, $n rows ($columns)"
	for _ in $(seq "$rounds"); do
		measure "  gostash jdbc -> json_lines -> /dev/null" gostash_run org.postgresql.Driver "jdbc:postgresql://127.0.0.1:$pg_port/gostash"
		measure "  psql \\copy (SELECT ...) TO /dev/null (CSV)" psql -q -h 127.0.0.1 -p "$pg_port" -U gostash -d gostash \
			-c "\\copy ($statement) TO '/dev/null' CSV"
	done
	psql -q -h 127.0.0.1 -p "$pg_port" -U gostash -d gostash -c "DROP TABLE bench_rows"
else
	echo "PostgreSQL on 127.0.0.1:$pg_port does not answer: skipped (scripts/postgres/postgres.sh up)"
fi

my() { mariadb --no-defaults -h 127.0.0.1 -P "$my_port" -u gostash -pgostash gostash "$@"; }
if my -e "SELECT 1" >/dev/null 2>&1; then
	my -e "DROP TABLE IF EXISTS bench_rows;
CREATE TABLE bench_rows (id BIGINT PRIMARY KEY, created DATETIME, name VARCHAR(20), amount DECIMAL(10,2));
INSERT INTO bench_rows SELECT seq, TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq SECOND, CONCAT('name-', seq), (seq % 100000) / 100.0
  FROM seq_1_to_$n;"
	echo "MariaDB, $n rows ($columns)"
	for _ in $(seq "$rounds"); do
		measure "  gostash jdbc -> json_lines -> /dev/null" gostash_run org.mariadb.jdbc.Driver "jdbc:mariadb://127.0.0.1:$my_port/gostash"
		measure "  mariadb --batch -e 'SELECT ...' > /dev/null" my --batch --quick -e "$statement"
	done
	my -e "DROP TABLE bench_rows"
else
	echo "MariaDB on 127.0.0.1:$my_port does not answer: skipped (scripts/mariadb/mariadb.sh up)"
fi
