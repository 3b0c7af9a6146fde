package pipeline

import (
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// InputDecoration returns what the pipeline does to every event an input
// emits: its type, add_field and tags options, in Logstash's order.
// `gostash test` applies it to the events it decodes for the input a test
// case file names.
func InputDecoration(s *plugin.Settings) (func(*event.Event) error, error) {
	d, err := newInputDecorator(s)
	if err != nil {
		return nil, err
	}
	return d.decorate, nil
}
