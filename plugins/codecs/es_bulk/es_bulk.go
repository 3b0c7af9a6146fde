// Package es_bulk is Logstash's es_bulk codec: Elasticsearch bulk API
// bodies (an action line, then a document line except for deletes) decode
// into events carrying the action's metadata.
package es_bulk

import (
	"log/slog"
	"sync"

	"github.com/gostash/gostash/plugins/codecs/internal/textcodec"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var optTarget = plugin.FieldRef("target").Doc("The field to put each document under; without it the document's fields go to the top level of the event.")

func init() {
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{
			Name:    "es_bulk",
			Summary: "Elasticsearch bulk API bodies: each document becomes an event, its action line its metadata. Decoding only.",
			Options: []plugin.Declared{optTarget, plugin.ECS},
			Examples: []plugin.Example{{
				Title: "Read a bulk body, keeping the action in a field",
				Config: `input { stdin { codec => es_bulk { ecs_compatibility => disabled } } }
filter { mutate { copy => { "[@metadata]" => "bulk" } remove_field => ["@version", "host", "event"] } }
output { stdout { codec => json_lines } }
`,
				Input:  "{\"index\":{\"_index\":\"logs\",\"_id\":\"1\"}}\n{\"message\":\"hello\"}\n{\"delete\":{\"_index\":\"logs\",\"_id\":\"2\"}}\n",
				Output: `{"@timestamp":"2026-01-02T03:04:05.678Z","message":"hello","bulk":{"_index":"logs","_id":"1","action":"index"}}` + "\n" + `{"@timestamp":"2026-01-02T03:04:05.678Z","bulk":{"_index":"logs","_id":"2","action":"delete"}}` + "\n",
			}},
		},
		New: newCodec,
	})
}

// Codec is an es_bulk codec instance; its state (the pending action) is
// its stream's.
type Codec struct {
	log           *slog.Logger
	utf8          *textcodec.Converter
	tokenizer     *textcodec.Tokenizer
	target        *event.FieldRef
	metadataField event.FieldRef
	// action is the metadata of the action line whose document is next,
	// or nil when an action line is expected.
	action *event.Map
}

var warnEncodeOnce sync.Once

func newCodec(s *plugin.Settings) (plugin.Codec, error) {
	conv, err := textcodec.NewConverter("UTF-8")
	if err != nil {
		return nil, err
	}
	c := &Codec{log: s.Logger(), utf8: conv, tokenizer: textcodec.NewTokenizer("\n", textcodec.DefaultLineLimit, "the es_bulk codec's line limit", s.Logger()),
		metadataField: event.MustFieldRef("[@metadata]")}
	ecs := s.ECS() != "disabled"
	if ecs {
		c.metadataField = event.MustFieldRef("[@metadata][codec][es_bulk]")
	}
	if optTarget.IsSet(s) {
		ref, _ := event.ParseFieldRef(optTarget.Get(s))
		c.target = &ref
	} else if ecs {
		c.log.Info("ECS compatibility is enabled but `target` option was not specified. This may cause fields to be set at the top-level of the event where they are likely to clash with the Elastic Common Schema. It is recommended to set the `target` option to avoid potential schema conflicts (if your data is ECS compliant or non-conflicting, feel free to ignore this message)")
	}
	return c, nil
}

// Decode reads each complete line: an action line ({"index": {...}})
// sets the metadata of the document line after it, which becomes an event;
// a delete action has no document and makes an empty event at once.
func (c *Codec) Decode(data []byte, emit func(*event.Event)) {
	c.tokenizer.Extract(data, func(line []byte) { c.line(line, data, emit) })
}

// DecodeStream is Decode that stops at a line longer than
// textcodec.DefaultLineLimit with a *textcodec.TooLongError.
func (c *Codec) DecodeStream(data []byte, emit func(*event.Event)) error {
	return c.tokenizer.ExtractStream(data, func(line []byte) { c.line(line, data, emit) })
}

func (c *Codec) line(line, chunk []byte, emit func(*event.Event)) {
	text, _ := c.utf8.Convert(line)
	v, err := event.DecodeJSONFirst([]byte(text))
	if err != nil {
		raw, _ := c.utf8.Convert(chunk)
		c.log.Error("JSON parse failure. ES Bulk messages must in be UTF-8 JSON", slog.String("error", err.Error()), slog.String("data", raw))
		return
	}
	if c.action != nil {
		var e *event.Event
		if c.target != nil {
			e = event.NewEvent()
			_ = e.SetRef(*c.target, v)
		} else if m, ok := v.(*event.Map); ok {
			e = event.NewEventFromMap(m)
		} else {
			c.log.Error("ES Bulk document is not a JSON object; it is dropped", slog.String("data", text))
			c.action = nil
			return
		}
		c.emit(e, emit)
		return
	}
	m, ok := v.(*event.Map)
	if !ok || m.Len() == 0 {
		c.log.Error("ES Bulk action line is not a JSON object with an action; it is dropped", slog.String("data", text))
		return
	}
	name := m.Keys()[0]
	meta, _ := m.Get(name)
	action, ok := meta.(*event.Map)
	if !ok {
		c.log.Error("ES Bulk action's metadata is not a JSON object; the line is dropped", slog.String("data", text))
		return
	}
	action.Set("action", name)
	c.action = action
	if name == "delete" {
		e := event.NewEvent()
		if c.target != nil {
			_ = e.SetRef(*c.target, event.NewMap(0))
		}
		c.emit(e, emit)
	}
}

func (c *Codec) emit(e *event.Event, emit func(*event.Event)) {
	_ = e.SetRef(c.metadataField, c.action)
	c.action = nil
	emit(e)
}

// Flush drops an unterminated last line, as Logstash's codec has no flush.
func (c *Codec) Flush(emit func(*event.Event)) {}

// Encode writes nothing: the codec only decodes (Elasticsearch outputs
// write bulk bodies themselves). It says so once.
func (c *Codec) Encode(dst []byte, e *event.Event) []byte {
	warnEncodeOnce.Do(func() {
		c.log.Error("The es_bulk codec only decodes; events given to it to encode are not written")
	})
	return dst
}
