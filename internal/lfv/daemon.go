package lfv

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// What LFV's daemon mode keeps in @metadata (and reports at the top level
// with --debug), and what it puts in the generated input.
const (
	lfvIDField        = "__lfv_id"
	lfvOutPassedField = "__lfv_out_passed"
	lfvFieldsField    = "__lfv_fields"
	lfvFieldsNotFound = "__lfv_fields_not_found"
	// lfvFieldsNotFoundTag tags an event that has no input line to take
	// fields from.
	lfvFieldsNotFoundTag = "lfv_fields_not_found"
	// dummyInput is the line LFV feeds for a testcase without input, and
	// removes from the message afterwards.
	dummyInput = "__lfv_dummy_event"
	// maxHops bounds how many pipelines an event goes through, so that
	// pipelines sending to each other in a circle stop the suite instead
	// of running forever (Logstash would).
	maxHops = 64
)

// captured is an event an output of the config received.
type captured struct {
	e *event.Event
	// output is the output plugin; out its id as LFV reports it.
	output *lang.Plugin
	out    string
}

// runDaemon runs a file with input_plugin the way LFV's daemon mode runs it.
//
// LFV puts the file's input lines into a generator input with the codec of
// the input named by input_plugin, numbers the events the codec makes
// (@metadata __lfv_id, counting over the whole file), gives the event
// numbered n the fields of the file's nth input line, and sends it to a
// pipeline input that stands in for the named input (with its type, tags
// and add_field). Every output other than a pipeline output is replaced by
// one that reports the event with the output's id, so an event reaches the
// comparison once per output it gets to, across pipelines. The events are
// sorted by their number, then by output id.
//
// LFV feeds the whole file as one stream and compares all its events with
// all expected ones at once; here each testcase has a fresh codec and its
// own comparison, which is the same whenever no codec joins lines of two
// testcases, and says which testcase failed.
func (r *Runner) runDaemon(s *Suite) ([]*CaseResult, lang.Diagnostics) {
	ep, d := r.entryPoint(s)
	if d != nil {
		return nil, lang.Diagnostics{d}
	}
	gen, gd := r.newGenerator(s, ep.plugin)
	if gd != nil {
		return nil, lang.Diagnostics{gd}
	}
	if !r.anyOutputs() {
		return nil, lang.Diagnostics{lang.Errorf(s.InputPluginAt, "input_plugin: the config has no outputs; LFV compares the events its outputs receive")}
	}
	// lineFields are the fields of the file's input lines in order, a
	// testcase without input standing for one line.
	var lineFields []*event.Map
	for _, c := range s.Cases {
		fields := s.mergedFields(c)
		for range max(len(c.Input), 1) {
			lineFields = append(lineFields, fields)
		}
	}
	var diags lang.Diagnostics
	var results []*CaseResult
	next := 0
	for _, c := range s.Cases {
		events, d := gen.events(s, c)
		diags = append(diags, d...)
		if d.HasErrors() {
			return results, diags
		}
		for _, e := range events {
			err := prepare(e, next, lineFields)
			if err == nil {
				err = ep.decorate(e)
			}
			if err != nil {
				return results, append(diags, lang.Errorf(c, "%s: %v", c.Name(), err))
			}
			next++
		}
		var got []captured
		if fd := r.flow(ep.stage, events, 0, &got); fd != nil {
			return results, append(diags, fd)
		}
		actual, rd := r.daemonReport(s, got)
		if rd != nil {
			return results, append(diags, rd)
		}
		results = append(results, &CaseResult{Case: c, Differences: compareEvents(c, s.trimAll(c, actual))})
	}
	return results, diags
}

