new_event_block.call(LogStash::Event.new("kind" => "summary", "values" => [1, 2.5, nil, true, "s"], "@timestamp" => "2020-05-06T07:08:09Z"))
new_event_block.call(LogStash::Event.new("kind" => "bare", :symbol_key => :symbol_value))
event.set("made", 2)
