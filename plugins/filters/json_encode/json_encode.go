// Package json_encode is Logstash's json_encode filter: it writes a field's
// value serialized as JSON text.
package json_encode

import (
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optSource = plugin.String("source").Required().Doc("The field to serialize; a missing field serializes as null.")
	optTarget = plugin.String("target").Doc("Where the JSON text goes; the source field itself when unset.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "json_encode",
			Summary: "Serializes a field's value as JSON text.",
			Options: []plugin.Declared{optSource, optTarget},
			Examples: []plugin.Example{{
				Title: "Serialize an object into a string field",
				Config: `input { stdin { codec => json } }
filter {
  json_encode { source => "user" target => "user_json" }
  mutate { remove_field => ["event", "host", "@version", "@timestamp"] }
}
output { stdout { codec => json_lines } }
`,
				Input:  `{"user": {"name": "Zoë", "ids": [1, 2.5, null]}}` + "\n",
				Output: `{"user":{"name":"Zoë","ids":[1,2.5,null]},"user_json":"{\"name\":\"Zoë\",\"ids\":[1,2.5,null]}"}` + "\n",
			}},
		},
		New: newJSONEncode,
	})
}

// GenerateFailureTag marks an event whose value could not be written as
// JSON (the writer cannot fail on event values; the tag is declared for
// configs that test for it).
const GenerateFailureTag = "_jsongeneratefailure"

type jsonEncode struct {
	source, target event.FieldRef
}

func newJSONEncode(s *plugin.Settings) (plugin.Filter, error) {
	src, err := event.ParseFieldRef(optSource.Get(s))
	if err != nil {
		return nil, optSource.Errorf(s, "%v", err)
	}
	f := &jsonEncode{source: src, target: src}
	if optTarget.IsSet(s) {
		if f.target, err = event.ParseFieldRef(optTarget.Get(s)); err != nil {
			return nil, optTarget.Errorf(s, "%v", err)
		}
	}
	return f, nil
}

// Filter writes the JSON text of the source (Logstash's Jackson layout).
func (f *jsonEncode) Filter(e *event.Event, _ func(*event.Event)) bool {
	v, _ := e.GetRef(f.source)
	if err := e.SetRef(f.target, string(event.AppendJSON(nil, v))); err != nil {
		e.Tag(GenerateFailureTag)
		return false
	}
	return true
}
