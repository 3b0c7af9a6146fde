// Package plain is Logstash's plain codec: a whole chunk of input is one
// event's message, and events encode as Event#to_s or a sprintf format,
// with nothing between them.
package plain

import (
	"github.com/gostash/gostash/plugins/codecs/internal/textcodec"
	"github.com/gostash/gostash/runtime"
)

func init() {
	runtime.RegisterCodec(runtime.CodecSpec{
		Spec: runtime.Spec{
			Name:    "plain",
			Summary: "Plain text: each chunk of input is one event; events encode as text with no separator.",
			Options: []runtime.Option{
				{Name: "format", Type: runtime.TypeString,
					Doc: "A sprintf format for encoding events, such as \"%{message}\"; without it events encode as \"<@timestamp> <host> <message>\"."},
				{Name: "charset", Type: runtime.TypeEnum, Enum: textcodec.CharsetNames, Default: "UTF-8", Doc: textcodec.CharsetDoc},
				runtime.ECSOption,
			},
		},
		New: newCodec,
	})
}

// Codec is a plain codec instance.
type Codec struct {
	format  *runtime.Template
	charset *textcodec.Charset
	// original copies the message to [event][original] (ECS modes).
	original bool
}

func newCodec(s *runtime.Settings) (runtime.Codec, error) {
	c := &Codec{original: s.ECS() != "disabled"}
	var err error
	if c.charset, err = textcodec.NewCharset(s); err != nil {
		return nil, err
	}
	if s.IsSet("format") {
		if c.format, err = runtime.CompileTemplate(s.String("format")); err != nil {
			return nil, s.Errorf("format", "%v", err)
		}
	}
	return c, nil
}

// Decode makes one event of the whole chunk.
func (c *Codec) Decode(data []byte, emit func(*runtime.Event)) {
	emit(textcodec.MessageEvent(c.charset.Text(data), c.original))
}

// Flush has nothing buffered.
func (c *Codec) Flush(emit func(*runtime.Event)) {}

// Encode appends the formatted event, or Event#to_s, with no separator.
func (c *Codec) Encode(dst []byte, e *runtime.Event) []byte {
	if c.format != nil {
		return c.format.AppendRender(dst, e)
	}
	return textcodec.AppendEventString(dst, e)
}
