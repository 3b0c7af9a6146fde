// Package drop is the drop filter: it removes events from the pipeline.
package drop

import (
	"math/rand/v2"

	"github.com/gostash/gostash/runtime"
)

func init() {
	runtime.RegisterFilter(runtime.FilterSpec{
		Spec: runtime.Spec{
			Name:    "drop",
			Summary: "Drops every event that reaches it (or a percentage of them).",
			Options: []runtime.Option{
				{Name: "percentage", Type: runtime.TypeNumber, Default: int64(100), Doc: "The share of events to drop, from 0 to 100."},
			},
		},
		New: New,
	})
}

// Filter is the drop filter.
type Filter struct {
	percentage float64
}

// New builds a drop filter.
func New(s *runtime.Settings) (runtime.Filter, error) {
	return &Filter{percentage: s.Float("percentage")}, nil
}

// Filter cancels the event, or a random share of events. Like Logstash's
// drop it never reports a match, so common options never apply.
func (f *Filter) Filter(e *runtime.Event, _ func(*runtime.Event)) bool {
	if f.percentage >= 100 || rand.Float64()*100 < f.percentage {
		e.Cancel()
	}
	return false
}
