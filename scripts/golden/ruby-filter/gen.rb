# Writes each test case's expected.json: its input events through its code
# (or script) run by the reference model in plain MRI.
#
#   ruby scripts/golden/ruby-filter/gen.rb plugins/filters/ruby/testcases
#
# A case is a directory with case.json ({"description", "options",
# "input"}), and code.rb / init.rb / a script the options name. An input
# event without @timestamp is stamped 2026-01-02T03:04:05.678Z.
require_relative "reference"

DEFAULT_TIMESTAMP = "2026-01-02T03:04:05.678Z"

root = ARGV.fetch(0)
Dir.children(root).sort.each do |name|
  dir = File.join(root, name)
  next unless File.exist?(File.join(dir, "case.json"))
  spec = JSON.parse(File.read(File.join(dir, "case.json")))
  options = spec.fetch("options", {})
  %w[code init].each do |opt|
    file = File.join(dir, "#{opt}.rb")
    options[opt] = File.read(file) if File.exist?(file)
  end
  events = spec.fetch("input").map do |h|
    h["@timestamp"] ||= DEFAULT_TIMESTAMP
    LogStash::Event.new(h)
  end
  out = ReferenceFilter.new(options, dir).run(events)
  File.write(File.join(dir, "expected.json"), JSON.pretty_generate(out.map { |e| Typed.event(e) }) + "\n")
  puts "#{name}: #{events.size} in, #{out.size} out"
end
