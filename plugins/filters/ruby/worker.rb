# The Ruby half of gostash's ruby filter. gostash runs this file in MRI as a
# long-lived worker process, one per pipeline worker, and talks to it over
# two pipes: requests arrive on fd 3, replies leave on fd 4, so the user's
# code keeps stdout and stderr for itself as it does in Logstash.
#
# A frame is a 4-byte big-endian length, a one-byte kind and a body; the
# length counts the kind and the body. Bodies are Marshal data, but for
# batches (below).
#
#   gostash -> worker   S setup      {settings}          -> K [test results] | E [kind, message, file, line]
#                       B batch      timestamps, then the events' JSON (see batch)
#                                                        -> J [[flags, writes, data, meta, children], ...]
#                                                           (see Event#__reply; R: the same in Marshal,
#                                                           when JSON cannot say it)
#                       A answer     [true, value] | [false, class name, message]
#   worker -> gostash   Q question   [operation, args...] (sprintf, to_json... answered by gostash's own code)
#                       L log        [level, message, {fields}]
#
# Batches (B, J) are JSON, which Ruby's C extension parses and writes
# faster than Marshal; timestamps, decimals and binary strings in them are
# tagged objects (see GostashWire), but for each event's @timestamp, which
# travels in binary before the JSON.
# Everything else is Marshal.
#
# Event data lives here, in Ruby hashes, for the time of a batch: the
# user's code reads and writes them without crossing the pipe, and the
# batch's changes go back in one reply.

# What Logstash has loaded by the time the code runs, which code in the
# wild uses without requiring it (JSON.parse, Time.parse, Date, Set).
require "bigdecimal"
require "date"
require "json"
require "set"
require "time"

