event.set("[@metadata][index]", "logs-" + event.get("type"))
event.set("from_beat", event.get("[@metadata][beat]"))
event.set("keys", event.to_hash.keys.sort)
event.set("meta_keys", event.to_hash_with_metadata["@metadata"].keys.sort)
