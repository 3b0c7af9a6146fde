package monitor

import (
	"time"

	"github.com/gostash/gostash/runtime/pipeline"
)

// counters is one reading of a pipeline's counters, or of the node's
// (every pipeline so far added up), at a moment.
type counters struct {
	at       time.Time
	in       int64
	filtered int64
	out      int64
	busy     time.Duration // workers' time in filters and outputs
	pushWait time.Duration // inputs' time blocked on a full queue
	cpu      time.Duration // process CPU time; only in node readings
	plugins  []pluginCounters
}

type pluginCounters struct {
	in, out int64
	busy    time.Duration
}

func readPipeline(p *pipeline.Pipeline, at time.Time) counters {
	s := p.Stats()
	c := counters{at: at, in: s.In.Load(), filtered: s.Filtered.Load(), out: s.Out.Load(),
		busy: time.Duration(s.DurationNanos.Load()), pushWait: time.Duration(s.QueuePushNanos.Load())}
	ins, filters, outputs := p.PluginStats()
	for _, group := range [][]*pipeline.PluginStats{ins, filters, outputs} {
		for _, ps := range group {
			c.plugins = append(c.plugins, pluginCounters{in: ps.In.Load(), out: ps.Out.Load(), busy: time.Duration(ps.DurationNanos.Load())})
		}
	}
	return c
}

func (c counters) plus(o counters) counters {
	c.in += o.in
	c.filtered += o.filtered
	c.out += o.out
	c.busy += o.busy
	c.pushWait += o.pushWait
	return c
}

// window is one of Logstash's flow-rate windows: the rate over the last
// span, from the oldest reading kept that is no older than span. Windows
// other than "current" are reported only once there is a reading that old.
type window struct {
	name        string
	span        time.Duration
	reportEarly bool
}

// Logstash's windows, minus last_1_hour and last_24_hours: keeping a
// day of readings is not worth the memory of a small agent.
var windows = []window{
	{"current", 10 * time.Second, true},
	{"last_1_minute", time.Minute, false},
	{"last_5_minutes", 5 * time.Minute, false},
	{"last_15_minutes", 15 * time.Minute, false},
}

// history keeps one reading a second, enough for the longest window.
type history struct {
	ring []counters
	next int
	size int
}

func newHistory() *history {
	return &history{ring: make([]counters, int(windows[len(windows)-1].span/sampleEvery)+2)}
}

func (h *history) add(c counters) {
	h.ring[h.next] = c
	h.next = (h.next + 1) % len(h.ring)
	h.size = min(h.size+1, len(h.ring))
}

// at returns the i-th reading, oldest first.
func (h *history) at(i int) counters {
	return h.ring[(h.next-h.size+i+len(h.ring))%len(h.ring)]
}

// since returns the oldest reading taken at or after t.
func (h *history) since(t time.Time) (counters, bool) {
	for i := 0; i < h.size; i++ {
		if r := h.at(i); !r.at.Before(t) {
			return r, true
		}
	}
	return counters{}, false
}

// latest returns the newest reading.
func (h *history) latest() (counters, bool) {
	if h.size == 0 {
		return counters{}, false
	}
	return h.at(h.size - 1), true
}

// ratio is how a flow rate is formed from two readings.
type ratio func(now, base counters) (num, den float64)

// rates reports a flow metric: each window that has data, then lifetime
// (since start, from zero counters). A window is measured from the oldest
// reading inside it; until the pipeline is older than the window, only
// "current" is reported, measured from the start. A rate whose denominator
// did not move is left out, as Logstash leaves out rates it cannot compute.
func rates(h *history, now, start counters, f ratio) obj {
	out := obj{}
	up := now.at.Sub(start.at)
	for _, w := range windows {
		base := start
		switch {
		case up > w.span:
			b, ok := h.since(now.at.Add(-w.span))
			if !ok {
				continue
			}
			base = b
		case !w.reportEarly:
			continue
		}
		if num, den := f(now, base); den != 0 {
			out.add(w.name, roundRate(num/den))
		}
	}
	if num, den := f(now, start); den != 0 {
		out.add("lifetime", roundRate(num/den))
	}
	return out
}
