package rubydebug_test

import (
	"bytes"
	"os"
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/json"
	_ "github.com/gostash/gostash/plugins/codecs/json_lines"
	"github.com/gostash/gostash/plugins/codecs/rubydebug"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
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
			events := plugintest.Codec(t, c.codec, plugintest.ECS(c.ecs)).Decode(string(c.input))
			if len(events) != 1 {
				t.Fatalf("decoded %d events, want 1", len(events))
			}
			printer := plugintest.Codec(t, "rubydebug").Plugin.(*rubydebug.Codec)
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
	e := plugintest.Codec(b, "json", plugintest.ECS("disabled")).Decode(string(input))[0]
	printer := plugintest.Codec(b, "rubydebug").Plugin.(*rubydebug.Codec)
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
	printer := plugintest.Codec(b, "rubydebug").Plugin.(*rubydebug.Codec)
	printer.SetColour(false)
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = printer.Encode(buf[:0], e)
	}
}

func TestDecodeIsNotImplemented(t *testing.T) {
	c := plugintest.Codec(t, "rubydebug")
	if events := c.Decode("{}\n"); len(events) != 0 {
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
	without := plugintest.Codec(t, "rubydebug").Plugin.(*rubydebug.Codec)
	with := plugintest.Codec(t, `rubydebug { metadata => "true" }`).Plugin.(*rubydebug.Codec)
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
