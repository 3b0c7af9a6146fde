#!/bin/sh
# Regenerates the msgpack and fluent codec testcases' binary inputs and
# expected outputs with Ruby's msgpack gem, the library those Logstash
# codecs use (Debian's ruby-msgpack), and awesome_print for rubydebug.
# See scripts/golden/msgpack-codecs.rb.
set -eu
cd "$(dirname "$0")/../.."
if ! ruby -e 'require "msgpack"; require "awesome_print"' >/dev/null 2>&1; then
	apt-get install -y ruby ruby-msgpack ruby-awesome-print
fi
exec ruby scripts/golden/msgpack-codecs.rb "$@"
