package graphite

import (
	"sort"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Logstash's codec assigns the rendered metrics_format back to the option
// (lib/logstash/codecs/graphite.rb, encode), so the first event that
// resolves its references fixes the format for every later event.
func TestMetricsFormatKeepsTheFirstRendering(t *testing.T) {
	codec := buildCodec(t, "graphite", "disabled", map[string]string{"metrics_format": "%{host}.*", "fields_are_metrics": "true"})
	encode := func(host string) string {
		m := event.NewMap(3)
		m.Set("@timestamp", "2020-01-01T00:00:00Z")
		if host != "" {
			m.Set("host", host)
		}
		m.Set("v", int64(1))
		return string(codec.Plugin.Encode(nil, event.NewEventFromMap(m)))
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
	codec := buildCodec(t, "graphite", "disabled", nil)
	if got := codec.Plugin.Encode([]byte("x"), event.NewEvent()); string(got) != "x" {
		t.Errorf("got %q", got)
	}
}

// codecText is the codec block with string options, in key order.
func codecText(name string, opts map[string]string) string {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(name + " {")
	for _, k := range keys {
		b.WriteString(" " + k + " => " + plugintest.Quote(opts[k]))
	}
	b.WriteString(" }")
	return b.String()
}

func buildCodec(t *testing.T, name, ecs string, opts map[string]string) *plugintest.BuiltCodec {
	t.Helper()
	return plugintest.Codec(t, codecText(name, opts), plugintest.ECS(ecs))
}
