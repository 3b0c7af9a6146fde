package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
	"github.com/gostash/gostash/runtime/queue/persisted"
)

// Pipeline is a compiled, runnable pipeline.
type Pipeline struct {
	settings   plugin.PipelineSettings
	logger     *slog.Logger
	inputs     []*inputStep
	filters    []*filterStep
	outputs    []*outputStep
	filterRoot *node
	outputRoot *node

	queue eventQueue
	// persisted is the persisted queue while the pipeline runs with one,
	// for QueueStats.
	persisted atomic.Pointer[persistedQueue]
	stats     Stats

	reloads *ReloadStats
	ready   chan struct{} // closed once Run has started the plugins and inputs, or failed to

	// deadLetters is the dead letter queue (dead_letter_queue.enable); nil
	// when it is off. The pipeline starts and closes it when it is a
	// plugin.Starter and a plugin.Closer.
	deadLetters  plugin.DeadLetterQueue
	ifDeadLetter plugin.DeadLetterWriter
	fatalOnce    sync.Once
	fatal        error
	stopAll      context.CancelFunc
}

// Stats are the pipeline's event counters, read by the monitoring API.
type Stats struct {
	In              atomic.Int64 // events pushed into the queue
	Filtered        atomic.Int64 // events that left the filters
	Out             atomic.Int64 // events delivered by the outputs
	DurationNanos   atomic.Int64 // time workers spent in filters and outputs
	QueuePushNanos  atomic.Int64 // time inputs spent blocked on a full queue
	StartedUnixNano atomic.Int64
}

// PluginStats are one plugin's counters.
type PluginStats struct {
	ID            string
	Name          string
	In            atomic.Int64
	Out           atomic.Int64
	DurationNanos atomic.Int64
}

// Stats returns the pipeline's counters.
func (p *Pipeline) Stats() *Stats { return &p.stats }

// PluginStats returns every plugin's counters by kind.
func (p *Pipeline) PluginStats() (inputs, filters, outputs []*PluginStats) {
	for _, s := range p.inputs {
		inputs = append(inputs, s.stats)
	}
	for _, s := range p.filters {
		filters = append(filters, s.stats)
	}
	for _, s := range p.outputs {
		outputs = append(outputs, s.stats)
	}
	return
}

// Settings returns the pipeline settings.
func (p *Pipeline) Settings() plugin.PipelineSettings { return p.settings }

// Run starts the inputs and workers and blocks until the pipeline is done:
// every input finished (stdin at EOF, a generator's count) or ctx was
// cancelled (SIGINT/SIGTERM). Either way the inputs stop, the queue drains,
// filters flush, outputs deliver what they were given and every plugin is
// closed. A non-nil error means the pipeline failed (an output error).
func (p *Pipeline) Run(ctx context.Context) error {
	for i, o := range p.outputs {
		o.index = i
	}
	if err := p.startPlugins(); err != nil {
		close(p.ready)
		p.closeAll()
		p.closeDeadLetters()
		p.logger.Error("Pipeline error", slog.String("error", err.Error()))
		return err
	}
	defer p.closeDeadLetters()
	workers := max(p.settings.Workers, 1)
	batch := max(p.settings.BatchSize, 1)
	if err := p.openQueue(batch * workers); err != nil {
		close(p.ready)
		p.logger.Error("Pipeline could not open its queue", slog.String("error", err.Error()))
		p.closeAll()
		return err
	}
	p.stats.StartedUnixNano.Store(time.Now().UnixNano())

	inputCtx, stopInputs := context.WithCancel(ctx)
	defer stopInputs()
	// Outputs keep retrying through a graceful shutdown; only a fatal error
	// cancels them.
	outputCtx, stopOutputs := context.WithCancel(context.Background())
	defer stopOutputs()
	p.stopAll = func() { stopInputs(); stopOutputs() }

	p.logger.Info("Starting pipeline", slog.Int("pipeline.workers", workers), slog.Int("pipeline.batch.size", batch),
		slog.Int64("pipeline.batch.delay", p.settings.BatchDelay.Milliseconds()), slog.Int("pipeline.max_inflight", batch*workers))

	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{p: p, ctx: outputCtx, perOutput: make([][]*event.Event, len(p.outputs))}
			w.loop(batch, p.settings.BatchDelay)
		}()
	}
	flushDone := make(chan struct{})
	flushStop := make(chan struct{})
	go p.periodicFlush(outputCtx, flushStop, flushDone)

	var inputs sync.WaitGroup
	for _, in := range p.inputs {
		inputs.Add(1)
		go func() {
			defer inputs.Done()
			p.runInput(inputCtx, in)
		}()
	}
	p.logger.Info("Pipeline started")
	close(p.ready)
	inputs.Wait()
	if pq := p.persisted.Load(); pq != nil && pq.drain {
		p.logger.Info("Draining the persisted queue before stopping (queue.drain)", slog.Int64("queue.events", pq.q.Stats().Unread))
	}
	p.queue.close()
	wg.Wait()
	close(flushStop)
	<-flushDone
	p.finalFlush(outputCtx)
	p.closeAll()
	if err := p.queue.release(); err != nil {
		p.logger.Error("Pipeline could not close its queue", slog.String("error", err.Error()))
	}
	p.persisted.Store(nil)
	// The counts show at a glance that a shutdown lost nothing: every event
	// taken in was filtered and delivered (or dropped by a filter).
	p.logger.Info("Pipeline terminated", slog.Int64("events.in", p.stats.In.Load()),
		slog.Int64("events.filtered", p.stats.Filtered.Load()), slog.Int64("events.out", p.stats.Out.Load()))
	return p.fatal
}

