# A reference model of Logstash's ruby filter, in plain MRI, for the
# golden test cases: the user's code runs here directly, with no gostash
# and no worker protocol in between, on a small Event written from
# Logstash's documented Event API (not gostash's worker.rb). What comes out
# is the expected output of the same code run through gostash.

require "bigdecimal"
require "date"
require "json"
require "set"
require "time"

module LogStash
  class TimestampParserError < StandardError; end

  class Timestamp
    include Comparable
    attr_reader :sec, :nsec

    def initialize(sec, nsec)
      @sec = sec
      @nsec = nsec
    end

    def self.now
      FIXED_NOW
    end

    def self.at(*args)
      t = Time.at(*args)
      new(t.to_i, t.nsec)
    end

    def self.parse(text)
      t = Time.iso8601(text)
      new(t.to_i, t.nsec)
    rescue ArgumentError
      raise TimestampParserError, "invalid timestamp format #{text}"
    end

    def time
      Time.at(@sec, @nsec, :nsec).utc
    end

    def to_i
      @sec
    end

    def to_f
      @sec + @nsec / 1_000_000_000.0
    end

    def usec
      @nsec / 1000
    end

    def year
      time.year
    end

    def to_s
      digits = if @nsec % 1_000_000 == 0 then 3 elsif @nsec % 1000 == 0 then 6 else 9 end
      time.strftime("%Y-%m-%dT%H:%M:%S.%#{digits}NZ")
    end
    alias to_iso8601 to_s
    alias inspect to_s

    def <=>(other)
      [sec, nsec] <=> [other.sec, other.nsec] if other.is_a?(Timestamp)
    end

    def +(seconds)
      time + seconds
    end

    def -(other)
      time - (other.is_a?(Timestamp) ? other.time : other)
    end
  end

  FIXED_NOW = Timestamp.new(1_767_323_045, 678_000_000) # 2026-01-02T03:04:05.678Z

  class Event
    def initialize(hash = {})
      data = Event.convert(hash)
      @metadata = data.delete("@metadata") || {}
      @cancelled = false
      ts = data["@timestamp"]
      data["@timestamp"] = Timestamp.parse(ts) if ts.is_a?(String)
      front = {}
      front["@timestamp"] = Timestamp.now unless data.key?("@timestamp")
      front["@version"] = "1" unless data.key?("@version")
      @data = front.merge(data)
    end

    # What an event holds: copies of hashes and arrays, symbols as
    # strings, times as timestamps.
    def self.convert(v)
      case v
      when Hash then v.each_with_object({}) { |(k, x), h| h[k.to_s] = convert(x) }
      when Array then v.map { |x| convert(x) }
      when Symbol then v.to_s
      when Time then Timestamp.new(v.to_i, v.nsec)
      else v
      end
    end

    def self.copy(v)
      case v
      when Hash then v.each_with_object({}) { |(k, x), h| h[k] = copy(x) }
      when Array then v.map { |x| copy(x) }
      else v
      end
    end

    # [root, path] of a reference: "a" and "[a]" are [a], "[a][b]" [a, b].
    def locate(ref)
      path = ref.include?("[") ? ref.scan(/\[([^\[\]]+)\]/).flatten : [ref]
      if path.first == "@metadata"
        [@metadata, path.drop(1)]
      else
        [@data, path]
      end
    end

    def step(container, key)
      case container
      when Hash then container.fetch(key) { throw :missing }
      when Array
        i = Integer(key, 10)
        i += container.size if i < 0
        throw :missing unless i >= 0 && i < container.size
        container[i]
      else throw :missing
      end
    end

    def get(ref)
      root, path = locate(ref)
      catch(:missing) { return Event.copy(path.reduce(root) { |c, k| step(c, k) }) }
      nil
    end

    def include?(ref)
      root, path = locate(ref)
      catch(:missing) { path.reduce(root) { |c, k| step(c, k) }; return true }
      false
    end

    def set(ref, value)
      root, path = locate(ref)
      raise TypeError, "wrong argument type #{value.class} (expected LogStash::Timestamp)" if path == ["@timestamp"] && !value.is_a?(Timestamp)
      parent = path[0...-1].reduce(root) do |c, k|
        if c.is_a?(Array)
          c[Integer(k, 10)] ||= {}
        else
          c[k] = {} if c[k].nil?
          c[k]
        end
      end
      key = path.last
      if parent.is_a?(Array)
        parent[Integer(key, 10)] = Event.convert(value)
      else
        parent[key] = Event.convert(value)
      end
      value
    end

    def remove(ref)
      root, path = locate(ref)
      parent = catch(:missing) { path[0...-1].reduce(root) { |c, k| step(c, k) } }
      case parent
      when Hash then parent.delete(path.last)
      when Array then parent.delete_at(Integer(path.last, 10))
      end
    end

    def tag(t)
      tags = @data["tags"]
      if tags.nil?
        @data["tags"] = [t]
      elsif !tags.include?(t)
        tags << t
      end
    end

    def cancel
      @cancelled = true
    end

    def cancelled?
      @cancelled
    end

    def clone
      e = Event.allocate
      e.instance_variable_set(:@data, Marshal.load(Marshal.dump(@data)))
      e.instance_variable_set(:@metadata, Marshal.load(Marshal.dump(@metadata)))
      e.instance_variable_set(:@cancelled, false)
      e
    end

    def to_hash
      Event.copy(@data)
    end

    def to_hash_with_metadata
      @metadata.empty? ? to_hash : to_hash.merge("@metadata" => Event.copy(@metadata))
    end

    def timestamp
      @data["@timestamp"]
    end

    def timestamp=(t)
      raise TypeError, "wrong argument type #{t.class} (expected LogStash::Timestamp)" unless t.is_a?(Timestamp)
      @data["@timestamp"] = t
    end

    def data
      @data
    end

    def metadata
      @metadata
    end
  end
