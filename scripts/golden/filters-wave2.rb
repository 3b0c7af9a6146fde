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
require 'yaml'

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

# A LogStash::Timestamp made from a Ruby Time: UTC, with 3, 6 or 9
# fraction digits as the precision needs.
def ts_of(time)
  t = time.utc
  nanos = t.nsec
  frac = if (nanos % 1_000_000).zero? then format('%03d', nanos / 1_000_000)
         elsif (nanos % 1000).zero? then format('%06d', nanos / 1000)
         else format('%09d', nanos)
         end
  LogstashTimestamp.new(t.strftime('%Y-%m-%dT%H:%M:%S.') + frac + 'Z')
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

# --- csv: Ruby's own parser and converters ---------------------------------

# testdata/filters/csv/parse_line.jsonl: [separator, quote, input, record]
# for random short inputs, where record is CSV.parse_line's array (null for
# nil fields), null for no record, or "error" for MalformedCSVError.
def csv_parse_table
  rng = Random.new(14)
  alphabet = ['a', 'b', 'c', ' ', ',', ';', '|', '"', "'", "\n", "\r", 'é', "\t"]
  rows = []
  [[',', '"'], [';', "'"], ['||', '"'], ["\t", '"'], [',', "\x00"]].each do |sep, quote|
    1500.times do
      input = Array.new(rng.rand(0..10)) { alphabet.sample(random: rng) }.join
      record = begin
        CSV.parse_line(input, col_sep: sep, quote_char: quote)
      rescue CSV::MalformedCSVError
        'error'
      end
      rows << JSON.generate([sep, quote, input, record])
    end
  end
  Dir.mkdir('testdata/filters/csv') unless Dir.exist?('testdata/filters/csv')
  File.write('testdata/filters/csv/parse_line.jsonl', rows.uniq.join("\n") + "\n")
  # parse_all.jsonl: CSV.parse of whole texts (the translate filter's CSV
  # dictionaries are read this way), records or "error".
  rows = []
  1500.times do
    input = Array.new(rng.rand(0..24)) { (alphabet + ["\n", "\n", ',']).sample(random: rng) }.join
    records = begin
      CSV.parse(input)
    rescue CSV::MalformedCSVError
      'error'
    end
    rows << JSON.generate([',', '"', input, records])
  end
  File.write('testdata/filters/csv/parse_all.jsonl', rows.uniq.join("\n") + "\n")
end

# testdata/filters/csv/generate_line.jsonl: [separator, quote, fields, line]
# for CSV.generate_line of random fields (strings or nil).
def csv_generate_table
  rng = Random.new(15)
  alphabet = ['a', 'b', ' ', ',', ';', '|', '"', "'", "\n", "\r", 'é']
  rows = []
  [[',', '"'], [';', "'"], ['||', '"']].each do |sep, quote|
    800.times do
      fields = Array.new(rng.rand(1..4)) do
        rng.rand(6).zero? ? nil : Array.new(rng.rand(0..5)) { alphabet.sample(random: rng) }.join
      end
      rows << JSON.generate([sep, quote, fields, CSV.generate_line(fields, col_sep: sep, quote_char: quote)])
    end
  end
  File.write('testdata/filters/csv/generate_line.jsonl', rows.uniq.join("\n") + "\n")
end

# The csv filter's and codec's conversion lambdas, as the plugins define them.
CSV_CONVERTERS = {
  'integer' => ->(v) { CSV::Converters[:integer].call(v) },
  'float' => ->(v) { CSV::Converters[:float].call(v) },
  'date' => lambda { |v|
    r = CSV::Converters[:date].call(v)
    r.is_a?(Date) ? ts_of(r.to_time) : r
  },
  'date_time' => lambda { |v|
    r = CSV::Converters[:date_time].call(v)
    r.is_a?(DateTime) ? ts_of(r.to_time) : r
  },
  'boolean' => lambda { |v|
    v = v.strip.downcase
    return false if v == 'false'
    return true if v == 'true'

    v
  }
}.freeze

