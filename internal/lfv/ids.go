package lfv

import (
	"fmt"
	"strings"

	"github.com/gostash/gostash/lang"
)

// AddMissingIDs gives every plugin without an id the one LFV's
// --add-missing-id gives it: id_missing_<file>_<n>, where <file> is the
// config file's name after the pipeline's base, with every character other
// than a letter or digit made _, and n counts the file's plugins (inputs,
// then filters, then outputs, in order) from 1. The configs are changed in
// place.
func AddMissingIDs(p *Pipeline) {
	for _, cfg := range p.Configs {
		name := outputName(strings.TrimPrefix(cfg.Pos.File, p.Base))
		count := 0
		for _, kind := range []lang.SectionKind{lang.InputSection, lang.FilterSection, lang.OutputSection} {
			for _, sec := range cfg.Sections {
				if sec.Kind != kind {
					continue
				}
				walkPlugins(sec.Body, func(pl *lang.Plugin) {
					count++
					if pluginID(pl) == "" {
						id := fmt.Sprintf("id_missing_%s_%04d", name, count)
						pl.Attributes = append(pl.Attributes, &lang.Attribute{Pos: pl.Pos, NameEnd: pl.NameEnd, End: pl.NameEnd, Name: "id",
							Value: &lang.String{Pos: pl.Pos, End: pl.NameEnd, Value: id, Quote: '"'}})
					}
				})
			}
		}
	}
}

// outputName is an id as LFV names the output it stands in for the output
// with that id (and reports in __lfv_out_passed): every character other
// than an ASCII letter or digit becomes _.
func outputName(id string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, id)
}

// walkPlugins calls fn for every plugin of a section body in order,
// descending into the bodies of if, else if and else.
func walkPlugins(body []lang.Statement, fn func(*lang.Plugin)) {
	for _, st := range body {
		switch t := st.(type) {
		case *lang.Plugin:
			fn(t)
		case *lang.Branch:
			for _, c := range t.Cases {
				walkPlugins(c.Body, fn)
			}
			if t.Else != nil {
				walkPlugins(t.Else.Body, fn)
			}
		}
	}
}
