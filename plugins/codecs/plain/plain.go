// Package plain is Logstash's plain codec: a whole chunk of input is one
// event's message, and events encode as Event#to_s or a sprintf format,
// with nothing between them.
package plain

import (
	"github.com/gostash/gostash/plugins/codecs/internal/textcodec"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optFormat  = plugin.String("format").Doc("A sprintf format for encoding events, such as \"%{message}\"; without it events encode as \"<@timestamp> <host> <message>\".")
	optCharset = plugin.Enum("charset", textcodec.CharsetNames...).Default("UTF-8").Doc(textcodec.CharsetDoc)
)

func init() {
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{
			Name:    "plain",
			Summary: "Plain text: each chunk of input is one event; events encode as text with no separator.",
			Options: []plugin.Declared{optFormat, optCharset, plugin.ECS},
		},
		StreamingVariant: "line",
		New:              newCodec,
	})
}

// Codec is a plain codec instance.
type Codec struct {
	text *textcodec.Text
}

func newCodec(s *plugin.Settings) (plugin.Codec, error) {
	text, err := textcodec.NewText(s, optCharset, optFormat)
	if err != nil {
		return nil, err
	}
	return &Codec{text: text}, nil
}

// Decode makes one event of the whole chunk.
func (c *Codec) Decode(data []byte, emit func(*event.Event)) {
	emit(c.text.Event(data))
}

// Flush has nothing buffered.
func (c *Codec) Flush(emit func(*event.Event)) {}

// Encode appends the formatted event, or Event#to_s, with no separator.
func (c *Codec) Encode(dst []byte, e *event.Event) []byte {
	return c.text.AppendEncoded(dst, e)
}