# testdata/filters/csv/convert.jsonl: [type, input, output] where output is
# {"int": "digits"}, {"float": "Float#to_s"}, {"ts": "ISO"}, {"bool": b},
# {"str": s}, null, or "error", with TZ=America/New_York for local dates.
def csv_convert_table
  inputs = ['12', ' 12 ', '-7', '+3', '0x1A', '0b101', '0o17', '017', '08', '1_000', '1__0', '_1', '1_', '12abc', '',
            '3.14', '1e3', '.5', '5.', '1_000.5', '0x1.8p1', 'Infinity', 'NaN', '-0.0', '1e400', ' 2.5 ',
            '2017-06-01', '2017-13-01', '2017-02-30', 'June 1, 2017', 'Jun 1 2017', 'Thu, Jun 1 2017', 'Thursday June 01, 17',
            'december 25, 1999', 'Sept 3, 2020', '2001-02-03 04:05:06', '2001-02-03T04:05:06', '2001-02-03T04:05',
            '2001-02-03T04:05:06.123456Z', '2001-02-03T04:05:06+05:30', '2001-02-03T04:05:06-0800',
            'Sat Feb 3 04:05:06 2001', 'Feb 3 4:5:6 2001', 'invalid_date', 'true', ' FALSE ', 'Yes', 'TRUE!', nil,
            '99999999999999999999', '-0x10', '-012', '0', '-0', '0_7', '0x_1', '1 2', '1.5e-7', '100.0']
  rows = []
  with_tz('America/New_York') do
    CSV_CONVERTERS.each do |type, conv|
      inputs.each do |input|
        out = begin
          describe_value(conv.call(input.nil? ? nil : input.dup))
        rescue NoMethodError
          'error'
        end
        rows << JSON.generate([type, input, out])
      end
    end
  end
  File.write('testdata/filters/csv/convert.jsonl', rows.join("\n") + "\n")
end

# Sets a field reference ("name", "[a][b]") in a hash, creating parents.
def set_ref(hash, ref, value)
  path = ref.start_with?('[') ? ref.scan(/\[([^\]]+)\]/).flatten : [ref]
  parent = path[0...-1].reduce(hash) { |h, k| h[k] = {} unless h[k].is_a?(Hash); h[k] }
  parent[path.last] = value
end

def add_tag(event, tag)
  event['tags'] = (event['tags'] || []) + [tag] unless (event['tags'] || []).include?(tag)
end

# The csv filter's filter method over the case's stdin lines, as the plugin
# writes it, with Ruby's CSV doing the parsing and converting. Events are
# what the stdin input makes of each line once the case's mutate removed
# event, host and @version. Cancelled events are not printed.
def csv_filter_case(name, columns: [], separator: ',', quote_char: '"', target: nil, autogenerate: true,
                    skip_header: false, skip_empty_columns: false, skip_empty_rows: false, convert: {},
                    autodetect: false, add_tags: [], tz: nil)
  dir = case_dir('filters', 'csv', name)
  events = []
  target = "[#{target}]" if target && !target.start_with?('[')
  with_tz(tz || ENV['TZ']) do
    stdin_lines(dir).each do |line|
      event = { '@timestamp' => ts, 'message' => line }
      begin
        values = CSV.parse_line(line, col_sep: separator, quote_char: quote_char)
        if autodetect && columns.empty?
          columns = values
          next
        end
        next if skip_header && !columns.empty? && columns == values

        if skip_empty_rows && values.nil?
          add_tag(event, '_csvskippedemptyfield')
          events << event
          next
        end
        values.each_index do |i|
          next if skip_empty_columns && (values[i].nil? || values[i].empty?)
          next if !columns[i] && !autogenerate

          field = columns[i] || "column#{i + 1}"
          ref = field.start_with?('[') ? "#{target}#{field}" : "#{target}[#{field}]"
          conv = CSV_CONVERTERS[convert[field]] || ->(v) { v }
          set_ref(event, ref, conv.call(values[i]))
        end
        add_tags.each { |t| add_tag(event, t) }
      rescue StandardError
        add_tag(event, '_csvparsefailure')
      end
      events << event
    end
  end
  write_rubydebug(dir, events)
end

def csv_filter_cases
  csv_filter_case('columns-convert-rubydebug',
                  columns: ['id', 'name', 'score', 'born', 'seen', 'active', '[meta][note]'],
                  convert: { 'id' => 'integer', 'score' => 'float', 'born' => 'date', 'seen' => 'date_time',
                             'active' => 'boolean' },
                  tz: 'America/New_York')
  csv_filter_case('autodetect-target', autodetect: true, separator: ';', target: 'row', skip_empty_columns: true,
                                       autogenerate: false)
  csv_filter_case('skip-header-empty-rows', columns: %w[a b], skip_header: true, skip_empty_rows: true,
                                            quote_char: "'", add_tags: ['parsed'])
