#!/bin/sh
# Stop the service before its files go (not on an upgrade: deb passes
# "remove", rpm the number of versions left, 0).
set -e
case "$1" in
remove | 0)
	if [ -d /run/systemd/system ]; then
		systemctl stop gostash.service >/dev/null 2>&1 || true
		systemctl disable gostash.service >/dev/null 2>&1 || true
	fi
	;;
esac
