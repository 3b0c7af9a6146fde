#!/bin/sh
# Regenerates, with Debian's Ruby (MRI, whose Onigmo regex engine JRuby's
# Joni follows), the Ruby semantics Logstash's filters inherit:
#   testdata/filters/ruby/*.tsv     string, number, Float#to_s, inspect and gsub results
#   testdata/filters/grok/onigmo.tsv  captures of core grok patterns on log lines
#   testdata/filters/grok/expressions.tsv  captures of grok expressions (hand-picked, random)
#   testdata/filters/ruby/regex.tsv   matches of random Ruby regexes on random text
#   testdata/filters/ruby/condition_regex.tsv  =~ of condition regexps (nested repeats, anchors, \b...)
#   testdata/filters/kv/onigmo.tsv    what the kv filter's scan regex finds in random text
#   testdata/filters/ruby/case.tsv    upcase/downcase/capitalize of every cased code point,
#                                     and from it internal/ruby/casemap_gen.go
#   testdata/filters/ruby/word.tsv    the characters \b counts as word characters,
#                                     and from it internal/ruby/onigmo/word_gen.go
#   testdata/filters/ruby/nested_repeats.tsv  which single repeat a repeat of a
#                                     repeat matches like, and from it
#                                     internal/ruby/onigmo/nested_gen.go
set -eu
cd "$(dirname "$0")/../.."
command -v ruby >/dev/null || apt-get install -y ruby
ruby scripts/golden/ruby-semantics/gen.rb testdata/filters/ruby
ruby scripts/golden/ruby-semantics/grok.rb testdata/filters/grok plugins/internal/grokpattern/patterns
ruby scripts/golden/ruby-semantics/regex.rb testdata/filters/ruby
ruby scripts/golden/ruby-semantics/condition_regex.rb testdata/filters/ruby
ruby scripts/golden/ruby-semantics/kv.rb testdata/filters/kv
ruby scripts/golden/ruby-semantics/case.rb testdata/filters/ruby
go run ./scripts/golden/ruby-semantics/casemapgen testdata/filters/ruby/case.tsv internal/ruby/casemap_gen.go
ruby scripts/golden/ruby-semantics/word.rb testdata/filters/ruby
go run ./scripts/golden/ruby-semantics/wordgen testdata/filters/ruby/word.tsv internal/ruby/onigmo/word_gen.go
ruby scripts/golden/ruby-semantics/nested_repeats.rb testdata/filters/ruby
go run ./scripts/golden/ruby-semantics/nestedgen testdata/filters/ruby/nested_repeats.tsv internal/ruby/onigmo/nested_gen.go
wc -l testdata/filters/ruby/*.tsv testdata/filters/grok/*.tsv
