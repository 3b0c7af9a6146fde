# Writes testdata/filters/ruby/case.tsv: Ruby's String#upcase, #downcase and
# #capitalize of every single code point that any of them changes
# (hex code points, space-separated).
dir = ARGV.fetch(0)
File.open(File.join(dir, "case.tsv"), "w") do |out|
  (0..0x10FFFF).each do |cp|
    next if (0xD800..0xDFFF).include?(cp)
    c = [cp].pack("U")
    u, d, k = c.upcase, c.downcase, c.capitalize
    next if u == c && d == c && k == c
    hex = ->(s) { s.codepoints.map { |x| x.to_s(16) }.join(" ") }
    out.puts [cp.to_s(16), hex.(u), hex.(d), hex.(k)].join("\t")
  end
end
