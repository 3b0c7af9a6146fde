// Package pipeline compiles parsed configs into a running pipeline:
// inputs -> bounded queue -> worker batches -> filters -> outputs, with
// conditionals routing each event, acknowledgements back to inputs, and a
// graceful drain on shutdown.
package pipeline

import (
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/logging"
	"github.com/gostash/gostash/runtime/plugin"
)

// node is one step of a compiled section: a filter, an output or a
// branch. next is where an event goes after this step; the bodies of a
// branch end by continuing at the branch's next.
type node struct {
	next   *node
	filter *filterStep
	output *outputStep
	branch *branchStep
}

type branchStep struct {
	conds  []condition
	bodies []*node // bodies[i] runs when conds[i] holds; the last is the else body when len(bodies) > len(conds)
}

type filterStep struct {
	step
	filter plugin.Filter
	common *filterCommon
	// flush releases what the filter holds (nil when it holds nothing);
	// events reported matched get the filter's common options.
	flush func(final bool, emit func(e *event.Event, matched bool))
	batch plugin.BatchFilter // set when the filter takes whole batches
}

// commonFailed handles a failure of the filter's common options on e: a
// filter that handles its own (mutate tags the event, as Logstash's mutate
// rescues its filter_matched) gets it; for the others it is logged.
func (f *filterStep) commonFailed(e *event.Event, err error) {
	if h, ok := f.filter.(plugin.CommonOptionsFailer); ok {
		h.CommonOptionsFailed(e, err)
		return
	}
	f.settings.Logger().Warn("Could not apply common filter options", slog.String("error", err.Error()))
}

type outputStep struct {
	step
	output plugin.Output
	index  int
}

type inputStep struct {
	step
	input     plugin.Input
	decorator *inputDecorator
}

// step is what every step knows about its plugin instance.
type step struct {
	id       string
	name     string
	settings *plugin.Settings
	closer   plugin.Closer
	plugin   any
	stats    *PluginStats
}

// Compile builds a pipeline from parsed configs (one per -f file, in file
// order): their inputs and outputs side by side, their filter sections
// chained in order. Every plugin is built and validated, so a pipeline that
// compiles can start.
func Compile(configs []*lang.Config, ctx *plugin.BuildContext) (*Pipeline, lang.Diagnostics) {
	if ctx.Logger == nil {
		ctx.Logger = slog.Default()
	}
	b := &builder{ctx: ctx, c: &compiler{lookup: ctx.Lookup}, ids: map[string][]lang.Range{}}
	if b.c.lookup == nil {
		b.c.lookup = lang.EnvLookup
	}
	p := &Pipeline{settings: ctx.Pipeline, logger: logging.Logger(ctx.Logger, "logstash.javapipeline").With(slog.String(logging.PipelineIDKey, ctx.Pipeline.ID)),
		ready: make(chan struct{}), deadLetters: ctx.DeadLetters}
	if ctx.DeadLetters != nil {
		p.ifDeadLetter = ctx.DeadLetters.Writer("if-statement", "if-statement")
	}
	var filterBodies, outputBodies [][]lang.Statement
	for _, cfg := range configs {
		for _, sec := range cfg.Sections {
			switch sec.Kind {
			case lang.InputSection:
				b.collectInputs(sec.Body, p)
			case lang.FilterSection:
				filterBodies = append(filterBodies, sec.Body)
			case lang.OutputSection:
				outputBodies = append(outputBodies, sec.Body)
			}
		}
	}
	var filters, outputs []lang.Statement
	for _, body := range filterBodies {
		filters = append(filters, body...)
	}
	for _, body := range outputBodies {
		outputs = append(outputs, body...)
	}
	p.filterRoot = b.compileBody(plugin.KindFilter, filters, nil, p)
	p.outputRoot = b.compileBody(plugin.KindOutput, outputs, nil, p)
	b.checkIDs()
	if ctx.Pipeline.Ordered == "true" && ctx.Pipeline.Workers > 1 {
		b.diags = append(b.diags, lang.Errorf(lang.Pos{}, "enabling the 'pipeline.ordered' setting requires the use of a single pipeline worker"))
	}
	if b.diags.HasErrors() {
		return nil, b.diags
	}
	return p, b.diags
}

type builder struct {
	ctx   *plugin.BuildContext
	c     *compiler
	diags lang.Diagnostics
	// ids holds where each explicit id was set.
	ids map[string][]lang.Range
}

func (b *builder) build(kind plugin.Kind, p *lang.Plugin) *plugin.Instance {
	inst, diags := plugin.Build(kind, p, b.ctx)
	b.diags = append(b.diags, diags...)
	if inst != nil && plugin.ID.IsSet(inst.Settings) {
		b.ids[inst.Settings.ID()] = append(b.ids[inst.Settings.ID()], plugin.ID.Span(inst.Settings))
	}
	return inst
}

func (b *builder) pluginOf(inst *plugin.Instance) step {
	pl := step{id: inst.Settings.ID(), name: inst.Settings.Name(), settings: inst.Settings, stats: &PluginStats{}}
	pl.stats.ID, pl.stats.Name = pl.id, pl.name
	pl.closer, _ = inst.Plugin.(plugin.Closer)
	pl.plugin = inst.Plugin
	return pl
}

