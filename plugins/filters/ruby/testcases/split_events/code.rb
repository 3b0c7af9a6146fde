items = event.get("items")
items.each_with_index do |item, i|
  e = event.clone
  e.remove("items")
  e.set("item", item)
  e.set("[item][index]", i)
  new_event_block.call(e)
end
event.cancel unless items.empty?
