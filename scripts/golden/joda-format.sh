#!/bin/sh
# Regenerates the date golden files the runtime tests check:
#   testdata/event/joda_format.tsv      Joda-Time DateTimeFormat (sprintf %{+PATTERN})
#   testdata/event/javatime_format.tsv  java.time DateTimeFormatter (sprintf %{{PATTERN}})
#   testdata/event/timestamp_parse.tsv  @timestamp text parsing when an event is built from a map
#   testdata/event/timestamp_string.tsv the Timestamp text form (to_s, JSON, sprintf)
# Needs a JDK (javac) and Debian's libjoda-time-java (installed here when missing).
# Runs in the en_US locale, which Logstash's JVM uses for text fields, and with
# the JVM zone pinned to America/New_York so local times and DST gaps are covered.
# java.time output comes from the machine's JDK 17; Logstash 9 runs JDK 21. The
# two agree on every letter generated here except F, which JDK 19 redefined and
# the generator leaves out (the Go side follows JDK 21 for F).
set -eu
cd "$(dirname "$0")/../.."
[ -f /usr/share/java/joda-time.jar ] || apt-get install -y libjoda-time-java >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
javac -d "$work" -cp /usr/share/java/joda-time.jar scripts/golden/joda/DateGolden.java
run() {
	java -Duser.language=en -Duser.country=US -Duser.timezone=America/New_York \
		-cp "/usr/share/java/joda-time.jar:$work" DateGolden "$1"
}
mkdir -p testdata/event
run joda >testdata/event/joda_format.tsv
run javatime >testdata/event/javatime_format.tsv
run parse >testdata/event/timestamp_parse.tsv
run tostring >testdata/event/timestamp_string.tsv
wc -l testdata/event/joda_format.tsv testdata/event/javatime_format.tsv testdata/event/timestamp_parse.tsv testdata/event/timestamp_string.tsv
