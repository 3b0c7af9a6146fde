#!/bin/sh
# Regenerates the rubydebug codec's golden files under testdata/codecs/rubydebug/
# with the Ruby library Logstash prints them with. See scripts/golden/rubydebug.rb.
#
# Plain output comes from Debian's ruby-awesome-print (identical for event data
# to amazing_print 1.x, which Logstash's rubydebug 3.1 uses). Coloured output
# needs amazing_print itself (hash keys are coloured since 1.6): point
# AMAZING_PRINT_LIB at the lib/ directory of an amazing_print v1.8.1 checkout
# (https://github.com/amazing-print/amazing_print, tag v1.8.1) to (re)write the
# *.color.txt files too; without it they are left as they are.
set -eu
cd "$(dirname "$0")/../.."
if ! command -v ruby >/dev/null 2>&1 || ! ruby -e 'require "awesome_print"' >/dev/null 2>&1; then
	apt-get install -y ruby ruby-awesome-print
fi
exec ruby scripts/golden/rubydebug.rb "$@"
