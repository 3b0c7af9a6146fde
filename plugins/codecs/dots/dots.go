// Package dots is Logstash's dots codec: one "." per event, a progress
// display for outputs.
package dots

import (
	"log/slog"
	"sync"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

func init() {
	plugin.RegisterCodec(plugin.CodecSpec{
		Spec: plugin.Spec{Name: "dots", Summary: "Encodes each event as a single dot, with no newline."},
		New: func(s *plugin.Settings) (plugin.Codec, error) {
			return &Codec{logger: s.Logger()}, nil
		},
	})
}

// Codec is the dots codec.
type Codec struct {
	logger       *slog.Logger
	decodeWarned sync.Once
}

// Decode is not supported (Logstash raises "Not implemented"); the data is
// discarded and the error logged once.
func (c *Codec) Decode(data []byte, emit func(*event.Event)) {
	c.decodeWarned.Do(func() {
		c.logger.Error("Not implemented: the dots codec cannot decode; input data is discarded")
	})
}

// Flush has nothing buffered.
func (c *Codec) Flush(emit func(*event.Event)) {}

// Encode appends one dot.
func (c *Codec) Encode(dst []byte, e *event.Event) []byte { return append(dst, '.') }
