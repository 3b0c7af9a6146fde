#!/bin/sh
# Regenerates the ruby filter's test cases' expected output
# (plugins/filters/ruby/testcases/*/expected_stdout) by running each case's
# code directly in Debian's Ruby (MRI), on a reference model of Logstash's
# Event, with no gostash in between, printed by awesome_print as the
# rubydebug codec prints events.
set -eu
cd "$(dirname "$0")/../.."
command -v ruby >/dev/null || apt-get install -y ruby
ruby -e "require %q(awesome_print)" 2>/dev/null || apt-get install -y ruby-awesome-print
ruby scripts/golden/ruby-filter/gen.rb plugins/filters/ruby/testcases
