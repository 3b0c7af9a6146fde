// Package drop is the drop filter: it removes events from the pipeline.
package drop

import (
	"math/rand/v2"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optPercentage = plugin.Float("percentage").Default(100).Doc("The share of events to drop, from 0 to 100.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "drop",
			Summary: "Drops every event that reaches it (or a percentage of them).",
			Options: []plugin.Declared{optPercentage},
		},
		New: New,
	})
}

// Filter is the drop filter.
type Filter struct {
	percentage float64
}

// New builds a drop filter.
func New(s *plugin.Settings) (plugin.Filter, error) {
	return &Filter{percentage: optPercentage.Get(s)}, nil
}

// Filter cancels the event, or a random share of events. Like Logstash's
// drop it never reports a match, so common options never apply.
func (f *Filter) Filter(e *event.Event, _ func(*event.Event)) bool {
	if f.percentage >= 100 || rand.Float64()*100 < f.percentage {
		e.Cancel()
	}
	return false
}
