// Package plain is Logstash's plain codec: a whole chunk of input is one
// event's message, and events encode as Event#to_s or a sprintf format,
// with nothing between them.
package plain

import (
	"log/slog"

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
	conv    *textcodec.Converter
	charset string
	// original copies the message to [event][original] (ECS modes).
	original bool
	logger   *slog.Logger
}

func newCodec(s *runtime.Settings) (runtime.Codec, error) {
	c := &Codec{charset: s.String("charset"), original: s.ECS() != "disabled", logger: s.Logger()}
	var err error
	if c.conv, err = textcodec.NewConverter(c.charset); err != nil {
		return nil, s.Errorf("charset", "%v", err)
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
	text, escaped := c.conv.Convert(data)
	if escaped {
		c.logger.Warn(textcodec.InvalidCharsetWarning, "text", text, "expected_charset", c.charset)
	}
	e := runtime.NewEvent()
	var message any = text // boxed once for both fields
	e.Data().Set("message", message)
	if c.original {
		event := runtime.NewMap(1)
		event.Set("original", message)
		e.Data().Set("event", event)
	}
	emit(e)
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