end

# The filter, as Logstash's ruby filter runs code: `init` and `code` in
# one object, `code` the body of filter_method(event, &new_event_block); a
# `path` script evaluated into a blank object whose filter returns the
# events to pass on.
class ReferenceFilter
  Logger = Struct.new(:records) do
    %i[debug info warn error].each { |l| define_method(l) { |*args| records << [l, *args] } }
  end

  def initialize(options, dir)
    @options = options
    @logger = Logger.new([])
    @tag = options.fetch("tag_on_exception", "_rubyexception")
    @with_message = options.fetch("tag_with_exception_message", false)
    if options["path"]
      @script = Object.new
      logger = @logger
      @script.define_singleton_method(:logger) { logger }
      @script.define_singleton_method(:register) { |_params| }
      @script.define_singleton_method(:test) { |*_args| }
      path = File.join(dir, options["path"])
      @script.instance_eval(File.read(path), path, 1)
      @script.register(options.fetch("script_params", {}))
    else
      eval(options["init"], binding, "(ruby filter init)") if options["init"]
      eval("define_singleton_method :filter_method do |event, &new_event_block|\n #{options["code"]} \nend", binding, "(ruby filter code)")
    end
  end

  # Runs the filter on events and returns what comes out, each event
  # followed by the events made from it.
  def run(events)
    events.flat_map do |event|
      made = []
      if @script
        begin
          results = @script.filter(event)
          made = results.reject { |r| r.equal?(event) }
          event.cancel unless results.any? { |r| r.equal?(event) }
        rescue => e
          tag(event, e)
        end
      else
        begin
          filter_method(event) { |n| made << n }
        rescue Exception => e
          tag(event, e)
        end
      end
      (event.cancelled? ? [] : [event]) + made.reject(&:cancelled?)
    end
  end

  def tag(event, error)
    event.tag("#{@tag}: #{error}") if @with_message
    event.tag(@tag)
  end
end
