event.cancel if event.get("level").to_s.downcase == "debug"
