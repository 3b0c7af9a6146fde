#!/bin/sh
# Regenerates testdata/filters/date/joda_parse.tsv with Debian's Joda-Time
# (libjoda-time-java), the library behind Logstash's date filter.
set -eu
cd "$(dirname "$0")/../.."
[ -f /usr/share/java/joda-time.jar ] || apt-get install -y libjoda-time-java
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
javac -d "$build" -cp /usr/share/java/joda-time.jar scripts/golden/joda-parse/JodaParse.java
java -Duser.timezone=UTC -cp "$build:/usr/share/java/joda-time.jar" JodaParse > testdata/filters/date/joda_parse.tsv
wc -l testdata/filters/date/joda_parse.tsv
