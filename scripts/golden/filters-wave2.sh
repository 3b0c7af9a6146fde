#!/bin/sh
# Regenerates the expected_stdout of the wave-2 filter and codec testcases
# (plugins/{filters,codecs}/*/testcases/*) with the Ruby libraries Logstash
# itself runs: awesome_print for rubydebug, the stdlib CSV for the csv filter
# and codec. See scripts/golden/filters-wave2.rb.
set -eu
cd "$(dirname "$0")/../.."
if ! command -v ruby >/dev/null 2>&1 || ! ruby -e 'require "awesome_print"' >/dev/null 2>&1; then
	apt-get install -y ruby ruby-awesome-print
fi
exec ruby scripts/golden/filters-wave2.rb "$@"
