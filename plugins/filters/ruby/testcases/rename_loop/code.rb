event.to_hash.each do |key, value|
  next if key.start_with?("@")
  new_key = key.downcase.tr(" ", "_")
  next if new_key == key
  event.set(new_key, event.remove(key))
end
inner = event.get("nested")
event.set("nested", inner.map { |k, v| [k.downcase.tr(" ", "_"), v] }.to_h)
