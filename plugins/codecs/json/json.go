// Package json is Logstash's json codec: each chunk of input is one JSON
// document (an object is an event, an array of objects one event each),
// and events encode as compact JSON with nothing between them.
package json

import (
	"log/slog"

	"github.com/gostash/gostash/plugins/codecs/internal/textcodec"
	"github.com/gostash/gostash/runtime"
)

func init() {
	runtime.RegisterCodec(runtime.CodecSpec{
		Spec: runtime.Spec{
			Name:    "json",
			Summary: "Whole JSON documents: an object is an event, an array of objects one event each; events encode as compact JSON.",
			Options: []runtime.Option{
				{Name: "charset", Type: runtime.TypeEnum, Enum: textcodec.CharsetNames, Default: "UTF-8", Doc: textcodec.CharsetDoc},
				{Name: "target", Type: runtime.TypeFieldReference,
					Doc: "The field to put the decoded object under; without it its fields go to the top level of the event."},
				runtime.ECSOption,
			},
		},
		New: newCodec,
	})
}

var originalRef = runtime.MustFieldRef("[event][original]")

// Codec is a json codec instance.
type Codec struct {
	conv     *textcodec.Converter
	charset  string
	target   *runtime.FieldRef
	original bool
	logger   *slog.Logger
}

func newCodec(s *runtime.Settings) (runtime.Codec, error) {
	c := &Codec{charset: s.String("charset"), original: s.ECS() != "disabled", logger: s.Logger()}
	var err error
	if c.conv, err = textcodec.NewConverter(c.charset); err != nil {
		return nil, s.Errorf("charset", "%v", err)
	}
	if s.IsSet("target") {
		ref := runtime.MustFieldRef(s.String("target"))
		c.target = &ref
	} else if s.ECS() != "disabled" {
		textcodec.LogOnce("target:"+s.Pos().String(), func() { c.logger.Info(textcodec.ECSTargetAdvice) })
	}
	return c, nil
}

// Decode parses the chunk as one JSON document. Text that is not an
// object or an array of objects becomes a _jsonparsefailure event holding
// it in message.
func (c *Codec) Decode(data []byte, emit func(*runtime.Event)) {
	text, escaped := c.conv.ConvertBytes(data)
	if escaped {
		c.logger.Warn(textcodec.InvalidCharsetWarning, "text", string(text), "expected_charset", c.charset)
	}
	events, err := textcodec.EventsFromJSON(text, c.newEvent)
	if err != nil {
		c.logger.Error("JSON parse error, original data now in message field",
			"message", err.Error(), "exception", "LogStash::Json::ParserError", "data", string(text))
		emit(textcodec.FailureEvent(string(text)))
		return
	}
	if len(events) == 1 && c.original && !events[0].Includes("[event][original]") {
		_ = events[0].SetRef(originalRef, string(text))
	}
	for _, e := range events {
		emit(e)
	}
}

func (c *Codec) newEvent(m *runtime.Map) *runtime.Event {
	if c.target == nil {
		return runtime.NewEventFromMap(m)
	}
	e := runtime.NewEvent()
	_ = e.SetRef(*c.target, m)
	return e
}

// Flush has nothing buffered.
func (c *Codec) Flush(emit func(*runtime.Event)) {}

// Encode appends the event as compact JSON (without @metadata), with no
// separator.
func (c *Codec) Encode(dst []byte, e *runtime.Event) []byte {
	return runtime.AppendJSON(dst, e.Data())
}
