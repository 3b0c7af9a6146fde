package textcodec

import (
	"log/slog"

	"github.com/gostash/gostash/runtime"
)

// Charset is a text codec's charset option at work: its Converter, and the
// warning Logstash logs when input is not valid in that charset.
type Charset struct {
	conv   *Converter
	name   string
	logger *slog.Logger
}

// NewCharset builds the converter for the codec's charset option; a
// charset gostash cannot decode is an error located at the option.
func NewCharset(s *runtime.Settings) (*Charset, error) {
	name := s.String("charset")
	conv, err := NewConverter(name)
	if err != nil {
		return nil, s.Errorf("charset", "%v", err)
	}
	return &Charset{conv: conv, name: name, logger: s.Logger()}, nil
}

// Text is data as UTF-8 text (see Converter.Convert), after logging
// InvalidCharsetWarning when invalid bytes had to be escaped.
func (c *Charset) Text(data []byte) string {
	text, escaped := c.conv.Convert(data)
	if escaped {
		c.logger.Warn(InvalidCharsetWarning, "text", text, "expected_charset", c.name)
	}
	return text
}

// TextBytes is Text returning bytes, without a copy for valid UTF-8 input.
func (c *Charset) TextBytes(data []byte) []byte {
	text, escaped := c.conv.ConvertBytes(data)
	if escaped {
		c.logger.Warn(InvalidCharsetWarning, "text", string(text), "expected_charset", c.name)
	}
	return text
}

// MessageEvent is the event the plain and line codecs make of decoded
// text: the text in message and, when original is set (ECS modes), in
// [event][original] too.
func MessageEvent(text string, original bool) *runtime.Event {
	e := runtime.NewEvent()
	var message any = text // boxed once for both fields
	e.Data().Set("message", message)
	if original {
		event := runtime.NewMap(1)
		event.Set("original", message)
		e.Data().Set("event", event)
	}
	return e
}
