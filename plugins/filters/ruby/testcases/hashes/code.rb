pairs = event.get("kv").split(" ").map { |p| p.split("=", 2) }.to_h
event.set("parsed", pairs.transform_values { |v| v =~ /\A\d+\z/ ? v.to_i : v })
event.set("counts", event.get("text").split.tally.sort_by { |w, n| [-n, w] }.to_h)
event.set("conf", {"retries" => 1, "timeout" => 30.5}.merge(event.get("conf")))
event.set("[conf][hosts]", ["a", "b"])
event.set("first_host", event.get("[conf][hosts][0]"))
event.set("has_timeout", event.include?("[conf][timeout]"))
