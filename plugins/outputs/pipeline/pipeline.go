// Package pipeline is the pipeline output: it sends events to the pipeline
// inputs of other pipelines in the same process by their virtual addresses.
package pipeline

import (
	"context"
	"errors"
	"log/slog"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/pipelinebus"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optSendTo         = plugin.StringList("send_to").Required().Doc("The addresses of the pipeline inputs to send every event to, each its own copy, in this order.")
	optEnsureDelivery = plugin.Bool("ensure_delivery").Default(true).Doc("Wait and retry every second while an address has no running input; false drops the events for that address instead.")
)

func init() {
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec: plugin.Spec{
			Name:    "pipeline",
			Summary: "Sends events to pipeline inputs of other pipelines in this process, with back-pressure.",
			Options: []plugin.Declared{optSendTo, optEnsureDelivery},
		},
		New: New,
	})
}

// Output is the pipeline output.
type Output struct {
	sendTo  []string
	ensure  bool
	bus     *pipelinebus.Bus
	logger  *slog.Logger
	started bool
}

// New builds a pipeline output.
func New(s *plugin.Settings) (plugin.Output, error) {
	o := &Output{sendTo: optSendTo.Get(s), ensure: optEnsureDelivery.Get(s), bus: s.PipelineBus(), logger: s.Logger()}
	if o.bus == nil {
		return nil, errors.New("pipeline output: this process has no pipeline bus")
	}
	return o, nil
}

// Start registers the output as a sender on its addresses: a downstream
// input shutting down waits for it.
func (o *Output) Start() error {
	o.bus.RegisterSender(o.sendTo)
	o.started = true
	return nil
}

// Output sends the batch to every address; it returns once each has taken
// its copy into its queue (or dropped it, without ensure_delivery).
func (o *Output) Output(ctx context.Context, events []*event.Event) error {
	return o.bus.Send(ctx, o.sendTo, events, o.ensure, o.logger)
}

// Close unregisters the sender.
func (o *Output) Close() error {
	if o.started {
		o.bus.UnregisterSender(o.sendTo)
		o.started = false
	}
	return nil
}
