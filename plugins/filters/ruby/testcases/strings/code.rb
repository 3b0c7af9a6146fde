event.set("upper", event.get("name").upcase)
event.set("title", event.get("name").split.map(&:capitalize).join(" "))
if event.get("path") =~ %r{/([^/]+)\.log\z}
  event.set("file", $1)
end
event.set("summary", "#{event.get("file")} (#{event.get("name").length} chars)")
event.tag("processed")
event.tag("processed")
event.tag("in")
