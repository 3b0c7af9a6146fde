package dots

import (
	"testing"

	"github.com/gostash/gostash/plugins/codecs/internal/codectest"
	"github.com/gostash/gostash/runtime/event"
)

func TestEncodeIsOneDotPerEvent(t *testing.T) {
	codec := codectest.Build(t, "dots", "v8", nil)
	e := event.NewEvent()
	out := codec.Encode(nil, e)
	out = codec.Encode(out, e)
	if string(out) != ".." {
		t.Errorf("got %q, want \"..\"", out)
	}
}

func TestDecodeEmitsNothing(t *testing.T) {
	codec := codectest.Build(t, "dots", "v8", nil)
	if events := codectest.Decode(codec, "a\n", "b"); len(events) != 0 {
		t.Errorf("decode emitted %d events", len(events))
	}
}

func TestHasNoOptions(t *testing.T) {
	if _, err := codectest.TryBuild("dots", "v8", map[string]string{"format": "x"}); err == nil {
		t.Error("dots accepted a format option")
	}
}

func BenchmarkEncode(b *testing.B) {
	codec := codectest.Build(b, "dots", "v8", nil)
	e := event.NewEvent()
	buf := make([]byte, 0, 8)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = codec.Encode(buf[:0], e)
	}
}
