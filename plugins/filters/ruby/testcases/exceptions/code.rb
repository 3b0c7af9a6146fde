event.set("seen", true)
event.set("ratio", event.get("a") / event.get("b"))
event.set("done", true)
