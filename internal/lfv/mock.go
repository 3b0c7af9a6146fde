package lfv

import (
	"os"

	"github.com/gostash/gostash/lang"
)

// Mock is an entry of an LFV plugin mock file: the plugin with id ID is
// replaced by the config text Config, or removed when Config is empty. Mocks
// stand in for filters that reach other systems (elasticsearch, http,
// jdbc lookups) or read the environment.
type Mock struct {
	ID     string
	Config string
	// At is the mock's entry in the file.
	At lang.Range
}

// LoadMocks reads a plugin mock file: a YAML list of `id:` with an
// optional `mock:` config text. The map holds the file's text by name, for
// rendering the diagnostics.
func LoadMocks(path string) ([]Mock, map[string][]byte, lang.Diagnostics) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, map[string][]byte{}, lang.Diagnostics{lang.Errorf(lang.Pos{File: path}, "%v", err)}
	}
	files := map[string][]byte{path: src}
	l := newLocator(path, src)
	root, d := parseYAML(l)
	if d != nil {
		return nil, files, lang.Diagnostics{d}
	}
	r := &reader{l: l, yaml: true}
	var mocks []Mock
	for _, item := range r.list(root, "a plugin mock file") {
		if item.kind != objectKind {
			r.errorf(item, "a plugin mock must be an object with id and mock, not %s", item.kind)
			continue
		}
		m := Mock{At: item.Span()}
		for i, key := range item.keys {
			switch key.str {
			case "id":
				m.ID = r.str(item.items[i], "id")
			case "mock":
				if item.items[i].kind != nullKind {
					m.Config = r.str(item.items[i], "mock")
				}
			default:
				r.warnf(key, "unknown key %q in a plugin mock is ignored", key.str)
			}
		}
		if m.ID == "" {
			r.errorf(item, "a plugin mock needs an id")
		}
		mocks = append(mocks, m)
	}
	if r.diags.HasErrors() {
		return nil, files, r.diags
	}
	return mocks, files, r.diags
}

// ApplyMocks returns pipelines whose plugins (inputs, filters and outputs)
// with a mocked id are replaced by the mock's plugins (read as the same
// section's config) or removed. The given pipelines are not changed.
func ApplyMocks(pipelines []*Pipeline, mocks []Mock) ([]*Pipeline, lang.Diagnostics) {
	var diags lang.Diagnostics
	byID := map[string]Mock{}
	for _, m := range mocks {
		byID[m.ID] = m
	}
	used := map[string]bool{}
	// replace returns what stands for the plugin with a mocked id, or false
	// when the mock's text is not valid config (reported once).
	replace := func(kind lang.SectionKind, m Mock) ([]lang.Statement, bool) {
		used[m.ID] = true
		if m.Config == "" {
			return nil, true
		}
		cfg, d := lang.Parse(m.At.Start.File+" (mock "+m.ID+")", []byte(string(kind)+" {\n"+m.Config+"\n}\n"), lang.ParseOptions{})
		if d.HasErrors() {
			diags = append(diags, lang.Errorf(m.At, "mock for %q is not valid %s config: %s", m.ID, kind, firstError(d)))
			return nil, false
		}
		body := cfg.Sections[0].Body
		// A single plugin standing in for another keeps its id, so that
		// input_plugin still finds a mocked input.
		if len(body) == 1 {
			if p, ok := body[0].(*lang.Plugin); ok && pluginID(p) == "" {
				p.Attributes = append(p.Attributes, &lang.Attribute{Pos: p.Pos, NameEnd: p.NameEnd, End: p.NameEnd, Name: "id",
					Value: &lang.String{Pos: p.Pos, End: p.NameEnd, Value: m.ID, Quote: '"'}})
			}
		}
		return body, true
	}
	var mocked func(lang.SectionKind, []lang.Statement) []lang.Statement
	mocked = func(kind lang.SectionKind, body []lang.Statement) []lang.Statement {
		var out []lang.Statement
		for _, st := range body {
			switch t := st.(type) {
			case *lang.Plugin:
				if m, ok := byID[pluginID(t)]; ok {
					if repl, ok := replace(kind, m); ok {
						out = append(out, repl...)
					}
					continue
				}
				out = append(out, t)
			case *lang.Branch:
				b := &lang.Branch{Pos: t.Pos, End: t.End}
				for _, c := range t.Cases {
					b.Cases = append(b.Cases, &lang.Case{Pos: c.Pos, End: c.End, Cond: c.Cond, Body: mocked(kind, c.Body)})
				}
				if t.Else != nil {
					b.Else = &lang.Block{Pos: t.Else.Pos, End: t.Else.End, Body: mocked(kind, t.Else.Body)}
				}
				out = append(out, b)
			default:
				out = append(out, st)
			}
		}
		return out
	}
	var out []*Pipeline
	for _, p := range pipelines {
		mp := *p
		mp.Configs = nil
		for _, cfg := range p.Configs {
			c := &lang.Config{Pos: cfg.Pos, End: cfg.End, SupportEscapes: cfg.SupportEscapes}
			for _, sec := range cfg.Sections {
				c.Sections = append(c.Sections, &lang.Section{Pos: sec.Pos, End: sec.End, Kind: sec.Kind, Body: mocked(sec.Kind, sec.Body)})
			}
			mp.Configs = append(mp.Configs, c)
		}
		out = append(out, &mp)
	}
	for _, m := range mocks {
		if !used[m.ID] {
			diags = append(diags, lang.Warnf(m.At, "no plugin with id %q in the config; the mock is not used", m.ID))
		}
	}
	return out, diags
}

// pluginID is the plugin's id option when it is a plain string.
func pluginID(p *lang.Plugin) string {
	for _, a := range p.Attributes {
		if a.Name != "id" {
			continue
		}
		switch v := a.Value.(type) {
		case *lang.String:
			return v.Value
		case *lang.Bareword:
			return v.Value
		}
	}
	return ""
}
