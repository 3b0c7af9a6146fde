package ruby

import (
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gostash/gostash/runtime/event"
)

// The test cases in testcases/ hold code people commonly write, input
// events, and the output the same code gives when run directly in MRI on a
// reference model of Logstash's Event (scripts/golden/ruby-filter.sh
// writes expected.json). Here the code runs through gostash: one batch per
// case, in a worker.
func TestCases(t *testing.T) {
	requireRuby(t)
	// Events the code makes without a @timestamp get the reference's "now".
	t.Setenv("GOSTASH_NOW", "2026-01-02T03:04:05.678Z")
	dirs, err := filepath.Glob("testcases/*/case.json")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no test cases: %v", err)
	}
	for _, file := range dirs {
		dir := filepath.Dir(file)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var spec struct {
				Options struct {
					Path                    string          `json:"path"`
					ScriptParams            json.RawMessage `json:"script_params"`
					TagOnException          string          `json:"tag_on_exception"`
					TagWithExceptionMessage bool            `json:"tag_with_exception_message"`
				} `json:"options"`
				Input []json.RawMessage `json:"input"`
			}
			readJSON(t, file, &spec)
			cfg := Config{
				Code:                    readOptional(t, filepath.Join(dir, "code.rb")),
				Init:                    readOptional(t, filepath.Join(dir, "init.rb")),
				TagOnException:          spec.Options.TagOnException,
				TagWithExceptionMessage: spec.Options.TagWithExceptionMessage,
			}
			if spec.Options.Path != "" {
				cfg.Path = filepath.Join(dir, spec.Options.Path)
			}
			if len(spec.Options.ScriptParams) > 0 {
				cfg.ScriptParams = decodeObject(t, spec.Options.ScriptParams)
			}
			var in []*event.Event
			for _, raw := range spec.Input {
				m := decodeObject(t, raw)
				if !m.Has(event.TimestampField) {
					m.Set(event.TimestampField, "2026-01-02T03:04:05.678Z")
				}
				in = append(in, event.NewEventFromMap(m))
			}
			f := start(t, cfg)
			out := runBatch(f, in)
			got := make([]any, len(out))
			for i, e := range out {
				got[i] = typedEvent(e)
			}
			expected, err := os.ReadFile(filepath.Join(dir, "expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			want, err := event.DecodeJSON(expected)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := string(event.AppendJSON(nil, got)), string(event.AppendJSON(nil, want)); g != w {
				t.Errorf("got  %s\nwant %s", g, w)
			}
		})
	}
}

func readJSON(t *testing.T, file string, into any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, into); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

func readOptional(t *testing.T, file string) string {
	b, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func decodeObject(t *testing.T, raw []byte) *event.Map {
	t.Helper()
	v, err := event.DecodeJSON(raw)
	m, ok := v.(*event.Map)
	if err != nil || !ok {
		t.Fatalf("not a JSON object: %s", raw)
	}
	return m
}

// typedEvent is the typed form scripts/golden/ruby-filter/reference.rb
// writes: {"data": ..., "metadata": ...} with each scalar as
// "<type>:<text>".
func typedEvent(e *event.Event) *event.Map {
	out := event.NewMap(2)
	out.Set("data", typedValue(e.Data()))
	if e.HasMetadata() {
		out.Set("metadata", typedValue(e.Metadata()))
	}
	return out
}

func typedValue(v any) any {
	switch t := v.(type) {
	case *event.Map:
		m := event.NewMap(t.Len())
		t.Range(func(k string, x any) bool {
			m.Set(k, typedValue(x))
			return true
		})
		return m
	case []any:
		l := make([]any, len(t))
		for i, x := range t {
			l[i] = typedValue(x)
		}
		return l
	case string:
		return "s:" + t
	case int64:
		return "i:" + strconv.FormatInt(t, 10)
	case *big.Int:
		return "i:" + t.String()
	case float64:
		return "f:" + strconv.FormatFloat(t, 'g', 17, 64)
	case event.Decimal:
		return "d:" + rubyDecimalString(t)
	case event.Timestamp:
		return "t:" + t.String()
	}
	return v
}