// openQueue makes the queue queue.type asks for: a ring of capacity
// events, or the persisted queue in path.queue/<pipeline.id>.
func (p *Pipeline) openQueue(capacity int) error {
	switch p.settings.Queue.Type {
	case "", "memory":
		p.queue = newMemoryQueue(capacity)
	case "persisted":
		pq, err := openPersistedQueue(p.settings, p.logger)
		if err != nil {
			return err
		}
		p.queue = pq
		p.persisted.Store(pq)
	default:
		return fmt.Errorf("%w, not %q", errQueueType, p.settings.Queue.Type)
	}
	return nil
}

// QueueStats are the persisted queue's figures while the pipeline runs
// with one; ok is false otherwise.
func (p *Pipeline) QueueStats() (stats persisted.Stats, ok bool) {
	if pq := p.persisted.Load(); pq != nil {
		return pq.q.Stats(), true
	}
	return stats, false
}

func (p *Pipeline) fail(err error) {
	p.fatalOnce.Do(func() {
		p.fatal = err
		p.logger.Error("Pipeline worker error, the pipeline will be stopped", slog.String("error", err.Error()))
		p.stopAll()
	})
}

// runInput runs one input, restarting it a second after an error as
// Logstash does, until it finishes or the pipeline stops.
func (p *Pipeline) runInput(ctx context.Context, in *inputStep) {
	em := &emitter{p: p, step: in}
	for {
		err := safeRun(func() error { return in.input.Run(ctx, em) })
		if err == nil || ctx.Err() != nil {
			return
		}
		in.settings.Logger().Error("A plugin had an unrecoverable error. Will restart this plugin.", slog.String("error", err.Error()))
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func safeRun(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return fn()
}

type emitter struct {
	p    *Pipeline
	step *inputStep
}

func (em *emitter) Emit(e *event.Event) {
	em.Decorate(e)
	em.EmitDecorated(e)
}

func (em *emitter) Decorate(e *event.Event) {
	if !em.step.decorator.empty() {
		if err := em.step.decorator.decorate(e); err != nil {
			em.step.settings.Logger().Warn("Could not decorate event", slog.String("error", err.Error()))
		}
	}
}

func (em *emitter) EmitDecorated(e *event.Event) {
	one := [1]*event.Event{e}
	em.EmitDecoratedBatch(one[:])
}

// EmitDecoratedBatch queues events in order with one queue operation (see
// plugin.BatchEmitter).
func (em *emitter) EmitDecoratedBatch(events []*event.Event) {
	em.step.stats.Out.Add(int64(len(events)))
	em.p.stats.In.Add(int64(len(events)))
	if waited := em.p.queue.push(events); waited > 0 {
		em.p.stats.QueuePushNanos.Add(int64(waited))
	}
}

type worker struct {
	p        *Pipeline
	ctx      context.Context
	batch    []*event.Event
	filtered []*event.Event
	// made holds the events the filter being called makes (clone,
	// split), in order.
	made      []*event.Event
	perOutput [][]*event.Event

	// Events waiting at batch filters (see runParked), and the buffers a
	// batch filter's call reuses.
	parked      []pendingEvent
	parkedSpare []pendingEvent
	group       []*event.Event
	matched     []bool
	children    []madeEvent

	// The filter being called, read by emit: one callback per worker
	// instead of a closure per call.
	emitFrom *filterStep
	emit     func(*event.Event)
}

type pendingEvent struct {
	e    *event.Event
	from *node
}

// madeEvent is an event a batch filter made from events[parent].
type madeEvent struct {
	parent int
	e      *event.Event
}

// loop takes batches of up to size events, waiting at most delay for each
// next event after the first, until the queue is closed and empty.
func (w *worker) loop(size int, delay time.Duration) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		var ok bool
		w.batch, ok = w.p.queue.take(w.batch[:0], size, delay, timer)
		if !ok {
			return
		}
		w.process(w.batch)
	}
}

