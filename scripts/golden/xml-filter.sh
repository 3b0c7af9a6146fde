#!/bin/sh
# Regenerates the xml filter testcases' expected_stdout with Nokogiri and
# XmlSimple, the libraries Logstash's xml filter uses (Debian's
# ruby-nokogiri and ruby-xml-simple). See scripts/golden/xml-filter.rb.
set -eu
cd "$(dirname "$0")/../.."
if ! ruby -e 'require "nokogiri"; require "xmlsimple"; require "awesome_print"' >/dev/null 2>&1; then
	apt-get install -y ruby ruby-nokogiri ruby-xml-simple ruby-awesome-print
fi
exec ruby scripts/golden/xml-filter.rb "$@"
