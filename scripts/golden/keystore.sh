#!/bin/sh
# Regenerates testdata/keystore/*.keystore: logstash.keystore files written
# by Debian's JDK through java.security.KeyStore, used the way Logstash's
# JavaKeyStore uses it (see scripts/golden/keystore/KeystoreGolden.java).
# internal/keystore's tests read every one of them, and write keystores that
# the same Java program must read back.
#   default.keystore          default (obfuscated) password, secrets.txt
#   explicit.keystore         LOGSTASH_KEYSTORE_PASS='golden keystore pass'
#   nonascii-password.keystore  LOGSTASH_KEYSTORE_PASS='pässwörd-ключ' (Base64ed)
#   legacy.keystore           default password, 3DES keys and a SHA-1 MAC as
#                             the JDKs before 11.0.12 and 8u301 wrote them
#   shrunk.keystore           default password, secrets.txt then two keys
#                             removed: stale bytes before the trailer
#   nomarker.keystore         a PKCS12 keystore of secret keys without the
#                             keystore.seed marker
# Needs a JDK: openjdk-17-jdk-headless is installed when javac is missing.
set -eu
cd "$(dirname "$0")/../.."
command -v javac >/dev/null || apt-get install -y openjdk-17-jdk-headless >/dev/null
# The JDK decodes environment variables and arguments by the locale.
export LC_ALL=C.UTF-8
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
javac -d "$work" scripts/golden/keystore/KeystoreGolden.java
out=testdata/keystore
secrets=$out/secrets.txt
run() { java -cp "$work" KeystoreGolden "$@"; }
unset LOGSTASH_KEYSTORE_PASS
run create $out/default.keystore <$secrets
LOGSTASH_KEYSTORE_PASS='golden keystore pass' run create $out/explicit.keystore <$secrets
LOGSTASH_KEYSTORE_PASS='pässwörd-ключ' run create $out/nonascii-password.keystore <$secrets
java -cp "$work" \
	-Dkeystore.pkcs12.keyProtectionAlgorithm=PBEWithSHA1AndDESede \
	-Dkeystore.pkcs12.keyPbeIterationCount=50000 \
	-Dkeystore.pkcs12.macAlgorithm=HmacPBESHA1 \
	-Dkeystore.pkcs12.macIterationCount=100000 \
	KeystoreGolden create $out/legacy.keystore <$secrets
run create $out/shrunk.keystore <$secrets
run remove $out/shrunk.keystore unicode spaces
run nomarker $out/nomarker.keystore
java -version 2>&1 | head -1
ls -l $out
