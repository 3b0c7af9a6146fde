package kv

import "github.com/gostash/gostash/runtime/plugin"

// examples show the filter in the generated README and run as golden tests.
// Their output is what Logstash prints (hand-derived from the kv filter's
// documentation), with the keys in the order gostash keeps.
var examples = []plugin.Example{{
	Title: "Split key=value pairs into fields",
	Config: `input { stdin { } }
filter {
  kv { }
  # Leave out what stdin adds, to keep the output short.
  mutate { remove_field => ["host", "event", "@version"] }
}
output { stdout { codec => rubydebug } }
`,
	Input: `ip=203.0.113.7 error=REFUSED user="Jane Doe"
`,
	Output: `{
    "@timestamp" => 2026-01-02T03:04:05.678Z,
       "message" => "ip=203.0.113.7 error=REFUSED user=\"Jane Doe\"",
            "ip" => "203.0.113.7",
         "error" => "REFUSED",
          "user" => "Jane Doe"
}
`,
}}
