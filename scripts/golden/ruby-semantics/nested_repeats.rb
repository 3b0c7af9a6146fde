# Writes testdata/filters/ruby/nested_repeats.tsv: how MRI treats a repeat of
# a repeat, (?:a<inner>)<outer>, for the six plain repeats ? * + ?? *? +?.
# A capturing group keeps Ruby from folding the two repeats, so (a<inner>)<outer>
# shows the nesting taken literally; the script matches the nested form and a
# few single-repeat rewrites on probe strings and records which rewrite
# behaves exactly like it, with the warning `ruby -W` prints for it.
# Columns: inner, outer, rewrite, warning, probe results (match spans).
dir = ARGV.fetch(0)
QUANTS = %w[? * + ?? *? +?]
# Each rewrite as a Ruby regex whose repeats Ruby does not fold further
# (the capturing group blocks folding); "keep" is the literal nesting.
REWRITES = {
  "keep" => ->(i, o) { "(a#{i})#{o}" },
  "inner" => ->(i, _) { "a#{i}" },
  "star" => ->(*) { "a*" },
  "lazy-star" => ->(*) { "a*?" },
  "lazy-optional" => ->(*) { "a??" },
  "lazy-optional-plus" => ->(*) { "(a+)??" },
  "optional-lazy-plus" => ->(*) { "(a+?)?" },
}
CONTEXTS = ['\A(X)', '\A(X)(a?)\z', '\A(X)(a*?)\z', '\A(X)(a)', '\A(X)b', '(X)b', '(X)']
TEXTS = ["", "a", "aa", "aaa", "b", "ab", "aab", "aaab", "baa"]

# probes lists, for each context and text, the span of the whole match, of
# the repeat and of the text after it (or "-" when nothing matches).
def probes(x)
  CONTEXTS.flat_map do |ctx|
    re = Regexp.new(ctx.sub("X", x))
    tail = ctx.include?(")(")
    TEXTS.map do |s|
      m = re.match(s)
      next "-" unless m
      [m.offset(0), m.offset(1), tail ? m.offset(m.size - 1) : []].flatten.join(",")
    end
  end.join(" ")
end

def warning(re)
  $stderr = StringIO.new
  $VERBOSE = true
  Regexp.new(re)
  $stderr.string[/warning: (.*?)(: \/|$)/, 1] || ""
ensure
  $VERBOSE = nil
  $stderr = STDERR
end

require "stringio"
$VERBOSE = nil
File.open(File.join(dir, "nested_repeats.tsv"), "w") do |out|
  QUANTS.each do |inner|
    QUANTS.each do |outer|
      got = probes("(?:a#{inner})#{outer}")
      # Prefer the one-repeat rewrites: they are what Ruby compiles, "keep"
      # only where nothing simpler behaves the same.
      names = REWRITES.keys.rotate(1)
      name = names.find { |n| probes(REWRITES[n].(inner, outer)) == got }
      raise "(?:a#{inner})#{outer}: no rewrite behaves like it" unless name
      out.puts [inner, outer, name, warning("(?:a#{inner})#{outer}"), got].join("\t")
    end
  end
end
