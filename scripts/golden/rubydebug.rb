# Writes the golden files of gostash's rubydebug codec: for every input
# testdata/codecs/rubydebug/NAME.json, NAME.txt holds what Logstash's rubydebug
# codec prints for an event with that data (`hash.ai` + "\n"), and, when
# amazing_print is available, NAME.color.txt the same with colours on (as on a
# terminal). random-NNN.json inputs are generated here first from a fixed seed.
# inspect-escapes.txt lists the non-ASCII code points String#inspect escapes.
#
# Input format: JSON, where an object with the single key
#   "$ts"    is a LogStash::Timestamp (its canonical ISO text),
#   "$bytes" is a string given as hex bytes (for text that is not valid UTF-8),
#   "$float" is the Float "NaN", "Infinity" or "-Infinity",
#   "$decimal" is a BigDecimal given as its JSON text (what the json filter
#     makes of a JSON decimal; Logstash's come from Java BigDecimals, which
#     have no negative zero, so inputs avoid -0.0);
# and a key "$bytes:HEX" is a key given as hex bytes.
# A top-level "@metadata" key (always last) means the codec runs with
# `metadata => true`, which prints @metadata after the other fields.

require 'json'
require 'bigdecimal'

Encoding.default_external = Encoding::UTF_8 # Logstash forces UTF-8.
Encoding.default_internal = nil

DIR = 'testdata/codecs/rubydebug'

if ENV['AMAZING_PRINT_LIB']
  $LOAD_PATH.unshift(ENV['AMAZING_PRINT_LIB'])
  require 'amazing_print'
  AmazingPrint.defaults = {} # what the rubydebug codec sets
  COLOR = true
else
  require 'awesome_print'
  COLOR = false
end

# LogStash::Timestamp#inspect is its bare ISO text.
class LogstashTimestamp
  def initialize(text)
    @text = text
  end

  def inspect
    @text
  end
end

def from_input(v)
  case v
  when Hash
    if v.size == 1 && v.key?('$ts')
      LogstashTimestamp.new(v['$ts'])
    elsif v.size == 1 && v.key?('$bytes')
      [v['$bytes']].pack('H*').force_encoding(Encoding::UTF_8)
    elsif v.size == 1 && v.key?('$decimal')
      BigDecimal(v['$decimal'])
    elsif v.size == 1 && v.key?('$float')
      { 'NaN' => Float::NAN, 'Infinity' => Float::INFINITY, '-Infinity' => -Float::INFINITY }.fetch(v['$float'])
    else
      v.each_with_object({}) do |(k, x), h|
        k = [k.delete_prefix('$bytes:')].pack('H*').force_encoding(Encoding::UTF_8) if k.start_with?('$bytes:')
        h[k] = from_input(x)
      end
    end
  when Array then v.map { |x| from_input(x) }
  else v
  end
end

def to_input(v)
  case v
  when LogstashTimestamp then { '$ts' => v.inspect }
  when String then v.valid_encoding? ? v : { '$bytes' => v.unpack1('H*') }
  when Float then v.nan? || v.infinite? ? { '$float' => v.to_s } : v
  when Hash
    v.each_with_object({}) do |(k, x), h|
      h[k.valid_encoding? ? k : "$bytes:#{k.unpack1('H*')}"] = to_input(x)
    end
  when Array then v.map { |x| to_input(x) }
  else v
  end
end

