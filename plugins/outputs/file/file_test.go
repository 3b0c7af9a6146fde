package file

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostash/gostash/lang"
	_ "github.com/gostash/gostash/plugins/codecs/json_lines"
	_ "github.com/gostash/gostash/plugins/codecs/line"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// build configures a file output from its attributes, as a config would.
func build(t *testing.T, attrs string) (*Output, lang.Diagnostics) {
	t.Helper()
	src := "output { file { " + attrs + " } }"
	cfg, diags := lang.Parse("t.conf", []byte(src), lang.ParseOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	p := cfg.Sections[0].Body[0].(*lang.Plugin)
	inst, diags := plugin.Build(plugin.KindOutput, p, &plugin.BuildContext{Pipeline: plugin.DefaultPipelineSettings(1)})
	if inst == nil {
		return nil, diags
	}
	return inst.Plugin.(*Output), diags
}

func testEvent(kv ...string) *event.Event {
	e := event.NewEvent()
	for i := 0; i < len(kv); i += 2 {
		e.Set(kv[i], kv[i+1])
	}
	return e
}

func TestPathIsSprintfdPerEventAndCannotEscape(t *testing.T) {
	dir := t.TempDir()
	o, diags := build(t, `path => "`+dir+`/logs/%{app}.log" codec => line { format => "%{message}" }`)
	if o == nil {
		t.Fatal(diags.Format(nil))
	}
	err := o.Output(context.Background(), []*event.Event{
		testEvent("app", "web", "message", "one"),
		testEvent("app", "db", "message", "two"),
		testEvent("app", "web", "message", "three"),
		testEvent("app", "../../etc/passwd", "message", "sneaky"),
	})
	if err != nil {
		t.Fatal(err)
	}
	o.Close()
	for name, want := range map[string]string{
		"logs/web.log":            "one\nthree\n",
		"logs/db.log":             "two\n",
		"logs/_filepath_failures": "sneaky\n",
	} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q (%v), want %q", name, got, err, want)
		}
	}
}

func TestAppendOverwriteAndRecreate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.log")
	os.WriteFile(path, []byte("old\n"), 0o644)
	o, _ := build(t, `path => "`+path+`" codec => line { format => "%{message}" }`)
	o.Output(context.Background(), []*event.Event{testEvent("message", "a")})
	if got, _ := os.ReadFile(path); string(got) != "old\na\n" {
		t.Fatalf("append: %q", got)
	}
	os.Remove(path) // deleted while open: the next batch starts a new file
	o.Output(context.Background(), []*event.Event{testEvent("message", "b")})
	if got, _ := os.ReadFile(path); string(got) != "b\n" {
		t.Fatalf("after delete: %q", got)
	}
	o.Close()

	ow, _ := build(t, `path => "`+path+`" write_behavior => "overwrite" codec => line { format => "%{message}" }`)
	ow.Output(context.Background(), []*event.Event{testEvent("message", "c")})
	ow.Output(context.Background(), []*event.Event{testEvent("message", "d")})
	ow.Close()
	if got, _ := os.ReadFile(path); string(got) != "d\n" {
		t.Fatalf("overwrite: %q", got)
	}
}

func TestGzipAndDefaultCodec(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.json.gz")
	o, _ := build(t, `path => "`+path+`" gzip => true`)
	o.Output(context.Background(), []*event.Event{testEvent("message", "zipped")})
	o.Close()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(zr)
	if !bytes.HasSuffix(data, []byte("\n")) || !strings.Contains(string(data), `"message":"zipped"`) {
		t.Fatalf("json_lines by default, gzipped: %q", data)
	}
}

func TestDynamicStartIsAConfigError(t *testing.T) {
	_, diags := build(t, `path => "%{dir}/x.log"`)
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "The starting part of the path should not be dynamic.") || !strings.HasPrefix(diags.Error(), "t.conf:1:17") {
		t.Fatalf("got %v", diags.Error())
	}
}
