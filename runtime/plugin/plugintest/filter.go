package plugintest

import (
	"testing"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/pipeline"
	"github.com/gostash/gostash/runtime/plugin"
)

// BuiltFilter is a filter built from config text, in a pipeline of its own.
type BuiltFilter struct {
	// Plugin is the filter itself, for tests that call it directly (from
	// several goroutines, in a benchmark).
	Plugin plugin.Filter
	Logs   *Logs
	pipe   *pipeline.Pipeline
}

// Filter builds the filter block text, failing the test when it does not
// build.
func Filter(t testing.TB, text string, opts ...Option) *BuiltFilter {
	t.Helper()
	p, err := TryFilter(t, text, opts...)
	mustBuild(t, err)
	return p
}

// TryFilter builds the filter block text and returns its config errors
// (lang.Diagnostics through errors.As, located in test.conf) instead of
// failing.
func TryFilter(t testing.TB, text string, opts ...Option) (*BuiltFilter, error) {
	t.Helper()
	cfg, ctx, logs, err := parse(t, "filter", text, opts)
	if err != nil {
		return nil, err
	}
	// The filter section is compiled as the pipeline compiles it, so Run
	// applies the common options exactly as the pipeline does.
	p, diags := pipeline.Compile([]*lang.Config{cfg}, ctx)
	if diags.HasErrors() {
		return nil, &configError{diags: diags, files: ctx.Sources}
	}
	return &BuiltFilter{Plugin: p.Filters()[0], Logs: logs, pipe: p}, nil
}

// Run passes events through the filter as the pipeline's workers do and
// returns what comes out, in Logstash's order: each event that was not
// cancelled followed by the events the filter made from it, then what a
// flushing filter releases at the end. add_field, remove_field, add_tag
// and remove_tag apply to an event the filter matched and to every event
// it made.
func (f *BuiltFilter) Run(events ...*event.Event) []*event.Event {
	return f.pipe.ProcessFilters(events)
}

// Call calls the filter once on e, without the common options, and returns
// whether it matched and the events it emitted; e is changed in place (and
// cancelled when the filter drops it).
func (f *BuiltFilter) Call(e *event.Event) (matched bool, emitted []*event.Event) {
	matched = f.Plugin.Filter(e, func(n *event.Event) { emitted = append(emitted, n) })
	return matched, emitted
}
