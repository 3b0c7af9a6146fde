package plain

import (
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestDecode(t *testing.T) {
	for _, c := range []struct {
		name, ecs string
		config    string
		chunk     string
		want      string
	}{
		{"ecs copies the original", "v8", ``, "hello\nworld",
			`{"@version":"1","message":"hello\nworld","event":{"original":"hello\nworld"}}`},
		{"legacy has no original", "disabled", ``, "hello", `{"@version":"1","message":"hello"}`},
		{"ecs v1", "v1", ``, "x", `{"@version":"1","message":"x","event":{"original":"x"}}`},
		{"codec option overrides pipeline", "v8", `ecs_compatibility => "disabled"`, "x", `{"@version":"1","message":"x"}`},
		{"empty chunk is an empty message", "disabled", ``, "", `{"@version":"1","message":""}`},
		{"invalid UTF-8 is escaped", "disabled", ``, "a\xffb\"c\n\xc3",
			`{"@version":"1","message":"a\\xFFb\\\"c\\n\\xC3"}`},
		{"ISO-8859-1 is transcoded", "disabled", `charset => "ISO-8859-1"`, "\xe0 Montr\xe9al",
			`{"@version":"1","message":"à Montréal"}`},
		{"CP1252 is transcoded", "disabled", `charset => "CP1252"`, "\x80 \x93q\x94 \x81",
			`{"@version":"1","message":"€ “q” ` + "\uFFFD" + `"}`},
		{"US-ASCII replaces high bytes", "disabled", `charset => "US-ASCII"`, "a\xe9",
			`{"@version":"1","message":"a` + "\uFFFD" + `"}`},
		{"BINARY keeps bytes", "disabled", `charset => "BINARY"`, "ok",
			`{"@version":"1","message":"ok"}`},
		{"UTF-16LE", "disabled", `charset => "UTF-16LE"`, "h\x00i\x00",
			`{"@version":"1","message":"hi"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			codec := plugintest.Codec(t, "plain { "+c.config+" }", plugintest.ECS(c.ecs))
			events := codec.Decode(c.chunk)
			if len(events) != 1 {
				t.Fatalf("got %d events, want 1", len(events))
			}
			if got := plugintest.JSON(events[0], "@timestamp"); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if _, ok := events[0].Timestamp(); !ok {
				t.Error("event has no @timestamp")
			}
		})
	}
}

func TestChunksAreNotSplitOrJoined(t *testing.T) {
	codec := plugintest.Codec(t, "plain", plugintest.ECS("disabled"))
	events := codec.Decode("a\nb", "c")
	got := plugintest.JSONLines(events, "@timestamp")
	want := `{"@version":"1","message":"a\nb"}` + "\n" + `{"@version":"1","message":"c"}` + "\n"
	if got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
}

var ts = event.Timestamp{Time: time.Date(2022, 4, 13, 11, 15, 32, 0, time.UTC)}

func testEvent(fields ...any) *event.Event {
	m := event.NewMap(4)
	m.Set("@timestamp", ts)
	for i := 0; i < len(fields); i += 2 {
		m.Set(fields[i].(string), fields[i+1])
	}
	return event.NewEventFromMap(m)
}

func hostMap(pairs ...any) *event.Map {
	m := event.NewMap(2)
	for i := 0; i < len(pairs); i += 2 {
		m.Set(pairs[i].(string), pairs[i+1])
	}
	return m
}

func TestEncode(t *testing.T) {
	noTimestamp := testEvent("host", "h", "message", "m")
	noTimestamp.Data().Delete("@timestamp")
	for _, c := range []struct {
		name   string
		format string
		e      *event.Event
		want   string
	}{
		{"to_s", "", testEvent("host", "myhost", "message", "Hello world!"), "2022-04-13T11:15:32.000Z myhost Hello world!"},
		{"missing host", "", testEvent("message", "m"), "2022-04-13T11:15:32.000Z %{host} m"},
		{"null host and missing message", "", testEvent("host", nil), "2022-04-13T11:15:32.000Z %{host} %{message}"},
		{"ECS host map", "", testEvent("host", hostMap("name", "Iceman"), "message", "Hello world!"), "2022-04-13T11:15:32.000Z {name=Iceman} Hello world!"},
		{"nested values print like Java", "", testEvent("host", hostMap("a", []any{"x", nil, int64(1)}, "b", hostMap("c", 1.5e20), "d", nil), "message", []any{"p", "q"}),
			"2022-04-13T11:15:32.000Z {a=[x, null, 1], b={c=1.5E20}, d=null} [p, q]"},
		{"numbers", "", testEvent("host", int64(7), "message", 0.5), "2022-04-13T11:15:32.000Z 7 0.5"},
		{"no timestamp", "", noTimestamp, "h m"},
		{"format", "%{message}|%{[host][name]}|%{missing}", testEvent("host", hostMap("name", "n"), "message", "m"), "m|n|%{missing}"},
	} {
		t.Run(c.name, func(t *testing.T) {
			config := `plain`
			if c.format != "" {
				config = `plain { format => "` + c.format + `" }`
			}
			codec := plugintest.Codec(t, config)
			if got := string(codec.Plugin.Encode([]byte("prefix:"), c.e)); got != "prefix:"+c.want {
				t.Errorf("got  %q\nwant %q", got, "prefix:"+c.want)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		config string
		want   string
	}{
		{`charset => "utf-8"`, "Expected one of"},
		{`charset => "UTF-7"`, `charset "UTF-7" is not supported by gostash`},
		{`ecs_compatibility => "v2"`, "Expected one of"},
		{`nope => "x"`, "Unknown setting 'nope' for plain"},
	} {
		_, err := plugintest.TryCodec(t, "plain { "+c.config+" }")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want it to mention %q", c.config, err, c.want)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	codec := plugintest.Codec(b, "plain")
	data := []byte(`127.0.0.1 - - [13/Apr/2022:11:15:32 +0000] "GET /index.html HTTP/1.1" 200 5402 "-" "curl/8.0"`)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		codec.Plugin.Decode(data, func(*event.Event) {})
	}
}

func BenchmarkEncode(b *testing.B) {
	codec := plugintest.Codec(b, "plain")
	e := testEvent("host", hostMap("hostname", "web-1"), "message", `127.0.0.1 - - [13/Apr/2022:11:15:32 +0000] "GET / HTTP/1.1" 200`)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = codec.Plugin.Encode(buf[:0], e)
	}
}
