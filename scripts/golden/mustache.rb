# Renders every case of DIR/cases.json with the mustache gem over the case
# event (as the email output passes event.to_hash) and writes
# DIR/expected.json: the output, or {"error": ...} when the gem refuses
# the template.
require "json"
require "mustache"

dir = ARGV.fetch(0)
input = JSON.parse(File.read(File.join(dir, "cases.json")))
event = input.fetch("event")
expected = {}
input.fetch("cases").each do |c|
  expected[c.fetch("name")] =
    begin
      { "output" => Mustache.render(c.fetch("template"), event) }
    rescue Mustache::Parser::SyntaxError => e
      { "error" => e.message.lines.first.strip }
    end
end
File.write(File.join(dir, "expected.json"), JSON.pretty_generate(expected) + "\n")
