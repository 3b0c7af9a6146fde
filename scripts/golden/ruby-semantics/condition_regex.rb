# Writes testdata/filters/ruby/condition_regex.tsv: whether Ruby's =~
# matches, for the regexps people write in Logstash conditions (including
# the ones Onigmo accepts with a warning, such as nested repeats) on inputs
# that tell Ruby's anchors, classes and word boundaries from other engines'.
# Columns: regex source, input (inspect), true or false.
dir = ARGV.fetch(0)
PATTERNS = [
  '\S+*', '\S+*d', 'a?*b', 'a**b', '^GET', '^$', '^\s*$', 'error$', 'ERROR|WARN', '(?i)error',
  '\d+', '^\d{3}$', '\h+', '\H', '\w+', '\bé', 'a\b', '\Btp', '\Z', 'end\Z', '\Aabc', 'abc\z',
  '[[:alpha:]]+', '[[:digit:]]', '[[:space:]]', '[[:punct:]]', '\p{L}', '\s', '\v', '.', '(?m)a.b',
  '^(?:GET|POST) /', '\.log$', '^\[', 'fo+', 'x{2,}', '(?<!a)b', '(?=c)', '(\w)\1',
]
INPUTS = [
  "", "abc", "abc\n", "ab cd", "GET /index", "POST /x", " GET", "\n", "  \t", "error: x", "ERROR",
  "no Error here", "123", "1234", "12a", "deadBEEF", "g", "é", "aé", "élan", "http", "x\v", "a\nb",
  "end", "end\n", "app.log", "app.log\n", "[x]", "foo", "xx", "ab", "cb", "cc", "aa",
  "\u00a0", "\u0085", "a\u2028b", "\u3000",
]
File.open(File.join(dir, "condition_regex.tsv"), "w") do |out|
  $VERBOSE = nil # nested repeats warn; Logstash matches them all the same
  PATTERNS.each do |src|
    re = Regexp.new(src)
    INPUTS.each { |s| out.puts [src, s.inspect, !(s =~ re).nil?].join("\t") }
  end
end
