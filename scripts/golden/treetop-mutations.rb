# Writes testdata/lang/verdicts/mut-NNNN.conf: random small edits of the
# hand-written verdict inputs and the valid golden configs, so the treetop
# verdicts (treetop-verdicts.sh) also cover inputs nobody thought of.
# Deterministic: the same seed gives the same files.
#
# Usage: ruby scripts/golden/treetop-mutations.rb [COUNT] [SEED]
root = File.expand_path("../..", __dir__)
dir = File.join(root, "testdata/lang/verdicts")
count = (ARGV[0] || 400).to_i
rng = Random.new((ARGV[1] || 1850).to_i)

bases = (Dir.glob(File.join(dir, "hand-*.conf")) +
         Dir.glob(File.join(root, "testdata/lang/valid/*.conf"))).sort
  .map { |p| File.read(p, encoding: "UTF-8") }
  .select { |s| s.valid_encoding? && !s.empty? && s.size < 4000 }

# Characters that matter to the grammar, plus a few that do not.
alphabet = ["{", "}", "[", "]", "(", ")", "\"", "'", "#", "=", ">", "<", "!", "~",
            ",", " ", "\n", "\t", "\r\n", "-", ".", "/", "\\", "a", "Z", "_", "1", "0",
            "if", "else", "and", "or", "in", "not ", "=>", "==", "=~", "é"]

Dir.glob(File.join(dir, "mut-*.conf")).each { |f| File.delete(f) }
count.times do |i|
  s = bases[rng.rand(bases.size)].dup
  (1 + rng.rand(3)).times do
    pos = rng.rand(s.size + 1)
    case rng.rand(5)
    when 0 then s[pos, 1] = "" if pos < s.size                         # delete
    when 1 then s.insert(pos, alphabet[rng.rand(alphabet.size)])       # insert
    when 2 then s[pos, 1] = alphabet[rng.rand(alphabet.size)] if pos < s.size # replace
    when 3 then s.insert(pos, s[pos, 1 + rng.rand(6)] || "")           # duplicate
    when 4 then s = s[0, pos]                                          # truncate
    end
  end
  File.write(File.join(dir, format("mut-%04d.conf", i)), s)
end
puts "wrote #{count} mutations to #{dir}"
