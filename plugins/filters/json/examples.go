package json

import "github.com/gostash/gostash/runtime/plugin"

// examples show the filter in the generated README and run as golden tests.
// Their output is what Logstash prints (hand-derived from the json filter's
// documentation and the rubydebug layout), with the keys in the order
// gostash keeps.
var examples = []plugin.Example{{
	Title: "Parse a JSON message under a target field",
	Config: `input { stdin { } }
filter {
  json {
    source => "message"
    target => "doc"
    remove_field => ["message"]
  }
  # Leave out what stdin adds, to keep the output short.
  mutate { remove_field => ["host", "event", "@version"] }
}
output { stdout { codec => rubydebug } }
`,
	Input: `{"user":"jane","roles":["admin","dev"],"active":true}
`,
	Output: `{
    "@timestamp" => 2026-01-02T03:04:05.678Z,
           "doc" => {
          "user" => "jane",
         "roles" => [
            [0] "admin",
            [1] "dev"
        ],
        "active" => true
    }
}
`,
}}
