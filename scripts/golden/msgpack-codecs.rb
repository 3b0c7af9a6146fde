# Writes the inputs and expected outputs of the msgpack and fluent codec
# testcases with Ruby's msgpack gem:
#  - decoding cases: stdin is MessagePack.pack of a document; the expected
#    events are what the codec makes of MessagePack.unpack's result
#    (unpacked values as they are; @timestamp from the time the codec
#    reads), printed as rubydebug with awesome_print;
#  - encoding cases: expected_stdout is MessagePack.pack of the hash the
#    codec packs (the event's fields in gostash's order, @timestamp as ISO
#    text; the fluent codec's [tag, time, record] array).
# Field order is gostash's; Logstash's own order is its Java hash order.

require 'awesome_print'
require 'msgpack'

Encoding.default_external = Encoding::UTF_8

NOW = '2026-01-02T03:04:05.678Z'

# LogStash::Timestamp#inspect is its bare ISO text.
class LogstashTimestamp
  def initialize(text)
    @text = text
  end

  def inspect
    @text
  end
end

def ts(text = NOW)
  LogstashTimestamp.new(text)
end

# The ISO text Logstash gives an instant: 3, 6 or 9 fraction digits.
def iso(time)
  t = time.utc
  frac = if (t.nsec % 1_000_000).zero? then format('%03d', t.nsec / 1_000_000)
         elsif (t.nsec % 1000).zero? then format('%06d', t.nsec / 1000)
         else format('%09d', t.nsec)
         end
  t.strftime('%Y-%m-%dT%H:%M:%S.') + frac + 'Z'
end

def dir(plugin, name)
  d = "plugins/codecs/#{plugin}/testcases/#{name}"
  raise "missing #{d}/config.conf" unless File.exist?("#{d}/config.conf")

  d
end

def write_rubydebug(d, events)
  File.write("#{d}/expected_stdout", events.map { |e| e.ai(plain: true) + "\n" }.join)
end

# Event.new(hash): a @timestamp string becomes a Timestamp, @version is
# added in front when missing (gostash's order).
def new_event(data)
  out = {}
  out['@timestamp'] = ts unless data.key?('@timestamp')
  out['@version'] = '1' unless data.key?('@version')
  data.each { |k, v| out[k.to_s] = k == '@timestamp' ? ts(v) : v }
  out
end

# --- msgpack -----------------------------------------------------------------

def msgpack_decode
  d = dir('msgpack', 'decode')
  doc = { 'host' => 'web-1', 'status' => 200, 'bytes' => 18_446_744_073_709_551_615, 'ratio' => 0.25,
          'neg' => -129, 'tags' => %w[a b], 'nested' => { 'ok' => true, 'none' => nil }, 1 => 'integer key',
          '@timestamp' => '2014-05-30T02:52:17.929Z' }
  File.binwrite("#{d}/stdin", MessagePack.pack(doc))
  unpacked = MessagePack.unpack(File.binread("#{d}/stdin"))
  event = new_event(unpacked)
  # The config's filter removes @version; format sets message.
  event.delete('@version')
  event['message'] = "#{unpacked['host']} answered #{unpacked['status']}"
  write_rubydebug(d, [event])
end

def msgpack_decode_target
  d = dir('msgpack', 'decode-target')
  doc = [1, 'two', [3.5, nil]]
  File.binwrite("#{d}/stdin", MessagePack.pack(doc))
  write_rubydebug(d, [{ '@timestamp' => ts, 'doc' => MessagePack.unpack(File.binread("#{d}/stdin")) }])
end

def msgpack_decode_failure
  d = dir('msgpack', 'decode-failure')
  # Text is a small integer (h) followed by extra bytes: not one document.
  raw = "plain text\n".b
  File.binwrite("#{d}/stdin", raw)
  begin
    MessagePack.unpack(raw)
    raise 'expected a failure'
  rescue MessagePack::MalformedFormatError
    nil
  end
  write_rubydebug(d, [{ '@timestamp' => ts, 'message' => raw.force_encoding('UTF-8'), 'tags' => ['_msgpackparsefailure'] }])
end

def msgpack_encode
  d = dir('msgpack', 'encode')
  events = [0, 1].map do |seq|
    { '@timestamp' => NOW, 'message' => 'hello', 'sequence' => seq, 'n' => 70_000, 'f' => 1.5, 'neg' => -33,
      'list' => %w[x y true], 'long' => 'é' * 20 }
  end
  File.binwrite("#{d}/expected_stdout", events.map { |e| MessagePack.pack(e) }.join)
end

# --- fluent ------------------------------------------------------------------

# The fluent codec's EventTime: extension type 0, seconds and nanoseconds
# as two big-endian 32-bit integers.
EventTime = Struct.new(:sec, :nsec) do
  def to_msgpack_ext
    [sec, nsec].pack('NN')
  end

  def self.from_msgpack_ext(data)
    new(*data.unpack('NN'))
  end
end

def fluent_factory
  f = MessagePack::Factory.new
  f.register_type(0, EventTime)
  f
end

def fluent_decode
  d = dir('fluent', 'decode')
  f = fluent_factory
  forward = ['app.web', [[1_700_000_000, { 'message' => 'first' }], [EventTime.new(1_700_000_001, 123_456_789), { 'message' => 'second', 'n' => 2 }]]]
  message = ['app.db', 1_700_000_002, { 'message' => 'single', 'tags' => ['x'] }]
  packed = ['app.batch', [1_700_000_003, { 'k' => 'v1' }].to_msgpack + [1_700_000_004, { 'k' => 'v2' }].to_msgpack]
  bad = ['app.bad', true]
  stream = [forward, message, packed, bad].map { |o| f.packer.write(o).to_s }.join
  File.binwrite("#{d}/stdin", stream)
  events = []
  u = f.unpacker
  u.feed_each(File.binread("#{d}/stdin")) do |item|
    tag, entries = item
    make = lambda do |time, record|
      t = time.is_a?(EventTime) ? Time.at(time.sec, time.nsec / 1000.0) : Time.at(time)
      e = { '@timestamp' => ts(iso(t)) }
      record.each { |k, v| e[k] = v }
      e['tags'] = (record['tags'] || []) + [tag]
      e
    end
    case entries
    when String
      MessagePack::Unpacker.new.feed_each(entries) { |time, record| events << make.call(time, record) }
    when Array
      entries.each { |time, record| events << make.call(time, record) }
    when Integer, EventTime
      events << make.call(entries, item[2])
    end
  end
  # The last item's second element is neither entries nor a time: the
  # codec makes a failure event holding the item.
  events << { '@timestamp' => ts, 'message' => bad, 'tags' => ['_fluentparsefailure'] }
  write_rubydebug(d, events)
end

def fluent_encode
  d = dir('fluent', 'encode')
  f = fluent_factory
  t = Time.utc(2026, 1, 2, 3, 4, 5, 678_000)
  out = [['a', %w[web api]], ['b', %w[single]]].map do |message, tags|
    record = { '@timestamp' => NOW, 'message' => message, 'tags' => tags }
    f.packer.write([tags.join('.'), EventTime.new(t.to_i, t.usec * 1000), record]).to_s
  end
  File.binwrite("#{d}/expected_stdout", out.join)
end

CASES = [method(:msgpack_decode), method(:msgpack_decode_target), method(:msgpack_decode_failure), method(:msgpack_encode),
         method(:fluent_decode), method(:fluent_encode)].freeze
CASES.each(&:call)
