// Package fluent is Logstash's fluent codec: Fluentd's forward protocol
// (Message, Forward and PackedForward modes, MessagePack encoded) decodes
// into events, and events encode as Message-mode entries.
package fluent

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/gostash/gostash/internal/ruby"
	mp "github.com/gostash/gostash/plugins/codecs/internal/msgpack"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optNanosecondPrecision = plugin.Bool("nanosecond_precision").Default(false).Doc("Read and write times as Fluentd's EventTime extension (seconds and nanoseconds) rather than whole seconds.")
	optTarget              = plugin.FieldRef("target").Doc("The field to put each record under; without it its fields go to the top level of the event.")
)

func init() {
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{
			Name:    "fluent",
			Summary: "Fluentd's forward protocol in MessagePack: entries decode into events tagged with their Fluentd tag; events encode as [tag, time, record].",
			Options: []plugin.Declared{optNanosecondPrecision, optTarget},
		},
		New: newCodec,
	})
}

// ParseFailureTag marks the event made of an entry the codec cannot read.
const ParseFailureTag = "_fluentparsefailure"

// eventTimeType is Fluentd's EventTime extension type.
const eventTimeType = 0

// eventTime is an EventTime: seconds and nanoseconds.
type eventTime struct{ sec, nsec uint32 }

// Codec is a fluent codec instance: the stream's undecoded bytes, and an
// encoder shared by outputs.
type Codec struct {
	log     *slog.Logger
	nanos   bool
	target  *event.FieldRef
	decoder mp.Decoder
	pending []byte
}

func newCodec(s *plugin.Settings) (plugin.Codec, error) {
	c := &Codec{log: s.Logger(), nanos: optNanosecondPrecision.Get(s)}
	if c.nanos {
		c.decoder.Exts = map[int8]func([]byte) (any, error){eventTimeType: func(b []byte) (any, error) {
			if len(b) != 8 {
				return nil, fmt.Errorf("EventTime needs 8 bytes, got %d", len(b))
			}
			return eventTime{binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:])}, nil
		}}
	}
	if optTarget.IsSet(s) {
		ref, _ := event.ParseFieldRef(optTarget.Get(s))
		c.target = &ref
	}
	return c, nil
}

// maxItem bounds the bytes of one forward-protocol item the codec waits
// for. Logstash's codec buffers without bound; Fluentd's file buffer sends
// chunks of up to 256 MiB (its chunk_limit_size default) as one
// PackedForward item, so that is the limit: nothing Fluentd sends by
// default is refused, and a peer declaring a 4 GiB string is cut off.
const maxItem = 256 << 20

// Decode reads every complete forward-protocol item in the stream so far.
// An item over maxItem is logged and what is buffered dropped.
func (c *Codec) Decode(data []byte, emit func(*event.Event)) {
	if err := c.DecodeStream(data, emit); err != nil {
		c.log.Error("Fluent item too large; the rest of the stream so far is dropped", slog.String("error", err.Error()))
	}
}

// DecodeStream is Decode that returns an error wrapping
// plugin.ErrFrameTooLarge when an item outgrows maxItem.
func (c *Codec) DecodeStream(data []byte, emit func(*event.Event)) error {
	return c.decode(data, emit, maxItem)
}

func (c *Codec) decode(data []byte, emit func(*event.Event), limit int) error {
	c.pending = append(c.pending, data...)
	for len(c.pending) > 0 {
		item, n, err := c.decoder.Decode(c.pending)
		if errors.Is(err, mp.ErrIncomplete) {
			if len(c.pending) > limit {
				c.pending = nil
				return fmt.Errorf("%w: a fluent item is larger than %d bytes", plugin.ErrFrameTooLarge, limit)
			}
			return nil
		}
		if err != nil {
			c.log.Error("Fluent data is not MessagePack; the rest of the stream so far is dropped", slog.String("error", err.Error()))
			c.pending = c.pending[:0]
			return nil
		}
		c.pending = c.pending[n:]
		c.item(item, emit)
	}
	c.pending = c.pending[:0]
	return nil
}

// item handles one forward-protocol item: [tag, entries] (Forward),
// [tag, packed entries] (PackedForward) or [tag, time, record] (Message).
// A broken item gives a failure event holding it; entries already read
// from it stay emitted.
func (c *Codec) item(item any, emit func(*event.Event)) {
	if err := c.entries(item, emit); err != nil {
		c.log.Error("Fluent parse error, original data now in message field", slog.String("error", err.Error()), slog.String("data", ruby.Inspect(mp.Inspect(item))))
		m := event.NewMap(2)
		m.Set("message", mp.Inspect(item))
		m.Set(event.TagsField, []any{ParseFailureTag})
		emit(event.NewEventFromMap(m))
	}
}

