// Package filtertest builds filters from option values and runs events
// through them, for the filter plugins' table tests.
package filtertest

import (
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"testing"

	"github.com/gostash/gostash/lang"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// Hash is an ordered config hash: key, value, key, value...
type Hash []any

// Options are a plugin block's attributes, applied in key order after
// sorting so configs are deterministic.
type Options map[string]any

func toValue(v any) lang.Value {
	pos := lang.Pos{File: "test.conf", Line: 1, Column: 1}
	switch t := v.(type) {
	case string:
		return &lang.String{Pos: pos, Value: t, Quote: '"'}
	case int:
		return &lang.Number{Pos: pos, Raw: fmt.Sprint(t), Int: int64(t)}
	case float64:
		return &lang.Number{Pos: pos, Raw: fmt.Sprint(t), IsFloat: true, Float: t}
	case bool:
		return &lang.Bareword{Pos: pos, Value: fmt.Sprint(t)}
	case []any:
		a := &lang.Array{Pos: pos}
		for _, x := range t {
			a.Items = append(a.Items, toValue(x))
		}
		return a
	case []string:
		a := &lang.Array{Pos: pos}
		for _, x := range t {
			a.Items = append(a.Items, toValue(x))
		}
		return a
	case Hash:
		h := &lang.Hash{Pos: pos}
		for i := 0; i+1 < len(t); i += 2 {
			h.Entries = append(h.Entries, &lang.HashEntry{Pos: pos, Key: toValue(t[i]), Value: toValue(t[i+1])})
		}
		return h
	}
	panic(fmt.Sprintf("filtertest: unsupported option value %T", v))
}

// New builds the named filter with opts and returns it with its build
// diagnostics rendered as text (empty when it built).
func New(name string, opts Options, ecs string) (plugin.Filter, string) {
	p := &lang.Plugin{Pos: lang.Pos{File: "test.conf", Line: 1, Column: 1}, Name: name}
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.Attributes = append(p.Attributes, &lang.Attribute{Pos: p.Pos, Name: k, Value: toValue(opts[k])})
	}
	ps := plugin.DefaultPipelineSettings(1)
	if ecs != "" {
		ps.ECSCompatibility = ecs
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	inst, diags := plugin.Build(plugin.KindFilter, p, &plugin.BuildContext{Pipeline: ps, Logger: quiet})
	if diags.HasErrors() {
		var msgs []string
		for _, d := range diags {
			msgs = append(msgs, d.Summary)
		}
		return nil, strings.Join(msgs, "\n")
	}
	return inst.Plugin.(plugin.Filter), ""
}

// MustNew is New that fails the test on a build error.
func MustNew(t testing.TB, name string, opts Options) plugin.Filter {
	t.Helper()
	f, err := New(name, opts, "")
	if err != "" {
		t.Fatalf("building %s: %s", name, err)
	}
	return f
}

// Event builds an event from a JSON object, with @timestamp pinned to
// 2026-01-02T03:04:05.678Z unless the object has one.
func Event(t testing.TB, jsonText string) *event.Event {
	t.Helper()
	v, err := event.DecodeJSON([]byte(jsonText))
	if err != nil {
		t.Fatalf("bad test event %s: %v", jsonText, err)
	}
	m := v.(*event.Map)
	if !m.Has("@timestamp") {
		m.Set("@timestamp", "2026-01-02T03:04:05.678Z")
	}
	return event.NewEventFromMap(m)
}

// Data renders an event's data as compact JSON without @timestamp and
// @version, so expectations stay short.
func Data(e *event.Event) string {
	m := e.Data().Clone()
	m.Delete("@timestamp")
	m.Delete("@version")
	return string(event.AppendJSON(nil, m))
}

// Run passes e through f and returns whether it matched and the events it emitted.
func Run(f plugin.Filter, e *event.Event) (bool, []*event.Event) {
	var out []*event.Event
	matched := f.Filter(e, func(n *event.Event) { out = append(out, n) })
	return matched, out
}
