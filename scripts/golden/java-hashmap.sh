#!/bin/sh
# Regenerates testdata/http/header-order.tsv: the key order of the headers
# map Logstash's http input puts on events (a java.util.HashMap, see
# HeaderOrder.java) for several header sets, as a JDK's HashMap iterates
# it. The http input's TestHeaderOrderMatchesJava checks gostash against it.
# Needs a JDK (javac and java on the PATH).
set -eu
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
javac -d "$work" scripts/golden/java-hashmap/HeaderOrder.java
java -cp "$work" HeaderOrder >testdata/http/header-order.tsv <<'LISTS'
host,user_agent,accept,content_length
content_length,content_type,host,user_agent,accept
accept,content_length,content_type,host,user_agent,x_request_id
host,content_length
accept_encoding,authorization,connection,content_length,content_type,host,user_agent,x_forwarded_for,x_forwarded_proto,x_real_ip,x_request_id,x_trace
accept,accept_encoding,accept_language,cache_control,connection,content_length,content_type,cookie,host,origin,pragma,referer,sec_fetch_mode,sec_fetch_site,user_agent,x_a,x_b,x_c,x_d,x_e,x_f
LISTS
wc -l testdata/http/header-order.tsv
