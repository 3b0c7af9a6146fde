# Writes expected_stdout for the xml filter testcases by running each
# stdin line through Nokogiri (the XPath part) and XmlSimple (store_xml),
# the libraries Logstash's xml filter uses (Debian's ruby-nokogiri and
# ruby-xml-simple), with the options each case's config.conf sets, and
# printing the events with awesome_print as the rubydebug codec does.
# Field order is gostash's: the order fields are set.
require 'awesome_print'
require 'nokogiri'
require 'xmlsimple'

NOW = '2026-01-02T03:04:05.678Z'
class LogstashTimestamp
  def inspect
    NOW
  end
end

# One xml filter run: the event hash changed in place; returns matched.
def xml_filter(event, source:, target: nil, xpath: {}, store_xml: true, force_array: true, force_content: false,
               namespaces: {}, remove_namespaces: false, suppress_empty: true)
  value = event[source]
  return false if value.nil? || value.strip.empty?

  matched = false
  unless xpath.empty?
    doc = Nokogiri::XML::Document.parse(value, nil, 'UTF-8', Nokogiri::XML::ParseOptions::DEFAULT_XML)
    doc.remove_namespaces! if remove_namespaces
    xpath.each do |src, dest|
      nodeset = namespaces.empty? ? doc.xpath(src) : doc.xpath(src, namespaces)
      nodeset = [nodeset] unless nodeset.is_a?(Nokogiri::XML::NodeSet)
      data = nodeset.select { |v| v }.map(&:to_s)
      matched ||= !data.empty?
      if data.size == 1 && !force_array
        event[dest] = data[0]
      elsif !data.empty?
        event[dest] = data
      end
    end
  end
  if store_xml
    opts = { 'ForceArray' => force_array, 'ForceContent' => force_content }
    opts['SuppressEmpty'] = true if suppress_empty
    begin
      event[target] = XmlSimple.xml_in(value, opts)
    rescue REXML::ParseException
      (event['tags'] ||= []) << '_xmlparsefailure'
      return false
    end
    matched = true
  end
  matched
end

def run_case(dir)
  lines = File.read("#{dir}/stdin").split("\n", -1)[0...-1]
  events = lines.map do |line|
    e = { '@timestamp' => LogstashTimestamp.new, 'message' => line }
    yield e
    e
  end
  File.write("#{dir}/expected_stdout", events.map { |e| e.ai(plain: true) + "\n" }.join)
end

run_case('plugins/filters/xml/testcases/store-xml') do |e|
  (e['tags'] ||= []) << 'xml' if xml_filter(e, source: 'message', target: 'doc')
end

run_case('plugins/filters/xml/testcases/xpath') do |e|
  msg = e['message']
  if msg.start_with?('ns')
    e['message'] = msg.sub(/^ns /, '')
    xml_filter(e, source: 'message', store_xml: false, namespaces: { 'x' => 'urn:example:x' },
                  xpath: { '//x:item/text()' => 'items', 'count(//x:item)' => 'count' })
  elsif msg.start_with?('strip')
    e['message'] = msg.sub(/^strip /, '')
    xml_filter(e, source: 'message', store_xml: false, remove_namespaces: true, xpath: { '//item/@id' => 'ids' })
  else
    xml_filter(e, source: 'message', target: 'doc', force_array: false, force_content: true,
                  xpath: { '/log/@level' => 'level', '/log/entry' => 'entries', 'string(/log/entry[1])' => 'first',
                           'boolean(/log/missing)' => 'missing', '/log/ctx' => 'ctx' })
  end
  e.delete('message')
end
