package file

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/json_lines"
	_ "github.com/gostash/gostash/plugins/codecs/line"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func testEvent(kv ...string) *event.Event {
	e := event.NewEvent()
	for i := 0; i < len(kv); i += 2 {
		e.Set(kv[i], kv[i+1])
	}
	return e
}

func TestPathIsSprintfdPerEventAndCannotEscape(t *testing.T) {
	dir := t.TempDir()
	o := plugintest.Output(t, `file { path => "`+dir+`/logs/%{app}.log" codec => line { format => "%{message}" } }`)
	err := o.Output(
		testEvent("app", "web", "message", "one"),
		testEvent("app", "db", "message", "two"),
		testEvent("app", "web", "message", "three"),
		testEvent("app", "../../etc/passwd", "message", "sneaky"),
	)
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
	o := plugintest.Output(t, `file { path => "`+path+`" codec => line { format => "%{message}" } }`)
	o.Output(testEvent("message", "a"))
	if got, _ := os.ReadFile(path); string(got) != "old\na\n" {
		t.Fatalf("append: %q", got)
	}
	os.Remove(path) // deleted while open: the next batch starts a new file
	o.Output(testEvent("message", "b"))
	if got, _ := os.ReadFile(path); string(got) != "b\n" {
		t.Fatalf("after delete: %q", got)
	}
	o.Close()

	ow := plugintest.Output(t, `file { path => "`+path+`" write_behavior => "overwrite" codec => line { format => "%{message}" } }`)
	ow.Output(testEvent("message", "c"))
	ow.Output(testEvent("message", "d"))
	ow.Close()
	if got, _ := os.ReadFile(path); string(got) != "d\n" {
		t.Fatalf("overwrite: %q", got)
	}
}

func TestGzipAndDefaultCodec(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.json.gz")
	o := plugintest.Output(t, `file { path => "`+path+`" gzip => true }`)
	o.Output(testEvent("message", "zipped"))
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
	_, err := plugintest.TryOutput(t, `file { path => "%{dir}/x.log" }`)
	if err == nil || !strings.Contains(err.Error(), "The starting part of the path should not be dynamic.") || !strings.HasPrefix(err.Error(), "test.conf:2:10") {
		t.Fatalf("got %v", err)
	}
}