// entryPoint finds the input a file names and builds its decoration.
func (r *Runner) entryPoint(s *Suite) (*entryPoint, *lang.Diagnostic) {
	found := r.inputs[s.InputPlugin]
	switch {
	case len(found) == 0:
		if _, ok := r.addresses[s.InputPlugin]; ok {
			return nil, lang.Errorf(s.InputPluginAt, "input_plugin: %q is the address of a pipeline input, which LFV does not feed; name the input of the pipeline that sends here, or mock this one with a stdin input", s.InputPlugin)
		}
		return nil, lang.Errorf(s.InputPluginAt, "input_plugin: the config has no input with id %q", s.InputPlugin)
	case len(found) > 1:
		return nil, lang.Errorf(s.InputPluginAt, "input_plugin: %d inputs have the id %q (%s and %s)", len(found), s.InputPlugin, describe(found[0].plugin), describe(found[1].plugin))
	}
	ep := found[0]
	if ep.decorate == nil {
		decorate, diags := decoration(ep.plugin, ep.stage.ctx)
		if diags.HasErrors() {
			return nil, lang.Errorf(s.InputPluginAt, "input_plugin %q: %s", s.InputPlugin, firstError(diags))
		}
		ep.decorate = decorate
	}
	return ep, nil
}

func (r *Runner) anyOutputs() bool {
	for _, st := range r.stages {
		if st.hasOutputs {
			return true
		}
	}
	return false
}

// generator is LFV's generated input for one test case file: a generator
// input with the codec of the input the file names (plain when it sets
// none) and count 1, in a pipeline with the process's settings. It is
// built once per file, so a codec's warnings show once.
type generator struct {
	settings *plugin.Settings
	ctx      *plugin.BuildContext
	// sequence is whether the generator numbers events in [event][sequence]
	// (in ECS mode; without it, the sequence field LFV removes).
	sequence bool
}

func (r *Runner) newGenerator(s *Suite, input *lang.Plugin) (*generator, *lang.Diagnostic) {
	gen := &lang.Plugin{Pos: input.Pos, NameEnd: input.NameEnd, End: input.End, Name: "generator"}
	if codec := attribute(input, "codec"); codec != nil {
		gen.Attributes = append(gen.Attributes, codec)
	} else {
		gen.Attributes = append(gen.Attributes, &lang.Attribute{Pos: input.Pos, NameEnd: input.NameEnd, End: input.NameEnd, Name: "codec",
			Value: &lang.Bareword{Pos: input.Pos, End: input.NameEnd, Value: "plain"}})
	}
	inst, diags := plugin.Build(plugin.KindInput, gen, r.ctx)
	if diags.HasErrors() {
		return nil, lang.Errorf(s.InputPluginAt, "input_plugin %q: %s", s.InputPlugin, firstError(diags))
	}
	return &generator{settings: inst.Settings, ctx: r.ctx, sequence: inst.Settings.ECS() != "disabled"}, nil
}

// events makes a testcase's events as the generator does from its lines:
// each line decoded on its own, then the codec flushed. The lines are
// what Logstash reads from LFV's config text, where LFV quotes them.
func (g *generator) events(s *Suite, c *Case) ([]*event.Event, lang.Diagnostics) {
	var diags lang.Diagnostics
	lines := c.Input
	if len(lines) == 0 {
		lines = []string{dummyInput}
	}
	quoted := make([]string, len(lines))
	for i, line := range lines {
		var ok bool
		if quoted[i], ok = quoteLine(line, '"'); ok {
			continue
		}
		if _, ok := quoteLine(line, '\''); !ok {
			diags = append(diags, lang.Warnf(c.InputAt[i], "the line has unescaped double and single quotes; LFV escapes the single quotes, and Logstash keeps the backslashes it adds"))
		}
		quoted[i] = "'" + escapeQuotes(line, '\'') + "'"
	}
	text := "input { generator { lines => [ " + strings.Join(quoted, ", ") + " ] } }"
	cfg, pd := lang.Parse(s.File+" (LFV's generated input)", []byte(text), lang.ParseOptions{})
	if pd.HasErrors() {
		return nil, append(diags, lang.Errorf(c, "%s: LFV puts the input lines into the config of a generator input, and Logstash cannot read them there: %s", c.Name(), firstError(pd)))
	}
	read, d := stringValues(attribute(cfg.Sections[0].Body[0].(*lang.Plugin), "lines"), g.ctx)
	if d != nil {
		return nil, append(diags, lang.Errorf(c, "%s: %s", c.Name(), d.Summary))
	}
	var events []*event.Event
	codec := g.settings.NewCodec()
	for _, line := range read {
		codec.Decode([]byte(line), func(e *event.Event) {
			if g.sequence {
				e.SetRef(eventSequence, int64(0))
			}
			events = append(events, e)
		})
	}
	codec.Flush(func(e *event.Event) { events = append(events, e) })
	return events, diags
}

