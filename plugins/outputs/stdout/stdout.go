// Package stdout is the stdout output: each event encoded by its codec
// (rubydebug by default), written to standard output.
package stdout

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

func init() {
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec: plugin.Spec{
			Name:    "stdout",
			Summary: "Prints events to standard output with a codec (rubydebug by default).",
		},
		DefaultCodec: "rubydebug",
		New:          New,
	})
}

// Output is the stdout output.
type Output struct {
	codec plugin.Codec
	mu    sync.Mutex
	w     io.Writer
	buf   []byte
}

// New builds a stdout output.
func New(s *plugin.Settings) (plugin.Output, error) {
	return &Output{codec: s.NewCodec(), w: os.Stdout}, nil
}

// Output encodes the batch and writes it with one write, so the events of
// concurrent workers never interleave.
func (o *Output) Output(_ context.Context, events []*event.Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	b := o.buf[:0]
	for _, e := range events {
		b = o.codec.Encode(b, e)
	}
	o.buf = b
	if _, err := o.w.Write(b); err != nil {
		return fmt.Errorf("writing to standard output: %w", err)
	}
	return nil
}
