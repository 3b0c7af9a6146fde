package throttle

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// logstash-filter-throttle's flush: keys older than max_age (relative to
// the newest event) go; too many counters lower max_age by 5% of its
// configured value (integer steps for a whole number), and it grows back
// once under 80% of max_counters.
func TestFlushAdaptsMaxAge(t *testing.T) {
	f := mustFilter(t, "throttle", O{"key": "%{k}", "max_age": 100, "max_counters": 2}).Plugin.(*throttle)
	for i, ts := range []string{"00:00:00", "00:00:01", "00:00:02", "00:05:00"} {
		f.Filter(plugintest.Event(t, fmt.Sprintf(`{"k":"%d","@timestamp":"2026-01-02T%sZ"}`, i, ts)), nil)
	}
	f.Flush(nil)
	if len(f.keys) != 1 || f.maxAge != 100 {
		t.Fatalf("after expiry: %d keys, max_age %v; want 1 key (the others are 298 s older), max_age 100", len(f.keys), f.maxAge)
	}
	for i := range 3 {
		f.Filter(plugintest.Event(t, fmt.Sprintf(`{"k":"n%d","@timestamp":"2026-01-02T00:05:00Z"}`, i)), nil)
	}
	f.Flush(nil)
	if f.maxAge != 95 {
		t.Errorf("4 counters over a limit of 2: max_age %v, want 95", f.maxAge)
	}
	f.keys, f.keyOrder = map[string]*keySlots{}, nil
	f.Flush(nil)
	if f.maxAge != 100 {
		t.Errorf("no counters: max_age %v, want 100 again", f.maxAge)
	}
}

// O are a filter block's options: values are strings, numbers, booleans,
// lists ([]any) and hashes (H).
type O map[string]any

// H is a config hash: key, value, key, value...
type H []any

func confValue(v any) string {
	switch t := v.(type) {
	case string:
		return plugintest.Quote(t)
	case int:
		return fmt.Sprint(t)
	case float64:
		return fmt.Sprint(t)
	case bool:
		return fmt.Sprint(t)
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = confValue(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case H:
		var b strings.Builder
		b.WriteString("{")
		for i := 0; i+1 < len(t); i += 2 {
			b.WriteString(" " + confValue(t[i]) + " => " + confValue(t[i+1]))
		}
		return b.String() + " }"
	}
	panic(fmt.Sprintf("unsupported option value %T", v))
}

// filterText is the filter block with opts, in key order.
func filterText(name string, opts O) string {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(name + " {")
	for _, k := range keys {
		b.WriteString(" " + k + " => " + confValue(opts[k]))
	}
	return b.String() + " }"
}

// newFilter builds the filter, or returns its config error as text.
func newFilter(t *testing.T, name string, opts O, ecs string) (*plugintest.BuiltFilter, string) {
	t.Helper()
	f, err := plugintest.TryFilter(t, filterText(name, opts), plugintest.ECS(ecs))
	if err != nil {
		return nil, err.Error()
	}
	return f, ""
}

func mustFilter(t *testing.T, name string, opts O) *plugintest.BuiltFilter {
	t.Helper()
	return plugintest.Filter(t, filterText(name, opts))
}
