package pipeline

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

func TestOutputRoutesFollowConditionals(t *testing.T) {
	// No plugin here is registered: the routes never build them.
	src := `
output {
  if [n] < 2 {
    first { id => "one" }
  } else if [n] == 2 {
  } else if [n] in [3, 4, 5] {
    second { id => "big" }
    third { id => "big_too" }
  } else {
    fourth { id => "other" }
  }
  everyone { id => "all" }
}`
	cfg, diags := lang.Parse("o.conf", []byte(src), lang.ParseOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	var logs bytes.Buffer
	routes, diags := CompileOutputRoutes([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: plugin.DefaultPipelineSettings(1), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	tests := []struct {
		event string
		want  string
	}{
		{`{"n": 1}`, "one all"},
		{`{"n": 2}`, "all"},
		{`{"n": 5}`, "big big_too all"},
		{`{"n": 7}`, "other all"},
		// A missing field cannot be compared with <: Logstash drops the
		// event with a warning.
		{`{"x": 1}`, ""},
	}
	for _, tt := range tests {
		v, err := event.DecodeJSON([]byte(tt.event))
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range routes.Reached(event.NewEventFromMap(v.(*event.Map))) {
			ids = append(ids, pluginIDOf(p))
		}
		if got := strings.Join(ids, " "); got != tt.want {
			t.Errorf("%s reaches %q, want %q", tt.event, got, tt.want)
		}
	}
	if !strings.Contains(logs.String(), "Event was dropped") {
		t.Errorf("no warning for the dropped event: %s", logs.String())
	}
}

func TestOutputRoutesRefuseBadConditions(t *testing.T) {
	cfg, diags := lang.Parse("o.conf", []byte(`output { if "a" and [b] { x {} } }`), lang.ParseOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Format(nil))
	}
	_, diags = CompileOutputRoutes([]*lang.Config{cfg}, &plugin.BuildContext{Pipeline: plugin.DefaultPipelineSettings(1)})
	if got := diags.Format(nil); !strings.Contains(got, "o.conf:1:13: error: Unexpected conditional input combination") {
		t.Errorf("diagnostics: %s", got)
	}
}

func pluginIDOf(p *lang.Plugin) string {
	for _, a := range p.Attributes {
		if s, ok := a.Value.(*lang.String); ok && a.Name == "id" {
			return s.Value
		}
	}
	return ""
}