// process runs a batch through the filters, then the outputs, then tells
// the inputs the events are done.
func (w *worker) process(batch []*event.Event) {
	start := time.Now()
	w.filtered = w.filtered[:0]
	for _, e := range batch {
		w.runFilters(e, w.p.filterRoot)
	}
	w.runParked()
	w.p.stats.Filtered.Add(int64(len(w.filtered)))
	w.deliverChunked(w.filtered)
	w.p.stats.DurationNanos.Add(int64(time.Since(start)))
}

// deliverChunked hands a batch to the outputs, in chunks of the batch size
// when the filters made it more than OutputChunkingFactor times bigger
// (split on a huge array), so that no output gets one enormous batch.
func (w *worker) deliverChunked(events []*event.Event) {
	size := max(w.p.settings.BatchSize, 1)
	if factor := w.p.settings.OutputChunkingFactor; factor <= 0 || len(events) <= factor*size {
		w.deliver(events)
		return
	}
	for len(events) > 0 {
		n := min(size, len(events))
		w.deliver(events[:n])
		events = events[n:]
	}
}

// runFilters takes e from node n through the filters and appends what
// comes out to w.filtered. Once a filter makes events from e, e and those
// events go on as a group (see runGroup).
func (w *worker) runFilters(e *event.Event, n *node) {
	if out := w.walkFilters(e, n); out != nil {
		w.filtered = append(w.filtered, out)
	}
}

func (w *worker) walkFilters(e *event.Event, n *node) *event.Event {
	// clock is the time the next filter's call starts, read once per call:
	// a filter's end is the next one's start. Work that is no filter's
	// (a branch, common options) sets it to -1 so the next call reads it.
	clock := time.Duration(-1)
	for n != nil {
		switch {
		case n.branch != nil:
			next, ok := w.chooseBranch(e, n)
			if !ok {
				e.Release()
				return nil
			}
			n = next
			clock = -1
			continue
		case n.filter != nil && n.filter.batch != nil:
			// The event waits for the rest of the batch to reach this
			// filter: runParked takes it on.
			w.parked = append(w.parked, pendingEvent{e, n})
			return nil
		case n.filter != nil:
			f := n.filter
			f.stats.In.Add(1)
			if clock < 0 {
				clock = sinceEpoch()
			}
			var matched bool
			matched, clock = w.callFilter(f, e, clock)
			if len(w.made) > 0 {
				group := w.afterFilter(f, e, matched, nil)
				w.filtered = append(w.filtered, w.runGroup(group, n.next, nil)...)
				return nil
			}
			if e.Cancelled() {
				e.Release()
				return nil
			}
			if matched && !f.common.empty() {
				if err := f.common.apply(e); err != nil {
					f.commonFailed(e, err)
				}
				clock = -1
			}
			f.stats.Out.Add(1)
		}
		n = n.next
	}
	return e
}

// afterFilter finishes a filter's call on e: e, unless the filter cancelled
// it, with the common options when it matched, then the events the filter
// made, appended to out.
func (w *worker) afterFilter(f *filterStep, e *event.Event, matched bool, out []*event.Event) []*event.Event {
	if e.Cancelled() {
		e.Release()
	} else {
		if matched && !f.common.empty() {
			if err := f.common.apply(e); err != nil {
				f.commonFailed(e, err)
			}
		}
		f.stats.Out.Add(1)
		out = append(out, e)
	}
	out = append(out, w.made...)
	clear(w.made)
	w.made = w.made[:0]
	return out
}

