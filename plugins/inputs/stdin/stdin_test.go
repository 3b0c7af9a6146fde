package stdin

import (
	"strings"
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/json"
	_ "github.com/gostash/gostash/plugins/codecs/json_lines"
	_ "github.com/gostash/gostash/plugins/codecs/line"
	_ "github.com/gostash/gostash/plugins/codecs/plain"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// run reads input with a stdin input configured with attrs, on a host
// named box, until EOF.
func run(t *testing.T, attrs, input string) []*event.Event {
	t.Helper()
	in := plugintest.Input(t, "stdin { "+attrs+" }")
	stdin := in.Plugin.(*Input)
	stdin.reader = strings.NewReader(input)
	stdin.hostname = "box"
	return in.RunToEnd()
}

func field(e *event.Event, ref string) string {
	v, _ := e.Get(ref)
	return event.ValueString(v)
}

func TestLinesWithECSFields(t *testing.T) {
	events := run(t, "", "one\ntwo\nunterminated")
	if len(events) != 2 {
		t.Fatalf("got %d events; the unterminated last line is dropped as in Logstash", len(events))
	}
	e := events[1]
	if field(e, "message") != "two" || field(e, "[event][original]") != "two" || field(e, "[host][hostname]") != "box" {
		t.Fatalf("event = %s", event.AppendJSON(nil, e.Data()))
	}
}

func TestLegacyHostAndPlainSwappedForLine(t *testing.T) {
	events := run(t, `codec => plain ecs_compatibility => disabled`, "a\nb\n")
	if len(events) != 2 || field(events[0], "message") != "a" || field(events[0], "host") != "box" {
		t.Fatalf("plain must act as line; got %d events", len(events))
	}
	if _, ok := events[0].Get("[host][hostname]"); ok {
		t.Fatal("legacy mode keeps host a string")
	}
}

func TestJSONSwappedForJSONLines(t *testing.T) {
	events := run(t, `codec => json`, "{\"a\":1}\n{\"a\":2}\n")
	if len(events) != 2 || field(events[1], "a") != "2" {
		t.Fatalf("json must act as json_lines; got %d events", len(events))
	}
}
