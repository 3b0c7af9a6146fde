// Package ruby is Logstash's ruby filter run by a real Ruby: the user's
// `code` (or `path` script) runs in MRI, in worker processes gostash
// starts, feeds and supervises over pipes, so it means exactly what it
// means in Logstash. Each pipeline worker gets its own Ruby process, and a
// batch crosses to it and back in one round trip; see worker.rb for the
// Ruby side, and wirejson.go and marshal.go for how values keep their
// types on the way.
package ruby

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/gostash/gostash/runtime/event"
)

// DefaultTimeout is how long a worker may take over one batch (or over
// starting up) before it is deemed hung, killed and replaced.
const DefaultTimeout = 60 * time.Second

// stopGrace is how long a worker has to exit after its requests end.
const stopGrace = 5 * time.Second

// errCodeOrPath is Logstash's message for a ruby filter with both code and
// path, or neither.
var errCodeOrPath = errors.New(`You must either use an inline script with the "code" option or a script file using "path".`)

// Config is a ruby filter's settings: Logstash's options plus how gostash
// runs them.
type Config struct {
	// Code is run for each event unless Path is set (an empty Code does
	// nothing, as in Logstash).
	Code                    string
	Init                    string
	Path                    string
	ScriptParams            *event.Map
	TagOnException          string
	TagWithExceptionMessage bool
	// ID is the plugin id, shown to the code as @id.
	ID string
	// Workers bounds the Ruby processes: one per pipeline worker.
	Workers int
	// Timeout is how long a batch may take; 0 means DefaultTimeout.
	Timeout time.Duration
	// Logger receives the code's @logger records and the filter's own.
	Logger *slog.Logger
	// Stdout and Stderr are where the code's puts and warnings go
	// (default: gostash's own).
	Stdout, Stderr io.Writer
}

// SetupError is a failure to set the code up: a syntax error, a script
// that does not load, an init or register that raises, failing tests.
type SetupError struct {
	// Kind is "syntax" for a syntax error, "error" otherwise.
	Kind    string
	Message string
	// File is where Ruby located the error: "(ruby filter code)",
	// "(ruby filter init)" or the script's path; Line is Ruby's line there.
	File string
	Line int
}

func (e *SetupError) Error() string { return e.Message }

// Filter runs Ruby code on events through a pool of Ruby workers.
type Filter struct {
	cfg     Config
	logger  *slog.Logger
	setup   []byte // the setup frame every new worker gets
	idle    chan *process
	slots   chan struct{} // one token per running or starting worker
	mu      sync.Mutex
	running map[*process]struct{}
}

// New checks the code, starts the first worker and runs the code's
// setup in it (init, or the script's tests and register), so a config that
// builds is one whose code compiles and registers.
func New(cfg Config) (*Filter, error) {
	f, err := prepare(cfg)
	if err != nil {
		return nil, err
	}
	// The first worker also runs a script's tests, as Logstash does when it
	// builds the plugin, and fails on a failing one; the workers started
	// later only register.
	tests := testsNone
	if cfg.Path != "" {
		tests = testsEnforce
	}
	first, err := f.setupBody(true, tests)
	if err != nil {
		return nil, err
	}
	f.slots <- struct{}{}
	p, _, err := f.startWorker(first)
	if err != nil {
		<-f.slots
		return nil, err
	}
	f.idle <- p
	return f, nil
}

