# Writes each ruby filter test case's expected_stdout: the case's stdin
# events through the code of its config.conf, run directly in MRI by the
# reference model (reference.rb), printed as the rubydebug codec prints
# them (awesome_print's `hash.ai`).
#
#   ruby scripts/golden/ruby-filter/gen.rb plugins/filters/ruby/testcases
#
# A case is a directory with config.conf (stdin with json_lines, a mutate
# dropping the fields the input adds, the ruby filter, stdout with
# rubydebug) and stdin, one JSON event a line.
require "awesome_print"
require_relative "reference"

Encoding.default_external = Encoding::UTF_8

# The ruby { } block's options from config text: quoted strings (kept as
# written), numbers, true/false, and flat hashes of those.
class RubyOptions
  def initialize(text)
    @s = text
    @i = text.index(/\bruby\s*\{/) or raise "no ruby block"
    @i = text.index("{", @i) + 1
  end

  def parse
    opts = {}
    loop do
      skip
      break if @s[@i] == "}"
      name = @s[@i..][/\A\w+/] or raise "an option name at #{@i}"
      @i += name.size
      skip
      raise "=> after #{name}" unless @s[@i, 2] == "=>"
      @i += 2
      opts[name] = value
    end
    opts
  end

  private

  def skip
    loop do
      @i += 1 while @s[@i] =~ /\s/
      break unless @s[@i] == "#"
      @i += 1 until @s[@i] == "\n"
    end
  end

  def value
    skip
    case @s[@i]
    when "'", '"'
      quote = @s[@i]
      close = @i + 1
      close += (@s[close] == "\\" ? 2 : 1) until @s[close] == quote
      text = @s[@i + 1...close]
      @i = close + 1
      text
    when "{"
      @i += 1
      h = {}
      loop do
        skip
        if @s[@i] == "}"
          @i += 1
          return h
        end
        k = value
        skip
        @i += 2 # =>
        h[k] = value
      end
    else
      word = @s[@i..][/\A[\w.+-]+/]
      @i += word.size
      case word
      when "true" then true
      when "false" then false
      when /\A-?\d+\z/ then word.to_i
      else Float(word)
      end
    end
  end
end

root = ARGV.fetch(0)
Dir.children(root).sort.each do |name|
  dir = File.join(root, name)
  config = File.join(dir, "config.conf")
  next unless File.exist?(config)
  text = File.read(config)
  options = RubyOptions.new(text).parse
  events = File.readlines(File.join(dir, "stdin"), chomp: true).reject(&:empty?).map do |line|
    LogStash::Event.new(JSON.parse(line))
  end
  out = ReferenceFilter.new(options, dir).run(events)
  with_metadata = text.include?("metadata => true")
  File.write(File.join(dir, "expected_stdout"), out.map do |e|
    (with_metadata ? e.to_hash_with_metadata : e.to_hash).ai(plain: true) + "\n"
  end.join)
  puts "#{name}: #{events.size} in, #{out.size} out"
end