# Random event data covering what the printer has to get right.
class Gen
  UNASSIGNED = [0x378, 0x379, 0x380, 0x383, 0x38B, 0x5FF, 0xFDD0, 0xFDEF, 0xFFFE, 0xFFFF,
                0x1FFFE, 0x1FFFF, 0xE0080, 0xE00FF, 0x10FFFE, 0x10FFFF].freeze
  SPECIAL = [0x2028, 0x2029, 0x85, 0xA0, 0xAD, 0x200B, 0x200E, 0xFEFF, 0xE000, 0xF8FF,
             0x3000, 0x1680, 0x180E, 0xFFFD, 0x1F600, 0x1F44D, 0x1F3F3, 0xFE0F].freeze
  INVALID = ["\xFF", "\xFE", "\xC3", "\xE3\x81", "\xED\xA0\x80", "\xC0\x80", "\xF4\x90\x80\x80",
             "\x80", "\xF0\x9F\x98", "\xC1\xBF", "\xF5", "\xE0\x80\x80"].map(&:b).freeze
  INTERP = ['#{', '#$', '#@', '#', '"', '\\', '#{}', 'a#b'].freeze

  def initialize(seed)
    @rng = Random.new(seed)
  end

  def r(x = nil) = x.nil? ? @rng.rand : @rng.rand(x)

  def assigned(range)
    loop do
      c = r(range)
      next if c.between?(0xD800, 0xDFFF)

      s = c.chr(Encoding::UTF_8)
      return s if s.match?(/\p{Assigned}/)
    end
  end

  def string(max)
    s = ''.b
    r(0..max).times do
      s << case r(100)
           when 0...38 then r(0x20..0x7E).chr
           when 38...44 then INTERP.sample(random: @rng)
           when 44...52 then [r(0..0x1F), 0x7F, 0x1B, 0x07, 0x0B].sample(random: @rng).chr
           when 52...55 then r(0x80..0x9F).chr(Encoding::UTF_8)
           when 55...72 then assigned(0xA0..0xFFFD)
           when 72...78 then assigned(0x10000..0x3134F)
           when 78...83 then (r(3).zero? ? r(0x40000..0xDFFFF) : UNASSIGNED.sample(random: @rng)).chr(Encoding::UTF_8)
           when 83...90 then SPECIAL.sample(random: @rng).chr(Encoding::UTF_8)
           when 90...96 then INVALID.sample(random: @rng)
           else assigned(0x3040..0x30FF) # kana: multi-byte but common
           end.b
    end
    s.force_encoding(Encoding::UTF_8)
  end

  def key
    case r(10)
    when 0 then string(6)
    when 1 then 'k' * r(30..70) + r(100).to_s
    when 2 then assigned(0x4E00..0x9FFF) * r(1..5)
    else
      first = ('a'..'z').to_a + ['@', '_']
      first.sample(random: @rng) + Array.new(r(0..14)) { (('a'..'z').to_a + ('0'..'9').to_a + ['_', '.', '-']).sample(random: @rng) }.join
    end
  end

  def float
    case r(10)
    when 0 then [1e15, 1e16, 1e14, 999999999999999.0, 1e-4, 1e-5, 100.0, 0.0, -0.0, 5e-324,
                 1.7976931348623157e308, 2.2250738585072014e-308, 0.1, 1.0 / 3, -1.5e20].sample(random: @rng)
    when 1 then r(-1_000_000..1_000_000).to_f
    when 2
      loop do
        f = @rng.bytes(8).unpack1('D')
        return f if f.finite?
      end
    when 3 then [Float::NAN, Float::INFINITY, -Float::INFINITY].sample(random: @rng)
    else (r * 10**r(-25..25)) * (r(2).zero? ? 1 : -1)
    end
  end

  def timestamp
    secs = r(0..4_102_444_800)
    nanos = [0, r(1000) * 1_000_000, r(1_000_000) * 1000, r(1_000_000_000)].sample(random: @rng)
    frac = if (nanos % 1_000_000).zero? then format('%03d', nanos / 1_000_000)
           elsif (nanos % 1000).zero? then format('%06d', nanos / 1000)
           else format('%09d', nanos)
           end
    LogstashTimestamp.new(Time.at(secs).utc.strftime('%Y-%m-%dT%H:%M:%S.') + frac + 'Z')
  end

  def scalar
    case r(12)
    when 0, 1 then string(12)
    when 2 then string(60)
    when 3 then r(-1000..1000)
    when 4 then [2**63 - 1, -2**63, 2**63, -(2**63) - 1, 2**64].sample(random: @rng)
    when 5 then r(2**64..2**200) * (r(2).zero? ? 1 : -1)
    when 6, 7 then float
    when 8 then [nil, true, false].sample(random: @rng)
    when 9 then timestamp
    when 10 then r(0..2**62)
    else ''
    end
  end

  def value(depth)
    return scalar if depth >= 4 || r(10) < 6

    case r(10)
    when 0...5 then hash(depth + 1, r(0..6))
    when 5...9 then array(depth + 1, r(0..14))
    else array(depth + 1, r(11..130), scalars_only: true)
    end
  end

  def hash(depth, n)
    h = {}
    h[key] = value(depth) while h.size < n
    h.delete('tags')
    h
  end

  def array(depth, n, scalars_only: false)
    Array.new(n) { scalars_only ? scalar : value(depth) }
  end

  def event
    h = hash(0, r(1..12))
    h.delete('@timestamp')
    h.delete('@version')
    h.delete('@metadata')
    pairs = h.to_a
    pairs.insert(r(0..pairs.size), ['@timestamp', timestamp])
    pairs.insert(r(0..pairs.size), ['@version', '1'])
    ev = pairs.to_h
    ev['@metadata'] = hash(1, r(1..4)) if r(8).zero?
    ev
  end
end

def generate_random_inputs(count)
  Dir.glob("#{DIR}/random-*.json").each { |f| File.delete(f) }
  gen = Gen.new(20_260_102)
  count.times do |i|
    File.write(format('%s/random-%03d.json', DIR, i), JSON.pretty_generate(to_input(gen.event)) + "\n")
  end
end

def render(data, color)
  AmazingPrint.force_colors = color if defined?(AmazingPrint)
  data.ai(plain: !color) + "\n"
end

