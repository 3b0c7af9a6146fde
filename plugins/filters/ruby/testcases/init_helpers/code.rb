@count += 1
event.set("n", @count)
event.set("user", pseudonym(event.get("user")))
