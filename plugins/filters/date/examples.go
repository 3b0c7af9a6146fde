package date

import "github.com/gostash/gostash/runtime/plugin"

// examples show the filter in the generated README and run as golden tests.
// Their output is what Logstash prints (hand-derived from the date filter's
// documentation and Joda-Time's patterns and zones).
var examples = []plugin.Example{{
	Title: "Take the event time from a local time in a named zone",
	Config: `input { stdin { } }
filter {
  date {
    match => ["message", "yyyy-MM-dd HH:mm:ss"]
    timezone => "Europe/Paris"
  }
  # Leave out what stdin adds, to keep the output short.
  mutate { remove_field => ["host", "event", "@version"] }
}
output { stdout { codec => rubydebug } }
`,
	Input: `2026-03-14 15:09:26
`,
	Output: `{
    "@timestamp" => 2026-03-14T14:09:26.000Z,
       "message" => "2026-03-14 15:09:26"
}
`,
}}
