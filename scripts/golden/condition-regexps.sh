#!/bin/sh
# Writes the expected output of testdata/pipelines/runtime/condition-ruby-regexps
# with Debian's MRI: the case's three conditions evaluated by Ruby's =~ on each
# stdin line, printed as the case's line codec prints them.
set -eu
cd "$(dirname "$0")/../.."
case=testdata/pipelines/runtime/condition-ruby-regexps
RUBYOPT=-W0 ruby -e '
STDIN.each_line(chomp: true) do |m|
  t = []
  t << "nested" if m =~ /^\S+*d$/
  t << "boundary" if m =~ /a\b/
  t << "ascii_word" if m =~ /^\w+$/
  puts "#{m} #{t.empty? ? "%{tags}" : t.join(",")}"
end' <"$case/stdin" >"$case/expected_stdout"