var eventSequence, _ = event.ParseFieldRef("[event][sequence]")

// quoteLine quotes a line as LFV tries to first: as is between quote
// characters, which fails when the line holds that quote character
// unescaped after its second byte (LFV does not look at the first two).
func quoteLine(line string, quote byte) (string, bool) {
	for i := 2; i < len(line); i++ {
		if line[i] == quote && line[i-1] != '\\' {
			return "", false
		}
	}
	return string(quote) + line + string(quote), true
}

// escapeQuotes puts a backslash before every unescaped quote character,
// as LFV does when quoteLine fails for both kinds of quotes; LFV's check
// skips the second byte.
func escapeQuotes(line string, quote byte) string {
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		if line[i] == quote && (i == 0 || i > 1 && line[i-1] != '\\') {
			b.WriteByte('\\')
		}
		b.WriteByte(line[i])
	}
	return b.String()
}

// prepare does what LFV's generated input pipeline does to event number n
// after the codec: it removes the generator's host and sequence fields,
// records the number, sets the fields of input line n (or tags the event
// when the codec made more events than there are lines), and removes the
// message of the line standing for a testcase without input.
func prepare(e *event.Event, n int, lineFields []*event.Map) error {
	e.Data().Delete("host")
	e.Data().Delete("sequence")
	md := e.Metadata()
	md.Set(lfvIDField, strconv.Itoa(n))
	if n < len(lineFields) {
		md.Set(lfvFieldsField, lineFields[n].Clone())
		if err := setFields(e, lineFields[n]); err != nil {
			return err
		}
	} else {
		md.Set(lfvFieldsField, lfvFieldsNotFound)
		e.Tag(lfvFieldsNotFoundTag)
	}
	if msg, ok := e.Data().Get("message"); ok && msg == dummyInput {
		e.Data().Delete("message")
	}
	return nil
}

// flow runs events through a pipeline's filters and follows them through
// its outputs: into the pipelines pipeline outputs send to, or into got.
func (r *Runner) flow(st *stage, events []*event.Event, hops int, got *[]captured) *lang.Diagnostic {
	type batch struct {
		stage  *stage
		events []*event.Event
	}
	var onward []*batch
	for _, e := range st.filters.ProcessFilters(events) {
		for _, o := range st.routes.Reached(e) {
			if o.Name != pipelinePlugin {
				*got = append(*got, captured{e: e.Clone(), output: o, out: outputName(pluginID(o))})
				continue
			}
			sendTo := attribute(o, "send_to")
			if sendTo == nil {
				return lang.Errorf(o.NameSpan(), "a pipeline output needs send_to")
			}
			addrs, d := stringValues(sendTo, st.ctx)
			if d != nil {
				return d
			}
			for _, addr := range addrs {
				to, ok := r.addresses[addr]
				if !ok {
					return lang.Errorf(sendTo.Value, "no pipeline input has the address %q; Logstash would wait for one forever", addr)
				}
				if hops+1 >= maxHops {
					return lang.Errorf(sendTo.Value, "an event went through %d pipelines: the pipelines send events to each other in a circle", maxHops)
				}
				c := e.Clone()
				if err := to.decorate(c); err != nil {
					return lang.Errorf(to.plugin.NameSpan(), "%v", err)
				}
				i := slices.IndexFunc(onward, func(b *batch) bool { return b.stage == to.stage })
				if i < 0 {
					onward = append(onward, &batch{stage: to.stage})
					i = len(onward) - 1
				}
				onward[i].events = append(onward[i].events, c)
			}
		}
	}
	for _, b := range onward {
		if d := r.flow(b.stage, b.events, hops+1, got); d != nil {
			return d
		}
	}
	return nil
}

