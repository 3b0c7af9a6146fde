package rubydebug_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/gostash/gostash/plugins/codecs/internal/codectest"
	_ "github.com/gostash/gostash/plugins/codecs/json"
	_ "github.com/gostash/gostash/plugins/codecs/json_lines"
	"github.com/gostash/gostash/plugins/codecs/rubydebug"
	"github.com/gostash/gostash/runtime/event"
)

// TestSeedTweet is the project's founding example: the tweet the blog post
// printed, decoded by the json codecs and printed by rubydebug, must come
// out as the exact bytes Logstash printed. The json codec runs without ECS
// (in ECS mode it would add [event][original]); json_lines never adds it.
func TestSeedTweet(t *testing.T) {
	input, err := os.ReadFile("../../../testdata/seed/tweet-event.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../../testdata/seed/tweet-rubydebug.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		codec, ecs string
		input      []byte
	}{
		{"json", "disabled", input},
		{"json_lines", "v8", append(bytes.TrimRight(input, "\n"), '\n')},
	} {
		t.Run(c.codec, func(t *testing.T) {
			events := codectest.Decode(codectest.Build(t, c.codec, c.ecs, nil), string(c.input))
			if len(events) != 1 {
				t.Fatalf("decoded %d events, want 1", len(events))
			}
			printer := codectest.Build(t, "rubydebug", "v8", nil).(*rubydebug.Codec)
			printer.SetColour(false)
			if got := printer.Encode(nil, events[0]); !bytes.Equal(got, want) {
				t.Errorf("rubydebug output differs from Logstash's:\n%s", got)
			}
		})
	}
}

func BenchmarkEncodeTweet(b *testing.B) {
	input, err := os.ReadFile("../../../testdata/seed/tweet-event.json")
	if err != nil {
		b.Fatal(err)
	}
	e := codectest.Decode(codectest.Build(b, "json", "disabled", nil), string(input))[0]
	printer := codectest.Build(b, "rubydebug", "v8", nil).(*rubydebug.Codec)
	printer.SetColour(false)
	buf := make([]byte, 0, 16384)
	b.ReportAllocs()
	b.SetBytes(int64(len(printer.Encode(nil, e))))
	for i := 0; i < b.N; i++ {
		buf = printer.Encode(buf[:0], e)
	}
}

func BenchmarkEncodeSmallEvent(b *testing.B) {
	m := event.NewMap(6)
	m.Set("@timestamp", event.Now())
	m.Set("@version", "1")
	m.Set("message", "Hello world!")
	host := event.NewMap(1)
	host.Set("name", "myhost")
	m.Set("host", host)
	m.Set("sequence", int64(0))
	e := event.NewEventFromMap(m)
	printer := codectest.Build(b, "rubydebug", "v8", nil).(*rubydebug.Codec)
	printer.SetColour(false)
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = printer.Encode(buf[:0], e)
	}
}

func TestDecodeIsNotImplemented(t *testing.T) {
	c := codectest.Build(t, "rubydebug", "v8", nil)
	if events := codectest.Decode(c, "{}\n"); len(events) != 0 {
		t.Errorf("decode emitted %d events", len(events))
	}
}

func TestMetadataOption(t *testing.T) {
	m := event.NewMap(2)
	m.Set("@timestamp", event.Now())
	m.Set("message", "x")
	e := event.NewEventFromMap(m)
	e.Data().Delete("@timestamp")
	e.Data().Delete("@version")
	without := codectest.Build(t, "rubydebug", "v8", nil).(*rubydebug.Codec)
	with := codectest.Build(t, "rubydebug", "v8", map[string]string{"metadata": "true"}).(*rubydebug.Codec)
	without.SetColour(false)
	with.SetColour(false)
	plain := "{\n    \"message\" => \"x\"\n}\n"
	if got := string(with.Encode(nil, e)); got != plain {
		t.Errorf("empty metadata printed: %q", got)
	}
	e.Metadata().Set("k", "v")
	if got := string(without.Encode(nil, e)); got != plain {
		t.Errorf("metadata => false printed metadata: %q", got)
	}
	want := "{\n      \"message\" => \"x\",\n    \"@metadata\" => {\n        \"k\" => \"v\"\n    }\n}\n"
	if got := string(with.Encode(nil, e)); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
