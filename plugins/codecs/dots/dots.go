// Package dots is Logstash's dots codec: one "." per event, a progress
// display for outputs.
package dots

import (
	"log/slog"
	"sync"

	"github.com/gostash/gostash/runtime"
)

func init() {
	runtime.RegisterCodec(runtime.CodecSpec{
		Spec: runtime.Spec{Name: "dots", Summary: "Encodes each event as a single dot, with no newline."},
		New: func(s *runtime.Settings) (runtime.Codec, error) {
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
func (c *Codec) Decode(data []byte, emit func(*runtime.Event)) {
	c.decodeWarned.Do(func() {
		c.logger.Error("Not implemented: the dots codec cannot decode; input data is discarded")
	})
}

// Flush has nothing buffered.
func (c *Codec) Flush(emit func(*runtime.Event)) {}

// Encode appends one dot.
func (c *Codec) Encode(dst []byte, e *runtime.Event) []byte { return append(dst, '.') }
