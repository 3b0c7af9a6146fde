#!/bin/sh
# Regenerates testdata/event/jackson/decode.tsv: JSON documents, valid and
# broken in one place, with Jackson's verdict (the last root value, or the
# error message and location), checked by TestDecodeJSONGolden; and
# testdata/event/jackson/cases.tsv: random values (strings with
# control characters, non-ASCII and invalid UTF-8, doubles with edge cases,
# longs, big integers, nested maps and lists) and the exact bytes Jackson's
# default ObjectMapper writes for them. runtime's TestAppendJSONGolden checks
# that AppendJSON writes the same bytes.
# Needs a JDK and Debian's libjackson2-databind-java (installed when missing).
# Doubles whose JDK 17 Double.toString is not the shortest form are left out:
# Logstash 9 runs JDK 21, whose Double.toString differs exactly there (see
# JacksonGolden.java).
set -eu
cd "$(dirname "$0")/../.."
[ -f /usr/share/java/jackson-databind.jar ] || apt-get install -y libjackson2-databind-java >/dev/null
cp=/usr/share/java/jackson-databind.jar:/usr/share/java/jackson-core.jar:/usr/share/java/jackson-annotations.jar
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
javac -d "$work" -cp "$cp" scripts/golden/jackson/JacksonGolden.java
mkdir -p testdata/event/jackson
java -cp "$cp:$work" JacksonGolden >testdata/event/jackson/cases.tsv
java -cp "$cp:$work" JacksonGolden decode >testdata/event/jackson/decode.tsv
wc -l testdata/event/jackson/cases.tsv testdata/event/jackson/decode.tsv
