package fluent

import (
	"errors"
	"sort"
	"strings"
	"testing"

	mp "github.com/gostash/gostash/plugins/codecs/internal/msgpack"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// The forward protocol is a stream: an item split across chunks is read
// once it is complete, as the gem's streaming unpacker (feed_each) does.
func TestDecodeAcrossChunks(t *testing.T) {
	codec := buildCodec(t, "fluent", "disabled", nil)
	rec := event.NewMap(1)
	rec.Set("message", "m")
	item, err := mp.Append(nil, []any{"t", int64(10), rec})
	if err != nil {
		t.Fatal(err)
	}
	stream := append(append([]byte(nil), item...), item...)
	var got []*event.Event
	for _, b := range stream {
		codec.Plugin.Decode([]byte{b}, func(e *event.Event) { got = append(got, e) })
	}
	if len(got) != 2 {
		t.Fatalf("%d events, want 2", len(got))
	}
	if s := plugintest.JSON(got[1]); s != `{"@timestamp":"1970-01-01T00:00:10.000Z","@version":"1","message":"m","tags":["t"]}` {
		t.Errorf("got %s", s)
	}
}

// Without nanosecond_precision the EventTime extension is not known, so
// an entry carrying one cannot be read.
func TestEventTimeNeedsNanosecondPrecision(t *testing.T) {
	codec := buildCodec(t, "fluent", "disabled", nil)
	item := append([]byte{0x93, 0xa1, 't'}, mp.AppendExt(nil, 0, []byte{0, 0, 0, 1, 0, 0, 0, 0})...)
	item = append(item, 0x80)
	got := codec.Decode(string(item))
	if len(got) != 1 || !got[0].HasTag(ParseFailureTag) {
		t.Fatalf("got %s", plugintest.JSONLines(got, "@timestamp"))
	}
}

// codecText is the codec block with string options, in key order.
func codecText(name string, opts map[string]string) string {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(name + " {")
	for _, k := range keys {
		b.WriteString(" " + k + " => " + plugintest.Quote(opts[k]))
	}
	b.WriteString(" }")
	return b.String()
}

func buildCodec(t *testing.T, name, ecs string, opts map[string]string) *plugintest.BuiltCodec {
	t.Helper()
	return plugintest.Codec(t, codecText(name, opts), plugintest.ECS(ecs))
}

// An item still incomplete past the limit ends the stream with an error
// wrapping plugin.ErrFrameTooLarge; one within it waits for its bytes.
func TestItemOverTheLimit(t *testing.T) {
	c := buildCodec(t, "fluent", "disabled", nil).Plugin.(*Codec)
	item, err := mp.Append(nil, []any{"t", int64(10), strings.Repeat("x", 100)})
	if err != nil {
		t.Fatal(err)
	}
	emit := func(*event.Event) { t.Error("an incomplete item was emitted") }
	if err := c.decode(item[:60], emit, 64); err != nil {
		t.Fatalf("within the limit: %v", err)
	}
	if err := c.decode(item[60:90], emit, 64); !errors.Is(err, plugin.ErrFrameTooLarge) {
		t.Fatalf("past the limit: %v", err)
	}
}
