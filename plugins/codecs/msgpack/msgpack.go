// Package msgpack is Logstash's msgpack codec: each chunk of input is one
// MessagePack document, and events encode as MessagePack maps.
package msgpack

import (
	"fmt"
	"log/slog"

	mp "github.com/gostash/gostash/plugins/codecs/internal/msgpack"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optFormat = plugin.String("format").Doc("A sprintf format that sets `message` on decoded events that have none.")
	optTarget = plugin.FieldRef("target").Doc("The field to put each decoded value under; without it the document must be a map, whose keys become top-level fields.")
)

func init() {
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{
			Name:    "msgpack",
			Summary: "MessagePack: each chunk of input is one document; events encode as MessagePack maps.",
			Options: []plugin.Declared{optFormat, optTarget},
		},
		New: newCodec,
	})
}

// ParseFailureTag marks the event made of input that is not MessagePack.
const ParseFailureTag = "_msgpackparsefailure"

// Codec is a msgpack codec instance; it keeps no stream state.
type Codec struct {
	log     *slog.Logger
	format  *event.Template
	target  *event.FieldRef
	decoder mp.Decoder
}

func newCodec(s *plugin.Settings) (plugin.Codec, error) {
	c := &Codec{log: s.Logger()}
	if optFormat.IsSet(s) {
		t, err := event.CompileTemplate(optFormat.Get(s))
		if err != nil {
			return nil, optFormat.Errorf(s, "%v", err)
		}
		c.format = t
	}
	if optTarget.IsSet(s) {
		ref, _ := event.ParseFieldRef(optTarget.Get(s))
		c.target = &ref
	}
	return c, nil
}

var messageRef = event.MustFieldRef("message")

// Decode makes one event of the chunk, which must hold exactly one
// MessagePack value: a map (or nil), or anything under a target. Other
// input gives an event whose message is the raw chunk, tagged
// _msgpackparsefailure.
func (c *Codec) Decode(data []byte, emit func(*event.Event)) {
	e, err := c.event(data)
	if err != nil {
		c.log.Warn("Trouble parsing msgpack input, falling back to plain text",
			slog.String("input", string(data)), slog.String("exception", "MessagePack::MalformedFormatError"), slog.String("message", err.Error()))
		m := event.NewMap(2)
		m.Set("message", string(data))
		m.Set(event.TagsField, []any{ParseFailureTag})
		e = event.NewEventFromMap(m)
	}
	emit(e)
}

func (c *Codec) event(data []byte) (*event.Event, error) {
	raw, n, err := c.decoder.Decode(data)
	if err == mp.ErrIncomplete {
		return nil, fmt.Errorf("end of buffer reached")
	}
	if err != nil {
		return nil, err
	}
	if n != len(data) {
		return nil, fmt.Errorf("%d extra bytes after the deserialized object", len(data)-n)
	}
	v, err := mp.ToEvent(raw)
	if err != nil {
		return nil, err
	}
	var e *event.Event
	switch t := v.(type) {
	case *event.Map:
		if c.target == nil {
			e = event.NewEventFromMap(t)
		}
	case nil:
		if c.target == nil {
			e = event.NewEvent()
		}
	}
	if e == nil {
		if c.target == nil {
			return nil, fmt.Errorf("wrong argument type (expected Hash)")
		}
		e = event.NewEvent()
		if err := e.SetRef(*c.target, v); err != nil {
			return nil, err
		}
	}
	if c.format != nil {
		if m, ok := e.GetRef(messageRef); !ok || m == nil {
			_ = e.SetRef(messageRef, c.format.Render(e))
		}
	}
	return e, nil
}

// Flush has nothing buffered.
func (c *Codec) Flush(emit func(*event.Event)) {}

// Encode appends the event's data (its @timestamp as ISO-8601 text) as one
// MessagePack map; an event holding a value MessagePack cannot write
// (a BigDecimal, a nested timestamp) is logged and not written.
func (c *Codec) Encode(dst []byte, e *event.Event) []byte {
	data := e.Data()
	if ts, ok := e.Timestamp(); ok {
		data = data.Clone()
		data.Set(event.TimestampField, ts.String())
	}
	out, err := mp.Append(dst, data)
	if err != nil {
		c.log.Error("msgpack encoding failed; the event is not written", slog.String("exception", err.Error()))
		return dst
	}
	return out
}
