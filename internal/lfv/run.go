package lfv

import (
	"fmt"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/pipeline"
	"github.com/gostash/gostash/runtime/plugin"
)

// Options are the LFV flags that change what a test sees.
type Options struct {
	// Debug keeps LFV's internal fields in the events of daemon-mode files
	// (__lfv_id and __lfv_out_passed at the top level, tags starting with
	// __lfv_), as LFV's --debug does.
	Debug bool
	// MetadataKey is the field exported @metadata is compared under, LFV's
	// --metadata-key ("@metadata" by default).
	MetadataKey string
}

// Runner runs test case files against the pipelines of a Logstash config.
// The filters are compiled once and shared by every file, as in LFV's
// daemon mode, where one Logstash instance serves all test case files.
//
// A file names the input its lines enter by with input_plugin (LFV's
// daemon mode): the lines are decoded with that input's codec, go through
// its pipeline's filters and outputs, on to other pipelines through
// pipeline outputs, and each output an event reaches reports it once. A
// file without input_plugin (LFV's standalone mode) decodes its lines as
// a stream with its codec and compares what leaves the filters of the
// config's only pipeline.
type Runner struct {
	stages []*stage
	// ctx is the process's: LFV's generated input runs in a pipeline of
	// its own, with Logstash's defaults, not with the tested pipeline's
	// settings.
	ctx  *plugin.BuildContext
	opts Options
	// inputs are the config's inputs other than pipeline inputs, by id;
	// addresses the pipeline inputs, by address.
	inputs    map[string][]*entryPoint
	addresses map[string]*entryPoint
}

// stage is one pipeline of the config under test.
type stage struct {
	ctx     *plugin.BuildContext
	filters *pipeline.Pipeline
	routes  *pipeline.OutputRoutes
	// hasOutputs is whether the pipeline has any output other than a
	// pipeline output: where LFV can see events leave.
	hasOutputs bool
}

// entryPoint is an input of the config: where the events of a test case
// file (an input LFV replaces) or of another pipeline (a pipeline input)
// enter a pipeline, getting the input's type, tags and add_field.
type entryPoint struct {
	stage  *stage
	plugin *lang.Plugin
	// decorate is built when first needed for the inputs LFV replaces,
	// so that a config with an input gostash cannot build still tests.
	decorate func(*event.Event) error
}

