// Package pipeline is the pipeline input: it receives the events that
// pipeline outputs of other pipelines in the same process send to its
// virtual address, and pushes them into its own pipeline's queue.
package pipeline

import (
	"context"
	"errors"
	"sync"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/pipelinebus"
	"github.com/gostash/gostash/runtime/plugin"
)

var optAddress = plugin.String("address").Required().Doc("The virtual address this input listens on; pipeline outputs name it in send_to. Addresses are unique across the process's pipelines.")

func init() {
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "pipeline",
			Summary: "Receives events that pipeline outputs of other pipelines in this process send to its address.",
			Options: []plugin.Declared{optAddress},
		},
		FedByPipelines: true,
		New:            New,
	})
}

// Input is the pipeline input.
type Input struct {
	address string
	bus     *pipelinebus.Bus

	// running is closed when Run starts and closed when Close runs: a
	// delivery that arrives between Start and Run waits for one of them.
	running, closed chan struct{}
	closeOnce       sync.Once

	mu  sync.Mutex
	out plugin.Emitter // set while Run runs; nil after
}

// New builds a pipeline input.
func New(s *plugin.Settings) (plugin.Input, error) {
	in := &Input{address: optAddress.Get(s), bus: s.PipelineBus(), running: make(chan struct{}), closed: make(chan struct{})}
	if in.bus == nil {
		return nil, errors.New("pipeline input: this process has no pipeline bus")
	}
	return in, nil
}

// Start binds the address: a second input on it is a configuration error.
func (in *Input) Start() error {
	return in.bus.Listen(in.address, in)
}

// Run accepts events until ctx ends, then leaves the address. While the
// process shuts down, leaving waits until no pipeline output is left that
// could send here, so upstream pipelines deliver all they hold first.
func (in *Input) Run(ctx context.Context, out plugin.Emitter) error {
	in.mu.Lock()
	in.out = out
	in.mu.Unlock()
	close(in.running)
	<-ctx.Done()
	in.bus.Unlisten(context.Background(), in.address, in)
	in.mu.Lock()
	in.out = nil
	in.mu.Unlock()
	return nil
}

// Receive decorates events (type, tags, add_field) and pushes them into
// the queue, blocking while it is full: the sender waits, which is the
// back-pressure between pipelines.
func (in *Input) Receive(events []*event.Event) (int, error) {
	select {
	case <-in.running:
	case <-in.closed:
		return 0, pipelinebus.ErrClosing
	}
	in.mu.Lock()
	out := in.out
	in.mu.Unlock()
	if out == nil {
		return 0, pipelinebus.ErrClosing
	}
	for _, e := range events {
		out.Decorate(e)
	}
	if batch, ok := out.(plugin.BatchEmitter); ok {
		batch.EmitDecoratedBatch(events)
		return len(events), nil
	}
	for _, e := range events {
		out.EmitDecorated(e)
	}
	return len(events), nil
}

// Close leaves the address if Run never did (a pipeline that failed to start).
func (in *Input) Close() error {
	in.closeOnce.Do(func() { close(in.closed) })
	done, cancel := context.WithCancel(context.Background())
	cancel()
	in.bus.Unlisten(done, in.address, in)
	return nil
}