func (c *Codec) entries(item any, emit func(*event.Event)) error {
	arr, ok := item.([]any)
	if !ok {
		return errors.New("Unknown event type")
	}
	at := func(i int) any {
		if i < len(arr) {
			return arr[i]
		}
		return nil
	}
	tag := at(0)
	switch entries := at(1).(type) {
	case string:
		if opt, ok := at(2).(mp.Pairs); ok {
			for i := 0; i+1 < len(opt); i += 2 {
				if opt[i] == "compressed" && opt[i+1] == "gzip" {
					return errors.New("PackedForward with compression is not supported")
				}
			}
		}
		b := []byte(entries)
		for len(b) > 0 {
			entry, n, err := c.decoder.Decode(b)
			if err != nil {
				// The inner stream ends inside an entry: the rest waits for
				// data that never comes.
				if errors.Is(err, mp.ErrIncomplete) {
					return nil
				}
				return err
			}
			b = b[n:]
			if err := c.entry(entry, tag, emit); err != nil {
				return err
			}
		}
	case []any:
		for _, entry := range entries {
			if err := c.entry(entry, tag, emit); err != nil {
				return err
			}
		}
	case int64, *big.Int, eventTime:
		e, err := c.event(at(2), entries, tag)
		if err != nil {
			return err
		}
		emit(e)
	default:
		return errors.New("Unknown event type")
	}
	return nil
}

func (c *Codec) entry(entry, tag any, emit func(*event.Event)) error {
	pair, ok := entry.([]any)
	if !ok || len(pair) < 2 {
		return fmt.Errorf("undefined method `[]' for an entry that is not [time, record]")
	}
	e, err := c.event(pair[1], pair[0], tag)
	if err != nil {
		return err
	}
	emit(e)
	return nil
}

// event makes the event of one record: its fields (or the record under
// the target), @timestamp from the entry's time, and the tag appended to
// tags.
func (c *Codec) event(record, when, tag any) (*event.Event, error) {
	ts, err := fluentTime(when)
	if err != nil {
		return nil, err
	}
	v, err := mp.ToEvent(record)
	if err != nil {
		return nil, err
	}
	var e *event.Event
	switch {
	case c.target != nil:
		e = event.NewEvent()
		if err := e.SetRef(*c.target, v); err != nil {
			return nil, err
		}
	default:
		switch t := v.(type) {
		case *event.Map:
			e = event.NewEventFromMap(t)
		case nil:
			e = event.NewEvent()
		default:
			return nil, errors.New("wrong argument type (expected Hash)")
		}
	}
	e.SetTimestamp(ts)
	tagValue, err := mp.ToEvent(tag)
	if err != nil {
		return nil, err
	}
	e.Tag(event.ValueString(tagValue))
	return e, nil
}

// fluentTime is the instant of an entry time: whole seconds, or an
// EventTime read through a float of microseconds as Ruby's Time.at does.
func fluentTime(v any) (event.Timestamp, error) {
	switch t := v.(type) {
	case int64:
		return event.Timestamp{Time: time.Unix(t, 0).UTC()}, nil
	case eventTime:
		usec := float64(t.nsec) / 1000.0
		exact := new(big.Float).SetPrec(200).SetFloat64(usec)
		exact.Mul(exact, big.NewFloat(1000))
		ns, _ := exact.Int64()
		return event.Timestamp{Time: time.Unix(int64(t.sec), ns).UTC()}, nil
	}
	return event.Timestamp{}, fmt.Errorf("can't convert %s into an exact number", rubyClass(v))
}

func rubyClass(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case string:
		return "String"
	case float64:
		return "Float"
	}
	return fmt.Sprintf("%T", v)
}

// Flush drops bytes that do not complete an item.
func (c *Codec) Flush(emit func(*event.Event)) { c.pending = nil }

// Encode appends [tag, time, record]: the tag is the event's tags joined
// with "." (or "log"), the time whole seconds or an EventTime (to the
// microsecond, as Logstash writes it), the record the event's data with
// every timestamp as ISO-8601 text.
func (c *Codec) Encode(dst []byte, e *event.Event) []byte {
	tag := "log"
	if v, ok := e.Get(event.TagsField); ok && v != nil {
		switch t := v.(type) {
		case []any:
			parts := make([]string, len(t))
			for i, p := range t {
				parts[i] = ruby.ToS(p)
			}
			tag = strings.Join(parts, ".")
		default:
			tag = ruby.ToS(t)
		}
	}
	ts, _ := e.Timestamp()
	out := append(dst, 0x93)
	out = mp.AppendString(out, tag)
	if c.nanos {
		var b [8]byte
		sec := ts.Unix()
		binary.BigEndian.PutUint32(b[:], uint32(sec))
		binary.BigEndian.PutUint32(b[4:], uint32(ts.Nanosecond()/1000*1000))
		if sec < 0 || sec > math.MaxUint32 {
			c.log.Error("fluent encoding failed; the event's time does not fit an EventTime", slog.String("@timestamp", ts.String()))
			return dst
		}
		out = mp.AppendExt(out, eventTimeType, b[:])
	} else {
		out = mp.AppendInt(out, ts.Unix())
	}
	out, err := mp.Append(out, isoTimestamps(e.Data()))
	if err != nil {
		c.log.Error("fluent encoding failed; the event is not written", slog.String("exception", err.Error()))
		return dst
	}
	return out
}

// isoTimestamps copies a value with every timestamp as ISO-8601 text.
func isoTimestamps(v any) any {
	switch t := v.(type) {
	case event.Timestamp:
		return t.String()
	case *event.Map:
		m := event.NewMap(t.Len())
		t.Range(func(k string, val any) bool {
			m.Set(k, isoTimestamps(val))
			return true
		})
		return m
	case []any:
		out := make([]any, len(t))
		for i, it := range t {
			out[i] = isoTimestamps(it)
		}
		return out
	}
	return v
}
