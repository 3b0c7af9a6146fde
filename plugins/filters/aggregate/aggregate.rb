# The Ruby half of gostash's aggregate filter. It runs as the `init` of a
# ruby filter that gostash starts once per pipeline: every aggregate
# filter of the pipeline registers its code here, and the task maps they
# share live in this one Ruby process, as they live in Logstash's JVM.
#
# Each event reaching the ruby filter's code carries a request in
# [@metadata][__gostash_aggregate] ({"op" => ..., "id" => the filter's
# id, ...}); the answer goes to [@metadata][__gostash_aggregate_result].
# Events the aggregate filter makes (timeouts, previous maps, the code's
# new_event_block) leave through new_event_block.

@agg_filters = {}       # filter id => its settings and compiled code
@agg_maps = {}          # task_id pattern => {task_id => element}, oldest first
@agg_flush_owner = {}   # task_id pattern => id of the filter with the timeout options
@agg_last_flush = {}    # task_id pattern => Time of the last expiry check
@agg_close_owner = nil  # id of the filter that stores the maps at shutdown

def __agg_element(creation_timestamp, task_id)
  now = Time.now
  {creation_timestamp: creation_timestamp, lastevent_timestamp: creation_timestamp,
   from_creation: (now - creation_timestamp).to_i, from_lastevent: (now - creation_timestamp).to_i,
   timeout: nil, inactivity_timeout: nil, task_id: task_id, map: {}}
end

# map_meta in the code: the element, with the accessors Logstash's has.
class AggregateMapMeta
  def initialize(element)
    @element = element
  end

  %i[creation_timestamp lastevent_timestamp timeout inactivity_timeout task_id map].each do |name|
    define_method(name) { @element[name] }
    define_method(:"#{name}=") { |v| @element[name] = v }
  end

  def difference_from_creation_to_now
    @element[:from_creation]
  end

  def difference_from_lastevent_to_now
    @element[:from_lastevent]
  end
end

def __gostash_aggregate(event, new_event_block)
  req = event.get("[@metadata][__gostash_aggregate]")
  event.remove("[@metadata][__gostash_aggregate]")
  result = begin
    case req["op"]
    when "register" then __agg_register(req)
    when "filter", "flush", "close"
      # A Ruby worker started after a crash knows no filter yet: gostash
      # registers them again and resends the request.
      return event.set("[@metadata][__gostash_aggregate_result]", {"unregistered" => true}) unless @agg_filters[req["id"]]
      __agg_request(req, event, new_event_block)
    else {"error" => "unknown request #{req["op"].inspect}"}
    end
  rescue Exception => e
    {"error" => "#{e.message} (#{e.class})"}
  end
  event.set("[@metadata][__gostash_aggregate_result]", result)
end

def __agg_request(req, event, new_event_block)
  case req["op"]
  when "filter" then __agg_filter(req, event, new_event_block)
  when "flush" then __agg_flush(req, new_event_block)
  else __agg_close(req)
  end
end

# Compiles a filter's code as Logstash does (a lambda of event, map,
# map_meta and new_event_block); a syntax error comes back with its line.
def __agg_compile(source, params, file)
  eval("lambda { |#{params}| #{source}\n}", binding, file, 1)
