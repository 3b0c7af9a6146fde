# Returns one new event per word and drops the original: filter's result
# decides what passes on.
def filter(event)
  words = event.get("message").to_s.split
  return [event] if words.size < 2
  words.map { |w| e = event.clone; e.set("message", w); e }
end

test "one event per word" do
  in_event { {"message" => "a b c"} }
  expect("three events") { |events| events.map { |e| e.get("message") } == %w[a b c] }
end