// runGroup takes a group of events from node n up to stop (nil: the end of
// the filters) the way Logstash's compiled pipeline moves a batch through
// its datasets, which is its order for an event and the events made from
// it: each filter takes the whole group, every event followed by the events
// made from it; a conditional splits the group, and its branches join again
// in Logstash's order (see runBranch).
func (w *worker) runGroup(group []*event.Event, n, stop *node) []*event.Event {
	for ; n != stop && len(group) > 0; n = n.next {
		switch {
		case n.branch != nil:
			group = w.runBranch(group, n, 0)
		case n.filter != nil && n.filter.batch != nil:
			group = w.batchFilterOut(n.filter, group)
		case n.filter != nil:
			f := n.filter
			var out []*event.Event
			for _, e := range group {
				f.stats.In.Add(1)
				matched, _ := w.callFilter(f, e, sinceEpoch())
				out = w.afterFilter(f, e, matched, out)
			}
			group = out
		}
	}
	return group
}

// runBranch takes a group through the branch at n from its case i on. As
// Logstash builds its graph, `if` case i is a vertex whose true side is the
// case's body and whose false side is the rest of the chain; an if with
// nothing on either side is left out (its condition never evaluated); the
// outputs join true side first, then false side, then the events that went
// to an empty side.
func (w *worker) runBranch(group []*event.Event, n *node, i int) []*event.Event {
	br := n.branch
	if i == len(br.conds) {
		if len(br.bodies) > i && !emptyChain(br.bodies[i], n.next) {
			return w.runGroup(group, br.bodies[i], n.next)
		}
		return group
	}
	trueEmpty, falseEmpty := emptyChain(br.bodies[i], n.next), true
	for _, body := range br.bodies[i+1:] {
		falseEmpty = falseEmpty && emptyChain(body, n.next)
	}
	if trueEmpty && falseEmpty {
		return group
	}
	var yes, no, out []*event.Event
	for _, e := range group {
		v, err := br.conds[i](e)
		switch {
		case err != nil:
			w.p.logger.Warn(err.Error() + ". Event was dropped, enable debug logging to see the event's payload")
			e.Release()
		case v:
			yes = append(yes, e)
		default:
			no = append(no, e)
		}
	}
	if !trueEmpty {
		out = append(out, w.runGroup(yes, br.bodies[i], n.next)...)
	}
	if !falseEmpty {
		out = append(out, w.runBranch(no, n, i+1)...)
	}
	if trueEmpty {
		out = append(out, yes...)
	}
	if falseEmpty {
		out = append(out, no...)
	}
	return out
}

// emptyChain reports whether the statements from n up to stop run no
// filter: nothing but conditionals with empty bodies.
func emptyChain(n, stop *node) bool {
	for ; n != stop; n = n.next {
		if n.filter != nil {
			return false
		}
		if n.branch != nil {
			for _, body := range n.branch.bodies {
				if !emptyChain(body, n.next) {
					return false
				}
			}
		}
	}
	return true
}

// monoEpoch anchors a cheap clock for per-call timings: time.Since on a
// time with a monotonic reading reads one clock, time.Now two.
var monoEpoch = time.Now()

// sinceEpoch reads that clock; tests swap it for one they advance
// themselves, so per-filter timings can be checked exactly.
var sinceEpoch = func() time.Duration { return time.Since(monoEpoch) }

// callFilter runs f on e, which started at start (on monoEpoch's clock),
// and returns when it ended.
func (w *worker) callFilter(f *filterStep, e *event.Event, start time.Duration) (matched bool, end time.Duration) {
	w.emitFrom = f
	if w.emit == nil {
		w.emit = w.emitted
	}
	defer func() {
		end = sinceEpoch()
		f.stats.DurationNanos.Add(int64(end - start))
		if r := recover(); r != nil {
			f.settings.Logger().Error("Filter failed on an event; passing the event on unchanged",
				slog.String("error", fmt.Sprint(r)), slog.String("stack", string(debug.Stack())))
			matched = false
		}
	}()
	return f.filter.Filter(e, w.emit), 0
}