// prepare checks cfg, fills in its defaults and makes the filter, with no
// worker yet.
func prepare(cfg Config) (*Filter, error) {
	if cfg.Code != "" && cfg.Path != "" {
		return nil, errCodeOrPath
	}
	if cfg.Workers < 1 {
		cfg.Workers = 1
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Stdout == nil {
		cfg.Stdout = os.Stdout
	}
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	if cfg.TagOnException == "" {
		cfg.TagOnException = "_rubyexception"
	}
	f := &Filter{
		cfg:     cfg,
		logger:  cfg.Logger,
		idle:    make(chan *process, cfg.Workers),
		slots:   make(chan struct{}, cfg.Workers),
		running: map[*process]struct{}{},
	}
	var err error
	f.setup, err = f.setupBody(true, testsNone)
	return f, err
}

// What a worker does with a script's test blocks at setup.
const (
	testsNone    = "none"
	testsEnforce = "enforce" // run them; any failure fails the setup
	testsReport  = "report"  // run them and return the counts
)

// setupBody is the Marshal'd settings of a worker.
func (f *Filter) setupBody(register bool, tests string) ([]byte, error) {
	cfg := f.cfg
	settings := event.NewMap(16)
	settings.Set("id", cfg.ID)
	if cfg.Path != "" {
		settings.Set("path", cfg.Path)
		params := cfg.ScriptParams
		if params == nil {
			params = event.NewMap(0)
		}
		settings.Set("script_params", params)
	} else {
		settings.Set("code", cfg.Code)
		if cfg.Init != "" {
			settings.Set("init", cfg.Init)
		}
	}
	settings.Set("tag_on_exception", cfg.TagOnException)
	settings.Set("tag_with_exception_message", cfg.TagWithExceptionMessage)
	settings.Set("register", register)
	settings.Set("tests", tests)
	settings.Set("escape_style", event.FieldRefEscapeStyle())
	settings.Set("log_level", int64(minRubyLevel(f.logger)))
	if fixed, err := time.Parse(time.RFC3339Nano, os.Getenv("GOSTASH_NOW")); err == nil {
		// Events made in Ruby get the fixed instant gostash stamps its
		// own with (see event.Now).
		settings.Set("fixed_now", event.Timestamp{Time: fixed})
	}
	w := newMarshalWriter()
	w.begin()
	if err := w.value(settings); err != nil {
		return nil, err
	}
	return w.b, nil
}

// minRubyLevel is the index in worker.rb's LEVELS of the lowest level the
// logger records (len(rubyLevels) when it records none).
func minRubyLevel(l *slog.Logger) int {
	for i, lvl := range rubyLevels {
		if l.Enabled(context.Background(), lvl) {
			return i
		}
	}
	return len(rubyLevels)
}

// startWorker starts a Ruby process and sets it up. The reply of a setup
// that ran tests holds their counts.
func (f *Filter) startWorker(setup []byte) (*process, any, error) {
	p, err := startProcess(f.cfg.Stdout, f.cfg.Stderr, f.logger)
	if err != nil {
		return nil, nil, err
	}
	reply, err := f.exchange(p, frameSetup, setup)
	if err != nil {
		p.kill()
		return nil, nil, fmt.Errorf("starting the Ruby worker: %w", err)
	}
	r := &p.reader
	if err := r.reset(reply.body); err != nil {
		p.kill()
		return nil, nil, err
	}
	v, err := r.value()
	if err != nil {
		p.kill()
		return nil, nil, err
	}
	if reply.kind == frameError {
		p.kill()
		return nil, nil, setupError(v)
	}
	if reply.kind != frameOK {
		p.kill()
		return nil, nil, fmt.Errorf("the Ruby worker answered its setup with a %q frame", reply.kind)
	}
	f.mu.Lock()
	f.running[p] = struct{}{}
	f.mu.Unlock()
	return p, v, nil
}

func setupError(v any) error {
	rec, _ := v.([]any)
	e := &SetupError{Kind: "error", Message: "the Ruby worker could not set the code up"}
	if len(rec) == 4 {
		if s, ok := rec[0].(string); ok {
			e.Kind = s
		}
		if s, ok := rec[1].(string); ok {
			e.Message = s
		}
		e.File, _ = rec[2].(string)
		if n, ok := rec[3].(int64); ok {
			e.Line = int(n)
		}
	}
	return e
}

// exchange sends one request and waits for its reply within the timeout,
// answering the worker's questions meanwhile.
func (f *Filter) exchange(p *process, kind byte, body []byte) (frame, error) {
	deadline := time.Now().Add(f.cfg.Timeout)
	if err := p.send(kind, body, f.cfg.Timeout); err != nil {
		return frame{}, err
	}
	return p.await(deadline, func(q []byte) []byte { return answer(p, q) })
}

// acquire takes an idle worker, or starts one while there are fewer than
// Workers, or waits for one to be released.
func (f *Filter) acquire() (*process, error) {
	select {
	case p := <-f.idle:
		return p, nil
	default:
	}
	select {
	case p := <-f.idle:
		return p, nil
	case f.slots <- struct{}{}:
		p, _, err := f.startWorker(f.setup)
		if err != nil {
			<-f.slots
			return nil, err
		}
		return p, nil
	}
}

func (f *Filter) release(p *process) { f.idle <- p }

// discard kills a worker that died or hung and frees its slot.
func (f *Filter) discard(p *process) {
	p.kill()
	f.mu.Lock()
	delete(f.running, p)
	f.mu.Unlock()
	<-f.slots
}

// Filter runs the code on one event: a batch of one.
func (f *Filter) Filter(e *event.Event, emit func(*event.Event)) bool {
	matched := []bool{false}
	f.FilterBatch([]*event.Event{e}, matched, func(_ int, ne *event.Event) { emit(ne) })
	return matched[0]
}

// FilterBatch runs the code on a batch in one round trip to a worker.
// matched[i] reports whether events[i] matched (Logstash's filter_matched:
// the code ran without raising); events the code made are passed to emit
// with the index of the event they were made from, in order. If the worker
// dies or hangs, it is replaced and the batch sent again, once; if that
// fails too, every event of the batch is tagged with tag_on_exception and
// passed on unchanged.
func (f *Filter) FilterBatch(events []*event.Event, matched []bool, emit func(int, *event.Event)) {
	for i := range matched {
		matched[i] = false
	}
	if len(events) == 0 {
		return
	}
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		var p *process
		p, err = f.acquire()
		if err != nil {
			break
		}
		var results []result
		results, err = f.runBatch(p, events)
		if err == nil {
			// The results are p's room: applied before another batch
			// can take p.
			f.apply(events, results, matched, emit)
			f.release(p)
			return
		}
		f.discard(p)
		if attempt == 0 {
			f.logger.Warn("The Ruby worker failed on a batch; starting a new one and sending the batch again",
				slog.String("error", err.Error()), slog.Int("events", len(events)))
		}
	}
	f.logger.Error("The Ruby worker failed on the batch again; passing its events on unfiltered and tagged",
		slog.String("error", err.Error()), slog.Int("events", len(events)), slog.String("tag", f.cfg.TagOnException))
	for _, e := range events {
		if f.cfg.TagWithExceptionMessage {
			e.Tag(f.cfg.TagOnException + ": " + err.Error())
		}
		e.Tag(f.cfg.TagOnException)
	}
}

