#!/bin/sh
# Regenerates testdata/filters/geoip/inetaddress.tsv: what Java's
# InetAddress.getByName (which the geoip filter calls on the source value)
# makes of address text, with the JDK's own parser. Host names are looked up
# in an empty hosts file only, so nothing is sent to a DNS server.
set -eu
cd "$(dirname "$0")/../.."
command -v java >/dev/null || apt-get install -y default-jdk-headless
hosts=$(mktemp)
trap 'rm -f "$hosts"' EXIT
java -Djdk.net.hosts.file="$hosts" scripts/golden/java-inetaddress/InetAddressTable.java \
	< testdata/filters/geoip/inetaddress-inputs.txt > testdata/filters/geoip/inetaddress.tsv
java -version 2>&1 | head -1