// runParked runs the events waiting at batch filters until none wait: each
// filter gets every event waiting at it in one call, filters in the order
// their first event arrived. What comes out continues through the filters
// after, and may wait again at a later batch filter. A batch of events
// that all go through a batch filter keeps its order, each event followed
// by the events made from it, as Logstash's batch execution gives.
func (w *worker) runParked() {
	for len(w.parked) > 0 {
		at := w.parked[0].from
		group, rest := w.group[:0], w.parkedSpare[:0]
		for _, pe := range w.parked {
			if pe.from == at {
				group = append(group, pe.e)
			} else {
				rest = append(rest, pe)
			}
		}
		w.group, w.parkedSpare, w.parked = group, w.parked[:0], rest
		w.callBatchFilter(at, group)
	}
}

// callBatchFilter runs the batch filter at n on events, then takes each
// event on through the filters after, as a group with the events made from
// it when there are any.
func (w *worker) callBatchFilter(n *node, events []*event.Event) {
	f := n.filter
	w.matched, w.children = callBatch(f, events, w.matched, w.children)
	c := 0
	var family []*event.Event
	for i, e := range events {
		family = family[:0]
		if !keepBatchEvent(f, e, w.matched[i]) {
			e.Release()
		} else {
			family = append(family, e)
		}
		for ; c < len(w.children) && w.children[c].parent <= i; c++ {
			family = append(family, w.children[c].e)
		}
		switch len(family) {
		case 0:
		case 1:
			w.runFilters(family[0], n.next)
		default:
			w.filtered = append(w.filtered, w.runGroup(slices.Clone(family), n.next, nil)...)
		}
	}
	// Events claimed to come from an event outside the batch still go on.
	for ; c < len(w.children); c++ {
		w.runFilters(w.children[c].e, n.next)
	}
}

// batchFilterOut runs the batch filter f on a group and returns what comes
// out: each event followed by the events made from it.
func (w *worker) batchFilterOut(f *filterStep, group []*event.Event) []*event.Event {
	matched, children := callBatch(f, group, nil, nil)
	var out []*event.Event
	c := 0
	for i, e := range group {
		if keepBatchEvent(f, e, matched[i]) {
			out = append(out, e)
		} else {
			e.Release()
		}
		for ; c < len(children) && children[c].parent <= i; c++ {
			out = append(out, children[c].e)
		}
	}
	for ; c < len(children); c++ {
		out = append(out, children[c].e)
	}
	return out
}

// callBatch calls a batch filter, reusing the matched and children buffers
// given, and returns them filled: whether each event matched, and the
// events it made ordered by the event they were made from.
func callBatch(f *filterStep, events []*event.Event, matched []bool, children []madeEvent) ([]bool, []madeEvent) {
	f.stats.In.Add(int64(len(events)))
	matched = slices.Grow(matched[:0], len(events))[:len(events)]
	clear(matched)
	children = children[:0]
	start := time.Now()
	func() {
		defer func() {
			if r := recover(); r != nil {
				f.settings.Logger().Error("Filter failed on a batch; passing its events on unchanged",
					slog.String("error", fmt.Sprint(r)), slog.String("stack", string(debug.Stack())))
				clear(matched)
			}
		}()
		f.batch.FilterBatch(events, matched, func(parent int, e *event.Event) {
			children = append(children, madeEvent{parent, e})
		})
	}()
	f.stats.DurationNanos.Add(int64(time.Since(start)))
	slices.SortStableFunc(children, func(a, b madeEvent) int { return a.parent - b.parent })
	return matched, children
}

// keepBatchEvent reports whether an event a batch filter had goes on (it
// was not cancelled), applying the filter's common options when it matched.
func keepBatchEvent(f *filterStep, e *event.Event, matched bool) bool {
	if e.Cancelled() {
		return false
	}
	if matched && !f.common.empty() {
		if err := f.common.apply(e); err != nil {
			f.settings.Logger().Warn("Could not apply common filter options", slog.String("error", err.Error()))
		}
	}
	f.stats.Out.Add(1)
	return true
}

// emitted takes an event the filter being called made: it gets the
// filter's common options and follows the event it was made from.
func (w *worker) emitted(ne *event.Event) {
	f := w.emitFrom
	if !f.common.empty() {
		if err := f.common.apply(ne); err != nil {
			f.commonFailed(ne, err)
		}
	}
	w.made = append(w.made, ne)
}

// chooseBranch evaluates a branch for e. ok is false when a condition could
// not be evaluated: Logstash then drops the event with a warning.
func (w *worker) chooseBranch(e *event.Event, n *node) (*node, bool) {
	br := n.branch
	for i, cond := range br.conds {
		v, err := cond(e)
		if err != nil {
			w.p.conditionFailed(e, err)
			return nil, false
		}
		if v {
			return br.bodies[i], true
		}
	}
	if len(br.bodies) > len(br.conds) {
		return br.bodies[len(br.conds)], true
	}
	return n.next, true
}

