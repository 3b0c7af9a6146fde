#!/bin/sh
# Regenerates internal/deadletter/testdata: logstash/1.log, a dead letter
# queue segment written as Logstash writes one (DLQEntry fields, the event
# through a Jackson CBOR mapper set up as Logstash's, RecordIOWriter
# framing), with logstash/expected.txt, the entries it holds; and
# gostash/jackson-read.txt, what that mapper reads from gostash/1.log, the
# segment gostash writes (rewritten first by the Go test with -update).
# internal/deadletter's TestReadsASegmentLogstashWrote and
# TestWritesWhatLogstashReads check both directions against these files.
# Needs a JDK and Maven (for Jackson 2.21.4, Logstash 9's version, from
# Maven Central).
set -eu
cd "$(dirname "$0")/../.."
version=2.21.4
for a in com.fasterxml.jackson.dataformat:jackson-dataformat-cbor com.fasterxml.jackson.core:jackson-databind; do
	mvn -q dependency:get -Dartifact="$a:$version" >/dev/null
done
m2=${HOME}/.m2/repository/com/fasterxml/jackson
cp=$m2/dataformat/jackson-dataformat-cbor/$version/jackson-dataformat-cbor-$version.jar
cp=$cp:$m2/core/jackson-databind/$version/jackson-databind-$version.jar
cp=$cp:$m2/core/jackson-core/$version/jackson-core-$version.jar
cp=$cp:$(ls "$m2"/core/jackson-annotations/2.21*/jackson-annotations-2.21*.jar | head -n1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
javac -d "$work" -cp "$cp" $(find scripts/golden/dlq -name '*.java')
out=internal/deadletter/testdata
mkdir -p "$out/logstash" "$out/gostash"
java -cp "$cp:$work" DLQGolden write "$out/logstash" >"$out/logstash/expected.txt"
go test ./internal/deadletter -run '^TestWritesWhatLogstashReads$' -count=1 -args -update >/dev/null
java -cp "$cp:$work" DLQGolden read "$out/gostash/1.log" >"$out/gostash/jackson-read.txt"
wc -c "$out"/logstash/* "$out"/gostash/*