end

# The csv codec's decode over the generator's lines (count 1, so
# [event][sequence] is 0), with Ruby's CSV; ECS mode adds [event][original].
# The case's mutate removes host and @version.
def csv_codec_decode_case
  dir = case_dir('codecs', 'csv', 'decode-autodetect-convert')
  lines = ['name;age;when;ok', 'ann;31;2024-05-06;TRUE', '"bob;x";;2024-13-01', 'eve;"3"x;1',
           'zed;0x10;Feb 29, 2024;no;extra']
  convert = { 'age' => 'integer', 'when' => 'date', 'ok' => 'boolean' }
  columns = []
  events = []
  with_tz('Asia/Tokyo') do
    lines.each do |data|
      values = CSV.parse_line(data, col_sep: ';', quote_char: '"')
      if columns.empty?
        columns = values
        next
      end
      decoded = {}
      values.each_with_index do |value, i|
        field = columns[i] || "column#{i + 1}"
        decoded[field] = (CSV_CONVERTERS[convert[field]] || ->(v) { v }).call(value)
      end
      events << { '@timestamp' => ts }.merge(decoded).merge('event' => { 'original' => data, 'sequence' => 0 })
    rescue CSV::MalformedCSVError
      events << { '@timestamp' => ts, 'message' => data, 'tags' => ['_csvparsefailure'], 'event' => { 'sequence' => 0 } }
    end
  end
  write_rubydebug(dir, events)
end

# The csv codec's encode with include_headers and no columns: a header of
# the first event's keys, then each event's values through
# CSV.generate_line (String() of each value; nil is an empty field).
def csv_codec_encode_case
  dir = case_dir('codecs', 'csv', 'encode-headers-all-fields')
  events = stdin_lines(dir).map do |line|
    e = { '@timestamp' => ts, 'message' => line, 'n' => 1 }
    e['obj'] = { 'k' => 'v' } if line == 'nested'
    e
  end
  out = CSV.generate_line(events.first.keys, col_sep: ';', quote_char: '"')
  events.each { |e| out += CSV.generate_line(e.values.map { |v| v.is_a?(LogstashTimestamp) ? v.inspect : v }, col_sep: ';', quote_char: '"') }
  File.write("#{dir}/expected_stdout", out)
end

def with_tz(tz)
  old = ENV['TZ']
  ENV['TZ'] = tz
  yield
ensure
  ENV['TZ'] = old
end

def describe_value(v)
  case v
  when nil then nil
  when Integer then { 'int' => v.to_s }
  when Float then { 'float' => v.to_s }
  when LogstashTimestamp then { 'ts' => v.inspect }
  when true, false then { 'bool' => v }
  else { 'str' => v }
  end
end

