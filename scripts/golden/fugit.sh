#!/bin/sh
# Regenerates, with Debian's fugit (the cron and duration parser that
# rufus-scheduler, and so Logstash's scheduled inputs, use), the expected
# next times of the cron lines and the seconds of the durations that the
# schedule package's tests read:
#   plugins/internal/schedule/testdata/cron.tsv      from cron_cases.tsv
#   plugins/internal/schedule/testdata/duration.tsv  from duration_cases.txt
set -eu
cd "$(dirname "$0")/../.."
command -v ruby >/dev/null || apt-get install -y ruby
ruby -e 'require "fugit"' 2>/dev/null || apt-get install -y ruby-fugit
ruby scripts/golden/fugit/gen.rb plugins/internal/schedule/testdata
wc -l plugins/internal/schedule/testdata/cron.tsv plugins/internal/schedule/testdata/duration.tsv
