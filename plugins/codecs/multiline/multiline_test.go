package multiline

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// decodeLines feeds each line as its own Decode call (as the file input
// does), flushes, and returns the events as JSON lines without @timestamp.
func decodeLines(t *testing.T, ecs, options string, lines ...string) string {
	t.Helper()
	c := plugintest.Codec(t, "multiline { "+options+" }", plugintest.ECS(ecs))
	events := append(c.Decode(lines...), c.Flush()...)
	return jsons(events)
}

func jsons(events []*event.Event) string {
	var sb strings.Builder
	for _, e := range events {
		sb.WriteString(plugintest.JSON(e, event.TimestampField) + "\n")
	}
	return sb.String()
}

func TestMerging(t *testing.T) {
	for _, c := range []struct {
		name, ecs string
		options   string
		lines     []string
		want      string
	}{
		{"indented lines continue the previous one", "disabled", `pattern => "^\s" what => "previous"`,
			[]string{"hello world", "   second line", "another first line"},
			`{"@version":"1","message":"hello world\n   second line","tags":["multiline"]}` + "\n" +
				`{"@version":"1","message":"another first line"}` + "\n"},
		{"ECS copies the message to event.original", "v8", `pattern => "^\s" what => "previous"`,
			[]string{"a", " b"},
			`{"@version":"1","message":"a\n b","event":{"original":"a\n b"},"tags":["multiline"]}` + "\n"},
		{"custom tag", "disabled", `pattern => "^\s" what => "previous" multiline_tag => "hurray"`,
			[]string{"a", " b"},
			`{"@version":"1","message":"a\n b","tags":["hurray"]}` + "\n"},
		{"empty tag adds none", "disabled", `pattern => "^\s" what => "previous" multiline_tag => ""`,
			[]string{"a", " b"},
			`{"@version":"1","message":"a\n b"}` + "\n"},
		{"a trailing backslash continues on the next line", "disabled", `pattern => "\\$" what => "next"`,
			[]string{`one \`, `two \`, "three", "four"},
			`{"@version":"1","message":"one \\\ntwo \\\nthree","tags":["multiline"]}` + "\n" +
				`{"@version":"1","message":"four"}` + "\n"},
		{"grok patterns, negated", "disabled", `pattern => "^%{NUMBER} %{TIME}" negate => true what => "previous"`,
			[]string{"120913 12:04:33 first line", "second line", "third line", "120913 12:04:34 next"},
			`{"@version":"1","message":"120913 12:04:33 first line\nsecond line\nthird line","tags":["multiline"]}` + "\n" +
				`{"@version":"1","message":"120913 12:04:34 next"}` + "\n"},
		{"the pattern matches anywhere in the line", "disabled", `pattern => "at " what => "previous"`,
			[]string{"Exception", "    at A", "    at B", "Done"},
			`{"@version":"1","message":"Exception\n    at A\n    at B","tags":["multiline"]}` + "\n" +
				`{"@version":"1","message":"Done"}` + "\n"},
		{"Ruby regex syntax: \\h is a hex digit", "disabled", `pattern => "^\h+$" what => "next"`,
			[]string{"beef", "cafe", "end", "x"},
			`{"@version":"1","message":"beef\ncafe\nend","tags":["multiline"]}` + "\n" +
				`{"@version":"1","message":"x"}` + "\n"},
		{"an empty line is no line", "disabled", `pattern => "^\s" what => "previous"`,
			[]string{"a", "", " b"},
			`{"@version":"1","message":"a\n b","tags":["multiline"]}` + "\n"},
		{"a chunk is split on newlines", "disabled", `pattern => "\D" what => "previous"`,
			[]string{"1234567890\nA234567890\nB234567890\n0987654321\n"},
			`{"@version":"1","message":"1234567890\nA234567890\nB234567890","tags":["multiline"]}` + "\n" +
				`{"@version":"1","message":"0987654321"}` + "\n"},
		{"ISO-8859-1 is converted", "disabled", `pattern => "^\s" what => "previous" charset => "ISO-8859-1"`,
			[]string{"\xe0 Montr\xe9al", " \xe9t\xe9"},
			`{"@version":"1","message":"à Montréal\n été","tags":["multiline"]}` + "\n"},
		{"invalid UTF-8 is escaped", "disabled", `pattern => "^\s" what => "previous"`,
			[]string{"foo \xED\xB9\x81\xC3", "bar \xAD"},
			`{"@version":"1","message":"foo \\xED\\xB9\\x81\\xC3"}` + "\n" + `{"@version":"1","message":"bar \\xAD"}` + "\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := decodeLines(t, c.ecs, c.options, c.lines...); got != c.want {
				t.Errorf("got\n%swant\n%s", got, c.want)
			}
		})
	}
}

// TestLimits checks Logstash's limits: an event is closed when it holds
// more than max_lines lines or max_bytes bytes, and no line is lost.
func TestLimits(t *testing.T) {
	lines := make([]string, 25)
	for i := range lines {
		lines[i] = "- line " + strconv.Itoa(i)
	}
	for _, c := range []struct {
		name    string
		options string
		tag     string
		first   int // lines in the first event
	}{
		{"max_lines", `pattern => "^-" what => "previous" max_lines => "4"`, maxLinesTag, 5},
		{"max_bytes", `pattern => "^-" what => "previous" max_bytes => "20"`, maxBytesTag, 3},
		{"max_lines with next", `pattern => "^-" what => "next" max_lines => "4"`, maxLinesTag, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			codec := plugintest.Codec(t, "multiline { "+c.options+" }", plugintest.ECS("disabled"))
			events := append(codec.Decode(lines...), codec.Flush()...)
			var all []string
			for _, e := range events {
				m, _ := e.Get("message")
				all = append(all, strings.Split(m.(string), "\n")...)
			}
			if strings.Join(all, "|") != strings.Join(lines, "|") {
				t.Fatalf("lines came out as %q", all)
			}
			first, _ := events[0].Get("message")
			if n := strings.Count(first.(string), "\n") + 1; n != c.first {
				t.Errorf("first event has %d lines, want %d", n, c.first)
			}
			if !events[0].HasTag(c.tag) {
				t.Errorf("first event lacks %s: %s", c.tag, plugintest.JSON(events[0]))
			}
		})
	}
}

func TestPatternsDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "extra"), []byte("# mine\nSTART_MARK >>>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := decodeLines(t, "disabled", `pattern => "^%{START_MARK}" negate => true what => "previous" patterns_dir => "`+dir+`"`,
		">>> one", "two", ">>> three")
	want := `{"@version":"1","message":">>> one\ntwo","tags":["multiline"]}` + "\n" + `{"@version":"1","message":">>> three"}` + "\n"
	if got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		options string
		want    string
	}{
		{`pattern => "^%{NOPE}" what => "previous"`, "pattern %{NOPE} not defined"},
		{`pattern => "x"`, "Missing a required setting for the multiline codec plugin: what"},
		{`what => "next"`, "Missing a required setting for the multiline codec plugin: pattern"},
		{`pattern => "x" what => "sideways"`, "what"},
		{`pattern => "(" what => "next"`, "invalid regular expression"},
	} {
		_, err := plugintest.TryCodec(t, "multiline { "+c.options+" }", plugintest.ECS("disabled"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want an error containing %q", c.options, err, c.want)
		}
	}
}

// TestHeld checks what the codec reports as held, which the file input
// relies on to checkpoint only lines whose event was emitted.
func TestHeld(t *testing.T) {
	codec := plugintest.Codec(t, `multiline { pattern => "^\s" what => "previous" }`, plugintest.ECS("disabled")).Plugin.(plugin.HoldingCodec)
	var events []*event.Event
	emit := func(e *event.Event) { events = append(events, e) }
	step := func(line string, wantHeld, wantEvents int) {
		t.Helper()
		codec.Decode([]byte(line), emit)
		if got := codec.Held(); got != wantHeld {
			t.Errorf("after %q: held %d, want %d", line, got, wantHeld)
		}
		if len(events) != wantEvents {
			t.Errorf("after %q: %d events, want %d", line, len(events), wantEvents)
		}
	}
	step("a", 1, 0)
	step(" b", 2, 0)
	step("", 3, 0)
	step("c", 1, 1)
	codec.Flush(emit)
	if codec.Held() != 0 || len(events) != 2 {
		t.Errorf("after Flush: held %d, %d events", codec.Held(), len(events))
	}

	next := plugintest.Codec(t, `multiline { pattern => "\\$" what => "next" }`, plugintest.ECS("disabled")).Plugin.(plugin.HoldingCodec)
	events = nil
	next.Decode([]byte(`a \`), emit)
	next.Decode([]byte("b"), emit)
	if next.Held() != 0 || len(events) != 1 {
		t.Errorf("what => next: held %d, %d events after the closing line", next.Held(), len(events))
	}
}

// TestAutoFlush waits for the idle timer to emit the held lines to the
// latest Decode's emit.
func TestAutoFlush(t *testing.T) {
	codec := plugintest.Codec(t, `multiline { pattern => "^\s" what => "previous" auto_flush_interval => "0.25" }`, plugintest.ECS("disabled")).Plugin
	got := make(chan *event.Event, 4)
	emit := func(e *event.Event) { got <- e }
	codec.Decode([]byte("first"), emit)
	codec.Decode([]byte("  second"), emit)
	select {
	case e := <-got:
		if m, _ := e.Get("message"); m != "first\n  second" {
			t.Errorf("auto-flushed %q", m)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no event was auto-flushed")
	}
	if h := codec.(plugin.HoldingCodec).Held(); h != 0 {
		t.Errorf("held %d after the auto flush", h)
	}
}

func TestTakeIdleFlush(t *testing.T) {
	for _, c := range []struct {
		set  string
		want time.Duration
	}{{"", 0}, {"0", 250 * time.Millisecond}, {"0.1", 250 * time.Millisecond}, {"1.6", 1500 * time.Millisecond}, {"5", 5 * time.Second}} {
		options := `pattern => "x" what => "next"`
		if c.set != "" {
			options += " auto_flush_interval => " + c.set
		}
		codec := plugintest.Codec(t, "multiline { "+options+" }").Plugin.(plugin.HoldingCodec)
		if got := codec.TakeIdleFlush(); got != c.want {
			t.Errorf("auto_flush_interval %q: %v, want %v", c.set, got, c.want)
		}
	}
}

func TestEncodeIsEventToString(t *testing.T) {
	codec := plugintest.Codec(t, `multiline { pattern => "x" what => "next" }`, plugintest.ECS("disabled")).Plugin
	e := event.NewEvent()
	e.Data().Set("message", "hi")
	e.Data().Set("host", "h")
	ts, _ := e.Timestamp()
	if got, want := string(codec.Encode(nil, e)), ts.String()+" h hi"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