# --- syslog_pri ----------------------------------------------------------
FACILITY_LABELS = ['kernel', 'user-level', 'mail', 'daemon', 'security/authorization', 'syslogd', 'line printer',
                   'network news', 'uucp', 'clock', 'security/authorization', 'ftp', 'ntp', 'log audit', 'log alert',
                   'clock', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'].freeze
SEVERITY_LABELS = %w[emergency alert critical error warning notice informational debug].freeze

# The plugin's parse_pri in ECS mode, run by MRI (String#to_i, Integer#&
# and #>>, negative Array indexes), on each stdin line copied to
# [log][syslog][priority] ("missing" leaves the field out: priority 13).
def syslog_pri_case
  dir = case_dir('filters', 'syslog_pri', 'ecs-values')
  events = stdin_lines(dir).map do |line|
    e = { '@timestamp' => ts, 'message' => line }
    e['log'] = { 'syslog' => { 'priority' => line } } unless line == 'missing'
    priority = e.dig('log', 'syslog', 'priority')
    priority = priority ? priority.to_i : 13
    severity = priority & 7
    facility = priority >> 3
    set_ref(e, '[log][syslog][severity][code]', severity)
    set_ref(e, '[log][syslog][facility][code]', facility)
    if facility > FACILITY_LABELS.size - 1
      add_tag(e, '_syslogpriparsefailure')
    else
      set_ref(e, '[log][syslog][facility][name]', FACILITY_LABELS[facility]) if FACILITY_LABELS[facility]
      set_ref(e, '[log][syslog][severity][name]', SEVERITY_LABELS[severity]) if SEVERITY_LABELS[severity]
    end
    add_tag(e, 'pri')
    e
  end
  write_rubydebug(dir, events)
end

# --- translate -------------------------------------------------------------
# The plugin's fetch strategies and updaters, run by MRI on dictionaries
# loaded as the plugin loads them: Psych for YAML, CSV.read for CSV, JSON.
def translate_fetch(dict, exact, regex, source)
  if exact && regex
    key = dict.keys.detect { |k| source.match(Regexp.new(k)) }
    key.nil? ? [false, nil] : [true, Marshal.load(Marshal.dump(dict[key]))]
  elsif exact
    dict.include?(source) ? [true, Marshal.load(Marshal.dump(dict[source]))] : [false, nil]
  else
    value = source.gsub(Regexp.union(dict.keys), dict)
    value == source ? [false, nil] : [true, value]
  end
end

def get_ref(hash, ref)
  path = ref.start_with?('[') ? ref.scan(/\[([^\]]+)\]/).flatten : [ref]
  path.reduce(hash) do |h, k|
    case h
    when Hash then h[k]
    when Array then k =~ /\A-?\d+\z/ ? h[k.to_i] : nil
    end
  end
end

def sprintf_ref(event, template)
  template.gsub(/%\{([^}]+)\}/) { get_ref(event, Regexp.last_match(1)).to_s }
end

def translate_cases
  # yaml-in-place: ECS mode, so target = source and override is on.
  dir = case_dir('filters', 'translate', 'yaml-in-place')
  dict = YAML.load_file("#{dir}/codes.yml")
  events = stdin_lines(dir).map do |line|
    e = { '@timestamp' => ts, 'message' => line, 'code' => line }
    ok, value = translate_fetch(dict, true, false, e['code'])
    e['code'] = ok ? value : sprintf_ref(e, 'other %{message}')
    e
  end
  write_rubydebug(dir, events)

  # regex-csv: keys are regexes tried in file order; add_tag on a match.
  dir = case_dir('filters', 'translate', 'regex-csv')
  dict = {}
  CSV.read("#{dir}/kinds.csv").each { |k, v| dict[k] = v }
  events = stdin_lines(dir).map do |line|
    e = { '@timestamp' => ts, 'message' => line }
    ok, value = translate_fetch(dict, true, true, line)
    if ok
      e['kind'] = value
      add_tag(e, 'translated')
    end
    e
  end
  write_rubydebug(dir, events)

  # substring-json-iterate: iterate_on the source list (substring
  # replacement), then iterate_on a list of objects (exact, fallback).
  dir = case_dir('filters', 'translate', 'substring-json-iterate')
  dict = JSON.parse(File.read("#{dir}/sounds.json"))
  events = stdin_lines(dir).map do |line|
    e = { '@timestamp' => ts }.merge(JSON.parse(line))
    words = Array(e['words'])
    spoken = Array.new(words.size)
    words.each_with_index do |w, i|
      ok, value = translate_fetch(dict, false, false, w.to_s)
      spoken[i] = value if ok
    end
    e['spoken'] = spoken
    Array(e['items']).size.times do |i|
      item = e['items'].is_a?(Array) ? e['items'][i] : nil
      next if item.nil? || item['w'].nil?

      ok, value = translate_fetch(dict, true, false, item['w'].to_s)
      item['t'] = ok ? value : sprintf_ref(e, '? %{[items][0][w]}')
    end
    e
  end
  write_rubydebug(dir, events)
end

# --- cidr, truncate, urldecode, prune, de_dot, json_encode, uuid --------------

# cidr: the plugin's filter with Ruby's IPAddr, on each stdin line split on
# spaces into [message] (the case's mutate split).
def cidr_case
  require 'ipaddr'
  dir = case_dir('filters', 'cidr', 'addresses')
  networks = ['10.0.0.0/8, 192.168.0.0/255.255.0.0', '2001:db8::/32', 'not-a-network']
             .flat_map { |n| n.split(',') }
             .map { |n| IPAddr.new(n.strip) rescue nil }.compact
  events = stdin_lines(dir).map do |line|
    e = { '@timestamp' => ts, 'message' => line.split(' ') }
    addrs = Array(e['message']).map { |a| IPAddr.new(a) rescue nil }.compact
    add_tag(e, 'internal') if addrs.product(networks).any? { |a, n| n.include?(a) }
    e
  end
  write_rubydebug(dir, events)
