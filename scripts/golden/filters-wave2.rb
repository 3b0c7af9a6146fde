# Writes expected_stdout for the wave-2 plugin testcases. Each case's events
# are printed as Logstash's rubydebug codec prints them (awesome_print's
# `hash.ai` + "\n"), or as json_lines, from Ruby values:
#  - dissect, syslog_pri, translate, ...: the values are written out below
#    from the plugins' documented behaviour (the comment at each case says
#    which rule gives each value); the script only renders them;
#  - csv filter and codec: the values come from Ruby's own CSV.parse_line
#    and the conversions the plugins apply (Integer(), Float(), Date.parse),
#    run here on the case's stdin.
# Field order is gostash's (the order fields are set); Logstash's own order
# is its Java hash order, so the bytes match Logstash only field by field.

require 'awesome_print'
require 'csv'
require 'date'
require 'json'

Encoding.default_external = Encoding::UTF_8

# GOSTASH_NOW, the clock every testcase runs with.
NOW = '2026-01-02T03:04:05.678Z'

# LogStash::Timestamp#inspect is its bare ISO text.
class LogstashTimestamp
  def initialize(text)
    @text = text
  end

  def inspect
    @text
  end

  def to_json(*_args)
    @text.to_json
  end
end

def ts(text = NOW)
  LogstashTimestamp.new(text)
end

def case_dir(kind, plugin, name)
  "plugins/#{kind}/#{plugin}/testcases/#{name}"
end

def stdin_lines(dir)
  File.read("#{dir}/stdin").split("\n", -1)[0...-1]
end

def write_rubydebug(dir, events)
  File.write("#{dir}/expected_stdout", events.map { |e| e.ai(plain: true) + "\n" }.join)
end

def write_json_lines(dir, events)
  File.write("#{dir}/expected_stdout", events.map { |e| JSON.generate(e) + "\n" }.join)
end

# --- dissect ---------------------------------------------------------------
# Pattern "%{ts->} %{+ts} %{+ts} %{server} %{prog}[%{pid}]: %{?key}=%{&key}":
# `->` skips the repeated spaces after the month, the two appends join with
# the delimiter before them (a space), the skip field's value names the
# indirect field, convert_datatype makes pid an Integer; no match tags
# _dissectfailure and converting the missing pid tags
# _dataconversionnullvalue_pid_int. add_tag runs only on a match.
def dissect_syslog
  dir = case_dir('filters', 'dissect', 'syslog-rubydebug')
  l = stdin_lines(dir)
  write_rubydebug(dir, [
    { '@timestamp' => ts, 'message' => l[0], 'ts' => 'Oct 11 22:14:15', 'server' => 'mymachine', 'prog' => 'su',
      'pid' => 230, 'user' => 'lonvick', 'tags' => ['dissected'] },
    { '@timestamp' => ts, 'message' => l[1], 'ts' => 'Oct 1 02:03:04', 'server' => 'host2', 'prog' => 'cron',
      'pid' => 17, 'status' => 'done', 'tags' => ['dissected'] },
    { '@timestamp' => ts, 'message' => l[2], 'tags' => ['_dissectfailure', '_dataconversionnullvalue_pid_int'] }
  ])
end

CASES = {
  'dissect' => [method(:dissect_syslog)]
}.freeze

only = ARGV
CASES.each do |name, writers|
  next unless only.empty? || only.include?(name)

  writers.each(&:call)
end