// deliver routes events through the output section, hands each output its
// share of the batch, then releases the events.
func (w *worker) deliver(events []*event.Event) {
	if len(events) == 0 {
		return
	}
	for i := range w.perOutput {
		w.perOutput[i] = w.perOutput[i][:0]
	}
	for _, e := range events {
		w.route(e, w.p.outputRoot)
	}
	failed := false
	for i, o := range w.p.outputs {
		batch := w.perOutput[i]
		if len(batch) == 0 {
			continue
		}
		o.stats.In.Add(int64(len(batch)))
		start := time.Now()
		err := safeRun(func() error { return o.output.Output(w.ctx, batch) })
		o.stats.DurationNanos.Add(int64(time.Since(start)))
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				w.p.fail(fmt.Errorf("%s output %q: %w", o.name, o.id, err))
			}
			failed = true
			continue
		}
		o.stats.Out.Add(int64(len(batch)))
	}
	w.p.stats.Out.Add(int64(len(events)))
	if failed && w.p.persisted.Load() != nil {
		// Not released, the batch stays unacknowledged in the persisted
		// queue and is processed again after a restart, as Logstash does
		// with a batch an output aborts.
		return
	}
	for _, e := range events {
		e.Release()
	}
}

func (w *worker) route(e *event.Event, n *node) {
	for n != nil {
		switch {
		case n.branch != nil:
			next, ok := w.chooseBranch(e, n)
			if !ok {
				return
			}
			n = next
			continue
		case n.output != nil:
			w.perOutput[n.output.index] = append(w.perOutput[n.output.index], e)
		}
		n = n.next
	}
}

func (p *Pipeline) periodicFlush(ctx context.Context, stop, done chan struct{}) {
	defer close(done)
	var flushers []*node
	collectFlushers(p.filterRoot, &flushers, map[*node]bool{})
	if len(flushers) == 0 {
		return
	}
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.flush(ctx, flushers, false)
		}
	}
}

func (p *Pipeline) finalFlush(ctx context.Context) {
	var flushers []*node
	collectFlushers(p.filterRoot, &flushers, map[*node]bool{})
	p.flush(ctx, flushers, true)
}

func (p *Pipeline) flush(ctx context.Context, flushers []*node, final bool) {
	w := &worker{p: p, ctx: ctx, perOutput: make([][]*event.Event, len(p.outputs))}
	for _, n := range flushers {
		w.filtered = w.filtered[:0]
		for _, e := range n.filter.flushed(final) {
			w.runFilters(e, n.next)
		}
		w.runParked()
		p.stats.Filtered.Add(int64(len(w.filtered)))
		w.deliver(w.filtered)
	}
}

func collectFlushers(n *node, out *[]*node, seen map[*node]bool) {
	for ; n != nil && !seen[n]; n = n.next {
		seen[n] = true
		if n.filter != nil && n.filter.flush != nil {
			*out = append(*out, n)
		}
		if n.branch != nil {
			for _, b := range n.branch.bodies {
				collectFlushers(b, out, seen)
			}
		}
	}
}

// startPlugins opens the dead letter queue, then calls Start on the
// plugins that take hold of something shared when the pipeline starts
// (plugin.Starter).
func (p *Pipeline) startPlugins() error {
	if starter, ok := p.deadLetters.(plugin.Starter); ok {
		if err := starter.Start(); err != nil {
			return fmt.Errorf("dead letter queue: %w", err)
		}
	}
	for _, st := range p.steps() {
		if starter, ok := st.plugin.(plugin.Starter); ok {
			if err := starter.Start(); err != nil {
				return fmt.Errorf("%s %s %q: %w", st.settings.Kind(), st.name, st.id, err)
			}
		}
	}
	return nil
}

// steps lists every plugin of the pipeline: inputs, filters, outputs.
func (p *Pipeline) steps() []step {
	var all []step
	for _, s := range p.inputs {
		all = append(all, s.step)
	}
	for _, s := range p.filters {
		all = append(all, s.step)
	}
	for _, s := range p.outputs {
		all = append(all, s.step)
	}
	return all
}

