// Package throttle is Logstash's throttle filter: it counts events per key
// in time slots of `period` seconds (by @timestamp) and matches those
// before `before_count` or after `after_count` in their slot, so a config
// can tag or drop them.
package throttle

import (
	"fmt"
	"log/slog"
	"math"
	"sync"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optKey           = plugin.String("key").Required().Doc("What events are counted by (sprintf'd), such as `%{host}`.")
	optBeforeCount   = plugin.Int("before_count").Default(-1).Doc("Match the events of a slot while its count is below this (-1: off).")
	optAfterCount    = plugin.Int("after_count").Default(-1).Doc("Match the events of a slot once its count is above this (-1: off).")
	optPeriod        = plugin.String("period").Default("60").Doc("Seconds in a time slot (sprintf'd per event; 0 or text that is not a number means 60). Slots start at the first event seen for the key.")
	optMaxAge        = plugin.Float("max_age").Default(3600).Doc("Seconds a slot is kept after the newest one (lowered and raised again in 5% steps to keep to max_counters).")
	optMaxCounters   = plugin.Int("max_counters").Default(100000).Doc("How many counters to keep before max_age is lowered (-1: no limit).")
	optPeriodicFlush = plugin.Bool("periodic_flush").Default(true).Doc("Expire old keys and adapt max_age every five seconds.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "throttle",
			Summary: "Counts events per key and time slot, matching those past a threshold so they can be tagged or dropped.",
			Options: []plugin.Declared{optKey, optBeforeCount, optAfterCount, optPeriod, optMaxAge, optMaxCounters, optPeriodicFlush},
			Examples: []plugin.Example{{
				Title: "Keep at most two events per address and minute",
				Config: `input { stdin { codec => json_lines } }
filter {
  throttle { key => "%{ip}" after_count => 2 period => 60 add_tag => ["throttled"] }
  if "throttled" in [tags] { drop { } }
  mutate { remove_field => ["event", "host", "@version"] }
}
output { stdout { codec => json_lines } }
`,
				Input: `{"@timestamp": "2026-01-02T00:00:00Z", "ip": "10.0.0.1"}` + "\n" + `{"@timestamp": "2026-01-02T00:00:01Z", "ip": "10.0.0.1"}` + "\n" +
					`{"@timestamp": "2026-01-02T00:00:02Z", "ip": "10.0.0.1"}` + "\n",
				Output: `{"@timestamp":"2026-01-02T00:00:00.000Z","ip":"10.0.0.1"}` + "\n" + `{"@timestamp":"2026-01-02T00:00:01.000Z","ip":"10.0.0.1"}` + "\n",
			}},
		},
		New: newThrottle,
	})
}

// The steps by which max_age is adapted, in percent of its configured value.
const (
	minPercent  = 5
	maxPercent  = 100
	incrPercent = 80
	stepPercent = 5
)

type keySlots struct {
	created int64
	latest  int64
	slots   map[int64]int64
}

type throttle struct {
	log         *slog.Logger
	key         *event.Template
	period      *event.Template
	before      int64
	after       int64
	maxCounters int64
	maxAgeOrig  float64
	wholeMaxAge bool
	mu          sync.Mutex
	maxAge      float64
	keys        map[string]*keySlots
	keyOrder    []string
}

func newThrottle(s *plugin.Settings) (plugin.Filter, error) {
	f := &throttle{log: s.Logger(), before: optBeforeCount.Get(s), after: optAfterCount.Get(s), maxCounters: optMaxCounters.Get(s),
		maxAge: optMaxAge.Get(s), keys: map[string]*keySlots{}}
	f.maxAgeOrig = f.maxAge
	f.wholeMaxAge = f.maxAge == math.Trunc(f.maxAge)
	var err error
	if f.key, err = event.CompileTemplate(optKey.Get(s)); err != nil {
		return nil, optKey.Errorf(s, "%v", err)
	}
	if f.period, err = event.CompileTemplate(optPeriod.Get(s)); err != nil {
		return nil, optPeriod.Errorf(s, "%v", err)
	}
	return f, nil
}

