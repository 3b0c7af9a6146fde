# Writes testdata/filters/ruby/*.tsv: what Ruby's String#split/strip/upcase/
# downcase/capitalize/to_i/to_f, Kernel#Float, BigDecimal()#to_i, Float#to_s,
# String#inspect and String#gsub give, for the Ruby semantics gostash's
# filters reproduce (mutate, grok, kv). Run by scripts/golden/ruby-semantics.sh.
require 'bigdecimal'
dir = ARGV.fetch(0)
srand(7)
alphabet = ["a", "b", " ", "\t", "\n", "\0", ",", ".", "1", "0", "-", "+", "e", "x", "_", "é", "ß", "İ", "Σ", "ǆ", "\u00a0", "A", "Z", "\v"]
inputs = ["", " ", "1.5", "1,000", "12abc", "abc", "0x1A", "1e3", "1E3", " 42 ", "1_000", "1__0", "_1", "1.", ".5", "-.5", "+5", "1e",
          "Infinity", "NaN", "0.0001", "1e400", "0b101", "0o17", "017", "1.2.3", "0x1.8p1", "ﬁ", "straße", "hELLO wORLD", "ÀB", "ΣΑΣ",
          " a  b c ", "a,b,,c,,", ",a", "\0 \t x \n\0", "   ", "a ", "\t"]
400.times { inputs << (1..rand(1..8)).map { alphabet.sample }.join }
seps = [",", " ", "", "ab", "\n"]
File.open(File.join(dir, "strings.tsv"), "w") do |out|
  inputs.each do |s|
    f = begin; Float(s).to_s; rescue ArgumentError, TypeError; "ERR"; end
    bd = begin; BigDecimal(s).to_i.to_s; rescue ArgumentError, TypeError, FloatDomainError; "ERR"; end
    row = [s.inspect, s.to_i.to_s, s.to_f.to_s, f, bd, s.strip.inspect, s.upcase.inspect, s.downcase.inspect, s.capitalize.inspect]
    seps.each { |sep| row << s.split(sep).inspect << s.split(sep, -1).inspect }
    out.puts row.join("\t")
  end
end
File.open(File.join(dir, "floats.tsv"), "w") do |out|
  n = 0
  while n < 3000
    e = rand(-320..300)
    f = (rand * 2 - 1) * 10.0**e
    f = [f, (f.round(rand(0..6)) rescue f), rand(-1e6..1e6).round(2), 2**rand(0..70) * 1.0, 10.0**rand(-6..20), rand(1..9) * 10.0**rand(-8..20)].sample.to_f
    next if f.nan? || f.infinite?
    n += 1
    out.puts [f].pack("G").unpack1("H*") + "\t" + f.to_s
  end
end
gsubs = [
  ["a1b22c333", '\d+', '<\0>'], ["a1b22c333", '(\d)(\d)?', '[\2\1]'], ["foo bar", '(?<w>\w+)', '\k<w>!'],
  ["x\ny\nz", '^', '> '], ["x\ny\nz", '$', ';'], ["x\ny", '.', '_'], ["beef cafe zz", '\h+', 'H'],
  ["Ünïcödé abc", '[[:alpha:]]+', 'A'], ["a-b_c d", '\W', '.'], ["ab", '', '-'], ["abc", 'b', '\\\\'],
  ["abc", 'b', '\&\&'], ["abc", 'b', "\\`|\\'"], ["aaa", 'a*?', 'x'], ["AbC", '(?i)b', 'x'], ["a.b.c", '\.', ''],
  ["tab\there", '\s', '_'], ["x1y2", '(?<=x)\d', 'N'], ["x1y2", '\d(?!$)', 'M'], ["hello world", '\bw', 'W'],
  ["a\u00e9b", '\w', '.'], ["a b", ' ', '\\0\\0'], ["abc", '(a)(b)(c)', '\3\2\1\9'], ["2020-01-02", '(\d+)-(\d+)-(\d+)', '\3/\2/\1'],
  ["aXbX", 'X', '\\n'], ["path/to/file", '/', '\\\\'], ["été", 'é', 'e'], ["x", 'x', '\\k<nope>'],
  ["aaa", 'a++a', 'x'], ["aaab", 'a*+b', 'x'], ["abab", '(?:ab)++', '<\0>'], ["x\ny", '(?m)x.y', 'Z'], ["x\ny", 'x.y', 'Z'], ["a1", '[[:digit:]]', 'D'],
]
File.open(File.join(dir, "gsub.tsv"), "w") do |out|
  gsubs.each { |s, re, rep| out.puts [s.inspect, re, rep, (s.gsub(Regexp.new(re), rep).inspect rescue "ERR")].join("\t") }
end
