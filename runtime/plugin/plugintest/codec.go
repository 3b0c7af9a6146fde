package plugintest

import (
	"errors"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// BuiltCodec is a codec built from config text.
type BuiltCodec struct {
	// Plugin is the codec itself, for tests that need its own type or call
	// it directly.
	Plugin plugin.Codec
	Logs   *Logs
}

// Codec builds the codec block text (`json_lines { delimiter => "|" }`), or
// the codec named alone (`json`, as in `codec => json`), failing the test
// when it does not build.
func Codec(t testing.TB, text string, opts ...Option) *BuiltCodec {
	t.Helper()
	p, err := TryCodec(t, text, opts...)
	mustBuild(t, err)
	return p
}

// TryCodec builds the codec block text and returns its config errors
// instead of failing.
func TryCodec(t testing.TB, text string, opts ...Option) (*BuiltCodec, error) {
	t.Helper()
	// A codec named alone, as in `codec => json`, is a block without options.
	if !strings.ContainsAny(text, "{}") {
		text = strings.TrimSpace(text) + " { }"
	}
	// A codec block has the syntax of any plugin block; the section it is
	// parsed in is only there to make the text a config.
	b, err := build(t, plugin.KindCodec, "filter", text, opts)
	if err != nil {
		return nil, err
	}
	return &BuiltCodec{Plugin: b.instance.Plugin.(plugin.Codec), Logs: b.logs}, nil
}

// Decode feeds each chunk to the codec, as an input reads a stream, and
// returns the events it emitted. What the codec still buffers stays there
// (see Flush).
func (c *BuiltCodec) Decode(chunks ...string) []*event.Event {
	var out []*event.Event
	emit := func(e *event.Event) { out = append(out, e) }
	for _, ch := range chunks {
		c.Plugin.Decode([]byte(ch), emit)
	}
	return out
}

// Flush returns what the codec emits at the end of the stream.
func (c *BuiltCodec) Flush() []*event.Event {
	var out []*event.Event
	c.Plugin.Flush(func(e *event.Event) { out = append(out, e) })
	return out
}

// Encode returns e as the codec writes it.
func (c *BuiltCodec) Encode(e *event.Event) string {
	return string(c.Plugin.Encode(nil, e))
}

// FuzzDecode is the fuzz target of a codec: the codec block text decodes
// data cut in two where the input says, once through Decode and once, on a
// fresh instance, through plugin.DecodeStream, and then flushes. Nothing
// may panic, and DecodeStream may fail only with a frame too large. seeds
// are added to the corpus, each cut in its middle.
func FuzzDecode(f *testing.F, text string, seeds ...string) {
	for _, s := range seeds {
		f.Add(uint16(len(s)/2), []byte(s))
	}
	f.Fuzz(func(t *testing.T, cut uint16, data []byte) {
		at := min(int(cut), len(data))
		c := Codec(t, text)
		c.Decode(string(data[:at]), string(data[at:]))
		c.Flush()
		stream := Codec(t, text).Plugin
		emit := func(*event.Event) {}
		for _, chunk := range [][]byte{data[:at], data[at:]} {
			if err := plugin.DecodeStream(stream, chunk, emit); err != nil {
				if !errors.Is(err, plugin.ErrFrameTooLarge) {
					t.Fatalf("DecodeStream: %v, want only frames too large", err)
				}
				return
			}
		}
		stream.Flush(emit)
	})
}