// daemonReport turns what the outputs received into the events LFV
// compares: sorted by event number and output id, with the output id
// (export_outputs or --debug), the number (--debug) and the exported
// @metadata added, and the tags LFV uses itself removed (not with --debug).
func (r *Runner) daemonReport(s *Suite, got []captured) ([]*event.Map, *lang.Diagnostic) {
	number := func(c captured) int64 {
		v, _ := c.e.Metadata().Get(lfvIDField)
		text, _ := v.(string)
		n, _ := strconv.ParseInt(text, 10, 64)
		return n
	}
	slices.SortStableFunc(got, func(a, b captured) int {
		return cmp.Or(cmp.Compare(number(a), number(b)), strings.Compare(a.out, b.out))
	})
	var out []*event.Map
	for _, c := range got {
		if c.out == "" && (s.ExportOutputs || r.opts.Debug) {
			return nil, lang.Errorf(c.output.NameSpan(), "%s output without an id: LFV reports the id of the output an event left by; give it one, or run with --add-missing-id", c.output.Name)
		}
		m := normalize(c.e.Data()).(*event.Map)
		md := c.e.Metadata()
		if r.opts.Debug {
			m.Set(lfvIDField, idText(md))
		}
		if s.ExportOutputs || r.opts.Debug {
			m.Set(lfvOutPassedField, c.out)
		}
		if s.ExportMetadata {
			if exported := exportedMetadata(md); exported.Len() > 0 {
				setDotted(m, r.opts.MetadataKey, exported)
			}
		}
		if !r.opts.Debug {
			dropLFVTags(m)
		}
		out = append(out, m)
	}
	return out, nil
}

// idText is the event number as LFV's --debug reports it: the text of
// @metadata __lfv_id, "" when the tested filters removed it (setting the
// whole @metadata does).
func idText(md *event.Map) string {
	v, ok := md.Get(lfvIDField)
	if !ok {
		return ""
	}
	if text, ok := v.(string); ok {
		return text
	}
	return renderValue(normalize(v))
}

// exportedMetadata is @metadata without LFV's own keys, which LFV never
// exports: those starting with __lfv_ or __tmp_.
func exportedMetadata(md *event.Map) *event.Map {
	out := event.NewMap(md.Len())
	md.Range(func(k string, v any) bool {
		if !strings.HasPrefix(k, "__lfv_") && !strings.HasPrefix(k, "__tmp_") {
			out.Set(k, normalize(v))
		}
		return true
	})
	return out
}

// setDotted sets v at a path of dot-separated keys, as LFV places the
// exported @metadata at --metadata-key.
func setDotted(m *event.Map, path string, v any) {
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		child, ok := m.Get(k)
		cm, isMap := child.(*event.Map)
		if !ok || !isMap {
			cm = event.NewMap(1)
			m.Set(k, cm)
		}
		m = cm
	}
	m.Set(keys[len(keys)-1], v)
}

// dropLFVTags removes the tags starting with __lfv_, and the tags field
// when no tag is left, as LFV tidies every event it reports.
func dropLFVTags(m *event.Map) {
	v, ok := m.Get(event.TagsField)
	if !ok {
		return
	}
	var list []any
	switch t := v.(type) {
	case []any:
		list = t
	case nil:
	default:
		list = []any{t}
	}
	kept := []any{}
	for _, t := range list {
		text, isString := t.(string)
		if !isString {
			text = renderValue(t)
		}
		if !strings.HasPrefix(text, "__lfv_") {
			kept = append(kept, text)
		}
	}
	if len(kept) == 0 {
		m.Delete(event.TagsField)
		return
	}
	m.Set(event.TagsField, kept)
}
