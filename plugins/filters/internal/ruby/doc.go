// Package ruby reproduces the Ruby (JRuby) semantics Logstash's filters
// inherit from the language: String#split/strip/upcase/capitalize,
// Array#join, to_s and inspect of event values, Integer()/Float()/to_i/to_f
// number parsing, and Onigmo regular expressions run on a backtracking
// engine (regexp2) with Ruby's gsub replacement syntax.
package ruby
