package metrics

import (
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// The meter and timer below behave as the Ruby metriks gem's, which
// Logstash's metrics filter reports: rates are exponentially weighted
// moving averages ticked every five seconds (0 until the first tick), and
// a timer keeps an exponentially decaying sample of 1028 values for its
// percentiles.

const tickInterval = 5 * time.Second

// ewma is an exponentially weighted moving average of a rate per second.
type ewma struct {
	alpha       float64
	rate        float64
	uncounted   int64
	initialized bool
}

func newEWMA(minutes float64) ewma {
	return ewma{alpha: 1 - math.Exp(-5.0/60.0/minutes)}
}

func (e *ewma) tick() {
	instant := float64(e.uncounted) / tickInterval.Seconds()
	e.uncounted = 0
	if e.initialized {
		e.rate += e.alpha * (instant - e.rate)
	} else {
		e.rate, e.initialized = instant, true
	}
}

// meter counts events and their 1, 5 and 15 minute rates.
type meter struct {
	now      func() time.Time
	count    int64
	lastTick time.Time
	rates    [3]ewma
}

func newMeter(now func() time.Time) *meter {
	return &meter{now: now, lastTick: now(), rates: [3]ewma{newEWMA(1), newEWMA(5), newEWMA(15)}}
}

func (m *meter) tickIfNecessary() {
	now := m.now()
	age := now.Sub(m.lastTick)
	if age <= tickInterval {
		return
	}
	m.lastTick = now
	for range int(age / tickInterval) {
		for i := range m.rates {
			m.rates[i].tick()
		}
	}
}

func (m *meter) mark() {
	m.tickIfNecessary()
	m.count++
	for i := range m.rates {
		m.rates[i].uncounted++
	}
}

// rate is the 1, 5 or 15 minute rate (index 0, 1, 2).
func (m *meter) rate(i int) float64 {
	m.tickIfNecessary()
	return m.rates[i].rate
}

// timer is a meter of updates and a histogram of their values.
type timer struct {
	meter    *meter
	count    int64
	min, max float64
	sum      float64
	mean, s  float64 // Welford's running mean and sum of squares
	sample   decayingSample
}

const (
	sampleSize  = 1028
	sampleAlpha = 0.015
	rescaleTime = time.Hour
)

func newTimer(now func() time.Time) *timer {
	return &timer{meter: newMeter(now), sample: newDecayingSample(now)}
}

func (t *timer) update(v float64) {
	if v < 0 {
		return
	}
	t.meter.mark()
	t.count++
	t.sample.update(v)
	if t.count == 1 || v > t.max {
		t.max = v
	}
	if t.count == 1 || v < t.min {
		t.min = v
	}
	t.sum += v
	if t.count == 1 {
		t.mean, t.s = v, 0
	} else {
		old := t.mean
		t.mean = old + (v-old)/float64(t.count)
		t.s += (v - old) * (v - t.mean)
	}
}

// stddev is the sample standard deviation (0 for fewer than two values).
func (t *timer) stddev() float64 {
	if t.count <= 1 {
		return 0
	}
	return math.Sqrt(t.s / float64(t.count-1))
}

func (t *timer) average() float64 {
	if t.count == 0 {
		return 0
	}
	return t.sum / float64(t.count)
}

// decayingSample keeps the sampleSize values of highest priority, where a
// value's priority is its forward-decay weight over a random number, so
// recent values are likelier to stay.
type decayingSample struct {
	now       func() time.Time
	start     time.Time
	nextScale time.Time
	entries   []sampleEntry // sorted by priority, lowest first
}

type sampleEntry struct {
	priority float64
	value    float64
}

func newDecayingSample(now func() time.Time) decayingSample {
	t := now()
	return decayingSample{now: now, start: t, nextScale: t.Add(rescaleTime)}
}

func (d *decayingSample) weight(at time.Time) float64 {
	return math.Exp(sampleAlpha * at.Sub(d.start).Seconds())
}

func (d *decayingSample) update(v float64) {
	now := d.now()
	if !now.Before(d.nextScale) {
		d.rescale(now)
	}
	priority := d.weight(now) / (1 - rand.Float64())
	if math.IsInf(priority, 0) {
		priority = math.MaxFloat64
	}
	i := sort.Search(len(d.entries), func(i int) bool { return d.entries[i].priority >= priority })
	if i < len(d.entries) && d.entries[i].priority == priority {
		return
	}
	if len(d.entries) >= sampleSize {
		if i == 0 {
			return
		}
		copy(d.entries[:i-1], d.entries[1:i])
		d.entries[i-1] = sampleEntry{priority, v}
		return
	}
	d.entries = append(d.entries, sampleEntry{})
	copy(d.entries[i+1:], d.entries[i:])
	d.entries[i] = sampleEntry{priority, v}
}

// rescale moves the decay's landmark forward, so weights stay finite.
func (d *decayingSample) rescale(now time.Time) {
	old := d.start
	d.start = now
	d.nextScale = now.Add(rescaleTime)
	factor := math.Exp(-sampleAlpha * now.Sub(old).Seconds())
	for i := range d.entries {
		d.entries[i].priority *= factor
	}
}

// quantile is the snapshot value at q, interpolated between the two
// nearest sorted values.
func (d *decayingSample) quantile(q float64) float64 {
	if len(d.entries) == 0 {
		return 0
	}
	values := make([]float64, len(d.entries))
	for i, e := range d.entries {
		values[i] = e.value
	}
	sort.Float64s(values)
	pos := q * float64(len(values)+1)
	if pos < 1 {
		return values[0]
	}
	if pos >= float64(len(values)) {
		return values[len(values)-1]
	}
	lower, upper := values[int(pos)-1], values[int(pos)]
	return lower + (pos-math.Floor(pos))*(upper-lower)
}

func sqrt(v float64) float64 { return math.Sqrt(v) }
