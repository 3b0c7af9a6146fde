# Writes testdata/filters/kv/onigmo.tsv: the key/value tuples Ruby's Onigmo
# engine scans out of random text with the regex the kv filter builds for a
# set of configurations, so gostash's regexp2 translation can be compared.
# Columns: config index, input (inspect), scanned pairs (inspect) .
dir = ARGV.fetch(0)

def quoted(open, close)
  /#{Regexp.quote(open)}((?:\\.|[^#{Regexp.quote(close)}])+)?#{Regexp.quote(close)}/
end

def until_pattern(*patterns)
  pattern = patterns.size > 1 ? Regexp.union(patterns) : patterns.first
  /((?:(?!#{pattern})(?:\\.|.))+)/
end

def until_class(charclass)
  /((?:\\.|[^#{charclass}])+)/
end

def scan_re(c)
  field_split = c.fetch(:field_split, " ")
  value_split = c.fetch(:value_split, "=")
  fsp = Regexp.compile(c[:field_split_pattern] || "[#{field_split}]")
  vsp = Regexp.compile(c[:value_split_pattern] || "[#{value_split}]")
  vsp = / *#{vsp} */ if c.fetch(:whitespace, "lenient") == "lenient"
  patterns_given = c.key?(:field_split_pattern) || c.key?(:value_split_pattern)
  key = patterns_given ? until_pattern(vsp, fsp) : until_class(value_split + field_split)
  values = [quoted('"', '"'), quoted("'", "'")]
  values += [quoted("(", ")"), quoted("[", "]"), quoted("<", ">")] if c.fetch(:include_brackets, true)
  values << (c.key?(:field_split_pattern) ? until_pattern(fsp) : until_class(field_split))
  /#{key}#{vsp}#{Regexp.union(values)}?#{Regexp.union(fsp, /$/)}/
end

CONFIGS = [
  {},
  { whitespace: "strict" },
  { field_split: "&?", value_split: ":" },
  { field_split_pattern: ", *", value_split_pattern: "=>" },
  { include_brackets: false },
  { field_split: "|" },
  { value_split: ":=" },
]
srand(11)
alphabet = ["a", "b", "c", "=", " ", " ", "\"", "'", "(", ")", "[", "]", "<", ">", "\\", "&", ":", ",", "|", ">", "x", "1"]
File.open(File.join(dir, "onigmo.tsv"), "w") do |out|
  CONFIGS.each_with_index do |c, i|
    re = scan_re(c)
    300.times do
      s = (1..rand(1..24)).map { alphabet.sample }.join
      pairs = s.scan(re).map { |key, *values| [key, values.compact.first || ""] }
      out.puts [i, s.inspect, pairs.inspect].join("\t")
    end
  end
end
