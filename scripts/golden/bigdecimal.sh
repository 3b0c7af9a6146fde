#!/bin/sh
# Regenerates testdata/event/jackson/bigdecimal.tsv: JSON decimals as
# Logstash's json filter holds them (a JRuby BigDecimal wrapping Jackson's
# getDecimalValue()), with what JRuby and Jackson make of each: Java
# toString, Jackson's JSON, Ruby to_s and to_s('F'), to_f, to_i and the
# comparisons Logstash's conditions make (see BigDecimalGolden.java).
# runtime's TestDecimalGolden and the condition tests check gostash
# against it.
# Needs the JRuby Logstash bundles (versions.yml: 10.0.6.0), fetched from
# Maven Central when missing, a JDK 21 or later to run it, and Debian's
# libjackson2-databind-java (installed when missing).
set -eu
cd "$(dirname "$0")/../.."
jruby_version=10.0.6.0
jruby=$HOME/.m2/repository/org/jruby/jruby-complete/$jruby_version/jruby-complete-$jruby_version.jar
[ -f "$jruby" ] || mvn -q dependency:get -Dartifact=org.jruby:jruby-complete:$jruby_version -Dtransitive=false
[ -f /usr/share/java/jackson-databind.jar ] || apt-get install -y libjackson2-databind-java >/dev/null
java_home=${JAVA_HOME:-$(ls -d /usr/lib/jvm/temurin-2[1-9]* /usr/lib/jvm/java-2[1-9]-* 2>/dev/null | head -1)}
cp=$jruby:/usr/share/java/jackson-databind.jar:/usr/share/java/jackson-core.jar:/usr/share/java/jackson-annotations.jar
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$java_home/bin/javac" -d "$work" -cp "$cp" scripts/golden/bigdecimal/BigDecimalGolden.java
mkdir -p testdata/event/jackson
"$java_home/bin/java" -cp "$cp:$work" BigDecimalGolden >testdata/event/jackson/bigdecimal.tsv
wc -l testdata/event/jackson/bigdecimal.tsv
