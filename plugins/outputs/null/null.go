// Package null is the null output: it takes every event and does nothing
// with it, for benchmarks and for pipelines whose work is in the filters.
package null

import (
	"context"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

func init() {
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec: plugin.Spec{
			Name:    "null",
			Summary: "Drops every event: for benchmarks, and for pipelines that only need their filters' side effects.",
			Examples: []plugin.Example{{
				Title:  "Events sent to null are gone; a second output still gets them",
				Config: "input { stdin { } }\noutput {\n  null { }\n  stdout { codec => line { format => \"%{message}\" } }\n}\n",
				Input:  "one\ntwo\n",
				Output: "one\ntwo\n",
			}},
		},
		New: func(*plugin.Settings) (plugin.Output, error) { return discard{}, nil },
	})
}

// discard is the null output.
type discard struct{}

// Output accepts the batch; the pipeline then acknowledges its events.
func (discard) Output(context.Context, []*event.Event) error { return nil }
