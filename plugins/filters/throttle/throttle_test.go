package throttle

import (
	"fmt"
	"testing"

	"github.com/gostash/gostash/plugins/filters/internal/filtertest"
)

// logstash-filter-throttle's flush: keys older than max_age (relative to
// the newest event) go; too many counters lower max_age by 5% of its
// configured value (integer steps for a whole number), and it grows back
// once under 80% of max_counters.
func TestFlushAdaptsMaxAge(t *testing.T) {
	f := filtertest.MustNew(t, "throttle", filtertest.Options{"key": "%{k}", "max_age": 100, "max_counters": 2}).(*throttle)
	for i, ts := range []string{"00:00:00", "00:00:01", "00:00:02", "00:05:00"} {
		f.Filter(filtertest.Event(t, fmt.Sprintf(`{"k":"%d","@timestamp":"2026-01-02T%sZ"}`, i, ts)), nil)
	}
	f.Flush(nil)
	if len(f.keys) != 1 || f.maxAge != 100 {
		t.Fatalf("after expiry: %d keys, max_age %v; want 1 key (the others are 298 s older), max_age 100", len(f.keys), f.maxAge)
	}
	for i := range 3 {
		f.Filter(filtertest.Event(t, fmt.Sprintf(`{"k":"n%d","@timestamp":"2026-01-02T00:05:00Z"}`, i)), nil)
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
