#!/bin/sh
# Regenerates testdata/filters/ruby/*.tsv with Debian's Ruby (MRI): the Ruby
# string, number and regex semantics Logstash's filters inherit from JRuby.
set -eu
cd "$(dirname "$0")/../.."
command -v ruby >/dev/null || apt-get install -y ruby
ruby scripts/golden/ruby-semantics/gen.rb testdata/filters/ruby
wc -l testdata/filters/ruby/*.tsv
