# Writes testdata/filters/ruby/word.tsv: the code points Ruby's \b counts
# as word characters (Onigmo's Unicode notion, wider than \w, which is
# ASCII-only), as ranges of hex code points, one "first<TAB>last" a line.
dir = ARGV.fetch(0)
re = /\Aa\b/
ranges = []
(0..0x10FFFF).each do |cp|
  next if (0xD800..0xDFFF).include?(cp)
  # No boundary between "a" and the character: it is a word character.
  next if re.match?("a" + [cp].pack("U"))
  if ranges.any? && ranges[-1][1] == cp - 1
    ranges[-1][1] = cp
  else
    ranges << [cp, cp]
  end
end
File.open(File.join(dir, "word.tsv"), "w") do |out|
  ranges.each { |first, last| out.puts [first.to_s(16), last.to_s(16)].join("\t") }
end
