package metrics

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func flush(f *metricsFilter) []*event.Event {
	var out []*event.Event
	f.FlushMatched(false, func(e *event.Event, matched bool) {
		if !matched {
			panic("the metrics event is always matched")
		}
		out = append(out, e)
	})
	return out
}

// Rates follow metriks' EWMA: the first tick (after five seconds) sets the
// rate to the instant rate (count/5 s); later ticks move it by alpha.
func TestRatesTickEveryFiveSeconds(t *testing.T) {
	f := mustFilter(t, "metrics", O{"meter": []any{"m"}, "flush_interval": 10}).Plugin.(*metricsFilter)
	now := time.Unix(1000, 0)
	f.now = func() time.Time { return now }
	for range 10 {
		f.Filter(plugintest.Event(t, `{}`), nil)
	}
	if got := flush(f); len(got) != 0 {
		t.Fatalf("flushed after 5 s with flush_interval 10")
	}
	now = now.Add(6 * time.Second)
	got := flush(f)
	if len(got) != 1 {
		t.Fatalf("%d events at 10 s", len(got))
	}
	r1, _ := got[0].Get("[m][rate_1m]")
	if r1 != 2.0 {
		t.Errorf("rate_1m after the first tick = %v, want 2.0 (10 events / 5 s)", r1)
	}
	now = now.Add(5*time.Second + time.Millisecond)
	f.flushInterval = 5
	got = flush(f)
	alpha := 1 - math.Exp(-5.0/60.0)
	if r, _ := got[0].Get("[m][rate_1m]"); math.Abs(r.(float64)-(2.0+alpha*(0-2.0))) > 1e-12 {
		t.Errorf("rate_1m after an idle tick = %v", r)
	}
}

func TestClearIntervalStartsAgain(t *testing.T) {
	f := mustFilter(t, "metrics", O{"meter": []any{"m"}, "clear_interval": 5}).Plugin.(*metricsFilter)
	f.Filter(plugintest.Event(t, `{}`), nil)
	if got := flush(f); len(got) != 1 {
		t.Fatalf("first flush: %d events", len(got))
	}
	if got := flush(f); len(got) != 0 {
		t.Errorf("nothing recorded since the clear, yet %d events", len(got))
	}
}

func TestIgnoreOlderThan(t *testing.T) {
	f := mustFilter(t, "metrics", O{"meter": []any{"m"}, "ignore_older_than": 60}).Plugin.(*metricsFilter)
	f.now = func() time.Time { return time.Date(2026, 1, 2, 3, 10, 0, 0, time.UTC) }
	f.Filter(plugintest.Event(t, `{}`), nil) // stamped 2026-01-02T03:04:05.678Z: too old
	if got := flush(f); len(got) != 0 {
		t.Errorf("an old event was counted")
	}
}

func TestBadRates(t *testing.T) {
	if _, err := newFilter(t, "metrics", O{"rates": []any{1, 2}}, ""); err == "" {
		t.Error("rates outside 1, 5, 15 must fail")
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
