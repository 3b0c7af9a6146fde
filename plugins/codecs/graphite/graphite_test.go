package graphite

import (
	"testing"

	"github.com/gostash/gostash/plugins/codecs/internal/codectest"
	"github.com/gostash/gostash/runtime/event"
)

// Logstash's codec assigns the rendered metrics_format back to the option
// (lib/logstash/codecs/graphite.rb, encode), so the first event that
// resolves its references fixes the format for every later event.
func TestMetricsFormatKeepsTheFirstRendering(t *testing.T) {
	codec := codectest.Build(t, "graphite", "disabled", map[string]string{"metrics_format": "%{host}.*", "fields_are_metrics": "true"})
	encode := func(host string) string {
		m := event.NewMap(3)
		m.Set("@timestamp", "2020-01-01T00:00:00Z")
		if host != "" {
			m.Set("host", host)
		}
		m.Set("v", int64(1))
		return string(codec.Encode(nil, event.NewEventFromMap(m)))
	}
	if got := encode(""); got != "%{host}.v 1.0 1577836800\n" {
		t.Errorf("unresolved: %q", got)
	}
	if got := encode("a"); got != "a.host 0.0 1577836800\na.v 1.0 1577836800\n" {
		t.Errorf("first resolved: %q", got)
	}
	if got := encode("b"); got != "a.host 0.0 1577836800\na.v 1.0 1577836800\n" {
		t.Errorf("later: %q", got)
	}
}

func TestNothingToEncode(t *testing.T) {
	codec := codectest.Build(t, "graphite", "disabled", nil)
	if got := codec.Encode([]byte("x"), event.NewEvent()); string(got) != "x" {
		t.Errorf("got %q", got)
	}
}
