package grok

import "github.com/gostash/gostash/runtime/plugin"

// examples show the filter in the generated README and run as golden tests.
// Their output is what Logstash prints (hand-derived from the grok filter's
// documentation and the core patterns), with the keys in the order gostash
// keeps.
var examples = []plugin.Example{{
	Title: "Parse an access line with core patterns, converting numbers",
	Config: `input { stdin { } }
filter {
  grok {
    match => { "message" => "%{IP:client} %{WORD:method} %{URIPATHPARAM:request} %{NUMBER:bytes:int} %{NUMBER:duration:float}" }
  }
  # Leave out what stdin adds, to keep the output short.
  mutate { remove_field => ["host", "event", "@version"] }
}
output { stdout { codec => rubydebug } }
`,
	Input: `203.0.113.7 POST /api/orders 512 0.120
`,
	Output: `{
    "@timestamp" => 2026-01-02T03:04:05.678Z,
       "message" => "203.0.113.7 POST /api/orders 512 0.120",
        "client" => "203.0.113.7",
        "method" => "POST",
       "request" => "/api/orders",
         "bytes" => 512,
      "duration" => 0.12
}
`,
}}
