package dots

import (
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestEncodeIsOneDotPerEvent(t *testing.T) {
	codec := plugintest.Codec(t, "dots")
	e := event.NewEvent()
	out := codec.Plugin.Encode(nil, e)
	out = codec.Plugin.Encode(out, e)
	if string(out) != ".." {
		t.Errorf("got %q, want \"..\"", out)
	}
}

func TestDecodeEmitsNothing(t *testing.T) {
	codec := plugintest.Codec(t, "dots")
	if events := codec.Decode("a\n", "b"); len(events) != 0 {
		t.Errorf("decode emitted %d events", len(events))
	}
}

func TestHasNoOptions(t *testing.T) {
	if _, err := plugintest.TryCodec(t, `dots { format => "x" }`); err == nil {
		t.Error("dots accepted a format option")
	}
}

func BenchmarkEncode(b *testing.B) {
	codec := plugintest.Codec(b, "dots")
	e := event.NewEvent()
	buf := make([]byte, 0, 8)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = codec.Plugin.Encode(buf[:0], e)
	}
}
