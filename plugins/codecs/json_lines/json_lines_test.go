package json_lines

import (
	"strings"
	"testing"

	"github.com/gostash/gostash/plugins/codecs/internal/codectest"
	"github.com/gostash/gostash/runtime/event"
)

func TestDecode(t *testing.T) {
	const fail = `"tags":["_jsonparsefailure"]`
	for _, c := range []struct {
		name, ecs string
		options   map[string]string
		chunks    []string
		want      string // one JSON line per event, @timestamp left out
		flushed   string
	}{
		{"lines across chunks, no original in ECS", "v8", nil, []string{`{"a":1}` + "\n" + `{"b"`, `:2}` + "\n"},
			`{"@version":"1","a":1}` + "\n" + `{"@version":"1","b":2}` + "\n", ""},
		{"blank lines give nothing", "v8", nil, []string{"\n \n\t\r\n"}, "", ""},
		{"bad line", "disabled", nil, []string{"{\"a\":1}\nnot json\n[1]\n"},
			`{"@version":"1","a":1}` + "\n" + `{"@version":"1","message":"not json",` + fail + `}` + "\n" + `{"@version":"1","message":"[1]",` + fail + `}` + "\n", ""},
		{"CRLF is tolerated by the parser", "disabled", nil, []string{"{\"a\":1}\r\n"}, `{"@version":"1","a":1}` + "\n", ""},
		{"array line", "disabled", nil, []string{`[{"a":1},{"a":2}]` + "\n"}, `{"@version":"1","a":1}` + "\n" + `{"@version":"1","a":2}` + "\n", ""},
		{"flush parses the remainder", "disabled", nil, []string{`{"a":1}` + "\n" + `{"z":9}`}, `{"@version":"1","a":1}` + "\n", `{"@version":"1","z":9}` + "\n"},
		{"flushed garbage fails", "disabled", nil, []string{`{"z":`}, "", `{"@version":"1","message":"{\"z\":",` + fail + `}` + "\n"},
		{"custom delimiter", "disabled", map[string]string{"delimiter": "|"}, []string{`{"a":1}|{"b":2}|`}, `{"@version":"1","a":1}` + "\n" + `{"@version":"1","b":2}` + "\n", ""},
		{"target", "v8", map[string]string{"target": "doc"}, []string{`{"a":1}` + "\n"}, `{"@version":"1","doc":{"a":1}}` + "\n", ""},
		{"invalid UTF-8 line", "disabled", nil, []string{"\xff\n"}, `{"@version":"1","message":"\\xFF",` + fail + `}` + "\n", ""},
		{"oversized lines are dropped", "disabled", map[string]string{"decode_size_limit_bytes": "10"},
			[]string{`{"a":"0123`, `456789"}` + "\n" + `{"b":1}` + "\n" + `{"c":"0123456789"}` + "\n" + `{"d":2}` + "\n"},
			`{"@version":"1","b":1}` + "\n" + `{"@version":"1","d":2}` + "\n", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			codec := codectest.Build(t, "json_lines", c.ecs, c.options)
			if got := codectest.JSONs(codectest.Decode(codec, c.chunks...), false); got != c.want {
				t.Errorf("decoded\n%swant\n%s", got, c.want)
			}
			var flushed []*event.Event
			codec.Flush(func(e *event.Event) { flushed = append(flushed, e) })
			if got := codectest.JSONs(flushed, false); got != c.flushed {
				t.Errorf("flushed\n%swant\n%s", got, c.flushed)
			}
		})
	}
}

func TestEncode(t *testing.T) {
	m := event.NewMap(2)
	m.Set("message", "hi")
	e := event.NewEventFromMap(m)
	e.Data().Delete("@timestamp")
	for _, c := range []struct {
		options map[string]string
		want    string
	}{
		{nil, `{"@version":"1","message":"hi"}` + "\n"},
		{map[string]string{"delimiter": "\r\n"}, `{"@version":"1","message":"hi"}` + "\r\n"},
	} {
		codec := codectest.Build(t, "json_lines", "v8", c.options)
		if got := string(codec.Encode(nil, e)); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		options map[string]string
		want    string
	}{
		{map[string]string{"decode_size_limit_bytes": "0"}, "decode_size_limit_bytes"},
		{map[string]string{"decode_size_limit_bytes": "lots"}, "Expected number"},
		{map[string]string{"target": "[a"}, "target"},
		{map[string]string{"delimiter": ""}, "delimiter"},
	} {
		_, err := codectest.TryBuild("json_lines", "v8", c.options)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("options %v: got error %v, want it to mention %q", c.options, err, c.want)
		}
	}
}

const benchLine = `{"@timestamp":"2022-04-13T11:15:32.000Z","message":"GET /index.html HTTP/1.1","status":200,"bytes":5402,"client":{"ip":"127.0.0.1","agent":"curl/8.0"},"tags":["web","prod"]}` + "\n"

func BenchmarkDecode(b *testing.B) {
	codec := codectest.Build(b, "json_lines", "v8", map[string]string{"decode_size_limit_bytes": "1048576"})
	chunk := []byte(strings.Repeat(benchLine, 50))
	b.ReportAllocs()
	b.SetBytes(int64(len(chunk)))
	for i := 0; i < b.N; i++ {
		codec.Decode(chunk, func(*event.Event) {})
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*50), "ns/event")
}

func BenchmarkEncode(b *testing.B) {
	codec := codectest.Build(b, "json_lines", "v8", nil)
	e := codectest.Decode(codec, benchLine)[0]
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = codec.Encode(buf[:0], e)
	}
}
