package json

import (
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestDecode(t *testing.T) {
	const fail = `"tags":["_jsonparsefailure"]`
	for _, c := range []struct {
		name, ecs string
		config    string
		input     string
		want      string // one JSON line per event, @timestamp left out
	}{
		{"object", "disabled", ``, `{"a":1,"b":[true,null],"c":{"d":"e"}}`,
			`{"@version":"1","a":1,"b":[true,null],"c":{"d":"e"}}`},
		{"ecs original for a single event", "v8", ``, ` {"a":1} `,
			`{"@version":"1","a":1,"event":{"original":" {\"a\":1} "}}`},
		{"ecs keeps a decoded original", "v8", ``, `{"event":{"original":"mine"}}`,
			`{"@version":"1","event":{"original":"mine"}}`},
		{"array gives one event per object, no original", "v8", ``, `[{"a":1},{"b":2}]`,
			`{"@version":"1","a":1}` + "\n" + `{"@version":"1","b":2}`},
		{"one-element array gets the original", "v8", ``, `[{"a":1}]`,
			`{"@version":"1","a":1,"event":{"original":"[{\"a\":1}]"}}`},
		{"empty array", "v8", ``, `[]`, ``},
		{"blank", "v8", ``, " \t\r\n\x1c\u2003", ``},
		{"empty", "v8", ``, ``, ``},
		{"scalar", "disabled", ``, `42`, `{"@version":"1","message":"42",` + fail + `}`},
		{"string", "disabled", ``, `"s"`, `{"@version":"1","message":"\"s\"",` + fail + `}`},
		{"null", "disabled", ``, `null`, `{"@version":"1","message":"null",` + fail + `}`},
		{"array with a scalar", "disabled", ``, `[{"a":1},2]`, `{"@version":"1","message":"[{\"a\":1},2]",` + fail + `}`},
		{"syntax error", "disabled", ``, `{"a":`, `{"@version":"1","message":"{\"a\":",` + fail + `}`},
		{"failure at the root even with a target", "v8", `target => "doc"`, `oops`,
			`{"@version":"1","message":"oops",` + fail + `}`},
		{"first value only, like Jackson", "disabled", ``, `{"a":1} {"b":2} trailing`, `{"@version":"1","a":1}`},
		{"invalid UTF-8 is escaped, then fails", "disabled", ``, "{\"a\":\"\xff\"}",
			`{"@version":"1","message":"{\\\"a\\\":\\\"\\xFF\\\"}",` + fail + `}`},
		{"ISO-8859-1", "disabled", `charset => "ISO-8859-1"`, "{\"a\":\"caf\xe9\"}", `{"@version":"1","a":"café"}`},
		{"target", "disabled", `target => "[doc][x]"`, `{"a":1,"@timestamp":"bad","@metadata":{"m":1}}`,
			`{"@version":"1","doc":{"x":{"a":1,"@timestamp":"bad","@metadata":{"m":1}}}}`},
		{"big and float numbers", "disabled", ``, `{"i":123456789012345678901234567890,"f":1.5e300,"g":1.0}`,
			`{"@version":"1","i":123456789012345678901234567890,"f":1.5E300,"g":1.0}`},
		{"bad @timestamp", "disabled", ``, `{"@timestamp":"yesterday"}`,
			`{"@version":"1","_@timestamp":"yesterday","tags":["_timestampparsefailure"]}`},
		{"tags must be strings", "disabled", ``, `{"tags":{"a":1}}`,
			`{"@version":"1","tags":["_tagsparsefailure"],"_tags":[{"a":1}]}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			codec := plugintest.Codec(t, "json { "+c.config+" }", plugintest.ECS(c.ecs))
			got := strings.TrimSuffix(plugintest.JSONLines(codec.Decode(c.input), "@timestamp"), "\n")
			if got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestDecodeKeepsTimestampAndMetadata(t *testing.T) {
	codec := plugintest.Codec(t, "json", plugintest.ECS("disabled"))
	events := codec.Decode(`{"@timestamp":"2022-04-13T11:15:32.000Z","@metadata":{"k":"v"},"m":1}`)
	if len(events) != 1 {
		t.Fatalf("got %d events", len(events))
	}
	e := events[0]
	if got := plugintest.JSON(e); got != `{"@version":"1","@timestamp":"2022-04-13T11:15:32.000Z","m":1}` {
		t.Errorf("data: %s", got)
	}
	if v, _ := e.Get("[@metadata][k]"); v != "v" {
		t.Errorf("[@metadata][k] = %v", v)
	}
}

func TestEncode(t *testing.T) {
	m := event.NewMap(4)
	m.Set("@timestamp", event.Timestamp{Time: time.Date(2022, 4, 13, 11, 15, 32, 0, time.UTC)})
	m.Set("@version", "1")
	m.Set("message", "hi <b>&\u2028\x01\"")
	m.Set("host", "h")
	m.Set("n", []any{int64(1), 2.5, 1e20, nil, false})
	e := event.NewEventFromMap(m)
	e.Metadata().Set("secret", "not encoded")
	codec := plugintest.Codec(t, "json")
	want := `{"@timestamp":"2022-04-13T11:15:32.000Z","@version":"1","message":"hi <b>&` + "\u2028" + `\u0001\"","host":"h","n":[1,2.5,1.0E20,null,false]}`
	if got := codec.Encode(e); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func BenchmarkDecode(b *testing.B) {
	codec := plugintest.Codec(b, "json")
	data := []byte(`{"@timestamp":"2022-04-13T11:15:32.000Z","message":"GET /index.html HTTP/1.1","status":200,"bytes":5402,"client":{"ip":"127.0.0.1","agent":"curl/8.0"},"tags":["web","prod"]}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		codec.Plugin.Decode(data, func(*event.Event) {})
	}
}

func BenchmarkEncode(b *testing.B) {
	codec := plugintest.Codec(b, "json")
	events := codec.Decode(`{"@timestamp":"2022-04-13T11:15:32.000Z","message":"GET /index.html HTTP/1.1","status":200,"bytes":5402,"client":{"ip":"127.0.0.1","agent":"curl/8.0"},"tags":["web","prod"]}`)
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = codec.Plugin.Encode(buf[:0], events[0])
	}
}
