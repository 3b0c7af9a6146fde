// Package stdin is the stdin input: it reads standard input in chunks and
// decodes them with a streaming codec (line by default).
package stdin

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"

	"github.com/gostash/gostash/internal/tty"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

func init() {
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "stdin",
			Summary: "Reads events from standard input, one per line by default.",
			Options: []plugin.Declared{plugin.ECS},
		},
		DefaultCodec:  "line",
		NotReloadable: true,
		New:           New,
	})
}

// readSize is how much one read takes, as in Logstash's stdin input.
const readSize = 16384

// Input is the stdin input.
type Input struct {
	settings *plugin.Settings
	reader   io.Reader
	hostname string
	ecs      bool
	log      *slog.Logger
}

// New builds a stdin input reading os.Stdin.
func New(s *plugin.Settings) (plugin.Input, error) {
	host, _ := os.Hostname()
	return &Input{settings: s, reader: os.Stdin, hostname: host, ecs: s.ECS() != "disabled", log: s.Logger()}, nil
}

type chunk struct {
	data []byte
	err  error
}

// Run reads until EOF or ctx is cancelled. Reads block, so they happen in
// their own goroutine and Run returns on cancellation without waiting for
// more input.
func (in *Input) Run(ctx context.Context, out plugin.Emitter) error {
	if f, ok := in.reader.(*os.File); ok && tty.IsTerminal(f) {
		os.Stdout.WriteString("The stdin plugin is now waiting for input:\n")
	}
	codec := in.settings.NewStreamingCodec()
	chunks := make(chan chunk, 1)
	go func() {
		for {
			buf := make([]byte, readSize)
			n, err := in.reader.Read(buf)
			// Read data is always handed over: Run takes a waiting chunk
			// even after shutdown began, so nothing read is lost.
			chunks <- chunk{buf[:n], err}
			if err != nil || ctx.Err() != nil {
				return
			}
		}
	}()
	for {
		var c chunk
		select {
		case <-ctx.Done():
			select {
			case c = <-chunks:
			default:
				in.flushHeld(codec, out)
				return nil
			}
		case c = <-chunks:
		}
		if len(c.data) > 0 {
			raw := string(c.data)
			codec.Decode(c.data, func(e *event.Event) { in.emit(out, e, raw) })
		}
		if c.err != nil {
			if !errors.Is(c.err, io.EOF) {
				return c.err
			}
			in.finish(codec, out)
			return nil
		}
	}
}

// finish handles EOF like Logstash: the codec is not flushed, so a last
// line without a newline is dropped. That surprises people, so say so.
// A codec that holds lines for a later event (multiline) is flushed, where
// Logstash loses its last event.
func (in *Input) finish(codec plugin.Codec, out plugin.Emitter) {
	if in.flushHeld(codec, out) {
		return
	}
	var left int
	codec.Flush(func(e *event.Event) { left++ })
	if left > 0 {
		in.log.Warn("Standard input ended without a final newline; like Logstash, the unterminated last line is not turned into an event. End the input with a newline to keep it.")
	}
}

// flushHeld emits what a holding codec (multiline) still holds, at the end
// of input or at shutdown, and reports whether the codec is one.
func (in *Input) flushHeld(codec plugin.Codec, out plugin.Emitter) bool {
	h, ok := codec.(plugin.HoldingCodec)
	if ok {
		h.Flush(func(e *event.Event) { in.emit(out, e, "") })
	}
	return ok
}

func (in *Input) emit(out plugin.Emitter, e *event.Event, raw string) {
	out.Decorate(e)
	if in.ecs {
		if _, ok := e.Get("[event][original]"); !ok {
			e.Set("[event][original]", raw)
		}
		if _, ok := e.Get("[host][hostname]"); !ok {
			e.Set("[host][hostname]", in.hostname)
		}
	} else if !e.Data().Has("host") {
		e.Data().Set("host", in.hostname)
	}
	out.EmitDecorated(e)
}
