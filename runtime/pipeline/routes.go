package pipeline

import (
	"log/slog"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/plugin"
)

// OutputRoutes is the output sections of configs compiled for their
// conditionals alone: Reached says which output plugins an event goes to,
// without building them. `gostash test` follows events through the outputs
// of the config under test this way, as Logstash Filter Verifier replaces
// every output by one that reports the event back.
type OutputRoutes struct {
	root   *route
	logger *slog.Logger
}

// route is one step of a compiled output section: an output plugin, or a
// branch whose bodies continue at the branch's next.
type route struct {
	next   *route
	output *lang.Plugin
	conds  []condition
	bodies []*route // as in branchStep: one more than conds when there is an else
}

// CompileOutputRoutes compiles the conditions of every output section of
// configs, in file order; the plugins themselves are not built, so outputs
// gostash does not have (or that would reach the network) do not matter.
func CompileOutputRoutes(configs []*lang.Config, ctx *plugin.BuildContext) (*OutputRoutes, lang.Diagnostics) {
	c := &compiler{lookup: ctx.Lookup}
	if c.lookup == nil {
		c.lookup = lang.EnvLookup
	}
	logger := ctx.Logger
	if logger == nil {
		logger = slog.Default()
	}
	var body []lang.Statement
	for _, cfg := range configs {
		for _, sec := range cfg.Sections {
			if sec.Kind == lang.OutputSection {
				body = append(body, sec.Body...)
			}
		}
	}
	var diags lang.Diagnostics
	var compile func(body []lang.Statement, cont *route) *route
	compile = func(body []lang.Statement, cont *route) *route {
		next := cont
		for i := len(body) - 1; i >= 0; i-- {
			switch t := body[i].(type) {
			case *lang.Plugin:
				next = &route{next: next, output: t}
			case *lang.Branch:
				br := &route{next: next}
				for _, cs := range t.Cases {
					cond, err := c.compileCond(cs.Cond)
					if err != nil {
						diags = append(diags, asDiag(err, cs.Cond))
						continue
					}
					br.conds = append(br.conds, cond)
					br.bodies = append(br.bodies, compile(cs.Body, next))
				}
				if t.Else != nil {
					br.bodies = append(br.bodies, compile(t.Else.Body, next))
				}
				next = br
			}
		}
		return next
	}
	root := compile(body, nil)
	if diags.HasErrors() {
		return nil, diags
	}
	return &OutputRoutes{root: root, logger: logging.Logger(logger, "logstash.javapipeline").With(slog.String(logging.PipelineIDKey, ctx.Pipeline.ID))}, diags
}

// Reached returns the output plugins e goes to, in config order. A
// condition that cannot be evaluated drops the event with Logstash's
// warning, as the running pipeline does.
func (r *OutputRoutes) Reached(e *event.Event) []*lang.Plugin {
	var out []*lang.Plugin
	for n := r.root; n != nil; {
		if n.output != nil {
			out = append(out, n.output)
			n = n.next
			continue
		}
		chosen, matched := n.next, false
		for i, cond := range n.conds {
			v, err := cond(e)
			if err != nil {
				r.logger.Warn(err.Error() + ". Event was dropped, enable debug logging to see the event's payload")
				return nil
			}
			if v {
				chosen, matched = n.bodies[i], true
				break
			}
		}
		if !matched && len(n.bodies) > len(n.conds) {
			chosen = n.bodies[len(n.conds)]
		}
		n = chosen
	}
	return out
}
