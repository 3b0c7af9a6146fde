#!/usr/bin/env bash
# Runs every fuzz target in the module for FUZZTIME each (default 20s), so a
# new target is fuzzed in CI without being listed anywhere. Go fuzzes one
# target per invocation, hence the loop.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-20s}
found=0
while read -r pkg; do
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		found=$((found + 1))
		echo "fuzz: $pkg $target ($fuzztime)"
		# A bounded minimisation: an unbounded one can stall a run for a minute.
		go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime 5s
	done
done < <(go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' ./...)
if [ "$found" -eq 0 ]; then
	echo "fuzz: no fuzz targets found" >&2
	exit 1
fi
echo "fuzz: $found targets, $fuzztime each"
