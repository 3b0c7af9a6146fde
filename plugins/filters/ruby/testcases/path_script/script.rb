def register(params)
  @field = params["field"]
  @min = params["min"]
end

def filter(event)
  words = event.get(@field).split
  return [] if words.empty?
  return [event] if words.size < @min
  words.map do |w|
    e = LogStash::Event.new("word" => w, "length" => w.length)
    e.timestamp = event.timestamp
    e
  end + [event]
end

test "splits" do
  parameters { {"field" => "words", "min" => 2} }
  in_event { {"words" => "a b"} }
  expect("two words and the original") { |events| events.size == 3 }
end