// closeDeadLetters closes the dead letter queue once no plugin can write.
func (p *Pipeline) closeDeadLetters() {
	if closer, ok := p.deadLetters.(plugin.Closer); ok {
		if err := closer.Close(); err != nil {
			p.logger.Warn("Error closing the dead letter queue", slog.String("error", err.Error()))
		}
	}
}

// conditionFailed handles an event whose condition could not be evaluated
// (comparing a string with a number): as in Logstash it goes to the dead
// letter queue when there is one, and is dropped otherwise.
func (p *Pipeline) conditionFailed(e *event.Event, err error) {
	if p.ifDeadLetter == nil {
		p.logger.Warn(err.Error() + ". Event was dropped, enable debug logging to see the event's payload")
		return
	}
	p.logger.Warn(err.Error() + ". Failing event was sent to dead letter queue")
	if werr := p.ifDeadLetter.Write(e, "condition evaluation error, "+err.Error()); werr != nil {
		p.logger.Error("Can't write in DLQ", slog.String("error", werr.Error()))
	}
}

// DeadLetters is the pipeline's dead letter queue; nil when it is off.
func (p *Pipeline) DeadLetters() plugin.DeadLetterQueue { return p.deadLetters }

func (p *Pipeline) closeAll() {
	for _, pl := range p.steps() {
		if pl.closer != nil {
			if err := pl.closer.Close(); err != nil {
				pl.settings.Logger().Warn("Error closing plugin", slog.String("error", err.Error()))
			}
		}
	}
}

// Reloadable reports whether the pipeline may be replaced by a reload: not
// when an input declares it cannot be restarted (stdin cannot be re-read).
func (p *Pipeline) Reloadable() bool {
	for _, in := range p.inputs {
		if !in.settings.Reloadable() {
			return false
		}
	}
	return true
}

// Ready is closed once Run has started the pipeline's plugins and inputs
// (a pipeline input is then bound to its address), or has failed to.
func (p *Pipeline) Ready() <-chan struct{} { return p.ready }

// FedByPipelines reports whether every input of the pipeline receives only
// from other pipelines of the process: once none of those runs, this
// pipeline has nothing left to do.
func (p *Pipeline) FedByPipelines() bool {
	for _, in := range p.inputs {
		if !in.settings.FedByPipelines() {
			return false
		}
	}
	return len(p.inputs) > 0
}

// ReloadStats count config reloads, for the monitoring API.
type ReloadStats struct {
	mu          sync.Mutex
	Successes   int64
	Failures    int64
	LastError   string
	LastSuccess time.Time
	LastFailure time.Time
}

// Reloads returns the pipeline's reload counters.
func (p *Pipeline) Reloads() *ReloadStats {
	if p.reloads == nil {
		p.reloads = &ReloadStats{}
	}
	return p.reloads
}

// RecordReload counts a reload attempt: err nil for a success.
func (p *Pipeline) RecordReload(err error) {
	r := p.Reloads()
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.Failures++
		r.LastError = err.Error()
		r.LastFailure = time.Now()
		return
	}
	r.Successes++
	r.LastSuccess = time.Now()
}

// InheritReloads carries the reload history over from the pipeline this one replaces.
func (p *Pipeline) InheritReloads(old *Pipeline) { p.reloads = old.Reloads() }

// Filters returns the pipeline's filter plugins in config order, so a test
// kit can call the one it compiled directly.
func (p *Pipeline) Filters() []plugin.Filter {
	out := make([]plugin.Filter, len(p.filters))
	for i, f := range p.filters {
		out[i] = f.filter
	}
	return out
}

// ProcessFilters runs events through the filter section only, on the
// calling goroutine, and returns what comes out (in Logstash's order, with
// dropped events gone and events made by filters included), followed by
// what flushing filters release. `gostash test` uses it to check filters
// the way Logstash Filter Verifier does, without inputs or outputs.
func (p *Pipeline) ProcessFilters(events []*event.Event) []*event.Event {
	w := &worker{p: p, ctx: context.Background()}
	for _, e := range events {
		w.runFilters(e, p.filterRoot)
	}
	w.runParked()
	var flushers []*node
	collectFlushers(p.filterRoot, &flushers, map[*node]bool{})
	for _, n := range flushers {
		for _, e := range n.filter.flushed(true) {
			w.runFilters(e, n.next)
		}
		w.runParked()
	}
	return w.filtered
}
