package csv

import (
	"sync"
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Parsing and generating are checked against Ruby's CSV in
// plugins/internal/rubycsv; these cover the codec's own rules
// (spec/filters-wave2.md §3, codec differences).
func TestDecode(t *testing.T) {
	cases := []struct {
		name   string
		ecs    string
		config string
		chunks []string
		want   string
	}{
		{"literal keys, ECS original", "v8", ``, []string{"a,b"},
			`{"@version":"1","column1":"a","column2":"b","event":{"original":"a,b"}}` + "\n"},
		{"no original without ECS", "disabled", ``, []string{"a"}, `{"@version":"1","column1":"a"}` + "\n"},
		{"target", "disabled", `target => "[csv][row]"`, []string{"x,"}, `{"@version":"1","csv":{"row":{"column1":"x","column2":null}}}` + "\n"},
		{"skip empty columns", "disabled", `skip_empty_columns => "true"`, []string{`,"",z`}, `{"@version":"1","column3":"z"}` + "\n"},
		{"malformed makes a tagged message", "v8", ``, []string{`a"b`}, `{"@version":"1","message":"a\"b","tags":["_csvparsefailure"]}` + "\n"},
		{"an empty chunk makes nothing", "disabled", ``, []string{""}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			codec := plugintest.Codec(t, "csv { "+c.config+" }", plugintest.ECS(c.ecs))
			if got := plugintest.JSONLines(codec.Decode(c.chunks...), "@timestamp"); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestDecodeColumnNamesAreLiteralKeys(t *testing.T) {
	codec := plugintest.Codec(t, "csv", plugintest.ECS("disabled"))
	codec.Plugin.(*Codec).columns = []any{"[a][b]"}
	got := plugintest.JSONLines(codec.Decode("1"), "@timestamp")
	if want := `{"@version":"1","[a][b]":"1"}` + "\n"; got != want {
		t.Errorf("got %s want %s", got, want)
	}
}

func TestEncodeWritesTheHeaderOnceUnderConcurrency(t *testing.T) {
	codec := plugintest.Codec(t, `csv { include_headers => "true" }`, plugintest.ECS("disabled"))
	codec.Plugin.(*Codec).columnNames = []string{"message"}
	codec.Plugin.(*Codec).columnRefs = []event.FieldRef{event.MustFieldRef("message")}
	var wg sync.WaitGroup
	lines := make(chan string, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := event.NewEvent()
			e.Data().Set("message", "m")
			lines <- codec.Encode(e)
		}()
	}
	wg.Wait()
	close(lines)
	headers := 0
	for l := range lines {
		if l == "message\nm\n" {
			headers++
		} else if l != "m\n" {
			t.Errorf("unexpected encoding %q", l)
		}
	}
	if headers != 1 {
		t.Errorf("%d header lines, want 1", headers)
	}
}
