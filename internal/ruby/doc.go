// Package ruby reproduces the Ruby (JRuby) semantics Logstash inherits from
// the language, for filters and codecs alike: String#inspect and
// Float#to_s (rubydebug prints them, the text codecs escape invalid UTF-8
// with inspect, filters show values to Ruby-side code), to_s of event
// values, Array#join, String#split/strip/upcase/capitalize,
// Integer()/Float()/to_i/to_f number parsing, and Onigmo regular
// expressions run on a backtracking engine (regexp2) with Ruby's gsub
// replacement syntax.
//
// The printers append to a caller's buffer and do not allocate, as the
// rubydebug codec calls them for every value of every event.
package ruby
