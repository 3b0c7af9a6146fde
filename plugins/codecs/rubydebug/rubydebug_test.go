package rubydebug

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gostash/gostash/internal/tty"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

const goldenDir = "../../../testdata/codecs/rubydebug"

func newTestCodec(t testing.TB, metadata bool, colour bool) *Codec {
	config := `rubydebug`
	if metadata {
		config = `rubydebug { metadata => "true" }`
	}
	c := plugintest.Codec(t, config).Plugin.(*Codec)
	c.SetColour(colour)
	return c
}

// TestGolden checks every golden input against what Ruby's amazing_print
// printed for it (scripts/golden/rubydebug.sh), plain and coloured.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	if err != nil || len(inputs) < 50 {
		t.Fatalf("golden inputs: %v (%d files)", err, len(inputs))
	}
	for _, in := range inputs {
		base := strings.TrimSuffix(in, ".json")
		t.Run(filepath.Base(base), func(t *testing.T) {
			data, err := readEventFile(in)
			if err != nil {
				t.Fatal(err)
			}
			withMeta := data.Has(event.MetadataField)
			if withMeta && data.Keys()[data.Len()-1] != event.MetadataField {
				t.Fatal("@metadata must be the last key of a golden input")
			}
			e := event.NewEventFromMap(data)
			for _, variant := range []struct {
				file   string
				colour bool
			}{{base + ".txt", false}, {base + ".color.txt", true}} {
				want, err := os.ReadFile(variant.file)
				if os.IsNotExist(err) && variant.colour {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				got := newTestCodec(t, withMeta, variant.colour).Encode(nil, e)
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs:\n%s", filepath.Base(variant.file), firstDifference(got, want))
				}
			}
		})
	}
}

func firstDifference(got, want []byte) string {
	gl := strings.Split(string(got), "\n")
	wl := strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			return fmt.Sprintf("line %d:\n got: %q\nwant: %q", i+1, g, w)
		}
	}
	return "(no line differs)"
}

func TestWantsColour(t *testing.T) {
	env := func(vars map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	}
	for _, c := range []struct {
		terminal bool
		vars     map[string]string
		want     bool
	}{
		{true, map[string]string{"TERM": "xterm-256color"}, true},
		{true, map[string]string{"TERM": ""}, true},
		{true, map[string]string{"TERM": "dumb"}, false},
		{true, map[string]string{}, false},
		{true, map[string]string{"TERM": "dumb", "ANSICON": "1"}, true},
		{false, map[string]string{"TERM": "xterm"}, false},
	} {
		if got := wantsColour(c.terminal, env(c.vars)); got != c.want {
			t.Errorf("terminal %v, env %v: colour %v, want %v", c.terminal, c.vars, got, c.want)
		}
	}
}

func TestPipeIsNotATerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if tty.IsTerminal(w) {
		t.Error("a pipe was taken for a terminal")
	}
}

// TestConcurrentEncode shares one codec between goroutines, as outputs do.
func TestConcurrentEncode(t *testing.T) {
	data, err := readEventFile(filepath.Join(goldenDir, "tweet.json"))
	if err != nil {
		t.Fatal(err)
	}
	e := event.NewEventFromMap(data)
	c := newTestCodec(t, false, false)
	want := c.Encode(nil, e)
	results := make(chan []byte, 8)
	for i := 0; i < 8; i++ {
		go func() {
			var out []byte
			for j := 0; j < 20; j++ {
				out = c.Encode(out[:0], e)
			}
			results <- out
		}()
	}
	for i := 0; i < 8; i++ {
		if got := <-results; !bytes.Equal(got, want) {
			t.Fatal("concurrent encodings differ")
		}
	}
}
