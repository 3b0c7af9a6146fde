// Package metrics is Logstash's metrics filter: it counts events (meters)
// and aggregates numbers they carry (timers), and every flush_interval
// emits one event holding the counts, rates and statistics.
package metrics

import (
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optMeter           = plugin.Strings("meter").Default([]string{}).Doc("Meter names (sprintf'd per event): each counts the events it names, with their 1, 5 and 15 minute rates.")
	optTimer           = plugin.Hash("timer").Default(event.NewMap(0)).Doc("Timer name → value (both sprintf'd; the value read as a float): each keeps count, rates, min, max, mean, stddev and percentiles of the values.")
	optIgnoreOlderThan = plugin.Int("ignore_older_than").Default(0).Doc("Skip events whose @timestamp is more than this many seconds old (0: count all).")
	optFlushInterval   = plugin.Int("flush_interval").Default(5).Doc("Seconds between metric events (flushes happen every 5 seconds, so use a multiple of 5).")
	optClearInterval   = plugin.Int("clear_interval").Default(-1).Doc("Seconds after which all metrics start again from zero (-1: never; a multiple of 5).")
	optRates           = plugin.Array("rates").Default([]any{int64(1), int64(5), int64(15)}).Validate(checkRates).Doc("Which moving-average rates to report, from 1, 5 and 15 (minutes).")
	optPercentiles     = plugin.Array("percentiles").Default([]any{int64(1), int64(5), int64(10), int64(90), int64(95), int64(99), int64(100)}).Doc("Which percentiles of timer values to report.")
)

func checkRates(rates []any) error {
	for _, r := range rates {
		switch event.ValueString(r) {
		case "1", "5", "15":
		default:
			return fmt.Errorf("Invalid rates configuration. possible rates are 1, 5, 15. Rates: %s.", ruby.Inspect(rates))
		}
	}
	return nil
}

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "metrics",
			Summary: "Counts events and aggregates values, emitting an event with the metrics every flush_interval.",
			Options: []plugin.Declared{optMeter, optTimer, optIgnoreOlderThan, optFlushInterval, optClearInterval, optRates, optPercentiles},
		},
		New: newMetrics,
	})
}

type metricsFilter struct {
	log             *slog.Logger
	host            string
	meters          []*event.Template
	timers          [][2]*event.Template
	ignoreOlderThan time.Duration
	flushInterval   int64
	clearInterval   int64
	rates           [3]bool
	percentiles     []any
	now             func() time.Time

	mu         sync.Mutex
	lastFlush  int64
	lastClear  int64
	meterNames []string
	meterByKey map[string]*meter
	timerNames []string
	timerByKey map[string]*timer
}

func newMetrics(s *plugin.Settings) (plugin.Filter, error) {
	host, _ := os.Hostname()
	f := &metricsFilter{log: s.Logger(), host: host, flushInterval: optFlushInterval.Get(s), clearInterval: optClearInterval.Get(s),
		ignoreOlderThan: time.Duration(optIgnoreOlderThan.Get(s)) * time.Second, percentiles: optPercentiles.Get(s),
		now: time.Now, meterByKey: map[string]*meter{}, timerByKey: map[string]*timer{}}
	for _, r := range optRates.Get(s) {
		f.rates[map[string]int{"1": 0, "5": 1, "15": 2}[event.ValueString(r)]] = true
	}
	for _, m := range optMeter.Get(s) {
		t, err := event.CompileTemplate(m)
		if err != nil {
			return nil, optMeter.Errorf(s, "%v", err)
		}
		f.meters = append(f.meters, t)
	}
	var err error
	optTimer.Get(s).Range(func(k string, v any) bool {
		var name, value *event.Template
		if name, err = event.CompileTemplate(k); err != nil {
			return false
		}
		if value, err = event.CompileTemplate(event.ValueString(v)); err != nil {
			return false
		}
		f.timers = append(f.timers, [2]*event.Template{name, value})
		return true
	})
	if err != nil {
		return nil, optTimer.Errorf(s, "%v", err)
	}
	for _, p := range f.percentiles {
		if _, ok := percentileOf(p); !ok {
			return nil, optPercentiles.Errorf(s, "a percentile must be a number from 0 to 100, got %s", ruby.Inspect(p))
		}
	}
	return f, nil
}

func percentileOf(p any) (float64, bool) {
	var f float64
	switch t := p.(type) {
	case int64:
		f = float64(t)
	case float64:
		f = t
	default:
		return 0, false
	}
	return f, f >= 0 && f <= 100
}

// Filter records the event in its meters and timers; it never changes the
// event, nor matches it.
func (f *metricsFilter) Filter(e *event.Event, _ func(*event.Event)) bool {
	if f.ignoreOlderThan > 0 {
		if ts, ok := e.Timestamp(); ok && f.now().Sub(ts.Time) > f.ignoreOlderThan {
			f.log.Debug("Skipping metriks for old event")
			return false
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.meters {
		f.meter(m.Render(e)).mark()
	}
	for _, t := range f.timers {
		f.timer(t[0].Render(e)).update(ruby.ToF(t[1].Render(e)))
	}
	return false
}

func (f *metricsFilter) meter(name string) *meter {
	m, ok := f.meterByKey[name]
	if !ok {
		m = newMeter(f.now)
		f.meterByKey[name] = m
		f.meterNames = append(f.meterNames, name)
	}
	return m
}

func (f *metricsFilter) timer(name string) *timer {
	t, ok := f.timerByKey[name]
	if !ok {
		t = newTimer(f.now)
		f.timerByKey[name] = t
		f.timerNames = append(f.timerNames, name)
	}
	return t
}

// FlushMatched runs every five seconds (and at shutdown): once
// flush_interval seconds have gone by and something was recorded, it
// emits the metrics event, which the filter matched.
func (f *metricsFilter) FlushMatched(_ bool, emit func(*event.Event, bool)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastFlush += 5
	f.lastClear += 5
	if f.lastFlush < f.flushInterval || (len(f.meterNames) == 0 && len(f.timerNames) == 0) {
		return
	}
	clear := f.clearInterval > 0 && f.lastClear >= f.clearInterval
	e := event.NewEvent()
	e.Data().Set("message", f.host)
	for _, name := range f.meterNames {
		m := f.meterByKey[name]
		f.setRates(e, name, m.count, m)
	}
	for _, name := range f.timerNames {
		t := f.timerByKey[name]
		f.setRates(e, name, t.count, t.meter)
		set(e, name, "min", t.min)
		set(e, name, "max", t.max)
		// Logstash reports the square root of metriks' standard deviation.
		set(e, name, "stddev", sqrt(t.stddev()))
		set(e, name, "mean", t.average())
		for _, p := range f.percentiles {
			q, _ := percentileOf(p)
			set(e, name, "p"+event.ValueString(p), t.sample.quantile(q/100))
		}
	}
	f.lastFlush = 0
	if clear {
		f.lastClear = 0
		f.meterNames, f.meterByKey = nil, map[string]*meter{}
		f.timerNames, f.timerByKey = nil, map[string]*timer{}
	}
	emit(e, true)
}

func (f *metricsFilter) setRates(e *event.Event, name string, count int64, m *meter) {
	set(e, name, "count", count)
	for i, key := range []string{"rate_1m", "rate_5m", "rate_15m"} {
		if f.rates[i] {
			set(e, name, key, m.rate(i))
		}
	}
}

// set writes [name][key]: the metric's name is part of a field
// reference, as Logstash builds it; a name that makes the reference
// invalid leaves that metric out.
func set(e *event.Event, name, key string, v any) {
	_ = e.Set("["+name+"]["+key+"]", v)
}