def write_escape_table
  ranges = []
  (0x80..0x10FFFF).each do |c|
    next if c.between?(0xD800, 0xDFFF)

    s = c.chr(Encoding::UTF_8)
    next if s.inspect == "\"#{s}\""

    if ranges.last && ranges.last[1] == c - 1
      ranges.last[1] = c
    else
      ranges << [c, c]
    end
  end
  File.write("#{DIR}/inspect-escapes.txt",
             "# Non-ASCII code points Ruby #{RUBY_VERSION} (Unicode #{RbConfig::CONFIG['UNICODE_VERSION']}) " \
             "String#inspect escapes, as hex ranges.\n" +
             ranges.map { |lo, hi| format('%04X-%04X', lo, hi) }.join("\n") + "\n")
end

# float-to-s.txt: Float#to_s of many doubles (as IEEE bits), weighted to
# the edges of plain notation.
def write_float_table
  rng = Random.new(7)
  floats = []
  (-330..310).each { |e| floats << 10.0**e << 1.5 * 10.0**e << -(10.0**e) }
  (-6..18).each do |e|
    60.times { floats << rng.rand * 10.0**e << (rng.rand * 10.0**e).round(rng.rand(1..4)).to_f }
  end
  3000.times do
    f = rng.bytes(8).unpack1('D')
    floats << f if f.finite?
  end
  floats += [0.0, -0.0, 5e-324, 1.7976931348623157e308, 2.2250738585072014e-308, 0.1, 0.2 + 0.1]
  File.write("#{DIR}/float-to-s.txt",
             "# IEEE-754 bits (hex) and Ruby #{RUBY_VERSION} Float#to_s.\n" +
             floats.map { |f| format("%016x %s\n", [f].pack('G').unpack1('Q>'), f.to_s) }.join)
end

# testdata/pipelines/seed/tweet: the seed tweet fed to `stdin { codec => json }`
# (read as json_lines) and printed by rubydebug. In ECS mode (the default)
# stdin adds the raw chunk as [event][original] and [host][hostname].
def write_seed_pipeline_case
  dir = 'testdata/pipelines/seed/tweet'
  line = File.read("#{dir}/stdin")
  data = JSON.parse(line)
  data['@timestamp'] = LogstashTimestamp.new(data['@timestamp'])
  data['event'] = { 'original' => line }
  data['host'] = { 'hostname' => '@@HOSTNAME@@' }
  File.write("#{dir}/expected_stdout", render(data, false))
end

# testdata/codecs/charset/NAME.txt: what the text codecs' charset handling
# (LogStash::Util::Charset#convert) makes of byte strings: every single byte
# and random runs, as "hex-in hex-out" lines. For UTF-8 that is the escaped
# inspect form of invalid input; for other charsets Ruby's transcoding to
# UTF-8 with invalid and undefined bytes replaced.
def convert_like_logstash(data, charset)
  data = data.dup.force_encoding(charset)
  return data.encode(Encoding::UTF_8, invalid: :replace, undef: :replace) unless data.encoding == Encoding::UTF_8
  return data if data.valid_encoding?

  data.inspect[1..-2]
end

CHARSETS = %w[UTF-8 US-ASCII ISO-8859-1 ISO-8859-2 ISO-8859-5 ISO-8859-7 ISO-8859-15 Windows-1250 Windows-1251
              Windows-1252 Windows-1253 Windows-1254 Windows-1257 CP1252 CP437 CP850 CP852 CP866 KOI8-R KOI8-U
              macRoman Shift_JIS Windows-31J EUC-JP EUC-KR GBK GB18030 Big5 UTF-16LE UTF-16BE UTF-32LE].freeze

def write_charset_tables
  dir = 'testdata/codecs/charset'
  Dir.mkdir(dir) unless Dir.exist?(dir)
  rng = Random.new(11)
  CHARSETS.each do |cs|
    inputs = (0..255).map { |b| [b].pack('C') }
    300.times { inputs << rng.bytes(rng.rand(1..12)) }
    inputs += ["caf\xE9", "\x93\xFA\x96\x7B", "\xA4\xA2", "h\x00i\x00", "\xE2\x82\xAC \"\#{x}\" \n"].map(&:b)
    lines = inputs.map { |inp| "#{inp.unpack1('H*')} #{convert_like_logstash(inp, cs).b.unpack1('H*')}\n" }
    File.write("#{dir}/#{cs}.txt", lines.join)
  end
end

generate_random_inputs(80)
write_charset_tables
write_seed_pipeline_case
write_escape_table
write_float_table
Dir.glob("#{DIR}/*.json").sort.each do |path|
  data = from_input(JSON.parse(File.read(path)))
  base = path.delete_suffix('.json')
  File.write("#{base}.txt", render(data, false))
  File.write("#{base}.color.txt", render(data, true)) if COLOR
end
