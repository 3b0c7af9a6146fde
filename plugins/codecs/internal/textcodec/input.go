package textcodec

import (
	"log/slog"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
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
func NewCharset(s *plugin.Settings, charset plugin.Opt[string]) (*Charset, error) {
	name := charset.Get(s)
	conv, err := NewConverter(name)
	if err != nil {
		return nil, charset.Errorf(s, "%v", err)
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

// Text is what the plain and line codecs share: the charset input is
// read in, the format events are written with, and whether the message is
// copied to [event][original] (ECS modes).
type Text struct {
	charset  *Charset
	format   *event.Template
	original bool

	// The last chunk that decoded to itself (valid UTF-8) and its message,
	// boxed: a chunk that repeats (the generator's line, a heartbeat) is
	// checked and allocated once. A Text decodes one stream: no lock.
	lastChunk   string
	lastMessage any
}

// NewText reads the codec's charset and format options.
func NewText(s *plugin.Settings, charset, format plugin.Opt[string]) (*Text, error) {
	t := &Text{original: s.ECS() != "disabled"}
	var err error
	if t.charset, err = NewCharset(s, charset); err != nil {
		return nil, err
	}
	if format.IsSet(s) {
		if t.format, err = event.CompileTemplate(format.Get(s)); err != nil {
			return nil, format.Errorf(s, "%v", err)
		}
	}
	return t, nil
}

// Event makes an event of a piece of input: its text in message and, in
// ECS modes, in [event][original] too.
func (t *Text) Event(data []byte) *event.Event {
	e := event.NewEvent()
	message := t.lastMessage
	if message == nil || string(data) != t.lastChunk {
		text := t.charset.Text(data)
		message = text // boxed once for both fields
		if text == string(data) {
			t.lastChunk, t.lastMessage = text, message
		}
	}
	e.Data().Set("message", message)
	if t.original {
		// Room for an input's own [event] field next to original (the
		// generator's sequence) without growing.
		event := event.NewMap(2)
		event.Set("original", message)
		e.Data().Set("event", event)
	}
	return e
}

// AppendEncoded appends the event rendered with the format or, without
// one, Event#to_s.
func (t *Text) AppendEncoded(dst []byte, e *event.Event) []byte {
	if t.format != nil {
		return t.format.AppendRender(dst, e)
	}
	return AppendEventString(dst, e)
}
