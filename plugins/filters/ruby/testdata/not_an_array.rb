def filter(event)
  event
end
