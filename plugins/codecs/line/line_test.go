package line

import (
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func messages(events []*event.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		v, _ := e.Data().Get("message")
		out[i], _ = v.(string)
	}
	return out
}

func TestDecodeSplitsAcrossChunks(t *testing.T) {
	for _, c := range []struct {
		name      string
		delimiter string
		chunks    []string
		want      []string
		flushed   []string
	}{
		{"lines across chunks", "", []string{"a\nb", "c\n\nd\r\n", "tail"}, []string{"a", "bc", "", "d\r"}, []string{"tail"}},
		{"empty lines are events", "", []string{"\n\n\n"}, []string{"", "", ""}, nil},
		{"nothing buffered", "", []string{"x\n"}, []string{"x"}, nil},
		{"one byte at a time", "", strings.Split("ab\ncd\n", ""), []string{"ab", "cd"}, nil},
		{"multi-byte delimiter split across chunks", "||", []string{"a|", "|b||c|", "|", "d|"}, []string{"a", "b", "c"}, []string{"d|"}},
		{"delimiter prefix inside a line", "ab", []string{"xaxabyab"}, []string{"xax", "y"}, nil},
		{"no delimiter at all", "", []string{"abc", "def"}, nil, []string{"abcdef"}},
		{"multi-byte UTF-8 split across chunks", "", []string{"\xe6\x97", "\xa5\n"}, []string{"日"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			config := `line`
			if c.delimiter != "" {
				config = `line { delimiter => "` + c.delimiter + `" }`
			}
			codec := plugintest.Codec(t, config, plugintest.ECS("disabled"))
			got := messages(codec.Decode(c.chunks...))
			if strings.Join(got, "|") != strings.Join(c.want, "|") || len(got) != len(c.want) {
				t.Errorf("decoded %q, want %q", got, c.want)
			}
			if f := messages(codec.Flush()); strings.Join(f, "|") != strings.Join(c.flushed, "|") || len(f) != len(c.flushed) {
				t.Errorf("flushed %q, want %q", f, c.flushed)
			}
			if flushed := codec.Flush(); len(flushed) != 0 {
				t.Errorf("a second flush emitted %d events", len(flushed))
			}
		})
	}
}

func TestDecodeFields(t *testing.T) {
	for _, c := range []struct {
		name, ecs string
		config    string
		input     string
		want      string
	}{
		{"ecs original per line", "v8", ``, "one\ntwo\n",
			`{"@version":"1","message":"one","event":{"original":"one"}}` + "\n" + `{"@version":"1","message":"two","event":{"original":"two"}}` + "\n"},
		{"legacy", "disabled", ``, "one\n", `{"@version":"1","message":"one"}` + "\n"},
		{"invalid UTF-8 per line", "v8", ``, "ok\n\xff\"\n",
			`{"@version":"1","message":"ok","event":{"original":"ok"}}` + "\n" + `{"@version":"1","message":"\\xFF\\\"","event":{"original":"\\xFF\\\""}}` + "\n"},
		{"charset", "disabled", `charset => "ISO-8859-1"`, "caf\xe9\n", `{"@version":"1","message":"café"}` + "\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			codec := plugintest.Codec(t, "line { "+c.config+" }", plugintest.ECS(c.ecs))
			if got := plugintest.JSONLines(codec.Decode(c.input), "@timestamp"); got != c.want {
				t.Errorf("got\n%swant\n%s", got, c.want)
			}
		})
	}
}

func TestEncode(t *testing.T) {
	m := event.NewMap(4)
	m.Set("@timestamp", event.Timestamp{Time: time.Date(2022, 4, 13, 11, 15, 32, 123456000, time.UTC)})
	m.Set("message", "hi")
	host := event.NewMap(1)
	host.Set("hostname", "h1")
	m.Set("host", host)
	e := event.NewEventFromMap(m)
	for _, c := range []struct {
		config string
		want   string
	}{
		{``, "2022-04-13T11:15:32.123456Z {hostname=h1} hi\n"},
		{`format => "%{message} from %{[host][hostname]}"`, "hi from h1\n"},
		{"delimiter => \"\r\n\"", "2022-04-13T11:15:32.123456Z {hostname=h1} hi\r\n"},
		{`format => "%{message}" delimiter => "<EOL>"`, "hi<EOL>"},
	} {
		codec := plugintest.Codec(t, "line { "+c.config+" }")
		if got := codec.Encode(e); got != c.want {
			t.Errorf("%q: got %q, want %q", c.config, got, c.want)
		}
	}
}

func TestEmptyDelimiterIsAConfigError(t *testing.T) {
	if _, err := plugintest.TryCodec(t, `line { delimiter => "" }`); err == nil || !strings.Contains(err.Error(), "delimiter") {
		t.Errorf("got %v, want a delimiter error", err)
	}
}

func BenchmarkDecode(b *testing.B) {
	codec := plugintest.Codec(b, "line")
	line := `127.0.0.1 - - [13/Apr/2022:11:15:32 +0000] "GET /index.html HTTP/1.1" 200 5402 "-" "curl/8.0"` + "\n"
	chunk := []byte(strings.Repeat(line, 100))
	b.ReportAllocs()
	b.SetBytes(int64(len(chunk)))
	for i := 0; i < b.N; i++ {
		codec.Plugin.Decode(chunk, func(*event.Event) {})
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/event")
}

func BenchmarkEncode(b *testing.B) {
	codec := plugintest.Codec(b, "line")
	m := event.NewMap(4)
	m.Set("@timestamp", event.Now())
	m.Set("message", `127.0.0.1 - - [13/Apr/2022:11:15:32 +0000] "GET / HTTP/1.1" 200`)
	e := event.NewEventFromMap(m)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = codec.Plugin.Encode(buf[:0], e)
	}
}
