// Package clone is Logstash's clone filter: it emits a copy of each event
// per configured clone name.
package clone

import (
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optClones = plugin.Strings("clones").Required().Doc("One copy is made per name: its type (ECS disabled) or an added tag (ECS v1/v8).")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "clone",
			Summary: "Emits copies of each event, one per clone name.",
			Options: []plugin.Declared{optClones, plugin.ECS},
		},
		New: func(s *plugin.Settings) (plugin.Filter, error) {
			c := &clone{names: optClones.Get(s), tagMode: s.ECS() != "disabled"}
			if len(c.names) == 0 {
				s.Logger().Warn("The parameter 'clones' is empty, so no clones will be created.")
			}
			return c, nil
		},
	})
}

type clone struct {
	names   []string
	tagMode bool
}

// Filter emits the copies; the original passes on unchanged and without
// the common options, which apply to the copies.
func (c *clone) Filter(e *event.Event, emit func(*event.Event)) bool {
	for _, name := range c.names {
		cp := e.Clone()
		if c.tagMode {
			cp.AppendTag(name)
		} else {
			cp.Data().Set("type", name)
		}
		emit(cp)
	}
	return false
}
