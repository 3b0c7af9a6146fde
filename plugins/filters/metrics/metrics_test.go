package metrics

import (
	"math"
	"testing"
	"time"

	"github.com/gostash/gostash/plugins/filters/internal/filtertest"
	"github.com/gostash/gostash/runtime/event"
)

type O = filtertest.Options

func flush(f *metricsFilter) []*event.Event {
	var out []*event.Event
	f.FlushMatched(func(e *event.Event, matched bool) {
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
	f := filtertest.MustNew(t, "metrics", O{"meter": []any{"m"}, "flush_interval": 10}).(*metricsFilter)
	now := time.Unix(1000, 0)
	f.now = func() time.Time { return now }
	for range 10 {
		f.Filter(filtertest.Event(t, `{}`), nil)
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
	f := filtertest.MustNew(t, "metrics", O{"meter": []any{"m"}, "clear_interval": 5}).(*metricsFilter)
	f.Filter(filtertest.Event(t, `{}`), nil)
	if got := flush(f); len(got) != 1 {
		t.Fatalf("first flush: %d events", len(got))
	}
	if got := flush(f); len(got) != 0 {
		t.Errorf("nothing recorded since the clear, yet %d events", len(got))
	}
}

func TestIgnoreOlderThan(t *testing.T) {
	f := filtertest.MustNew(t, "metrics", O{"meter": []any{"m"}, "ignore_older_than": 60}).(*metricsFilter)
	f.now = func() time.Time { return time.Date(2026, 1, 2, 3, 10, 0, 0, time.UTC) }
	f.Filter(filtertest.Event(t, `{}`), nil) // stamped 2026-01-02T03:04:05.678Z: too old
	if got := flush(f); len(got) != 0 {
		t.Errorf("an old event was counted")
	}
}

func TestBadRates(t *testing.T) {
	if _, err := filtertest.New("metrics", O{"rates": []any{1, 2}}, ""); err == "" {
		t.Error("rates outside 1, 5, 15 must fail")
	}
}
