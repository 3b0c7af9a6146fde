# Writes the collectd codec testcase's input: a packet of collectd's binary
# network protocol (https://collectd.org/wiki/index.php/Binary_protocol)
# built part by part with Ruby's pack, and the small types.db it reads.
# The expected events are derived by hand from the codec's rules (see the
# testcase's PROVENANCE).
dir = 'plugins/codecs/collectd/testcases/decode'

def part(type, body)
  [type, body.bytesize + 4].pack('nn') + body
end

def str(type, s)
  part(type, s.b + "\0")
end

def num(type, n)
  part(type, [n].pack('Q>'))
end

# kinds: 0 counter, 1 gauge (little-endian double), 2 derive, 3 absolute.
def values(list)
  kinds = list.map(&:first).pack('C*')
  data = list.map { |k, v| k == 1 ? [v].pack('E') : [v].pack(k == 2 ? 'q>' : 'Q>') }.join
  part(6, [list.size].pack('n') + kinds + data)
end

hires = ->(sec, frac) { (sec << 30) + frac }
packet = [
  str(0, 'web-1.example.com'),
  num(8, hires.call(1_700_000_000, 1 << 29)), # half a second
  num(9, 10 << 30),
  str(2, 'interface'), str(3, 'eth0'), str(4, 'if_octets'), str(5, ''),
  values([[2, 1234], [2, -5]]),
  str(2, 'load'), str(3, ''), str(4, 'load'),
  values([[1, 0.25], [1, 0.5], [1, 0.75]]),
  str(2, 'ping'), str(4, 'ping'), str(5, 'gw'),
  values([[1, Float::NAN]]),
  str(4, 'unknown_type'),
  values([[0, 7], [3, 9]]),
  num(1, 1_700_000_100),
  num(257, 2), str(256, 'Link down'),
  part(99, 'x'),
  str(4, 'memory'), str(5, 'used'),
  values([[1, 1024.0]])
].join
File.binwrite("#{dir}/stdin", packet)
File.write("#{dir}/types.db", <<~DB)
  # A few of collectd's types, as its types.db declares them.
  if_octets               rx:DERIVE:0:U, tx:DERIVE:0:U
  load                    shortterm:GAUGE:0:5000, midterm:GAUGE:0:5000, longterm:GAUGE:0:5000
  memory                  value:GAUGE:0:281474976710656
  ping                    value:GAUGE:0:65535
DB
