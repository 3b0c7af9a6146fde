require "bigdecimal"
event.set("big", event.get("n") ** 20)
event.set("negative_big", -(2 ** 64) + 1)
event.set("sum", event.get("f") + 0.2)
event.set("half", event.get("count") / 2.0)
event.set("int_div", event.get("count") / 2)
event.set("total", BigDecimal(event.get("price")) * event.get("count"))
event.set("rounded", (event.get("f") * 3).round(2))
