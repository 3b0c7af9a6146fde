#!/bin/sh
# Regenerates, with Debian's Joda-Time (libjoda-time-java), the library
# behind Logstash's date filter:
#   testdata/filters/date/joda_parse.tsv    date strings parsed as the filter parses them
#   testdata/filters/date/joda_locales.tsv  the same for month/day/half-day/era names per locale
#   plugins/filters/date/locales_gen.go   month/day/half-day/era names per locale
set -eu
cd "$(dirname "$0")/../.."
[ -f /usr/share/java/joda-time.jar ] || apt-get install -y libjoda-time-java
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
javac -d "$build" -cp /usr/share/java/joda-time.jar scripts/golden/joda-parse/JodaParse.java scripts/golden/joda-parse/JodaLocales.java
java -Duser.timezone=UTC -cp "$build:/usr/share/java/joda-time.jar" JodaParse > testdata/filters/date/joda_parse.tsv
java -cp "$build:/usr/share/java/joda-time.jar" JodaLocales > plugins/filters/date/locales_gen.go
gofmt -l plugins/filters/date/locales_gen.go
wc -l testdata/filters/date/joda_parse.tsv