module LogStash
  class Error < StandardError; end
  class TimestampParserError < StandardError; end

  module Json
    class ParserError < StandardError; end
    class GeneratorError < StandardError; end

    # LogStash::Json.load reads JSON numbers with a fraction as BigDecimal,
    # as Logstash's JrJackson does.
    def self.load(data, options = {})
      return nil if data.nil? || data.strip.empty?
      ::JSON.parse(data, decimal_class: ::BigDecimal)
    rescue ::JSON::ParserError => e
      raise ParserError, e.message
    end

    def self.dump(o, options = {})
      options[:pretty] ? ::JSON.pretty_generate(o) : ::JSON.generate(o)
    rescue ::JSON::GeneratorError => e
      raise GeneratorError, e.message
    end
  end

  # An instant at nanosecond precision, printed the way Logstash prints
  # @timestamp. Its instance variables are exactly @sec and @nsec: gostash
  # reads and writes timestamps as Marshal objects with those two.
  class Timestamp
    include Comparable

    def self.__at(sec, nsec)
      allocate.__set(sec, nsec)
    end

    def self.now
      fixed = GostashWorker.fixed_now
      return fixed.dup if fixed
      t = ::Time.now
      __at(t.to_i, t.nsec)
    end

    def self.at(*args)
      t = ::Time.at(*args)
      __at(t.to_i, t.nsec)
    end

    def self.coerce(time)
      case time
      when Timestamp then time
      when ::Time then __at(time.to_i, time.nsec)
      when ::String then GostashWorker.parse_timestamp(time) || raise(TimestampParserError, "invalid timestamp format Text '#{time}' could not be parsed")
      end
    end

    def self.parse_iso8601(time)
      unless time.is_a?(::String)
        raise TypeError, "wrong argument type #{time.class} (expected String)"
      end
      GostashWorker.parse_timestamp(time) || raise(TimestampParserError, "invalid timestamp format Text '#{time}' could not be parsed")
    end

    def initialize(time = nil)
      case time
      when nil
        t = Timestamp.now
        __set(t.__sec, t.nsec)
      when ::Time
        __set(time.to_i, time.nsec)
      when ::String
        t = GostashWorker.parse_timestamp(time) || raise(TimestampParserError, "invalid timestamp string format #{time}")
        __set(t.__sec, t.nsec)
      else
        raise TypeError, "wrong argument type #{time.class} (expected Time)"
      end
    end

    def __set(sec, nsec)
      @sec = sec
      @nsec = nsec
      self
    end

    def __sec
      @sec
    end

    def time
      ::Time.at(@sec, @nsec, :nsec).utc
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
    alias tv_usec usec

    def nsec
      @nsec
    end
    alias tv_nsec nsec

    def year
      time.year
    end

    def utc
      self
    end
    alias gmtime utc

    # ISO-8601 in UTC with a Z: three fraction digits for whole
    # milliseconds, else the fewest groups of three that keep every
    # nanosecond.
    def to_iso8601
      t = ::Time.at(@sec).utc
      y = t.year
      year = y > 9999 ? "+#{y}" : (y < 0 ? format("-%04d", -y) : format("%04d", y))
      frac = if @nsec % 1_000_000 == 0
        format("%03d", @nsec / 1_000_000)
      elsif @nsec % 1000 == 0
        format("%06d", @nsec / 1000)
      else
        format("%09d", @nsec)
      end
      format("%s-%02d-%02dT%02d:%02d:%02d.%sZ", year, t.month, t.day, t.hour, t.min, t.sec, frac)
    end
    alias to_s to_iso8601
    alias inspect to_iso8601

    def to_json(state = nil, *_args)
      return GostashWire.timestamp(self) if state.equal?(GostashWire::STATE)
      "\"#{to_iso8601}\""
    end

    def <=>(other)
      return nil unless other.is_a?(Timestamp)
      [@sec, @nsec] <=> [other.__sec, other.nsec]
    end

    def ==(other)
      other.is_a?(Timestamp) && @sec == other.__sec && @nsec == other.nsec
    end
    alias eql? ==

    def hash
      [@sec, @nsec].hash
    end

    def +(other)
      time + other
    end

    def -(other)
      time - (other.is_a?(Timestamp) ? other.time : other)
    end

    def clone(*)
      Timestamp.__at(@sec, @nsec)
    end
    alias dup clone
  end

  # An event as Logstash's Ruby API shows it. @data holds the fields
  # (@timestamp among them), @metadata the @metadata map.
  #
  # An event of a batch starts raw: its JSON unread in the batch (@raw, a
  # GostashWorker::RawBatch, at index @i). Reading it parses the batch's
  # events at once; until then, setting a top-level field is kept as a
  # pending write in @ops, and gostash applies the writes to its copy of
  # the event, so code that only writes never pays for reading.
  #
  # gostash keeps its own copy of every event of a batch, so a read event
  # goes back as what changed: the top-level fields written (@dirty, in
  # the order they were first written since they were last removed), the
  # top-level fields removed (@removed), and the metadata as a whole when
  # it changed (@meta_dirty). Only an event overwritten by another goes
  # back whole (@full).
  class Event
    METADATA = "@metadata"
    METADATA_BRACKETS = "[@metadata]"
    TIMESTAMP = "@timestamp"
    TIMESTAMP_FAILURE_TAG = "_timestampparsefailure"
    TIMESTAMP_FAILURE_FIELD = "_@timestamp"
    VERSION = "@version"
    VERSION_ONE = "1"
    TAGS = "tags"
    TAGS_FAILURE_TAG = "_tagsparsefailure"
    TAGS_FAILURE_FIELD = "_tags"

    MSG_BRACKETS_METHOD_MISSING = "Direct event field references (i.e. event['field']) have been disabled in favor of using event get and set methods (e.g. event.get('field')). Please consult the Logstash 5.0 breaking changes documentation for more details."
    MSG_BRACKETS_EQUALS_METHOD_MISSING = "Direct event field references (i.e. event['field'] = 'value') have been disabled in favor of using event get and set methods (e.g. event.set('field', 'value')). Please consult the Logstash 5.0 breaking changes documentation for more details."

    def self.__wire(data, metadata)
      allocate.__init(data, metadata || {}, false)
    end

    def self.from_json(json)
      unless json.is_a?(::String)
        raise TypeError, "wrong argument type #{json.class} (expected String)"
      end
      GostashWorker.ask("from_json", json).map { |d, m| __wire(d, m) }
    end

    def self.validate_value(value)
      value
    end

    def initialize(data = nil)
      @cancelled = false
      @metadata = {}
      case data
      when nil
        @data = {TIMESTAMP => Timestamp.now, VERSION => VERSION_ONE}
      when ::Hash
        __from_hash(GostashWorker.convert_hash(data))
      else
        raise TypeError, "wrong argument type #{data.class} (expected Hash)"
      end
    end

    def self.__raw(batch, index)
      allocate.__raw_init(batch, index)
    end

    def __init(data, metadata, cancelled)
      @data = data
      @metadata = metadata
      @cancelled = cancelled
      @raw = nil
      self
    end

    # Two instance variables, so a raw event is one object with no
    # separate table for them: most events of a batch never get more.
    def __raw_init(batch, index)
      @raw = batch
      @i = index
      self
    end

    def __materialize
      @raw.materialize
    end

    # Gives a raw event its parsed data and metadata, with its timestamp
    # (ts, from the batch, unless the code has read or set it already) and
    # pending writes applied.
    def __fill(data, metadata, ts)
      ts = @ts || ts
      data[TIMESTAMP] = ts if ts
      @data = data
      @metadata = metadata || {}
      @raw = nil
      if @ops
        dirty = @dirty = {}
        @ops.each do |k, v|
          data[k] = v
          dirty[k] = true
        end
        @ops = nil
      end
    end

    def __raw?
      !@raw.nil?
    end

    def __touch(key)
      (@dirty ||= {})[key] = true
    end

    # The row of the batch's reply saying what became of the event: [flags,
    # writes], then [data, metadata, children] when there is more to say.
    # writes lists the top-level fields to remove, [key], then those to
    # set, [key, value]; data, when not nil, replaces the event's; metadata
    # replaces the event's when flags has FLAG_META.
    def __reply(flags, children)
      return [flags, @ops, nil, nil, children] if @raw && children
      return [flags, @ops] if @raw
      data = nil
      if @full
        data = @data
        flags |= GostashWorker::FLAG_META
        writes = nil
      else
        writes = @removed&.map { |k, _| [k] }
        if @dirty
          writes ||= []
          d = @data
          @dirty.each_key { |k| writes << (d.key?(k) ? [k, d[k]] : [k]) }
        end
      end
      flags |= GostashWorker::FLAG_META if @meta_dirty
      return [flags, writes] unless data || children || @meta_dirty
      [flags, writes, data, flags & GostashWorker::FLAG_META == 0 ? nil : @metadata, children]
    end

    def __data
      __materialize if @raw
      @data
    end

    def __metadata
      __materialize if @raw
      @metadata
    end

    def get(reference)
      __materialize if @raw
      meta, path = GostashWorker.field_ref(reference)
      root = meta ? @metadata : @data
      return GostashWorker.copy(root) if path.empty?
      v = GostashWorker.dig(root, path)
      GostashWorker::MISSING.equal?(v) ? nil : GostashWorker.copy(v)
    end

    def set(reference, value)
      meta, path, key = GostashWorker.field_ref(reference)
      if @raw
        if key
          (@ops ||= []) << [key, GostashWorker.convert(value)]
          return value
        end
        if !meta && path.size == 1 && path[0] == TIMESTAMP
          self.timestamp = value
          return value
        end
        __materialize
      end
      if meta
        if path.empty?
          unless value.is_a?(::Hash)
            raise TypeError, "wrong argument type #{value.class} (expected Hash)"
          end
          @metadata = GostashWorker.convert_hash(value)
        else
          GostashWorker.put(@metadata, path, GostashWorker.convert(value))
        end
        @meta_dirty = true
        return value
      end
      first = path[0]
      if path.size == 1 && first == TIMESTAMP
        unless value.is_a?(Timestamp)
          raise TypeError, "wrong argument type #{value.class} (expected LogStash::Timestamp)"
        end
        @data[TIMESTAMP] = value
        __touch(TIMESTAMP)
        return value
      end
      if first == TAGS && (path.size > 1 || !GostashWorker.legal_tags?(value))
        raise RuntimeError, "Could not set the reserved tags field '[#{path.join("][")}]' to value '#{value}'. The tags field only accepts string or array of string."
      end
      GostashWorker.put(@data, path, GostashWorker.convert(value))
      __touch(first)
      value
    end

    def remove(reference)
      __materialize if @raw
      meta, path = GostashWorker.field_ref(reference)
      if meta
        @meta_dirty = true
        if path.empty?
          old = @metadata
          @metadata = {}
          return old
        end
        return GostashWorker.delete(@metadata, path)
      end
      key = path[0]
      if path.size == 1
        # Removed: a later write puts the field last, as a new one.
        @dirty&.delete(key)
        (@removed ||= {})[key] = true
      else
        __touch(key)
      end
      GostashWorker.delete(@data, path)
    end

    def include?(reference)
      __materialize if @raw
      meta, path = GostashWorker.field_ref(reference)
      return true if meta && path.empty?
      !GostashWorker::MISSING.equal?(GostashWorker.dig(meta ? @metadata : @data, path))
    end

    def tag(value)
      __materialize if @raw
      value = value.to_str
      tags = @data[TAGS]
      case tags
      when nil
        @data[TAGS] = [value]
      when ::Array
        tags << value unless tags.include?(value)
      else
        @data[TAGS] = tags == value ? [tags] : [tags, value]
      end
      __touch(TAGS)
      nil
    end

    def cancel
      @cancelled = true
    end

    def uncancel
      @cancelled = false
    end

    def cancelled?
      @cancelled == true
    end

    # A deep copy with its own metadata, not cancelled, as Logstash's
    # Event#clone.
    def clone
      __materialize if @raw
      Event.allocate.__init(GostashWorker.deep_dup(@data), GostashWorker.deep_dup(@metadata), false)
    end
    alias dup clone

    def overwrite(other)
      unless other.is_a?(Event)
        raise TypeError, "wrong argument type #{other.class} (expected LogStash::Event)"
      end
      __materialize if @raw
      @data = other.__data
      @cancelled = other.cancelled?
      @data[TIMESTAMP] = Timestamp.now unless @data[TIMESTAMP].is_a?(Timestamp)
      @full = true
      self
    end

    def to_hash
      __materialize if @raw
      GostashWorker.copy(@data)
    end

    def to_hash_with_metadata
      __materialize if @raw
      h = GostashWorker.copy(@data)
      h[METADATA] = GostashWorker.copy(@metadata) unless @metadata.empty?
      h
    end

    def to_json(*_args)
      __materialize if @raw
      GostashWorker.ask("to_json", @data)
    end

    def to_s
      __materialize if @raw
      GostashWorker.ask("to_s", @data)
    end

    def sprintf(format)
      format = format.to_s
      return format.dup unless format.include?("%{")
      __materialize if @raw
      GostashWorker.ask("sprintf", @data, @metadata, format)
    end

    def timestamp
      if @raw
        # An event with no timestamp in the batch has none to read here.
        ts = @ts ||= @raw.timestamp(@i)
        return ts if ts
        __materialize
      end
      @data[TIMESTAMP]
    end

    def timestamp=(value)
      unless value.is_a?(Timestamp)
        raise TypeError, "wrong argument type #{value.class} (expected LogStash::Timestamp)"
      end
      if @raw
        @ts = value
        (@ops ||= []) << [TIMESTAMP, value]
      else
        @data[TIMESTAMP] = value
        __touch(TIMESTAMP)
      end
    end

    def [](*)
      raise NoMethodError, MSG_BRACKETS_METHOD_MISSING
    end

    def []=(*)
      raise NoMethodError, MSG_BRACKETS_EQUALS_METHOD_MISSING
    end

    # The fields of Event.new(hash): @metadata moves to the metadata, an
    # illegal tags value to _tags, a @timestamp that is not a timestamp is
    # parsed (on failure: now, the tag, and the text in _@timestamp), and
    # a missing @timestamp or @version is put first.
    def __from_hash(data)
      md = data.delete(METADATA)
      @metadata = md if md.is_a?(::Hash)
      @data = data
      unless GostashWorker.legal_tags?(data[TAGS])
        data[TAGS_FAILURE_FIELD] = [data[TAGS]]
        data[TAGS] = [TAGS_FAILURE_TAG]
      end
      has_ts = data.key?(TIMESTAMP)
      if has_ts
        ts = data[TIMESTAMP]
        unless ts.is_a?(Timestamp)
          parsed = ts.is_a?(::String) ? GostashWorker.parse_timestamp(ts) : nil
          if parsed
            data[TIMESTAMP] = parsed
          else
            data[TIMESTAMP] = Timestamp.now
            data[TIMESTAMP_FAILURE_FIELD] = ts
            tag(TIMESTAMP_FAILURE_TAG)
          end
        end
      end
      has_version = data.key?(VERSION)
      return if has_ts && has_version
      front = {}
      front[TIMESTAMP] = Timestamp.now unless has_ts
      front[VERSION] = VERSION_ONE unless has_version
      @data = front.merge!(data)
    end
  end

  module Filters
    # The plugin instance of inline mode: `init` runs in its register and
    # `code` becomes its filter_method, so both share instance variables
    # and helper methods, as in Logstash.
    class Ruby
      class ScriptError < StandardError; end

      attr_reader :logger, :params

      def initialize(params, logger)
        @params = params
        @logger = logger
        @id = params["id"]
        @code = params["code"]
        @init = params["init"]
        @path = params["path"]
        @script_params = params["script_params"] || {}
        @tag_on_exception = params["tag_on_exception"]
        @tag_with_exception_message = params["tag_with_exception_message"]
      end

      def register
        eval(@init, binding, "(ruby filter init)") if @init
        eval("define_singleton_method :filter_method do |event, &new_event_block|\n #{@code} \nend", binding, "(ruby filter code)")
      end

      def filter_matched(_event)
      end
    end
  end
end

# The tagged objects of the batch JSON: {"\u0000gs" => class name, ...}.
# JSON.parse makes them with the class's json_create; the generator writes
# them through to_json when given STATE.
module GostashWire
  TAG = "\u0000gs"
  STATE = JSON::State.new(allow_nan: false, max_nesting: 0)
  PARSE = {create_additions: true, create_id: TAG, allow_nan: true, max_nesting: false}.freeze

  def self.timestamp(t)
    "{\"\\u0000gs\":\"GostashWire::Timestamp\",\"s\":#{t.__sec},\"n\":#{t.nsec}}"
  end

  class Timestamp
    def self.json_creatable?
      true
    end

    def self.json_create(h)
      LogStash::Timestamp.__at(h["s"], h["n"])
    end
  end

  class Decimal
    def self.json_creatable?
      true
    end

    def self.json_create(h)
      Kernel.BigDecimal(h["v"])
    end
  end

  class Binary
    def self.json_creatable?
      true
    end

    def self.json_create(h)
      h["v"].unpack1("m0")
    end
  end

  # BigDecimal in the batch JSON: its digits, tagged.
  module DecimalJSON
    def to_json(state = nil, *args)
      return "{\"\\u0000gs\":\"GostashWire::Decimal\",\"v\":\"#{to_s}\"}" if state.equal?(STATE)
      super
    end
  end
  ::BigDecimal.prepend(DecimalJSON)
end

# What runs a `path` script: a blank object the script is evaluated into,
# a context per `test` block, and the expectations of each.
module GostashScript
  class ExecutionContext
    def initialize(name, logger)
      @__name__ = name
      @__logger__ = logger
    end

    def logger
      @__logger__
    end

    def register(_params)
      logger.debug("skipping register since the script didn't define it")
    end

    def to_s
      "<ExecutionContext #{@__name__}>"
    end
  end

  class TestContext
    attr_reader :name, :in_events

    def initialize(script, name)
      @script = script
      @name = name
      @expects = []
      @parameters = {}
      @in_events = nil
      @context = script.new_context("Test/#{name}", true)
    end

    def parameters(&block)
      return @parameters unless block
      @parameters = block.call
      unless @parameters.is_a?(::Hash)
        raise ArgumentError, "Test parameters must be a hash in #{@name}!"
      end
      @context.register(@parameters)
    end

    def in_event(&block)
      return @in_events unless block
      given = block.call
      hashes = given.is_a?(::Hash) ? [given] : given
      hashes.each do |h|
        unless h.is_a?(::Hash)
          raise ArgumentError, "In event for #{@name} must receive either a hash or an array of hashes! got a '#{h.class}' in #{hashes.inspect}"
        end
      end
      @in_events = Array(hashes).map { |h| LogStash::Event.new(h) }
    end
    alias in_events in_event

    def expect(name, &block)
      @expects << [name, block]
    end

    # Runs the filter on the in events, then every expectation; returns
    # the counts of passed, failed and errored expectations.
    def execute
      raise "You must declare an `in_event` to run tests!" unless @in_events
      results = []
      @in_events.each do |e|
        out = @context.filter(e)
        GostashWorker.check_results!(out)
        results.concat(out)
      end
      counts = {passed: 0, failed: 0, errored: 0}
      @expects.each do |expect_name, block|
        counts[run_expect(expect_name, block, results)] += 1
      end
      counts
    end

    private

    def run_expect(expect_name, block, results)
      fields = {}
      begin
        return :passed if block.call(results)
        outcome = :failed
        message = "***TEST FAILURE FOR: '#{@name} #{expect_name}'***"
      rescue => e
        outcome = :errored
        message = "***TEST RAISED ERROR: '#{@name} #{expect_name}'***"
        fields = {"exception" => e.inspect, "backtrace" => e.backtrace}
      end
      fields[:parameters] = @parameters
      fields[:in_events] = @in_events.map(&:to_hash_with_metadata)
      fields[:results] = results.map(&:to_hash_with_metadata)
      @script.logger.error(message, fields)
      outcome
    end
  end

  class Script
    attr_reader :path, :logger, :context

    def initialize(path, params, logger)
      @path = path
      @params = params
      @logger = logger
      @content = File.read(path)
      @tests = []
    end

    def new_context(name, test_mode)
      ctx = ExecutionContext.new(name, @logger)
      script = self
      if test_mode
        ctx.define_singleton_method(:test) { |*_args, &_block| nil }
      else
        ctx.define_singleton_method(:test) { |test_name, &block| script.add_test(test_name, &block) }
      end
      ctx.instance_eval(@content, @path, 1)
      ctx
    end

    def add_test(name, &block)
      t = TestContext.new(self, name)
      t.instance_eval(&block)
      @tests << t
    end

    def load
      GostashWorker.check_syntax!(@content, @path, 1)
      begin
        @context = new_context(:main, false)
        unless @context.methods.include?(:filter)
          raise "Script does not define a filter! Please ensure that you have defined a filter method!"
        end
      rescue => e
        raise LogStash::Filters::Ruby::ScriptError, "Error during load of '#{@path}': #{e.inspect}"
      end
    end

    # Runs the test blocks and returns the counts of expectations passed,
    # failed and errored.
    def run_tests
      counts = {passed: 0, failed: 0, errored: 0}
      @tests.each do |t|
        t.execute.each { |k, n| counts[k] += n }
      end
      @logger.info("Test run complete", script_path: @path, results: counts)
      counts
    end

    # Runs the test blocks and raises if any expectation did not pass.
    def test!
      counts = run_tests
      bad = counts[:failed] + counts[:errored]
      if bad > 0
        raise LogStash::Filters::Ruby::ScriptError, "Script '#{@path}' had #{bad} failing tests! Check the error log for details."
      end
    end

    def register
      @context.register(@params)
    rescue => e
      raise LogStash::Filters::Ruby::ScriptError, "Error during register of '#{@path}': #{e.inspect}"
    end
  end
end

module GostashWorker
  # The unread events of a batch: their JSON, parsed all at once when
  # the code first reads one (one parse is much cheaper than one per event).
  class RawBatch
    attr_writer :events

    # body is the batch frame's (see GostashWorker.batch), n its events.
    def initialize(body, n)
      @body = body
      @n = n
      @stamps = nil
    end

    # The @timestamp of event i, nil if it has none.
    def timestamp(i)
      n = @n
      stamps = @stamps ||= @body.unpack("@4q<#{n}l<#{n}")
      nsec = stamps[n + i]
      nsec < 0 ? nil : LogStash::Timestamp.__at(stamps[i], nsec)
    end

    def materialize
      start = 4 + 12 * @n
      json = @body.byteslice(start, @body.bytesize - start).force_encoding(Encoding::UTF_8)
      values = JSON.parse(json, GostashWire::PARSE)
      @events.each_with_index do |e, i|
        e.__fill(values[2 * i], values[2 * i + 1], timestamp(i)) if e.__raw?
      end
    end
  end

  MISSING = Object.new.freeze
  # The classes of values an event holds as they are.
  SCALARS = {
    ::Integer => true, ::Float => true, ::TrueClass => true, ::FalseClass => true,
    ::NilClass => true, ::BigDecimal => true, LogStash::Timestamp => true
  }.freeze
  REF_CACHE_LIMIT = 10_000
  LEVELS = %i[trace debug info warn error fatal].freeze
  FLAG_CANCELLED = 1
  FLAG_MATCHED = 2
  FLAG_META = 4

  # An error in setting the filter up: a syntax error, a script that does
  # not load, an init or register that raises, failing tests.
  class SetupError < StandardError
    attr_reader :kind, :file, :line

    def initialize(kind, message, file = nil, line = nil)
      super(message)
      @kind = kind
      @file = file
      @line = line
    end
  end

  # The logger the user's code sees as @logger: Logstash's methods, each
  # sending the record to gostash's log.
  class Logger
    def initialize(min_level)
      @min = min_level
    end

    LEVELS.each_with_index do |name, level|
      define_method(name) do |message = nil, data = nil, &block|
        return nil if level < @min
        message = block.call if message.nil? && block
        GostashWorker.log(level, message, data)
        nil
      end
      define_method(:"#{name}?") { level >= @min }
    end
  end

  class << self
    attr_reader :fixed_now

    def run
      # gostash decides when a worker ends (it closes the request pipe);
      # a signal meant for a whole process group must not cut a batch short.
      trap("INT", "IGNORE")
      trap("TERM", "IGNORE")
      # What the code prints shows up as it prints it.
      $stdout.sync = true
      @in = IO.for_fd(3, "rb", autoclose: false)
      @out = IO.for_fd(4, "wb", autoclose: false)
      @in.close_on_exec = true
      @out.close_on_exec = true
      @out.sync = true
      @write_lock = Mutex.new
      @main = Thread.current
      @refs = {}
      @escape_style = "none"
      loop do
        kind, body = read_frame
        break if kind.nil?
        case kind
        when "S" then setup(Marshal.load(body))
        when "B" then batch(body)
        else raise "unexpected frame #{kind.inspect}"
        end
      end
    end

    def read_frame
      head = @in.read(5)
      return nil if head.nil? || head.bytesize < 5
      size = head.unpack1("N")
      body = size > 1 ? @in.read(size - 1) : "".b
      raise EOFError, "request cut short" if body.nil? || body.bytesize != size - 1
      [head[4], body]
    end

    def write_frame(kind, body)
      @write_lock.synchronize do
        @out.write([body.bytesize + 1].pack("N"), kind, body)
      end
    end

    def log(level, message, data)
      fields = {}
      data&.each do |k, v|
        fields[k.to_s] = case v
        when ::String, ::Integer, ::Float, true, false, nil then v
        else v.inspect
        end
      end
      write_frame("L", Marshal.dump([level, message.to_s, fields]))
    end

    # Asks gostash to run one of its own operations (sprintf, to_json,
    # timestamp parsing...) so the result is exactly what gostash
    # produces everywhere else. Only the thread running the filter may ask:
    # the answer arrives on the request pipe.
    def ask(operation, *args)
      unless Thread.current == @main
        raise ThreadError, "LogStash::Event##{operation} can only be called from the filter's own thread"
      end
      write_frame("Q", Marshal.dump([operation, *args]))
      kind, body = read_frame
      raise EOFError, "gostash went away" if kind.nil?
      raise "expected an answer, got a #{kind.inspect} frame" unless kind == "A"
      ok, value, message = Marshal.load(body)
      return value if ok
      klass = begin
        Object.const_get(value)
      rescue NameError
        RuntimeError
      end
      raise klass, message
    end

    def setup(settings)
      @escape_style = settings["escape_style"] || "none"
      @fixed_now = settings["fixed_now"]
      @logger = Logger.new(settings["log_level"])
      @tag_on_exception = settings["tag_on_exception"]
      @tag_with_message = settings["tag_with_exception_message"]
      results = nil
      if settings["path"]
        @script = GostashScript::Script.new(settings["path"], settings["script_params"] || {}, @logger)
        @script.load
        case settings["tests"]
        when "enforce" then @script.test!
        when "report" then results = @script.run_tests
        end
        @script.register if settings["register"]
        @inline = false
      else
        check_syntax!(settings["init"], "(ruby filter init)", 1) if settings["init"]
        code = settings["code"]
        check_syntax!("define_singleton_method :filter_method do |event, &new_event_block|\n #{code} \nend", "(ruby filter code)", 1)
        @plugin = LogStash::Filters::Ruby.new(settings, @logger)
        @plugin.register if settings["register"]
        @made = nil
        @collect = proc do |e|
          unless e.is_a?(LogStash::Event)
            raise TypeError, "new_event_block takes a LogStash::Event, not #{e.class}"
          end
          (@made ||= []) << e
        end
        @inline = true
      end
      write_frame("K", Marshal.dump(results && results.transform_keys(&:to_s)))
    rescue SetupError => e
      write_frame("E", Marshal.dump([e.kind, e.message, e.file, e.line]))
    rescue LogStash::Filters::Ruby::ScriptError => e
      write_frame("E", Marshal.dump(["error", e.message, nil, nil]))
    rescue Exception => e
      where = (e.backtrace || []).first
      write_frame("E", Marshal.dump(["error", "#{e.message} (#{e.class})", where, nil]))
    end

    def check_syntax!(source, file, line)
      RubyVM::InstructionSequence.compile(source, file, file, line)
    rescue SyntaxError => e
      at = e.message[/^#{Regexp.escape(file)}:(\d+):/, 1]
      at = e.message[/:(\d+):/, 1] if at.nil?
      raise SetupError.new("syntax", e.message, file, at && at.to_i)
    end

    # A batch is the number of events (32-bit little-endian), their
    # @timestamps' seconds (64-bit each) and nanoseconds (32-bit each, -1
    # for an event without one), then the events' JSON, [data, metadata,
    # data, metadata, ...], parsed only when the code first reads one of
    # them. The timestamps are left out of the JSON (null in their place).
    def batch(body)
      n = body.unpack1("L<")
      raw = RawBatch.new(body, n)
      events = raw.events = Array.new(n)
      i = 0
      while i < n
        events[i] = LogStash::Event.__raw(raw, i)
        i += 1
      end
      out = Array.new(n)
      i = 0
      if @inline
        while i < n
          out[i] = filter_inline(events[i])
          i += 1
        end
      else
        while i < n
          out[i] = filter_file(events[i])
          i += 1
        end
      end
      reply = begin
        ["J", GostashWire::STATE.generate(out)]
      rescue JSON::GeneratorError, EncodingError
        # A binary string or a NaN: Marshal carries them.
        ["R", Marshal.dump(out)]
      end
      write_frame(*reply)
    end

    def filter_inline(event)
      @made = nil
      flags = FLAG_MATCHED
      begin
        @plugin.filter_method(event, &@collect)
      rescue Exception => e
        flags = 0
        @logger.error("Ruby exception occurred: #{e.message}", class: e.class.name, backtrace: e.backtrace)
        tag_exception(event, e)
      end
      made = @made
      return wire(event, flags, made) if made
      flags |= FLAG_CANCELLED if event.cancelled?
      event.__reply(flags, nil)
    end

    def filter_file(event)
      flags = 0
      begin
        results = @script.context.filter(event)
        flags = FLAG_MATCHED
        check_results!(results)
      rescue Exception => e
        tag_exception(event, e)
        @logger.error("Could not process event: " + e.message, script_path: @script.path, class: e.class.name, backtrace: e.backtrace)
        return wire(event, flags, nil)
      end
      kept = false
      made = nil
      results.each do |r|
        if r.equal?(event)
          kept = true
        else
          (made ||= []) << r
        end
      end
      event.cancel unless kept
      wire(event, flags, made)
    end

    def check_results!(results)
      unless results.is_a?(::Array)
        raise "Custom script did not return an array from 'filter'. Only arrays may be returned!"
      end
      results.each do |r|
        unless r.is_a?(LogStash::Event)
          raise "Custom script returned a non event object '#{r.inspect}'! You must an array of events from this function! To drop an event simply return nil."
        end
      end
    end

    def tag_exception(event, error)
      event.tag("#{@tag_on_exception}: #{error}") if @tag_with_message
      event.tag(@tag_on_exception)
    end

    # What becomes of one event (see Event#__reply), with the events made
    # from it as children, each [data, metadata]. A cancelled new event is
    # left out (the pipeline would drop it); the original given back as a
    # new event is sent as a copy.
    def wire(event, flags, made)
      flags |= FLAG_CANCELLED if event.cancelled?
      children = nil
      made&.each do |m|
        next if m.cancelled?
        m = m.clone if m.equal?(event)
        mm = m.__metadata
        (children ||= []) << [m.__data, mm.empty? ? nil : mm]
      end
      event.__reply(flags, children)
    end

    # [metadata?, path, key] of a field reference, as Logstash's strict
    # grammar reads it: `a` and `[a]` are one key, `[a][b]` two,
    # `[[a][b]][c]` flattens, anything else is an error. key is the
    # top-level field that setting the reference replaces outright, which
    # an unread event keeps as a pending write; nil for a nested or
    # metadata reference, @timestamp and tags (whose values are checked).
    def field_ref(ref)
      hit = @refs[ref]
      return hit if hit
      unless ref.is_a?(::String)
        raise TypeError, "wrong argument type #{ref.class} (expected String)"
      end
      meta, path = @escape_style == "none" ? parse_ref(ref) : ask("fieldref", ref)
      key = path[0] if !meta && path.size == 1 && path[0] != LogStash::Event::TIMESTAMP && path[0] != LogStash::Event::TAGS
      parsed = [meta, path.freeze, key].freeze
      @refs[ref] = parsed if @refs.size < REF_CACHE_LIMIT
      parsed
    end

    def parse_ref(s)
      if !s.include?("[") && !s.include?("]")
        path = [s.dup.freeze]
      else
        path = []
        depth = 0
        i = 0
        n = s.bytesize
        bytes = s.b
        while i < n
          c = bytes.getbyte(i)
          if c == 91 # [
            invalid_ref!(s) if i + 1 < n && bytes.getbyte(i + 1) == 93
            depth += 1
            i += 1
          elsif c == 93 # ]
            depth -= 1
            invalid_ref!(s) if depth < 0
            i += 1
          else
            j = i
            j += 1 while j < n && bytes.getbyte(j) != 91 && bytes.getbyte(j) != 93
            invalid_ref!(s) if i == 0 || bytes.getbyte(i - 1) != 91 || j == n || bytes.getbyte(j) != 93
            path << bytes.byteslice(i, j - i).force_encoding(Encoding::UTF_8).freeze
            i = j
          end
        end
        invalid_ref!(s) if depth != 0 || path.empty?
      end
      path[0] == "@metadata" ? [true, path.drop(1)] : [false, path]
    end

    def invalid_ref!(s)
      raise RuntimeError, "Invalid FieldReference: `#{s}`"
    end

    def list_index(key, size)
      return nil unless key.match?(/\A[+-]?\d+\z/)
      i = key.to_i
      i += size if i < 0
      i >= 0 && i < size ? i : nil
    end

    def dig(root, path)
      cur = root
      path.each do |k|
        case cur
        when ::Hash
          cur = cur.fetch(k) { return MISSING }
        when ::Array
          i = list_index(k, cur.size)
          return MISSING if i.nil?
          cur = cur[i]
        else
          return MISSING
        end
      end
      cur
    end

    def set_failure(key, target, value)
      "Could not set field '#{key}' on object '#{target}' to value '#{value}'.This is probably due to trying to set a field like [foo][bar] = someValue when [foo] is not either a map or a string"
    end

    # Writes value at path, making missing (or nil) intermediate levels
    # hashes; an index past the end of a list pads it with nils.
    def put(root, path, value)
      return root[path[0]] = value if path.size == 1
      cur = root
      last = path.size - 1
      path.each_with_index do |k, i|
        case cur
        when ::Hash
          return cur[k] = value if i == last
          nxt = cur[k]
          if nxt.nil?
            nxt = {}
            cur[k] = nxt
          end
          cur = nxt
        when ::Array
          idx = k.match?(/\A[+-]?\d+\z/) ? k.to_i : nil
          raise RuntimeError, set_failure(k, cur, value) if idx.nil?
          if idx < 0
            idx += cur.size
            raise IndexError, "index #{k} out of bounds for a list of #{cur.size}" if idx < 0
          end
          return cur[idx] = value if i == last
          nxt = cur[idx]
          if nxt.nil?
            nxt = {}
            cur[idx] = nxt
          end
          cur = nxt
        else
          raise RuntimeError, set_failure(k, cur, value)
        end
      end
    end

    def delete(root, path)
      parent = path.size == 1 ? root : dig(root, path[0...-1])
      key = path[-1]
      case parent
      when ::Hash
        parent.delete(key)
      when ::Array
        i = list_index(key, parent.size)
        i.nil? ? nil : parent.delete_at(i)
      end
    end

    def legal_tags?(value)
      case value
      when nil, ::String then true
      when ::Array then value.all? { |t| t.is_a?(::String) }
      else false
      end
    end

    # A copy of the collections in v (scalars are shared), as Logstash
    # hands event values to Ruby.
    def copy(v)
      case v
      when ::Hash
        h = {}
        v.each { |k, x| h[k] = copy(x) }
        h
      when ::Array
        v.map { |x| copy(x) }
      else
        v
      end
    end

    # A copy that also duplicates strings, for Event#clone.
    def deep_dup(v)
      case v
      when ::Hash
        h = {}
        v.each { |k, x| h[k] = deep_dup(x) }
        h
      when ::Array
        v.map { |x| deep_dup(x) }
      when ::String
        v.dup
      when LogStash::Timestamp
        v.clone
      else
        v
      end
    end

    def convert_hash(h)
      out = {}
      h.each { |k, v| out[key_string(k)] = convert(v) }
      out
    end

    def key_string(k)
      k.is_a?(::String) ? convert_string(k) : k.to_s
    end

    def convert_string(s)
      s = ::String.new(s) unless s.instance_of?(::String)
      enc = s.encoding
      if enc == Encoding::UTF_8 || enc == Encoding::BINARY || enc == Encoding::US_ASCII
        s
      else
        s.encode(Encoding::UTF_8)
      end
    end

    # What an event may hold, as Logstash's Valuefier converts a Ruby value
    # set into an event: collections are copied, a Time becomes a
    # Timestamp, a symbol its name; anything else is refused.
    def convert(v)
      return v if SCALARS[v.class]
      case v
      when ::String then convert_string(v)
      when ::Integer, ::Float, ::BigDecimal, LogStash::Timestamp then v
      when ::Hash then convert_hash(v)
      when ::Array then v.map { |x| convert(x) }
      when ::Symbol then v.to_s
      when ::Time then LogStash::Timestamp.__at(v.to_i, v.nsec)
      else
        raise ArgumentError, "Missing Converter handling for full class name=#{v.class.name}, simple name=#{v.class.name.to_s.split("::").last}"
      end
    end

    def parse_timestamp(text)
      ask("timestamp", text.to_s) || nil
    end
  end
end

GostashWorker.run
