# Writes testdata/filters/ruby/regex.tsv: String#gsub results of randomly
# generated Ruby regular expressions on random text, marking every match as
# <match|group1>, to check gostash's Onigmo-to-regexp2 translation.
# Columns: regex, input (inspect), result (inspect) or ERR.
dir = ARGV.fetch(0)
srand(5)
ATOMS = ["a", "b", "\\d", "\\w", "\\s", "\\h", "\\W", "\\S", ".", "[ab]", "[^a]", "[[:alpha:]]", "[[:digit:]x]", "[a-c&]",
         "\\b", "^", "$", "\\A", "\\z", "é", "\\.", "-", " "]
QUANT = ["", "", "", "*", "+", "?", "*?", "+?", "??", "{2}", "{1,2}", "*+", "++"]
def gen(depth = 0)
  n = rand(1..3)
  parts = (1..n).map do
    if depth < 2 && rand < 0.25
      inner = gen(depth + 1)
      kind = ["(", "(?:", "(?=", "(?!", "(?<=", "(?>"].sample
      inner = inner.gsub(/[*+?{}]|\$/, "") if kind == "(?<="  # look-behind needs a fixed width
      body = kind + inner + ")"
      body + (["(?=", "(?!", "(?<="].include?(kind) ? "" : QUANT.sample)
    else
      a = ATOMS.sample
      a + (["\\b", "^", "$", "\\A", "\\z"].include?(a) ? "" : QUANT.sample)
    end
  end
  s = parts.join
  rand < 0.15 ? s + "|" + gen(depth + 1) : s
end
alphabet = ["a", "b", "c", "1", "2", " ", "\n", "é", ".", "-", "&", "x", "_"]
File.open(File.join(dir, "regex.tsv"), "w") do |out|
  3000.times do
    src = gen
    re = begin
      Regexp.new(src)
    rescue RegexpError
      next
    end
    4.times do
      s = (0..rand(0..10)).map { alphabet.sample }.join
      res = begin
        s.gsub(re) { "<#{$~[0]}|#{$~[1]}>" }.inspect
      rescue => e
        "ERR"
      end
      out.puts [src, s.inspect, res].join("\t")
    end
  end
end