func (b *builder) checkIDs() {
	var dups []string
	for id, at := range b.ids {
		if len(at) > 1 {
			dups = append(dups, id)
		}
	}
	sort.Strings(dups)
	for _, id := range dups {
		// Plugins are built last to first; report in source order (-f
		// files load in name order), at the last use.
		at := b.ids[id]
		sort.Slice(at, func(i, j int) bool {
			if at[i].Start.File != at[j].Start.File {
				return at[i].Start.File < at[j].Start.File
			}
			return at[i].Start.Offset < at[j].Start.Offset
		})
		var where []string
		for _, r := range at {
			where = append(where, r.Start.String())
		}
		b.diags = append(b.diags, lang.Errorf(at[len(at)-1], "Config has duplicate Ids: [%q] (used at %s)", id, strings.Join(where, ", ")))
	}
}

// collectInputs builds every input, including those inside conditionals:
// Logstash starts them regardless of the condition (the parser warns).
func (b *builder) collectInputs(body []lang.Statement, p *Pipeline) {
	for _, st := range body {
		switch t := st.(type) {
		case *lang.Plugin:
			inst := b.build(plugin.KindInput, t)
			if inst == nil {
				continue
			}
			dec, err := newInputDecorator(inst.Settings)
			if err != nil {
				b.diags = append(b.diags, asDiag(err, t.NameSpan()))
				continue
			}
			p.inputs = append(p.inputs, &inputStep{step: b.pluginOf(inst), input: inst.Plugin.(plugin.Input), decorator: dec})
		case *lang.Branch:
			for _, cs := range t.Cases {
				b.collectInputs(cs.Body, p)
			}
			if t.Else != nil {
				b.collectInputs(t.Else.Body, p)
			}
		}
	}
}

// compileBody compiles statements into a chain ending at cont.
func (b *builder) compileBody(kind plugin.Kind, body []lang.Statement, cont *node, p *Pipeline) *node {
	next := cont
	for i := len(body) - 1; i >= 0; i-- {
		switch t := body[i].(type) {
		case *lang.Plugin:
			inst := b.build(kind, t)
			if inst == nil {
				continue
			}
			n := &node{next: next}
			if kind == plugin.KindFilter {
				common, warnings, err := newFilterCommon(inst.Settings)
				if err != nil {
					b.diags = append(b.diags, asDiag(err, t.NameSpan()))
					continue
				}
				for _, w := range warnings {
					b.diags = append(b.diags, lang.Warnf(plugin.FilterAddField.Span(inst.Settings), "%s filter: add_field: %v; as in Logstash, the pipeline starts and the filter fails this on every event", t.Name, w))
				}
				fs := &filterStep{step: b.pluginOf(inst), filter: inst.Plugin.(plugin.Filter), common: common}
				switch fl := inst.Plugin.(type) {
				case plugin.MatchedFlusher:
					fs.flush = fl.FlushMatched
				case plugin.Flusher:
					fs.flush = func(_ bool, emit func(*event.Event, bool)) { fl.Flush(func(e *event.Event) { emit(e, false) }) }
				}
				fs.batch, _ = inst.Plugin.(plugin.BatchFilter)
				n.filter = fs
				p.filters = append([]*filterStep{fs}, p.filters...)
			} else {
				os := &outputStep{step: b.pluginOf(inst), output: inst.Plugin.(plugin.Output)}
				n.output = os
				p.outputs = append([]*outputStep{os}, p.outputs...)
			}
			next = n
		case *lang.Branch:
			br := &branchStep{}
			for _, cs := range t.Cases {
				cond, err := b.c.compileCond(cs.Cond)
				if err != nil {
					b.diags = append(b.diags, asDiag(err, cs.Cond))
					continue
				}
				br.conds = append(br.conds, cond)
				br.bodies = append(br.bodies, b.compileBody(kind, cs.Body, next, p))
			}
			if t.Else != nil {
				br.bodies = append(br.bodies, b.compileBody(kind, t.Else.Body, next, p))
			}
			next = &node{next: next, branch: br}
		}
	}
	return next
}

// asDiag is err as a diagnostic: itself when it is one, else about at.
func asDiag(err error, at lang.Located) *lang.Diagnostic {
	if d, ok := err.(*lang.Diagnostic); ok {
		return d
	}
	return lang.Errorf(at, "%v", err)
}

// String summarises the compiled pipeline for debug logs.
func (p *Pipeline) String() string {
	var names []string
	for _, in := range p.inputs {
		names = append(names, "input:"+in.name)
	}
	for _, f := range p.filters {
		names = append(names, "filter:"+f.name)
	}
	for _, o := range p.outputs {
		names = append(names, "output:"+o.name)
	}
	return fmt.Sprintf("pipeline %s [%s]", p.settings.ID, strings.Join(names, " "))
}

// flushed asks the filter for what it releases; the events it matched get
// its common options, as Logstash's filter_matched gives them.
func (f *filterStep) flushed(final bool) []*event.Event {
	var out []*event.Event
	f.flush(final, func(e *event.Event, matched bool) {
		if matched && !f.common.empty() {
			if err := f.common.apply(e); err != nil {
				f.commonFailed(e, err)
			}
		}
		out = append(out, e)
	})
	return out
}
