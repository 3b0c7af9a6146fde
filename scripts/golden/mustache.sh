#!/bin/sh
# Regenerates the email output's mustache goldens
# (plugins/outputs/email/testdata/mustache/expected.json): each template in
# cases.json rendered over the case event by Debian's ruby-mustache, the gem
# Logstash's email output renders template_file with.
set -eu
cd "$(dirname "$0")/../.."
command -v ruby >/dev/null || apt-get install -y ruby
ruby -e "require %q(mustache)" 2>/dev/null || apt-get install -y ruby-mustache
ruby scripts/golden/mustache.rb plugins/outputs/email/testdata/mustache
