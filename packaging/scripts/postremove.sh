#!/bin/sh
# The gostash user and /var/lib/gostash stay: the data directory may hold
# queued events, and files it owns would otherwise be left to a reused uid.
set -e
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || true
fi
