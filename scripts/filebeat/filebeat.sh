#!/usr/bin/env bash
# Builds Elastic's real Filebeat from the Go module proxy, so the beats
# input is tested against the client its users run:
#
#   filebeat.sh build   build it unless the cache has it; print the binary's path
#   filebeat.sh path    print the binary's path (exit 1 when not built)
#
# Environment:
#   GOSTASH_FILEBEAT_VERSION  the github.com/elastic/beats/v7 module version
#                             (default 7.17.24, the newest the proxy serves)
#   GOSTASH_FILEBEAT_CACHE    where the binary goes (default
#                             ~/.cache/gostash/filebeat-<version>)
#
# The module's own go.mod (with its replace directives) drives the build,
# so it runs in a copy of the module's source, not through `go install`.
set -euo pipefail

version="${GOSTASH_FILEBEAT_VERSION:-7.17.24}"
cache="${GOSTASH_FILEBEAT_CACHE:-$HOME/.cache/gostash/filebeat-$version}"
bin="$cache/filebeat"

case "${1:-}" in
path)
	[ -x "$bin" ] || exit 1
	echo "$bin"
	;;
build)
	if [ ! -x "$bin" ]; then
		src=$(go mod download -json "github.com/elastic/beats/v7@v$version" |
			python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')
		work=$(mktemp -d)
		trap 'rm -rf "$work"' EXIT
		cp -r "$src/." "$work"
		chmod -R u+w "$work"
		mkdir -p "$cache"
		(cd "$work" && go build -o "$bin.tmp" ./filebeat)
		mv "$bin.tmp" "$bin"
	fi
	echo "$bin"
	;;
*)
	echo "usage: $0 build|path" >&2
	exit 2
	;;
esac
