package plugintest

import (
	"context"
	"sync"
	"testing"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// BuiltOutput is an output built from config text. It is closed when the
// test ends, unless the test closed it first.
type BuiltOutput struct {
	// Plugin is the output itself, for tests that need its own type or
	// pass their own context.
	Plugin plugin.Output
	Logs   *Logs

	closeOnce sync.Once
	closeErr  error
}

// Output builds the output block text, failing the test when it does not
// build.
func Output(t testing.TB, text string, opts ...Option) *BuiltOutput {
	t.Helper()
	p, err := TryOutput(t, text, opts...)
	mustBuild(t, err)
	return p
}

// TryOutput builds the output block text and returns its config errors
// instead of failing.
func TryOutput(t testing.TB, text string, opts ...Option) (*BuiltOutput, error) {
	t.Helper()
	b, err := build(t, plugin.KindOutput, "output", text, opts)
	if err != nil {
		return nil, err
	}
	o := &BuiltOutput{Plugin: b.instance.Plugin.(plugin.Output), Logs: b.logs}
	t.Cleanup(func() { o.Close() })
	return o, nil
}

// Output delivers events as one batch, as a pipeline worker does.
func (o *BuiltOutput) Output(events ...*event.Event) error {
	return o.Plugin.Output(context.Background(), events)
}

// Close closes the output, as the pipeline does after its last batch; only
// the first call closes it.
func (o *BuiltOutput) Close() error {
	o.closeOnce.Do(func() {
		if c, ok := o.Plugin.(plugin.Closer); ok {
			o.closeErr = c.Close()
		}
	})
	return o.closeErr
}
