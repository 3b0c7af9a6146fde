package edn

import (
	"log/slog"

	"github.com/gostash/gostash/plugins/codecs/internal/textcodec"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// Decoder makes events of EDN documents, as both edn codecs do.
type Decoder struct {
	log    *slog.Logger
	utf8   *textcodec.Converter
	target *event.FieldRef
}

// NewDecoder reads the codec's target option.
func NewDecoder(s *plugin.Settings, target plugin.Opt[string]) (*Decoder, error) {
	conv, err := textcodec.NewConverter("UTF-8")
	if err != nil {
		return nil, err
	}
	d := &Decoder{log: s.Logger(), utf8: conv}
	if target.IsSet(s) {
		ref, err := event.ParseFieldRef(target.Get(s))
		if err != nil {
			return nil, target.Errorf(s, "%v", err)
		}
		d.target = &ref
	}
	return d, nil
}

// Event makes the event of one document: its map's fields at the top level
// (nil gives an empty event), or any value at the target. A document that
// is not EDN, or not a map without a target, gives an event whose message
// is fallback, as Logstash logs and does.
func (d *Decoder) Event(doc []byte, fallback []byte) *event.Event {
	text, _ := d.utf8.Convert(doc)
	v, err := Read(text)
	if err == nil {
		if d.target != nil {
			e := event.NewEvent()
			if err = e.SetRef(*d.target, v); err == nil {
				return e
			}
		} else {
			switch t := v.(type) {
			case *event.Map:
				return event.NewEventFromMap(t)
			case nil:
				return event.NewEvent()
			default:
				err = errNotHash(v)
			}
		}
	}
	raw, _ := d.utf8.Convert(fallback)
	d.log.Warn("EDN parse failure. Falling back to plain-text", slog.String("error", err.Error()), slog.String("data", raw))
	m := event.NewMap(1)
	m.Set("message", raw)
	return event.NewEventFromMap(m)
}

type notHashError struct{ v any }

func (e notHashError) Error() string { return "wrong argument type (expected Hash)" }

func errNotHash(v any) error { return notHashError{v} }

// Encode appends the event as EDN, logging (and writing nothing for) an
// event holding a value EDN cannot write.
func Encode(log *slog.Logger, dst []byte, e *event.Event, suffix string) []byte {
	out, err := AppendEvent(dst, e)
	if err != nil {
		log.Error("EDN encoding failed; the event is not written", slog.String("exception", err.Error()))
		return dst
	}
	return append(out, suffix...)
}