rescue SyntaxError => e
  line = e.message[/#{Regexp.escape(file)}:(\d+):/, 1]
  raise __agg_syntax(e.message.sub(/\A#{Regexp.escape(file)}:\d+: /, "").lines.first.to_s.chomp, line)
end

AggregateSyntax = Class.new(StandardError) { attr_accessor :line }
def __agg_syntax(message, line)
  err = AggregateSyntax.new(message)
  err.line = line.to_i
  err
end

def __agg_register(req)
  f = req["settings"]
  id = req["id"]
  [["codeblock", "code", "event, map, map_meta, &new_event_block", "(aggregate filter code)"],
   ["timeout_codeblock", "timeout_code", "event", "(aggregate filter timeout code)"]].each do |key, option, params, file|
    next unless f[option]
    begin
      f[key] = __agg_compile(f[option], params, file)
    rescue AggregateSyntax => e
      return {"syntax" => e.message, "line" => e.line, "in" => option}
    end
  end
  pattern = f["task_id"]
  @agg_filters[id] = f
  @agg_flush_owner[pattern] = id if f["timeout_options"]
  path = f["aggregate_maps_path"]
  if path
    @agg_close_owner = id
    if File.exist?(path)
      File.open(path, "r") { |from| @agg_maps.merge!(Marshal.load(from)) }
      File.delete(path)
      @logger.info("Aggregate maps loaded from : #{path}")
    end
  end
  @agg_maps[pattern] ||= {}
  f["warning_frequency"] = [f["map_count_warning_threshold"] / 5, 1].max
  {"ok" => true}
end

def __agg_reference_timestamp(f, event)
  f["timeout_timestamp_field"] ? event.get(f["timeout_timestamp_field"]).time : Time.now
end

# Fills in the default timeouts of the filter that flushes a pattern.
def __agg_init_timeouts(id)
  f = @agg_filters[id]
  pattern = f["task_id"]
  @agg_flush_owner[pattern] ||= id
  return unless @agg_flush_owner[pattern] == id
  f["timeout"] ||= 1800
  f["inactivity_timeout"] ||= f["timeout"]
end

def __agg_filter(req, event, new_event_block)
  id = req["id"]
  f = @agg_filters[id]
  pattern = f["task_id"]
  task_id = req["task_id"]
  maps = @agg_maps[pattern]
  __agg_check_map_count(f, maps)
  to_yield = nil
  to_yield = __agg_expire_by_event_timestamp(id, task_id, event) if f["timeout_timestamp_field"]
  element = maps[task_id]
  if element.nil?
    return {"matched" => false, "yield" => __agg_yield(to_yield, new_event_block)} if f["map_action"] == "update"
    to_yield = __agg_extract_previous(id) if f["push_previous_map_as_event"] && !maps.empty?
    element = __agg_element(__agg_reference_timestamp(f, event), task_id)
    maps[task_id] = element
  elsif f["map_action"] == "create"
    return {"matched" => false, "yield" => __agg_yield(to_yield, new_event_block)}
  end
  element[:lastevent_timestamp] = __agg_reference_timestamp(f, event)
  element[:from_lastevent] = (Time.now - element[:lastevent_timestamp]).to_i
  no_error = false
  begin
    f["codeblock"].call(event, element[:map], AggregateMapMeta.new(element), &new_event_block)
    no_error = true
  rescue => exception
    @logger.error("Aggregate exception occurred", error: exception, code: f["code"], map: element[:map], event_data: event.to_hash_with_metadata)
    event.tag("_aggregateexception")
  end
  maps.delete(task_id) if f["end_of_task"]
  if element[:timeout] || element[:inactivity_timeout]
    to_yield = __agg_custom_timeout(id, element)
  end
  {"matched" => no_error, "yield" => __agg_yield(to_yield, new_event_block)}
end

def __agg_yield(event, new_event_block)
  return false unless event
  new_event_block.call(event)
  true
end

# A custom timeout of 0 set by the code ends the task at once.
def __agg_custom_timeout(id, element)
  __agg_init_timeouts(id)
  f = @agg_filters[id]
  pattern = f["task_id"]
  if element[:timeout] == 0 || element[:inactivity_timeout] == 0
    @agg_maps[pattern].delete(element[:task_id])
    owner = @agg_filters[@agg_flush_owner[pattern]]
    return __agg_timeout_event(owner, element[:map], element[:task_id]) if owner && owner["push_map_as_event_on_timeout"]
    nil
  else
    @agg_filters[@agg_flush_owner[pattern]]["check_every_flush"] = true
    nil
  end
end

def __agg_timeout_event(f, map, task_id)
  event = LogStash::Event.new(map)
  event.set(f["timeout_task_id_field"], task_id) if f["timeout_task_id_field"]
  (f["timeout_tags"] || []).each { |tag| event.tag(event.sprintf(tag)) }
  if f["timeout_codeblock"]
    begin
      f["timeout_codeblock"].call(event)
    rescue => exception
      @logger.error("Aggregate exception occurred", error: exception, timeout_code: f["timeout_code"], timeout_event_data: event.to_hash_with_metadata)
      event.tag("_aggregateexception")
    end
  end
  event
end

def __agg_extract_previous(id)
  f = @agg_filters[id]
  task_id, element = @agg_maps[f["task_id"]].shift
  __agg_timeout_event(f, element[:map], task_id)
end

def __agg_expire_by_event_timestamp(id, task_id, event)
  f = @agg_filters[id]
  element = @agg_maps[f["task_id"]][task_id]
  return nil if element.nil?
  __agg_init_timeouts(id)
  at = __agg_reference_timestamp(f, event)
  min = at - (element[:timeout] || f["timeout"])
  min_inactivity = at - (element[:inactivity_timeout] || f["inactivity_timeout"])
  return nil unless element[:creation_timestamp] < min || element[:lastevent_timestamp] < min_inactivity
  out = (f["push_previous_map_as_event"] || f["push_map_as_event_on_timeout"]) ? __agg_timeout_event(f, element[:map], task_id) : nil
  @agg_maps[f["task_id"]].delete(task_id)
  out
end

def __agg_flush(req, new_event_block)
  id = req["id"]
  final = req["final"]
  __agg_init_timeouts(id)
  f = @agg_filters[id]
  pattern = f["task_id"]
  last = @agg_last_flush[pattern]
  due = @agg_flush_owner[pattern] == id && @agg_maps[pattern] &&
        (last.nil? || Time.now > last + f["inactivity_timeout"] / 2 || final || f["check_every_flush"])
  return {"flushed" => 0} unless due
  events = __agg_remove_expired(id)
  events << __agg_extract_previous(id) if final && f["push_previous_map_as_event"] && !@agg_maps[pattern].empty?
  events.each { |e| e.tag("_aggregatefinalflush") } if final
  @agg_last_flush[pattern] = Time.now
  events.each { |e| new_event_block.call(e) }
  {"flushed" => events.size}
end

def __agg_remove_expired(id)
  f = @agg_filters[id]
  pattern = f["task_id"]
  events = []
  now = Time.now
  @agg_maps[pattern].delete_if do |task_id, element|
    min = now - (element[:timeout] || f["timeout"])
    min_inactivity = now - (element[:inactivity_timeout] || f["inactivity_timeout"])
    expired = element[:creation_timestamp] + element[:from_creation] < min ||
              element[:lastevent_timestamp] + element[:from_lastevent] < min_inactivity
    if expired && (f["push_previous_map_as_event"] || f["push_map_as_event_on_timeout"])
      events << __agg_timeout_event(f, element[:map], task_id)
    end
    expired
  end
  f["check_every_flush"] = nil if @agg_maps[pattern].empty? && f["check_every_flush"]
  events
end

def __agg_check_map_count(f, maps)
  threshold = f["map_count_warning_threshold"]
  return if threshold == 0
  if maps.length >= threshold
    f["since_warning"] ||= 0
    if f["since_warning"] == 0
      @logger.warn("Aggregate filter memory warning: task_id pattern '#{f["task_id"]}' has #{maps.length} maps in memory (threshold: #{threshold}).",
                   task_id_pattern: f["task_id"], map_count: maps.length, threshold: threshold)
    end
    f["since_warning"] = (f["since_warning"] + 1) % f["warning_frequency"]
  else
    f["since_warning"] = 0
  end
end

# At shutdown the filter with aggregate_maps_path stores the maps left.
def __agg_close(req)
  id = req["id"]
  @agg_close_owner ||= id
  return {"ok" => true} unless @agg_close_owner == id
  @agg_maps.delete_if { |_pattern, maps| maps.empty? }
  path = @agg_filters[id] && @agg_filters[id]["aggregate_maps_path"]
  if path && !@agg_maps.empty?
    File.open(path, "w") { |to| Marshal.dump(@agg_maps, to) }
    @logger.info("Aggregate maps stored to : #{path}")
  end
  {"ok" => true}
end
