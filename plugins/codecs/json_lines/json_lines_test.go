package json_lines

import (
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestDecode(t *testing.T) {
	const fail = `"tags":["_jsonparsefailure"]`
	for _, c := range []struct {
		name, ecs string
		config    string
		chunks    []string
		want      string // one JSON line per event, @timestamp left out
		flushed   string
	}{
		{"lines across chunks, no original in ECS", "v8", ``, []string{`{"a":1}` + "\n" + `{"b"`, `:2}` + "\n"},
			`{"@version":"1","a":1}` + "\n" + `{"@version":"1","b":2}` + "\n", ""},
		{"blank lines give nothing", "v8", ``, []string{"\n \n\t\r\n"}, "", ""},
		{"bad line", "disabled", ``, []string{"{\"a\":1}\nnot json\n[1]\n"},
			`{"@version":"1","a":1}` + "\n" + `{"@version":"1","message":"not json",` + fail + `}` + "\n" + `{"@version":"1","message":"[1]",` + fail + `}` + "\n", ""},
		{"CRLF is tolerated by the parser", "disabled", ``, []string{"{\"a\":1}\r\n"}, `{"@version":"1","a":1}` + "\n", ""},
		{"array line", "disabled", ``, []string{`[{"a":1},{"a":2}]` + "\n"}, `{"@version":"1","a":1}` + "\n" + `{"@version":"1","a":2}` + "\n", ""},
		{"flush parses the remainder", "disabled", ``, []string{`{"a":1}` + "\n" + `{"z":9}`}, `{"@version":"1","a":1}` + "\n", `{"@version":"1","z":9}` + "\n"},
		{"flushed garbage fails", "disabled", ``, []string{`{"z":`}, "", `{"@version":"1","message":"{\"z\":",` + fail + `}` + "\n"},
		{"custom delimiter", "disabled", `delimiter => "|"`, []string{`{"a":1}|{"b":2}|`}, `{"@version":"1","a":1}` + "\n" + `{"@version":"1","b":2}` + "\n", ""},
		{"target", "v8", `target => "doc"`, []string{`{"a":1}` + "\n"}, `{"@version":"1","doc":{"a":1}}` + "\n", ""},
		{"invalid UTF-8 line", "disabled", ``, []string{"\xff\n"}, `{"@version":"1","message":"\\xFF",` + fail + `}` + "\n", ""},
		{"oversized lines are dropped", "disabled", `decode_size_limit_bytes => "10"`,
			[]string{`{"a":"0123`, `456789"}` + "\n" + `{"b":1}` + "\n" + `{"c":"0123456789"}` + "\n" + `{"d":2}` + "\n"},
			`{"@version":"1","b":1}` + "\n" + `{"@version":"1","d":2}` + "\n", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			codec := plugintest.Codec(t, "json_lines { "+c.config+" }", plugintest.ECS(c.ecs))
			if got := plugintest.JSONLines(codec.Decode(c.chunks...), "@timestamp"); got != c.want {
				t.Errorf("decoded\n%swant\n%s", got, c.want)
			}
			if got := plugintest.JSONLines(codec.Flush(), "@timestamp"); got != c.flushed {
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
		config string
		want   string
	}{
		{``, `{"@version":"1","message":"hi"}` + "\n"},
		{"delimiter => \"\r\n\"", `{"@version":"1","message":"hi"}` + "\r\n"},
	} {
		codec := plugintest.Codec(t, "json_lines { "+c.config+" }")
		if got := codec.Encode(e); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		config string
		want   string
	}{
		{`decode_size_limit_bytes => "0"`, "decode_size_limit_bytes"},
		{`decode_size_limit_bytes => "lots"`, "Expected number"},
		{`target => "[a"`, "target"},
		{`delimiter => ""`, "delimiter"},
	} {
		_, err := plugintest.TryCodec(t, "json_lines { "+c.config+" }")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want it to mention %q", c.config, err, c.want)
		}
	}
}

const benchLine = `{"@timestamp":"2022-04-13T11:15:32.000Z","message":"GET /index.html HTTP/1.1","status":200,"bytes":5402,"client":{"ip":"127.0.0.1","agent":"curl/8.0"},"tags":["web","prod"]}` + "\n"

func BenchmarkDecode(b *testing.B) {
	codec := plugintest.Codec(b, `json_lines { decode_size_limit_bytes => "1048576" }`)
	chunk := []byte(strings.Repeat(benchLine, 50))
	b.ReportAllocs()
	b.SetBytes(int64(len(chunk)))
	for i := 0; i < b.N; i++ {
		codec.Plugin.Decode(chunk, func(*event.Event) {})
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*50), "ns/event")
}

func BenchmarkEncode(b *testing.B) {
	codec := plugintest.Codec(b, "json_lines")
	e := codec.Decode(benchLine)[0]
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = codec.Plugin.Encode(buf[:0], e)
	}
}
