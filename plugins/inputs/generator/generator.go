// Package generator is the generator input: it emits the same message or
// lines over and over, for tests and benchmarks.
package generator

import (
	"bufio"
	"context"
	"os"
	"sync"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optMessage = plugin.String("message").Default("Hello world!").Doc(`The line to emit. The value "stdin" reads one line from standard input at start and emits it.`)
	optLines   = plugin.Strings("lines").Doc("Lines emitted in order on each iteration; when set, message is ignored.")
	optCount   = plugin.Int("count").Default(0).Doc("How many iterations; 0 means forever.")
	optThreads = plugin.Int("threads").Default(1).Doc("Independent generators run at once; count applies to each.")
)

func init() {
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "generator",
			Summary: "Generates events from a fixed message or list of lines, for testing and benchmarking.",
			Options: []plugin.Declared{optMessage, optLines, optCount, optThreads, plugin.ECS},
		},
		DefaultCodec: "plain",
		New:          New,
	})
}

// Input is the generator input.
type Input struct {
	settings *plugin.Settings
	lines    []string
	count    int64
	threads  int
	hostname string
	// hostnameValue is hostname boxed once, not once per event.
	hostnameValue any
	ecs           bool
}

// New builds a generator input.
func New(s *plugin.Settings) (plugin.Input, error) {
	g := &Input{settings: s, count: optCount.Get(s), threads: int(optThreads.Get(s)), ecs: s.ECS() != "disabled"}
	g.hostname, _ = os.Hostname()
	g.hostnameValue = g.hostname
	if optLines.IsSet(s) {
		g.lines = optLines.Get(s)
	} else {
		msg := optMessage.Get(s)
		if msg == "stdin" {
			line, err := bufio.NewReader(os.Stdin).ReadString('\n')
			if err != nil && line == "" {
				return nil, optMessage.Errorf(s, "could not read a line from standard input: %v", err)
			}
			msg = line
		}
		g.lines = []string{msg}
	}
	if g.threads < 1 {
		return nil, optThreads.Errorf(s, "threads must be at least 1, got %d", g.threads)
	}
	return g, nil
}

// Run emits count iterations (or until cancelled) in each thread.
func (g *Input) Run(ctx context.Context, out plugin.Emitter) error {
	var wg sync.WaitGroup
	for t := 0; t < g.threads; t++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.generate(ctx, out)
		}()
	}
	wg.Wait()
	return nil
}

// burst is how many events the generator hands the pipeline at once when
// it can take several (plugin.BatchEmitter): one queue operation, not one
// per event.
const burst = 64

func (g *Input) generate(ctx context.Context, out plugin.Emitter) {
	codec := g.settings.NewCodec()
	data := make([][]byte, len(g.lines))
	for i, l := range g.lines {
		data[i] = []byte(l)
	}
	em := &emitState{g: g, out: out, withSeq: true}
	if b, ok := out.(plugin.BatchEmitter); ok {
		em.batch = b
		em.pending = make([]*event.Event, 0, burst+len(data))
	}
	emit := em.emit // bound once: a closure per event would be an allocation per event
	defer em.flush()
	for n := int64(0); g.count <= 0 || n < g.count; n++ {
		if len(em.pending) >= burst || em.batch == nil {
			em.flush()
			if ctx.Err() != nil {
				return
			}
		}
		em.seq = n
		for _, line := range data {
			codec.Decode(line, emit)
		}
	}
	em.seq, em.withSeq = 0, false
	codec.Flush(emit)
}

var (
	hostNameRef, _      = event.ParseFieldRef("[host][name]")
	eventSequenceRef, _ = event.ParseFieldRef("[event][sequence]")
)

type emitState struct {
	g       *Input
	out     plugin.Emitter
	seq     int64
	withSeq bool
	// With a batch emitter, events wait in pending until a burst is ready.
	batch   plugin.BatchEmitter
	pending []*event.Event
}

func (s *emitState) emit(e *event.Event) {
	s.g.decorate(s.out, e, s.seq, s.withSeq)
	if s.batch == nil {
		s.out.EmitDecorated(e)
		return
	}
	s.pending = append(s.pending, e)
}

// flush hands the pending events over.
func (s *emitState) flush() {
	if len(s.pending) > 0 {
		s.batch.EmitDecoratedBatch(s.pending)
		clear(s.pending)
		s.pending = s.pending[:0]
	}
}

// decorate applies the input's common options, then the generator's host
// and sequence fields (when decoration did not set host).
func (g *Input) decorate(out plugin.Emitter, e *event.Event, seq int64, withSeq bool) {
	out.Decorate(e)
	if g.ecs {
		if !e.Data().Has("host") {
			// The usual case, without a field-reference walk: a new host
			// map sized for its one key.
			host := event.NewMap(1)
			host.Set("name", g.hostnameValue)
			e.Data().Set("host", host)
		} else if _, ok := e.GetRef(hostNameRef); !ok {
			e.SetRef(hostNameRef, g.hostnameValue)
		}
		if withSeq {
			e.SetRef(eventSequenceRef, seq)
		}
	} else {
		if !e.Data().Has("host") {
			e.Data().Set("host", g.hostnameValue)
		}
		if withSeq {
			e.Data().Set("sequence", seq)
		}
	}
}