// runBatch sends the events to p and returns the decoded reply, one
// result per event.
func (f *Filter) runBatch(p *process, events []*event.Event) ([]result, error) {
	w := &p.json
	clear(w.decimals)
	if err := w.batch(events); err != nil {
		return nil, err
	}
	// The worker's questions and its reply may hold the batch's decimals.
	p.reader.decimals = w.decimals
	p.jsonIn.decimals = w.decimals
	reply, err := f.exchange(p, frameBatch, w.b)
	if err != nil {
		return nil, err
	}
	switch reply.kind {
	case frameReplyJSON:
		r := &p.jsonIn
		r.b, r.i = reply.body, 0
		p.results, p.writes, err = r.results(events, p.results, p.writes[:0])
	case frameReply:
		r := &p.reader
		var v any
		if err = r.reset(reply.body); err == nil {
			if v, err = r.value(); err == nil {
				p.results, err = resultsFrom(v, p.results)
			}
		}
	default:
		return nil, fmt.Errorf("the Ruby worker answered a batch with a %q frame", reply.kind)
	}
	if err != nil {
		return nil, err
	}
	if len(p.results) != len(events) {
		return nil, fmt.Errorf("the Ruby worker answered a batch of %d events with %d results", len(events), len(p.results))
	}
	return p.results, nil
}

// Flags of a result (worker.rb's FLAG_*).
const (
	flagCancelled = 1
	flagMatched   = 2
	flagMeta      = 4 // the result's metadata replaces the event's
)

// result is what became of one event of a batch, a row of the worker's
// reply: [flags, writes, data, metadata, children], the last three only
// when there is more to say than the writes (see Event#__reply in
// worker.rb).
type result struct {
	flags int64
	// writes are the event's top-level fields to remove or set, in order.
	writes []write
	// data, when not nil, replaces the event's data.
	data *event.Map
	// meta replaces the event's metadata when flags has flagMeta (nil or
	// empty: none).
	meta *event.Map
	// children are the events the code made from this one.
	children []child
}