// NewRunner compiles the filter sections of every pipeline and the
// conditionals of their output sections; the plugins of the input and
// output sections are not built (LFV replaces them), apart from the type,
// tags and add_field of pipeline inputs.
func NewRunner(pipelines []*Pipeline, ctx *plugin.BuildContext, opts Options) (*Runner, lang.Diagnostics) {
	if opts.MetadataKey == "" {
		opts.MetadataKey = event.MetadataField
	}
	r := &Runner{ctx: ctx, opts: opts, inputs: map[string][]*entryPoint{}, addresses: map[string]*entryPoint{}}
	var diags lang.Diagnostics
	for _, def := range pipelines {
		st, d := r.addStage(def)
		diags = append(diags, d...)
		if st != nil {
			r.stages = append(r.stages, st)
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return r, diags
}

func (r *Runner) addStage(def *Pipeline) (*stage, lang.Diagnostics) {
	ctx := *r.ctx
	ctx.Pipeline.ID = def.ID
	if def.ECS != "" {
		ctx.Pipeline.ECSCompatibility = def.ECS
	}
	st := &stage{ctx: &ctx}
	diags := checkUniqueIDs(def.Configs)
	if diags.HasErrors() {
		return nil, diags
	}
	var d lang.Diagnostics
	st.filters, d = pipeline.Compile(filtersOnly(def.Configs), &ctx)
	diags = append(diags, d...)
	st.routes, d = pipeline.CompileOutputRoutes(def.Configs, &ctx)
	diags = append(diags, d...)
	for _, cfg := range def.Configs {
		for _, sec := range cfg.Sections {
			switch sec.Kind {
			case lang.InputSection:
				walkPlugins(sec.Body, func(p *lang.Plugin) {
					diags = append(diags, r.addInput(st, p)...)
				})
			case lang.OutputSection:
				walkPlugins(sec.Body, func(p *lang.Plugin) {
					st.hasOutputs = st.hasOutputs || p.Name != pipelinePlugin
				})
			}
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return st, diags
}

// pipelinePlugin is the name of Logstash's pipeline input and output,
// which connect pipelines: LFV keeps them where it replaces every other
// input and output.
const pipelinePlugin = "pipeline"

func (r *Runner) addInput(st *stage, p *lang.Plugin) lang.Diagnostics {
	ep := &entryPoint{stage: st, plugin: p}
	if p.Name != pipelinePlugin {
		id := pluginID(p)
		r.inputs[id] = append(r.inputs[id], ep)
		return nil
	}
	addr := attribute(p, "address")
	if addr == nil {
		return lang.Diagnostics{lang.Errorf(p.NameSpan(), "a pipeline input needs an address")}
	}
	values, d := stringValues(addr, st.ctx)
	if d != nil {
		return lang.Diagnostics{d}
	}
	if len(values) != 1 {
		return lang.Diagnostics{lang.Errorf(addr.Value, "address must be one string")}
	}
	if prev, ok := r.addresses[values[0]]; ok {
		return lang.Diagnostics{lang.Errorf(addr.Value, "address %q is already taken by the pipeline input at %s", values[0], prev.plugin.Pos)}
	}
	var diags lang.Diagnostics
	ep.decorate, diags = decoration(p, st.ctx)
	if ep.decorate != nil {
		r.addresses[values[0]] = ep
	}
	return diags
}

// decoration is what an input does to every event it emits: its type,
// tags and add_field, built on a stdin input with just those options.
func decoration(p *lang.Plugin, ctx *plugin.BuildContext) (func(*event.Event) error, lang.Diagnostics) {
	vehicle := &lang.Plugin{Pos: p.Pos, NameEnd: p.NameEnd, End: p.End, Name: "stdin"}
	for _, a := range p.Attributes {
		switch a.Name {
		case "type", "tags", "add_field":
			vehicle.Attributes = append(vehicle.Attributes, a)
		}
	}
	inst, diags := plugin.Build(plugin.KindInput, vehicle, ctx)
	if diags.HasErrors() {
		return nil, diags
	}
	decorate, err := pipeline.InputDecoration(inst.Settings)
	if err != nil {
		return nil, append(diags, asDiag(err, p.NameSpan()))
	}
	return decorate, diags
}

// CaseResult is the outcome of one testcase: it passed when there are no
// differences.
type CaseResult struct {
	Case        *Case
	Differences []Difference
}

// Passed reports whether the actual events matched the expected ones.
func (r *CaseResult) Passed() bool { return len(r.Differences) == 0 }

// Run runs every testcase of a suite. Diagnostics are problems that stop
// the suite (a codec or input_plugin that cannot be used, fields an event
// cannot take), and warnings about the input lines.
func (r *Runner) Run(s *Suite) ([]*CaseResult, lang.Diagnostics) {
	if s.InputPlugin != "" {
		return r.runDaemon(s)
	}
	return r.runStandalone(s)
}

// compareEvents pairs actual and expected events in order; surplus events
// on either side are differences of their own.
func compareEvents(c *Case, actual []*event.Map) []Difference {
	var diffs []Difference
	for i := 0; i < max(len(actual), len(c.Expected)); i++ {
		switch {
		case i >= len(actual):
			diffs = append(diffs, Difference{Event: i + 1, Expected: c.Expected[i].render(), Got: absent})
		case i >= len(c.Expected):
			diffs = append(diffs, Difference{Event: i + 1, Expected: absent, Got: renderValue(actual[i])})
		default:
			compare(i+1, "", c.Expected[i], actual[i], &diffs)
		}
	}
	return diffs
}

// runStandalone runs a file without input_plugin: its lines are one stream
// through its codec, as LFV's standalone mode writes them to a stdin input,
// and what leaves the filters is compared.
func (r *Runner) runStandalone(s *Suite) ([]*CaseResult, lang.Diagnostics) {
	if len(r.stages) != 1 {
		return nil, lang.Diagnostics{lang.Errorf(s.CodecAt, "this file has no input_plugin, and the config has %d pipelines: name the input its lines enter by", len(r.stages))}
	}
	st := r.stages[0]
	src, d := r.source(s)
	if d != nil {
		return nil, lang.Diagnostics{d}
	}
	var results []*CaseResult
	for _, c := range s.Cases {
		events, d := src.events(s, c)
		if d != nil {
			return results, lang.Diagnostics{d}
		}
		var actual []*event.Map
		for _, e := range st.filters.ProcessFilters(events) {
			actual = append(actual, r.standaloneReport(s, e))
		}
		results = append(results, &CaseResult{Case: c, Differences: compareEvents(c, s.trimAll(c, actual))})
	}
	return results, nil
}

// source makes the events of a standalone testcase out of its input lines.
type source struct {
	settings *plugin.Settings
	decorate func(*event.Event) error
}

// source builds the stdin input the lines go through, with the suite's
// codec.
func (r *Runner) source(s *Suite) (*source, *lang.Diagnostic) {
	cfg, diags := lang.Parse(s.File+" (codec)", []byte("input { stdin { codec => "+s.Codec+" } }"), lang.ParseOptions{})
	if diags.HasErrors() {
		return nil, lang.Errorf(s.CodecAt, "codec %q is not a valid codec setting: %s", s.Codec, firstError(diags))
	}
	inst, diags := plugin.Build(plugin.KindInput, cfg.Sections[0].Body[0].(*lang.Plugin), r.stages[0].ctx)
	if diags.HasErrors() {
		return nil, lang.Errorf(s.CodecAt, "%s", firstError(diags))
	}
	decorate, err := pipeline.InputDecoration(inst.Settings)
	if err != nil {
		return nil, lang.Errorf(s.CodecAt, "codec %q: %v", s.Codec, err)
	}
	return &source{settings: inst.Settings, decorate: decorate}, nil
}

// events decodes a testcase's input with a fresh codec and gives every
// event the fields. A testcase without input lines has one event with
// nothing but the fields.
func (src *source) events(s *Suite, c *Case) ([]*event.Event, *lang.Diagnostic) {
	var events []*event.Event
	collect := func(e *event.Event) { events = append(events, e) }
	if len(c.Input) == 0 {
		events = append(events, event.NewEvent())
	} else {
		codec := src.settings.NewStreamingCodec()
		for _, line := range c.Input {
			codec.Decode([]byte(line+"\n"), collect)
		}
		codec.Flush(collect)
	}
	fields := s.mergedFields(c)
	for _, e := range events {
		err := setFields(e, fields)
		if err == nil {
			err = src.decorate(e)
		}
		if err != nil {
			return nil, lang.Errorf(c, "%s: %v", c.Name(), err)
		}
	}
	return events, nil
}

// setFields sets every top-level field of fields on e.
func setFields(e *event.Event, fields *event.Map) error {
	var err error
	fields.Range(func(k string, v any) bool {
		err = setField(e, k, event.CloneValue(v))
		return err == nil
	})
	return err
}

// setField sets a top-level field. @metadata takes an object; a text
// @timestamp becomes a timestamp when it reads as one, as when Logstash
// builds an event from JSON.
func setField(e *event.Event, key string, v any) error {
	switch key {
	case event.MetadataField:
		return e.SetRef(event.FieldRef{Metadata: true}, v)
	case event.TimestampField:
		if s, ok := v.(string); ok {
			if ts, ok := event.ParseTimestamp(s); ok {
				v = ts
			}
		}
	}
	return e.SetRef(event.FieldRef{Path: []string{key}}, v)
}

// filtersOnly keeps the filter sections of configs: LFV replaces the
// inputs and outputs, so plugins gostash cannot run there (or that would
// reach the network) do not stop the tests.
func filtersOnly(configs []*lang.Config) []*lang.Config {
	var out []*lang.Config
	for _, cfg := range configs {
		f := &lang.Config{Pos: cfg.Pos, End: cfg.End}
		for _, sec := range cfg.Sections {
			if sec.Kind == lang.FilterSection {
				f.Sections = append(f.Sections, sec)
			}
		}
		out = append(out, f)
	}
	return out
}

// checkUniqueIDs reports ids used by more than one plugin of a pipeline,
// inputs and outputs included: LFV finds inputs and outputs by id, and
// Logstash refuses such a pipeline.
func checkUniqueIDs(configs []*lang.Config) lang.Diagnostics {
	var diags lang.Diagnostics
	first := map[string]*lang.Plugin{}
	for _, cfg := range configs {
		for _, sec := range cfg.Sections {
			walkPlugins(sec.Body, func(p *lang.Plugin) {
				id := pluginID(p)
				if id == "" {
					return
				}
				if prev, ok := first[id]; ok {
					diags = append(diags, lang.Errorf(attribute(p, "id").Value, "Config has duplicate Ids: [%q] (also used at %s)", id, prev.Pos))
					return
				}
				first[id] = p
			})
		}
	}
	return diags
}

// attribute returns a plugin's attribute of that name, or nil.
func attribute(p *lang.Plugin, name string) *lang.Attribute {
	for _, a := range p.Attributes {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// stringValues reads an attribute that takes a string or a list of
// strings, with ${VAR} references resolved.
func stringValues(a *lang.Attribute, ctx *plugin.BuildContext) ([]string, *lang.Diagnostic) {
	lookup := ctx.Lookup
	if lookup == nil {
		lookup = lang.EnvLookup
	}
	items := []lang.Value{a.Value}
	if list, ok := a.Value.(*lang.Array); ok {
		items = list.Items
	}
	var out []string
	for _, it := range items {
		switch v := it.(type) {
		case *lang.String:
			s, _, err := lang.ExpandVars(v.Value, lookup)
			if err != nil {
				return nil, lang.Errorf(v, "%v", err)
			}
			out = append(out, s)
		case *lang.Bareword:
			out = append(out, v.Value)
		default:
			return nil, lang.Errorf(it, "%s must be a string or a list of strings", a.Name)
		}
	}
	return out, nil
}

// asDiag is err as a diagnostic: itself when it is one, else about at.
func asDiag(err error, at lang.Located) *lang.Diagnostic {
	if d, ok := err.(*lang.Diagnostic); ok {
		return d
	}
	return lang.Errorf(at, "%v", err)
}

func firstError(diags lang.Diagnostics) string {
	for _, d := range diags {
		if d.Severity == lang.Error {
			return d.Summary
		}
	}
	return diags.Error()
}

// describe names a plugin block for messages: its name and where it is.
func describe(p *lang.Plugin) string {
	return fmt.Sprintf("%s at %s", p.Name, p.Pos)
}
