// Package heartbeat is the heartbeat input: it emits an event every
// interval, to watch that a pipeline is alive and how fast it goes.
package heartbeat

import (
	"context"
	"os"
	"sync"
	"time"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optMessage  = plugin.String("message").Default("ok").Doc(`The message of each event. With ecs_compatibility disabled and no sequence set, "epoch" and "sequence" select that sequence instead (deprecated: use sequence).`)
	optInterval = plugin.Float("interval").Default(60).Doc("Seconds between events; the first one is emitted at once.")
	optCount    = plugin.Int("count").Default(-1).Doc("How many events each thread emits; -1 means forever.")
	optSequence = plugin.Enum("sequence", "none", "epoch", "sequence").Doc("A counter added to each event: epoch is the Unix time in seconds, sequence counts from 1; none adds nothing.")
	optThreads  = plugin.Int("threads").Default(1).AtLeast(1).Doc("Independent heartbeats run at once; count applies to each.")
)

func init() {
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "heartbeat",
			Summary: "Emits an event every interval, optionally with a sequence number or the epoch, to check that a pipeline is alive.",
			Options: []plugin.Declared{optMessage, optInterval, optCount, optSequence, optThreads, plugin.ECS},
			Examples: []plugin.Example{{
				Title:  "Three numbered heartbeats, as fast as the pipeline takes them",
				Config: "input { heartbeat { interval => 0 count => 3 sequence => sequence message => \"alive\" } }\noutput { stdout { codec => line { format => \"%{[event][sequence]} %{message}\" } } }\n",
				Output: "1 alive\n2 alive\n3 alive\n",
			}},
		},
		New: New,
	})
}

// Input is the heartbeat input.
type Input struct {
	message     *string // nil: no message field (the legacy magic values)
	interval    time.Duration
	count       int64
	sequence    string
	threads     int
	hostname    string
	sequenceRef event.FieldRef
	hostRef     event.FieldRef
}

var (
	clockRef, _         = event.ParseFieldRef("clock")
	eventSequenceRef, _ = event.ParseFieldRef("[event][sequence]")
	hostRef, _          = event.ParseFieldRef("host")
	hostNameRef, _      = event.ParseFieldRef("[host][name]")
)

// New builds a heartbeat input.
func New(s *plugin.Settings) (plugin.Input, error) {
	in := &Input{
		interval: time.Duration(optInterval.Get(s) * float64(time.Second)),
		count:    optCount.Get(s),
		threads:  int(optThreads.Get(s)),
		sequence: optSequence.Get(s),
	}
	in.hostname, _ = os.Hostname()
	ecs := s.ECS() != "disabled"
	in.sequenceRef, in.hostRef = clockRef, hostRef
	if ecs {
		in.sequenceRef, in.hostRef = eventSequenceRef, hostNameRef
	}
	msg := optMessage.Get(s)
	in.message = &msg
	magic := msg == "epoch" || msg == "sequence"
	log := s.Logger()
	if !optSequence.IsSet(s) {
		if magic {
			log.Warn("message contains sequence type specification (epoch|sequence) for this purpose use the sequence option")
			if !ecs {
				// Legacy behaviour: the magic message selects the sequence
				// and the events carry no message.
				in.sequence, in.message = msg, nil
				log.With(logging.LoggerKey, "deprecation.logstash.inputs.heartbeat").Warn("magic values of `message` to specify sequence type are deprecated; use separate `sequence` option instead.")
			}
		}
		if in.sequence == "" {
			in.sequence = "none"
		}
	}
	return in, nil
}

// Run emits events from each thread until count is reached or ctx ends.
func (in *Input) Run(ctx context.Context, out plugin.Emitter) error {
	var wg sync.WaitGroup
	for range in.threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.beat(ctx, out)
		}()
	}
	wg.Wait()
	return nil
}

func (in *Input) beat(ctx context.Context, out plugin.Emitter) {
	var n int64
	for ctx.Err() == nil {
		start := time.Now()
		n++
		out.Emit(in.event(n))
		if n == in.count || ctx.Err() != nil {
			return
		}
		wait := in.interval - time.Since(start)
		if wait <= 0 {
			continue
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
	}
}

func (in *Input) event(n int64) *event.Event {
	e := event.NewEvent()
	switch in.sequence {
	case "none":
		e.Data().Set("message", *in.message)
		_ = e.SetRef(in.hostRef, in.hostname)
		return e
	case "epoch":
		_ = e.SetRef(in.sequenceRef, event.Now().Unix())
	default:
		_ = e.SetRef(in.sequenceRef, n)
	}
	_ = e.SetRef(in.hostRef, in.hostname)
	if in.message != nil {
		e.Data().Set("message", *in.message)
	}
	return e
}
