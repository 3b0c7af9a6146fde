// Package prune is Logstash's prune filter: it removes top-level fields by
// name or value, with allow and deny lists of regular expressions.
package prune

import (
	"log/slog"
	"strings"

	"github.com/dlclark/regexp2"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optInterpolate     = plugin.Bool("interpolate").Default(false).Doc("sprintf the names and patterns against each event (slower: patterns are compiled per event).")
	optWhitelistNames  = plugin.Strings("whitelist_names").Default([]string{}).Doc("Regexes: only top-level fields whose name matches one are kept.")
	optBlacklistNames  = plugin.Strings("blacklist_names").Default([]string{`%\{[^}]+\}`}).Doc("Regexes: top-level fields whose name matches one are removed (by default names that look like an unresolved %{...}).")
	optWhitelistValues = plugin.Hash("whitelist_values").Default(event.NewMap(0)).Doc("Field → regex: a value that does not match is removed (from a list, only the elements that do not match).")
	optBlacklistValues = plugin.Hash("blacklist_values").Default(event.NewMap(0)).Doc("Field → regex: a value that matches is removed (from a list, only the elements that match).")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "prune",
			Summary: "Removes top-level fields by name or value.",
			Options: []plugin.Declared{optInterpolate, optWhitelistNames, optBlacklistNames, optWhitelistValues, optBlacklistValues},
		},
		New: newPrune,
	})
}

// valueRule is one whitelist_values / blacklist_values entry.
type valueRule struct {
	field, pattern string
	re             *regexp2.Regexp // nil when interpolated per event
}

type prune struct {
	log                     *slog.Logger
	interpolate             bool
	whitelistNames          []string
	blacklistNames          []string
	whitelistRE             *regexp2.Regexp
	blacklistRE             *regexp2.Regexp
	whitelistVals, blackVal []valueRule
}

func newPrune(s *plugin.Settings) (plugin.Filter, error) {
	f := &prune{
		log:            s.Logger(),
		interpolate:    optInterpolate.Get(s),
		whitelistNames: optWhitelistNames.Get(s),
		blacklistNames: optBlacklistNames.Get(s),
	}
	rules := func(opt plugin.Opt[*event.Map]) ([]valueRule, error) {
		var out []valueRule
		var err error
		opt.Get(s).Range(func(k string, v any) bool {
			r := valueRule{field: k, pattern: ruby.ToS(v)}
			if !f.interpolate {
				if r.re, err = ruby.Compile(r.pattern, 0); err != nil {
					err = opt.Errorf(s, "invalid regular expression %s: %v", ruby.Inspect(r.pattern), err)
					return false
				}
			}
			out = append(out, r)
			return true
		})
		return out, err
	}
	var err error
	if f.whitelistVals, err = rules(optWhitelistValues); err != nil {
		return nil, err
	}
	if f.blackVal, err = rules(optBlacklistValues); err != nil {
		return nil, err
	}
	if !f.interpolate {
		if f.whitelistRE, err = union(f.whitelistNames); err != nil {
			return nil, optWhitelistNames.Errorf(s, "%v", err)
		}
		if f.blacklistRE, err = union(f.blacklistNames); err != nil {
			return nil, optBlacklistNames.Errorf(s, "%v", err)
		}
	}
	return f, nil
}

// union is Regexp.union of the patterns compiled one by one.
func union(patterns []string) (*regexp2.Regexp, error) {
	if len(patterns) == 0 {
		return nil, nil
	}
	parts := make([]string, len(patterns))
	for i, p := range patterns {
		t, err := ruby.Translate(p, nil)
		if err != nil {
			return nil, err
		}
		parts[i] = "(?:" + t + ")"
	}
	return regexp2.Compile(strings.Join(parts, "|"), regexp2.Multiline)
}

func matches(re *regexp2.Regexp, s string) bool {
	ok, _ := re.MatchString(s)
	return ok
}

// removal is a field to remove, or only some of its list's elements.
type removal struct {
	field  string
	values []any
	whole  bool
}

// Filter removes what the lists say and always matches.
func (f *prune) Filter(e *event.Event, _ func(*event.Event)) bool {
	data := e.Data()
	keys := append([]string(nil), data.Keys()...)
	var remove []removal
	names := func(patterns []string, compiled *regexp2.Regexp, keep bool) {
		if len(patterns) == 0 {
			return
		}
		re := compiled
		if f.interpolate {
			sprinted := make([]string, len(patterns))
			for i, p := range patterns {
				sprinted[i] = e.Sprintf(p)
			}
			var err error
			if re, err = union(sprinted); err != nil {
				f.log.Warn("invalid regular expression", slog.String("exception", err.Error()))
				return
			}
		}
		for _, k := range keys {
			if matches(re, k) != keep {
				remove = append(remove, removal{field: k, whole: true})
			}
		}
	}
	names(f.whitelistNames, f.whitelistRE, true)
	names(f.blacklistNames, f.blacklistRE, false)
	values := func(rules []valueRule, keep bool) {
		for _, r := range rules {
			field, re := r.field, r.re
			if f.interpolate {
				field = e.Sprintf(field)
				var err error
				if re, err = ruby.Compile(e.Sprintf(r.pattern), 0); err != nil {
					f.log.Warn("invalid regular expression", slog.String("exception", err.Error()))
					continue
				}
			}
			v, _ := data.Get(field)
			switch t := v.(type) {
			case nil, bool:
				if t == nil || t == false {
					continue
				}
			case string:
				if matches(re, t) != keep {
					remove = append(remove, removal{field: field, whole: true})
				}
			case []any:
				var drop []any
				for _, x := range t {
					if s, ok := x.(string); ok && matches(re, s) != keep {
						drop = append(drop, x)
					}
				}
				if len(drop) == len(t) && len(t) > 0 {
					remove = append(remove, removal{field: field, whole: true})
				} else if len(drop) > 0 {
					remove = append(remove, removal{field: field, values: drop})
				}
			}
		}
	}
	values(f.whitelistVals, true)
	values(f.blackVal, false)
	for _, r := range remove {
		if r.whole {
			e.Remove(r.field)
			continue
		}
		v, _ := data.Get(r.field)
		list, ok := v.([]any)
		if !ok {
			continue
		}
		kept := make([]any, 0, len(list))
		for _, x := range list {
			dropped := false
			for _, d := range r.values {
				dropped = dropped || x == d
			}
			if !dropped {
				kept = append(kept, x)
			}
		}
		e.Set(r.field, kept)
	}
	return true
}