type write struct {
	key    string
	value  any
	remove bool
}

type child struct{ data, meta *event.Map }

var errMalformed = errors.New("the Ruby worker sent a malformed result")

// resultsFrom reads results from their decoded form (a reply in Marshal),
// into rs, reusing its room.
func resultsFrom(v any, rs []result) ([]result, error) {
	rows, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("the Ruby worker answered a batch with %T", v)
	}
	rs = rs[:0]
	for _, rv := range rows {
		row, _ := rv.([]any)
		if len(row) != 2 && len(row) != 5 {
			return nil, errMalformed
		}
		var res result
		res.flags, _ = row[0].(int64)
		list, ok := row[1].([]any)
		if !ok && row[1] != nil {
			return nil, errMalformed
		}
		for _, wv := range list {
			kv, _ := wv.([]any)
			if len(kv) != 1 && len(kv) != 2 {
				return nil, errMalformed
			}
			k, ok := kv[0].(string)
			if !ok {
				return nil, errMalformed
			}
			if len(kv) == 1 {
				res.writes = append(res.writes, write{key: k, remove: true})
			} else {
				res.writes = append(res.writes, write{key: k, value: kv[1]})
			}
		}
		if len(row) == 5 {
			var err error
			if res.data, err = mapOrNil(row[2]); err != nil {
				return nil, err
			}
			if res.meta, err = mapOrNil(row[3]); err != nil {
				return nil, err
			}
			if res.children, err = childrenFrom(row[4]); err != nil {
				return nil, err
			}
		}
		rs = append(rs, res)
	}
	return rs, nil
}

func mapOrNil(v any) (*event.Map, error) {
	m, ok := v.(*event.Map)
	if !ok && v != nil {
		return nil, errMalformed
	}
	return m, nil
}

// childrenFrom reads the events made from one, [[data, metadata], ...].
func childrenFrom(v any) ([]child, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, errMalformed
	}
	children := make([]child, 0, len(list))
	for _, cv := range list {
		pair, _ := cv.([]any)
		if len(pair) != 2 {
			return nil, errMalformed
		}
		data, ok := pair[0].(*event.Map)
		if !ok {
			return nil, errMalformed
		}
		meta, err := mapOrNil(pair[1])
		if err != nil {
			return nil, err
		}
		children = append(children, child{data, meta})
	}
	return children, nil
}

// apply writes the worker's results into the events and emits the events
// the code made.
func (f *Filter) apply(events []*event.Event, results []result, matched []bool, emit func(int, *event.Event)) {
	for i, e := range events {
		res := &results[i]
		// New events are copies of the one they came from, so they share
		// its acknowledgement: the input hears back once all are done.
		for _, c := range res.children {
			ne := e.Clone()
			replaceData(ne, c.data)
			setMetadata(ne, c.meta)
			emit(i, ne)
		}
		if res.data != nil {
			replaceData(e, res.data)
		}
		d := e.Data()
		for _, w := range res.writes {
			if w.remove {
				d.Delete(w.key)
			} else {
				d.Set(w.key, w.value)
			}
		}
		if res.flags&flagMeta != 0 {
			setMetadata(e, res.meta)
		}
		if res.flags&flagCancelled != 0 {
			e.Cancel()
		}
		matched[i] = res.flags&flagMatched != 0
	}
}

// replaceData replaces e's data with data's fields.
func replaceData(e *event.Event, data *event.Map) {
	d := e.Data()
	d.Clear()
	data.Range(func(k string, v any) bool {
		d.Set(k, v)
		return true
	})
}

// setMetadata replaces e's metadata (nil or empty: none).
func setMetadata(e *event.Event, meta *event.Map) {
	if meta != nil && meta.Len() > 0 {
		e.SetRef(event.FieldRef{Metadata: true}, meta)
	} else if e.HasMetadata() {
		e.RemoveRef(event.FieldRef{Metadata: true})
	}
}

// Close stops every worker.
func (f *Filter) Close() error {
	f.mu.Lock()
	procs := make([]*process, 0, len(f.running))
	for p := range f.running {
		procs = append(procs, p)
	}
	f.running = map[*process]struct{}{}
	f.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.stop(stopGrace)
		}()
	}
	wg.Wait()
	return nil
}
