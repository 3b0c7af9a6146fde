def filter(event)
  event.set("foo", "bar")
  [event]
end

test "setting the field" do
  in_event { {"myfield" => 123} }
  expect("foo to equal baz") { |events| events.first.get("foo") == "baz" }
end
