// Package json is Logstash's json codec: each chunk of input is one JSON
// document (an object is an event, an array of objects one event each),
// and events encode as compact JSON with nothing between them.
package json

import (
	"log/slog"

	"github.com/gostash/gostash/plugins/codecs/internal/textcodec"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optCharset = plugin.Enum("charset", textcodec.CharsetNames...).Default("UTF-8").Doc(textcodec.CharsetDoc)
	optTarget  = plugin.FieldRef("target").Doc("The field to put the decoded object under; without it its fields go to the top level of the event.")
)

func init() {
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{
			Name:    "json",
			Summary: "Whole JSON documents: an object is an event, an array of objects one event each; events encode as compact JSON.",
			Options: []plugin.Declared{optCharset, optTarget, plugin.ECS},
		},
		StreamingVariant: "json_lines",
		New:              newCodec,
	})
}

var originalRef = event.MustFieldRef("[event][original]")

// Codec is a json codec instance.
type Codec struct {
	decoder  *textcodec.JSONDecoder
	original bool
}

func newCodec(s *plugin.Settings) (plugin.Codec, error) {
	decoder, err := textcodec.NewJSONDecoder(s, optCharset, optTarget, slog.LevelError)
	if err != nil {
		return nil, err
	}
	return &Codec{decoder: decoder, original: s.ECS() != "disabled"}, nil
}

// Decode parses the chunk as one JSON document. Text that is not an
// object or an array of objects becomes a _jsonparsefailure event holding
// it in message.
func (c *Codec) Decode(data []byte, emit func(*event.Event)) {
	text, events, parsed := c.decoder.Decode(data)
	if parsed && len(events) == 1 && c.original && !events[0].Includes("[event][original]") {
		_ = events[0].SetRef(originalRef, string(text))
	}
	for _, e := range events {
		emit(e)
	}
}

// Flush has nothing buffered.
func (c *Codec) Flush(emit func(*event.Event)) {}

// Encode appends the event as compact JSON (without @metadata), with no
// separator.
func (c *Codec) Encode(dst []byte, e *event.Event) []byte {
	return event.AppendJSON(dst, e.Data())
}