end

# truncate: the plugin's trim (byteslice, then shorter while the last
# character is not valid) in MRI, on copies of each line at [short] and
# [nested][copy]; add_tag when something changed.
def truncate_trim(value, length)
  return value if value.bytesize <= length
  return '' if length.zero?

  v = value.byteslice(0, length)
  i = 0
  until v[-1].valid_encoding? && v.bytesize.positive?
    i += 1
    return '' if (length - i).zero?

    v = value.byteslice(0, length - i)
  end
  v
end

def truncate_case
  dir = case_dir('filters', 'truncate', 'utf8')
  events = stdin_lines(dir).map do |line|
    short = truncate_trim(line, 5)
    e = { '@timestamp' => ts, 'message' => line, 'short' => short, 'nested' => { 'copy' => short } }
    add_tag(e, 'cut') if short != line
    e
  end
  write_rubydebug(dir, events)
end

# urldecode: the plugin's unescape (gsub of %XX runs, packed to bytes) and
# Logstash's UTF-8 conversion (invalid text becomes its inspect body), in
# MRI, over every top-level field.
def urldecode_value(value)
  return value unless value.is_a?(String)

  escaped = value.gsub(/((?:%[0-9a-fA-F]{2})+)/) { |s| [s.delete('%')].pack('H*').force_encoding(value.encoding) }
  escaped.valid_encoding? ? escaped : escaped.inspect[1..-2]
end

def urldecode_case
  dir = case_dir('filters', 'urldecode', 'all-fields')
  events = stdin_lines(dir).map do |line|
    { '@timestamp' => ts, 'message' => urldecode_value(line), 'q' => urldecode_value(line) }
  end
  write_rubydebug(dir, events)
end

