// Package edn is Logstash's edn codec: each chunk of input is one EDN
// document, and events encode as EDN maps.
package edn

import (
	"log/slog"

	ednfmt "github.com/gostash/gostash/plugins/codecs/internal/edn"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var optTarget = plugin.FieldRef("target").Doc("The field to put each decoded value under; without it the document must be a map, whose keys become top-level fields.")

func init() {
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{
			Name:    "edn",
			Summary: "Extensible Data Notation: each chunk of input is one EDN document; events encode as EDN maps.",
			Options: []plugin.Declared{optTarget},
			Examples: []plugin.Example{{
				Title: "Write events as EDN",
				Config: `input { generator { count => 1 lines => ["hello"] ecs_compatibility => disabled } }
filter { mutate { remove_field => ["host", "sequence", "event"] add_field => { "n" => "1" } } mutate { convert => { "n" => "integer" } } }
output { stdout { codec => edn } }
`,
				Output: `{"@timestamp" "2026-01-02T03:04:05.678Z", "@version" "1", "message" "hello", "n" 1M}`,
			}},
		},
		New: newCodec,
	})
}

// Codec is an edn codec instance.
type Codec struct {
	log     *slog.Logger
	decoder *ednfmt.Decoder
}

func newCodec(s *plugin.Settings) (plugin.Codec, error) {
	d, err := ednfmt.NewDecoder(s, optTarget)
	if err != nil {
		return nil, err
	}
	return &Codec{log: s.Logger(), decoder: d}, nil
}

// Decode makes one event of the chunk: the EDN document's first value.
func (c *Codec) Decode(data []byte, emit func(*event.Event)) {
	emit(c.decoder.Event(data, data))
}

// Flush has nothing buffered.
func (c *Codec) Flush(emit func(*event.Event)) {}

// Encode appends the event as an EDN map, with no line ending.
func (c *Codec) Encode(dst []byte, e *event.Event) []byte {
	return ednfmt.Encode(c.log, dst, e, "")
}