// floorMod is Ruby's %: the result takes the divisor's sign.
func floorMod(a, b int64) int64 {
	m := a % b
	if m != 0 && (m < 0) != (b < 0) {
		m += b
	}
	return m
}

// Filter counts the event in its key's current slot and matches it when
// the count is below before_count or above after_count.
func (f *throttle) Filter(e *event.Event, _ func(*event.Event)) bool {
	key := f.key.Render(e)
	period, _ := ruby.ToI(f.period.Render(e)).(int64)
	if period == 0 {
		period = 60
	}
	var epoch int64
	if ts, ok := e.Timestamp(); ok {
		epoch = ts.Unix()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ks, ok := f.keys[key]
	if !ok {
		ks = &keySlots{created: epoch, latest: epoch, slots: map[int64]int64{}}
		f.keys[key] = ks
		f.keyOrder = append(f.keyOrder, key)
	}
	ks.latest = max(ks.latest, epoch)
	slot := epoch - floorMod(epoch-ks.created, period)
	ks.slots[slot]++
	count := ks.slots[slot]
	f.log.Debug("filters/LogStash::Filters::Throttle: counter incremented", slog.String("key", key), slog.Int64("epoch", epoch), slog.Int64("timeslot", slot), slog.Int64("count", count))
	matched := (f.before != -1 && count < f.before) || (f.after != -1 && count > f.after)
	if matched {
		f.log.Debug("filters/LogStash::Filters::Throttle: throttling event", slog.String("key", key), slog.Int64("epoch", epoch))
	}
	newest := int64(math.MinInt64)
	for s := range ks.slots {
		newest = max(newest, s)
	}
	for s := range ks.slots {
		if float64(s) < float64(newest)-f.maxAge {
			delete(ks.slots, s)
		}
	}
	return matched
}

// Flush forgets keys whose newest event is older than max_age before the
// newest of all, and adapts max_age to keep the counters under
// max_counters.
func (f *throttle) Flush(func(*event.Event)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var maxLatest int64
	for _, ks := range f.keys {
		maxLatest = max(maxLatest, ks.latest)
	}
	var total int64
	kept := f.keyOrder[:0]
	for _, k := range f.keyOrder {
		ks := f.keys[k]
		if float64(ks.latest) < float64(maxLatest)-f.maxAge {
			delete(f.keys, k)
			continue
		}
		kept = append(kept, k)
		total += int64(len(ks.slots))
	}
	f.keyOrder = kept
	f.log.Debug("filters/LogStash::Filters::Throttle: statistics", slog.Int64("total_counters", total), slog.Float64("max_age", f.maxAge))
	if f.maxCounters == -1 {
		return
	}
	over := total - f.maxCounters
	switch {
	case over > 0 && f.maxAge > f.percent(minPercent):
		f.maxAge -= f.percent(stepPercent)
		f.log.Warn(fmt.Sprintf("filters/LogStash::Filters::Throttle: Decreased timeslot max_age to %s because max_counters exceeded by %d. Use a better key to prevent too many unique event counters.", f.number(f.maxAge), over))
	case f.maxAge < f.percent(maxPercent) && total < f.maxCounters*incrPercent/100:
		f.maxAge += f.percent(stepPercent)
		f.log.Warn(fmt.Sprintf("filters/LogStash::Filters::Throttle: Increased timeslot max_age to %s because max_counters no longer exceeded.", f.number(f.maxAge)))
	}
}

// percent is max_age_orig * p / 100 as Ruby computes it: integer division
// for a whole max_age.
func (f *throttle) percent(p float64) float64 {
	v := f.maxAgeOrig * p / 100
	if f.wholeMaxAge {
		return math.Floor(v)
	}
	return v
}

func (f *throttle) number(v float64) string {
	if f.wholeMaxAge {
		return fmt.Sprintf("%d", int64(v))
	}
	return ruby.FloatToS(v)
}
