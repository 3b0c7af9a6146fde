# A script in Logstash's documented shape: register takes script_params,
# filter returns the events to pass on, and test blocks check it.
def register(params)
  @field = params["field"]
  @multiplier = params["multiplier"]
end

def filter(event)
  event.set(@field, event.get(@field) * @multiplier)
  [event]
end

test "multiplies the field" do
  parameters { {"field" => "n", "multiplier" => 3} }
  in_event { {"n" => 123} }
  expect("one event") { |events| events.size == 1 }
  expect("the field times three") { |events| events.first.get("n") == 369 }
end
