package mutate

import "github.com/gostash/gostash/runtime/plugin"

// examples show the filter in the generated README and run as golden tests.
// Their output is what Logstash prints (hand-derived from the mutate
// filter's documentation), with the keys in the order gostash keeps.
var examples = []plugin.Example{{
	Title: "Rename, convert and uppercase fields",
	Config: `input { stdin { codec => json_lines } }
filter {
  mutate {
    rename => { "user" => "username" }
    convert => { "bytes" => "integer" }
    uppercase => ["verb"]
  }
  # Leave out what stdin adds, to keep the output short.
  mutate { remove_field => ["host", "event", "@version"] }
}
output { stdout { codec => rubydebug } }
`,
	Input: `{"user":"jane","bytes":"512","verb":"get"}
`,
	Output: `{
    "@timestamp" => 2026-01-02T03:04:05.678Z,
         "bytes" => 512,
          "verb" => "GET",
      "username" => "jane"
}
`,
}}