# prune: the plugin's filter in MRI (Regexp.union of the name patterns,
# per-element value rules on lists). The event is what the case's mutate
# leaves: @timestamp, message, level, %{unknown} and codes.
def prune_case
  dir = case_dir('filters', 'prune', 'names-values')
  blacklist = Regexp.union([/^%\{/, /^@/])
  events = stdin_lines(dir).map do |line|
    hash = { '@timestamp' => ts, 'message' => line, 'level' => line, '%{unknown}' => 'x', 'codes' => %w[a1 b2 a3] }
    remove = hash.keys.select { |k| k.match(blacklist) }
    remove << 'level' unless hash['level'].match(/^(INFO|WARN)$/)
    drop = hash['codes'].find_all { |x| x.match(/^a/) }
    hash['codes'] -= drop
    remove.each { |k| hash.delete(k) }
    hash
  end
  write_rubydebug(dir, events)
end

# de_dot with nested and recursive: every dot becomes a level of nesting,
# keys of nested objects too; renamed fields are set anew (so they follow
# the fields left in place). Setting [a][b] under the string [a] fails the
# second event: _de_dot_error and nothing renamed.
def de_dot_case
  dir = case_dir('filters', 'de_dot', 'nested-recursive')
  write_rubydebug(dir, [
    { '@timestamp' => ts, 'c' => { 'd' => { 'e' => { 'f' => { 'g' => 'x' } } } }, 'a' => { 'b' => 1 },
      'h' => { 'i' => { 'j' => [1, 2] } } },
    { '@timestamp' => ts, 'a' => 'scalar', 'a.b' => 2, 'tags' => ['_de_dot_error'] }
  ])
end

# json_encode: the value's JSON text (Logstash writes it with Jackson;
# for this ASCII data MRI's JSON.generate writes the same bytes); a missing
# field is null; without target the source is replaced.
def json_encode_case
  dir = case_dir('filters', 'json_encode', 'objects')
  input = JSON.parse(stdin_lines(dir)[0])
  write_rubydebug(dir, [
    { '@timestamp' => ts, 'obj' => input['obj'], 'text' => JSON.generate(input['text']),
      'obj_json' => JSON.generate(input['obj']), 'missing_json' => 'null' }
  ])
end

# uuid: a missing field gets a random v4 UUID (the case replaces it with a
# placeholder when it has the v4 form); an existing value is kept.
def uuid_case
  dir = case_dir('filters', 'uuid', 'v4')
  write_rubydebug(dir, [
    { '@timestamp' => ts, 'message' => 'new', 'id' => '<a random v4 UUID>' },
    { '@timestamp' => ts, 'message' => 'keep', 'id' => 'given' }
  ])
end

# --- geoip -------------------------------------------------------------------
# The databases are written by the geoip package's tests with MaxMind's
# writer (plugins/filters/geoip/testdb_test.go); the values below are those
# records read by GeoIPFilter.java's rules: fields in the Field enum's
# order, the most specific (last) subdivision, region_iso_code as
# "<country>-<subdivision>", IPv6 addresses in Java's getHostAddress form,
# IPv4-mapped addresses as IPv4, a City record without a location is a
# miss, a miss leaves {} at a target that was missing and tags the event,
# blank text tags without a target. In ECS mode ip is written back to
# [source][ip] (the target is the source's parent).
SPRINGFIELD_LEGACY = {
  'city_name' => 'Springfield', 'country_name' => 'United States', 'continent_code' => 'NA',
  'country_code2' => 'US', 'country_code3' => 'US', 'ip' => '198.51.100.7', 'postal_code' => '62701',
  'dma_code' => 648, 'region_name' => 'Illinois', 'region_code' => 'IL', 'timezone' => 'America/Chicago',
  'location' => { 'lat' => 39.7817, 'lon' => -89.6501 }, 'latitude' => 39.7817, 'longitude' => -89.6501
}.freeze

def geoip_cases
  dir = case_dir('filters', 'geoip', 'city-legacy')
  write_rubydebug(dir, [
    { '@timestamp' => ts, 'clientip' => '198.51.100.7', 'geoip' => SPRINGFIELD_LEGACY, 'tags' => ['located'] },
    { '@timestamp' => ts, 'clientip' => '2001:db8:1::5', 'geoip' => {
      'city_name' => 'Zürich', 'country_name' => 'Switzerland', 'continent_code' => 'EU', 'country_code2' => 'CH',
      'country_code3' => 'CH', 'ip' => '2001:db8:1:0:0:0:0:5', 'region_name' => 'Zürich District', 'region_code' => 'Z1',
      'timezone' => 'Europe/Zurich', 'location' => { 'lat' => 47.3667, 'lon' => 8.55 }, 'latitude' => 47.3667, 'longitude' => 8.55
    }, 'tags' => ['located'] },
    { '@timestamp' => ts, 'clientip' => '10.0.0.1', 'geoip' => {}, 'tags' => ['_geoip_lookup_failure'] },
    { '@timestamp' => ts, 'clientip' => '', 'tags' => ['_geoip_lookup_failure'] }
  ])

  dir = case_dir('filters', 'geoip', 'city-ecs')
  write_rubydebug(dir, [
    { '@timestamp' => ts, 'source' => { 'ip' => '203.0.113.9', 'geo' => {
      'country_name' => 'United Kingdom', 'continent_code' => 'EU', 'country_iso_code' => 'GB',
      'timezone' => 'Europe/London', 'location' => { 'lat' => 51.4964, 'lon' => -0.1224 }
    } } },
    { '@timestamp' => ts, 'source' => { 'ip' => '198.51.100.7', 'geo' => {
      'city_name' => 'Springfield', 'country_name' => 'United States', 'continent_code' => 'NA', 'country_iso_code' => 'US',
      'postal_code' => '62701', 'region_name' => 'Illinois', 'region_iso_code' => 'US-IL', 'timezone' => 'America/Chicago',
      'location' => { 'lat' => 39.7817, 'lon' => -89.6501 }
    }, 'mmdb' => { 'dma_code' => 648 } } },
    { '@timestamp' => ts, 'source' => { 'ip' => '192.0.2.1' }, 'tags' => ['_geoip_lookup_failure'] },
    { '@timestamp' => ts, 'source' => { 'ip' => 'not an address' }, 'tags' => ['_geoip_lookup_failure'] }
  ])

  # city_name is not in an ASN database: skipped; network is the record's
  # network in Java's Network#toString form.
  dir = case_dir('filters', 'geoip', 'asn-fields-ecs')
  write_rubydebug(dir, [
    { '@timestamp' => ts, 'client' => { 'address' => '198.51.100.200',
                                        'as' => { 'number' => 64_500, 'organization' => { 'name' => 'Example Networks' } },
                                        'ip' => '198.51.100.200', 'ip_traits' => { 'network' => '198.51.100.0/24' } } },
    { '@timestamp' => ts, 'client' => { 'address' => '2001:db8:abcd::1',
                                        'as' => { 'number' => 64_501, 'organization' => { 'name' => 'Example IPv6 Networks' } },
                                        'ip' => '2001:db8:abcd:0:0:0:0:1',
                                        'ip_traits' => { 'network' => '2001:db8:0:0:0:0:0:0/32' } } }
  ])

  # Without `database`, the City row of
  # home/data/plugins/filters/geoip/metadata.csv names the managed file.
  dir = case_dir('filters', 'geoip', 'managed-database')
  write_rubydebug(dir, [
    { '@timestamp' => ts, 'message' => '198.51.100.7', 'geo' => { 'city_name' => 'Springfield', 'region_iso_code' => 'US-IL' } }
  ])
end

# --- useragent ---------------------------------------------------------------
# The two agents of the plugin's spec and their documented results (UA
# family, version with the patch-minor digits taken from the raw text, OS
# name/full/version, device), in the ECS layout (major/minor/patch in
# @metadata) and the legacy one (os duplicated as os_name); an empty agent
# is left alone. Fields are in the order the plugin sets them.
def useragent_case
  dir = case_dir('filters', 'useragent', 'ecs-and-legacy')
  chrome, outlook, empty = stdin_lines(dir)
  write_rubydebug(dir, [
    { '@timestamp' => ts, 'message' => chrome,
      'user_agent' => { 'name' => 'Chrome', 'device' => { 'name' => 'Other' }, 'version' => '26.0.1410.63',
                        'os' => { 'name' => 'Linux', 'full' => 'Linux' } },
      'legacy' => { 'name' => 'Chrome', 'device' => 'Other', 'major' => '26', 'minor' => '0', 'patch' => '1410',
                    'version' => '26.0.1410.63', 'os_name' => 'Linux', 'os' => 'Linux', 'os_full' => 'Linux' },
      '@metadata' => { 'filter' => { 'user_agent' => { 'version' => { 'major' => '26', 'minor' => '0', 'patch' => '1410' } } } } },
    { '@timestamp' => ts, 'message' => outlook,
      'user_agent' => { 'name' => 'MacOutlook', 'device' => { 'name' => 'Mac' }, 'version' => '16.24.0.190414',
                        'os' => { 'version' => '10.14.4', 'name' => 'Mac OS X', 'full' => 'Mac OS X 10.14.4' } },
      'legacy' => { 'name' => 'MacOutlook', 'device' => 'Mac', 'major' => '16', 'minor' => '24', 'patch' => '0',
                    'version' => '16.24.0.190414', 'os_major' => '10', 'os_minor' => '14', 'os_patch' => '4',
                    'os_version' => '10.14.4', 'os_name' => 'Mac OS X', 'os' => 'Mac OS X', 'os_full' => 'Mac OS X 10.14.4' },
      '@metadata' => { 'filter' => { 'user_agent' => {
        'version' => { 'major' => '16', 'minor' => '24', 'patch' => '0' },
        'os' => { 'version' => { 'major' => '10', 'minor' => '14', 'patch' => '4' } }
      } } } },
    { '@timestamp' => ts, 'message' => empty }
  ])
end

CASES = {
  'dissect' => [method(:dissect_syslog)],
  'syslog_pri' => [method(:syslog_pri_case)],
  'translate' => [method(:translate_cases)],
  'geoip' => [method(:geoip_cases)],
  'useragent' => [method(:useragent_case)],
  'small' => [method(:cidr_case), method(:truncate_case), method(:urldecode_case), method(:prune_case),
              method(:de_dot_case), method(:json_encode_case), method(:uuid_case)],
  'csv' => [method(:csv_parse_table), method(:csv_generate_table), method(:csv_convert_table), method(:csv_filter_cases),
            method(:csv_codec_decode_case), method(:csv_codec_encode_case)]
}.freeze

only = ARGV
CASES.each do |name, writers|
  next unless only.empty? || only.include?(name)

  writers.each(&:call)
end
