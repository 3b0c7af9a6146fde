package lfv

import (
	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/pipeline"
	"github.com/gostash/gostash/runtime/plugin"
)

// Runner runs test case files against one Logstash config. The filters are
// compiled once and shared by every file, as in LFV's daemon mode, where
// one Logstash pipeline serves all test case files.
type Runner struct {
	configs  []*lang.Config
	ctx      *plugin.BuildContext
	pipeline *pipeline.Pipeline
}

// NewRunner compiles the filter sections of configs; their inputs and
// outputs are not run (input_plugin reads an input's options).
func NewRunner(configs []*lang.Config, ctx *plugin.BuildContext) (*Runner, lang.Diagnostics) {
	p, diags := pipeline.Compile(filtersOnly(configs), ctx)
	if diags.HasErrors() {
		return nil, diags
	}
	return &Runner{configs: configs, ctx: ctx, pipeline: p}, diags
}

// CaseResult is the outcome of one testcase: it passed when there are no
// differences.
type CaseResult struct {
	Case        *Case
	Differences []Difference
}

// Passed reports whether the actual events matched the expected ones.
func (r *CaseResult) Passed() bool { return len(r.Differences) == 0 }

// Run runs every testcase of a suite through the filters. Diagnostics are
// problems that stop the suite: a codec or input_plugin that cannot be
// used, or fields an event cannot take.
func (r *Runner) Run(s *Suite) ([]*CaseResult, lang.Diagnostics) {
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
		out := r.pipeline.ProcessFilters(events)
		results = append(results, &CaseResult{Case: c, Differences: s.compareEvents(c, out)})
	}
	return results, nil
}

// compareEvents pairs actual and expected events in order; surplus events
// on either side are differences of their own.
func (s *Suite) compareEvents(c *Case, out []*event.Event) []Difference {
	var diffs []Difference
	for i := 0; i < max(len(out), len(c.Expected)); i++ {
		switch {
		case i >= len(out):
			diffs = append(diffs, Difference{Event: i + 1, Expected: c.Expected[i].render(), Got: absent})
		case i >= len(c.Expected):
			diffs = append(diffs, Difference{Event: i + 1, Expected: absent, Got: renderValue(s.comparable(out[i], nil))})
		default:
			compare(i+1, "", c.Expected[i], s.comparable(out[i], c.Expected[i]), &diffs)
		}
	}
	return diffs
}

// source makes the events of a testcase out of its input lines.
type source struct {
	settings *plugin.Settings
	decorate func(*event.Event) error
	// perEntry decodes each input entry on its own, without a newline,
	// with the codec as configured (LFV's daemon mode feeds the entries to
	// a generator input); otherwise the entries are lines of one stream,
	// as LFV's standalone mode writes them to a stdin input.
	perEntry bool
}

// source builds the input the test lines go through: the registered stdin
// input (the binary registers every plugin), decoding a stream with the
// suite's codec, or, with input_plugin, one with the codec (plain when it
// sets none, as LFV), type, tags and add_field of the config's input of
// that id (LFV keeps those options when it replaces the input).
func (r *Runner) source(s *Suite) (*source, *lang.Diagnostic) {
	var inputBlock *lang.Plugin
	if s.InputPlugin != "" {
		orig := findInput(r.configs, s.InputPlugin)
		if orig == nil {
			return nil, lang.Errorf(s.InputPluginAt, "input_plugin: the config has no input with id %q", s.InputPlugin)
		}
		inputBlock = &lang.Plugin{Pos: orig.Pos, NameEnd: orig.NameEnd, End: orig.End, Name: "stdin"}
		hasCodec := false
		for _, a := range orig.Attributes {
			switch a.Name {
			case "codec":
				hasCodec = true
				inputBlock.Attributes = append(inputBlock.Attributes, a)
			case "type", "tags", "add_field":
				inputBlock.Attributes = append(inputBlock.Attributes, a)
			}
		}
		if !hasCodec {
			inputBlock.Attributes = append(inputBlock.Attributes, &lang.Attribute{Pos: orig.Pos, NameEnd: orig.NameEnd, End: orig.NameEnd, Name: "codec",
				Value: &lang.Bareword{Pos: orig.Pos, End: orig.NameEnd, Value: "plain"}})
		}
	} else {
		cfg, diags := lang.Parse(s.File+" (codec)", []byte("input { stdin { codec => "+s.Codec+" } }"), lang.ParseOptions{})
		if diags.HasErrors() {
			return nil, lang.Errorf(s.CodecAt, "codec %q is not a valid codec setting: %s", s.Codec, firstError(diags))
		}
		inputBlock = cfg.Sections[0].Body[0].(*lang.Plugin)
	}
	inst, diags := plugin.Build(plugin.KindInput, inputBlock, r.ctx)
	if diags.HasErrors() {
		at := s.CodecAt
		if s.InputPlugin != "" {
			at = s.InputPluginAt
		}
		return nil, lang.Errorf(at, "%s", firstError(diags))
	}
	decorate, err := pipeline.InputDecoration(inst.Settings)
	if err != nil {
		return nil, lang.Errorf(s.InputPluginAt, "input_plugin %q: %v", s.InputPlugin, err)
	}
	return &source{settings: inst.Settings, decorate: decorate, perEntry: s.InputPlugin != ""}, nil
}

// events decodes a testcase's input with a fresh codec and gives every
// event the fields. A testcase without input lines has one event with
// nothing but the fields, as in LFV.
func (src *source) events(s *Suite, c *Case) ([]*event.Event, *lang.Diagnostic) {
	var events []*event.Event
	collect := func(e *event.Event) { events = append(events, e) }
	switch {
	case len(c.Input) == 0:
		events = append(events, event.NewEvent())
	case src.perEntry:
		codec := src.settings.NewCodec()
		for _, entry := range c.Input {
			codec.Decode([]byte(entry), collect)
		}
		codec.Flush(collect)
	default:
		codec := src.settings.NewStreamingCodec()
		for _, line := range c.Input {
			codec.Decode([]byte(line+"\n"), collect)
		}
		codec.Flush(collect)
	}
	fields := s.mergedFields(c)
	for _, e := range events {
		var err error
		fields.Range(func(k string, v any) bool {
			err = setField(e, k, event.CloneValue(v))
			return err == nil
		})
		if err == nil {
			err = src.decorate(e)
		}
		if err != nil {
			return nil, lang.Errorf(c, "%s: %v", c.Name(), err)
		}
	}
	return events, nil
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

// findInput returns the input plugin block whose id option is id.
func findInput(configs []*lang.Config, id string) *lang.Plugin {
	var walk func([]lang.Statement) *lang.Plugin
	walk = func(body []lang.Statement) *lang.Plugin {
		for _, st := range body {
			switch t := st.(type) {
			case *lang.Plugin:
				if pluginID(t) == id {
					return t
				}
			case *lang.Branch:
				for _, c := range t.Cases {
					if p := walk(c.Body); p != nil {
						return p
					}
				}
				if t.Else != nil {
					if p := walk(t.Else.Body); p != nil {
						return p
					}
				}
			}
		}
		return nil
	}
	for _, cfg := range configs {
		for _, sec := range cfg.Sections {
			if sec.Kind == lang.InputSection {
				if p := walk(sec.Body); p != nil {
					return p
				}
			}
		}
	}
	return nil
}

func firstError(diags lang.Diagnostics) string {
	for _, d := range diags {
		if d.Severity == lang.Error {
			return d.Summary
		}
	}
	return diags.Error()
}
