#!/bin/sh
# The service runs as its own system user.
set -e
if ! getent group gostash >/dev/null; then
	groupadd -r gostash
fi
if ! getent passwd gostash >/dev/null; then
	useradd -r -M -g gostash -d /var/lib/gostash -s /usr/sbin/nologin -c "gostash service user" gostash
fi
