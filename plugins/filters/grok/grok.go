// Package grok is Logstash's grok filter: named regular-expression patterns
// (logstash-patterns-core, legacy or ECS v1) whose captures become fields.
// Patterns run on backtracking engines because the core patterns use
// look-behind and atomic groups that Go's RE2 cannot run: onigmo, which
// follows Ruby's Onigmo on UTF-8 text, and regexp2 for what onigmo leaves.
package grok

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/internal/ruby/onigmo"
	"github.com/gostash/gostash/plugins/internal/grokpattern"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optMatch              = plugin.Hash("match").Default(event.NewMap(0)).Doc("Field → pattern or list of patterns.")
	optPatternDefinitions = plugin.Hash("pattern_definitions").Default(event.NewMap(0)).Doc("Pattern name → regex, defined inline; overrides every other definition.")
	optPatternsDir        = plugin.Strings("patterns_dir").Default([]string{}).Doc("Directories (or files and globs) of extra pattern files.")
	optPatternsFilesGlob  = plugin.String("patterns_files_glob").Default("*").Doc("Glob selecting the pattern files inside patterns_dir directories.")
	optBreakOnMatch       = plugin.Bool("break_on_match").Default(true).Doc("Stop at the first pattern, and the first field, that matches.")
	optNamedCapturesOnly  = plugin.Bool("named_captures_only").Default(true).Doc("Only keep captures with a field name (%{PATTERN:field}).")
	optKeepEmptyCaptures  = plugin.Bool("keep_empty_captures").Default(false).Doc("Keep captures that are empty or did not participate.")
	optOverwrite          = plugin.Strings("overwrite").Default([]string{}).Doc("Fields whose existing value a capture replaces instead of appending to.")
	optTarget             = plugin.String("target").Doc("Field under which all captures are placed.")
	optTagOnFailure       = plugin.Strings("tag_on_failure").Default([]string{"_grokparsefailure"}).Doc("Tags added when no pattern matches.")
	optTimeoutMillis      = plugin.Float("timeout_millis").Default(30000).Doc("Abort a match after this many milliseconds; 0 disables.")
	optTimeoutScope       = plugin.Enum("timeout_scope", "pattern", "event").Default("pattern").Doc("Whether the timeout covers one pattern or all patterns for an event.")
	optTagOnTimeout       = plugin.String("tag_on_timeout").Default("_groktimeout").Doc("Tag added when a match times out.")
)

func init() {
	plugin.RegisterFilter(plugin.FilterSpec{
		Spec: plugin.Spec{
			Name:    "grok",
			Summary: "Parses unstructured text into fields with named patterns.",
			Options: []plugin.Declared{optMatch, optPatternDefinitions, optPatternsDir, optPatternsFilesGlob, optBreakOnMatch, optNamedCapturesOnly, optKeepEmptyCaptures, optOverwrite, optTarget, optTagOnFailure, optTimeoutMillis, optTimeoutScope, optTagOnTimeout, plugin.ECS},

			Examples: examples,
		},
		New: newGrok,
	})
}

// targetRef tells a field reference ([a][b]) from a bare name.
var targetRef = regexp.MustCompile(`\[.*?\]`)

type fieldPatterns struct {
	field    string
	ref      event.FieldRef // field, parsed; a reference that does not parse reads as nil
	refOK    bool
	patterns []*pattern
}

// pattern is a compiled pattern with where each of its captures goes.
type pattern struct {
	*grokpattern.Compiled
	targets []target // per capture
}

// target is where a capture's value goes: the parsed reference (or why it
// does not parse), whether the value replaces an existing one, and how
// many keys the pattern writes into each map along the way.
type target struct {
	ref       event.FieldRef
	refErr    error
	overwrite bool
	sizes     []int
}

type grok struct {
	log               *slog.Logger
	matches           []fieldPatterns
	breakOnMatch      bool
	keepEmpty         bool
	overwrite         map[string]bool
	target            string
	tagOnFailure      []string
	tagOnTimeout      string
	timeout           time.Duration
	eventTimeoutScope bool
}

func newGrok(s *plugin.Settings) (plugin.Filter, error) {
	g := &grok{
		log:               s.Logger(),
		breakOnMatch:      optBreakOnMatch.Get(s),
		keepEmpty:         optKeepEmptyCaptures.Get(s),
		overwrite:         map[string]bool{},
		tagOnFailure:      optTagOnFailure.Get(s),
		tagOnTimeout:      optTagOnTimeout.Get(s),
		timeout:           time.Duration(optTimeoutMillis.Get(s) * float64(time.Millisecond)),
		eventTimeoutScope: optTimeoutScope.Get(s) == "event",
	}
	for _, o := range optOverwrite.Get(s) {
		g.overwrite[o] = true
	}
	if optTarget.IsSet(s) {
		t := optTarget.Get(s)
		if !targetRef.MatchString(t) {
			t = "[" + ruby.Strip(t) + "]"
		}
		g.target = t
	}
	ecs := s.ECS()
	if ecs == "v8" {
		g.log.Warn("ECS v8 support is a preview of the unreleased ECS v8, and uses the v1 patterns. When Version 8 of the Elastic Common Schema becomes available, this plugin will need to be updated")
	}
	base, err := grokpattern.Core(ecs)
	if err != nil {
		return nil, err
	}
	// Like Logstash: the core set, then every file in the installation's
	// patterns directory, then patterns_dir; later definitions win.
	installed := grokpattern.InstalledDir()
	files, err := grokpattern.Files([]string{installed}, "*")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := grokpattern.ReadFile(f, base); err != nil {
			return nil, s.Errorf("%v", err)
		}
	}
	if files, err = grokpattern.Files(optPatternsDir.Get(s), optPatternsFilesGlob.Get(s)); err != nil {
		return nil, optPatternsDir.Errorf(s, "%v", err)
	}
	for _, f := range files {
		if err := grokpattern.ReadFile(f, base); err != nil {
			return nil, optPatternsDir.Errorf(s, "%v", err)
		}
	}
	searched := grokpattern.LookedIn(ecs, installed, optPatternsDir.Get(s))
	inline := optPatternDefinitions.Get(s)
	inline.Range(func(name string, v any) bool {
		if v != nil {
			base[name] = chomp(ruby.ToS(v))
		}
		return true
	})
	var compileErr error
	optMatch.Get(s).Range(func(field string, v any) bool {
		fp := fieldPatterns{field: field}
		ref, err := event.ParseFieldRef(field)
		fp.ref, fp.refOK = ref, err == nil
		for _, p := range asPatterns(v) {
			// Each pattern gets its own copy: %{NAME=regex} defines NAME for it alone.
			defs := make(map[string]string, len(base))
			for k, d := range base {
				defs[k] = d
			}
			c, err := grokpattern.Compile(p, defs, optNamedCapturesOnly.Get(s), g.timeout)
			if errors.Is(err, grokpattern.ErrUndefined) {
				err = fmt.Errorf("%w (looked in %s)", err, searched)
			}
			if err != nil {
				compileErr = optMatch.Errorf(s, "%v", err)
				return false
			}
			fp.patterns = append(fp.patterns, g.resolveTargets(c))
		}
		g.matches = append(g.matches, fp)
		return true
	})
	if compileErr != nil {
		return nil, compileErr
	}
	return g, nil
}

func chomp(s string) string {
	if n := len(s); n > 0 && s[n-1] == '\n' {
		s = s[:n-1]
		if n := len(s); n > 0 && s[n-1] == '\r' {
			s = s[:n-1]
		}
	} else if n > 0 && s[n-1] == '\r' {
		s = s[:n-1]
	}
	return s
}

func asPatterns(v any) []string {
	if l, ok := v.([]any); ok {
		out := make([]string, len(l))
		for i, x := range l {
			out[i] = ruby.ToS(x)
		}
		return out
	}
	return []string{ruby.ToS(v)}
}

// errTimeout reports a match that ran out of time.
type errTimeout struct {
	pattern, field, value string
}

func (e *errTimeout) Error() string {
	v := e.value
	if len(v) > 255 {
		v = fmt.Sprintf("Value too large to output (%d bytes)! First 255 chars are: %s", len(v), truncateRunes(v, 256))
	}
	return fmt.Sprintf("Timeout executing grok '%s' against field '%s' with value '%s'!", e.pattern, e.field, v)
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

// Filter tries each field's patterns. A match applies its captures; no
// match at all tags the event; a timeout tags it with tag_on_timeout.
func (g *grok) Filter(e *event.Event, _ func(*event.Event)) bool {
	var deadline time.Time
	if g.eventTimeoutScope && g.timeout > 0 {
		deadline = time.Now().Add(g.timeout)
	}
	matched := false
	for k := range g.matches {
		ok, err := g.matchField(e, &g.matches[k], deadline)
		if err != nil {
			if te := (*errTimeout)(nil); errors.As(err, &te) {
				g.log.Warn(te.Error())
				e.Tag(g.tagOnTimeout)
				return false
			}
			// Like Logstash, an exception while applying captures makes the
			// whole field count as unmatched.
			g.log.Warn("Grok regexp threw exception", slog.String("message", err.Error()))
			ok = false
		}
		if ok {
			matched = true
			if g.breakOnMatch {
				break
			}
		}
	}
	if !matched {
		for _, t := range g.tagOnFailure {
			e.Tag(t)
		}
	}
	return matched
}

func (g *grok) matchField(e *event.Event, fp *fieldPatterns, deadline time.Time) (bool, error) {
	var v any
	if fp.refOK {
		v, _ = e.GetRef(fp.ref)
	}
	if list, ok := v.([]any); ok {
		any := false
		for _, x := range list {
			ok, err := g.matchValue(e, fp, ruby.ToS(x), deadline)
			if err != nil {
				return any, err
			}
			any = any || ok
		}
		return any, nil
	}
	return g.matchValue(e, fp, ruby.ToS(v), deadline)
}

func (g *grok) matchValue(e *event.Event, fp *fieldPatterns, input string, deadline time.Time) (bool, error) {
	valid := utf8.ValidString(input)
	var runes []rune // for regexp2, made once
	var buf [64]int  // onigmo's capture offsets, for most patterns
	matched := false
	for _, p := range fp.patterns {
		c := p.Compiled
		if !deadline.IsZero() && time.Now().After(deadline) {
			return matched, &errTimeout{c.Source, fp.field, input}
		}
		fast := c.Fast != nil && valid
		var caps []int
		if fast {
			if n := 2 * (c.Fast.NumGroups() + 1); n <= len(buf) {
				caps = buf[:n]
			} else {
				caps = make([]int, n)
			}
			ok, err := c.Fast.Match(input, 0, caps, g.timeout)
			switch {
			case errors.Is(err, onigmo.ErrTooDeep):
				fast = false // regexp2 keeps its backtracking on a stack of its own
			case err != nil:
				return matched, &errTimeout{c.Source, fp.field, input}
			case !ok:
				continue
			}
		}
		if fast {
			matched = true
			if err := g.apply(e, p, func(cp *grokpattern.Capture) (string, bool) {
				k := 2 * cp.Index
				return input[max(caps[k], 0):max(caps[k+1], 0)], caps[k] >= 0
			}); err != nil {
				return matched, err
			}
		} else {
			if runes == nil {
				runes = []rune(input)
			}
			m, err := c.Re.FindRunesMatch(runes)
			if err != nil {
				return matched, &errTimeout{c.Source, fp.field, input}
			}
			if m == nil {
				continue
			}
			matched = true
			if err := g.apply(e, p, func(cp *grokpattern.Capture) (string, bool) {
				if grp := m.GroupByNumber(cp.Group); grp != nil && len(grp.Captures) > 0 {
					return grp.String(), true
				}
				return "", false
			}); err != nil {
				return matched, err
			}
		}
		if g.breakOnMatch {
			break
		}
	}
	return matched, nil
}

// apply writes a match's captures, which group reads: strings, or to_i/to_f
// for :int/:float.
func (g *grok) apply(e *event.Event, p *pattern, group func(*grokpattern.Capture) (string, bool)) error {
	for k := range p.Captures {
		cp := &p.Captures[k]
		var value any
		if s, ok := group(cp); ok {
			switch {
			case cp.Coerce == "int":
				value = ruby.ToI(s)
			case cp.Coerce == "float":
				value = ruby.ToF(s)
			case s == "" && !g.keepEmpty:
				continue // handle would drop it: spare boxing it
			default:
				value = s
			}
		}
		if err := g.handle(e, &p.targets[k], value); err != nil {
			return err
		}
	}
	return nil
}

// resolveTargets parses, once, the field reference each capture of c
// writes to (under target, if set).
func (g *grok) resolveTargets(c *grokpattern.Compiled) *pattern {
	p := &pattern{Compiled: c, targets: make([]target, len(c.Captures))}
	for k, cp := range c.Captures {
		ref := cp.Field
		if g.target != "" {
			ref = g.target + "[" + cp.Field + "]"
		}
		// A reference that does not parse fails when a match writes it,
		// as in Logstash.
		p.targets[k].ref, p.targets[k].refErr = event.ParseFieldRef(ref)
		p.targets[k].overwrite = g.overwrite[cp.Field]
	}
	// A map a match creates gets room for the keys the pattern puts in it.
	children := map[string]map[string]bool{}
	parent := func(r event.FieldRef, depth int) string {
		return fmt.Sprintf("%t%q", r.Metadata, r.Path[:depth])
	}
	for _, t := range p.targets {
		for i := 1; t.refErr == nil && i < len(t.ref.Path); i++ {
			key := parent(t.ref, i)
			if children[key] == nil {
				children[key] = map[string]bool{}
			}
			children[key][t.ref.Path[i]] = true
		}
	}
	for k := range p.targets {
		t := &p.targets[k]
		for i := 1; t.refErr == nil && i < len(t.ref.Path); i++ {
			t.sizes = append(t.sizes, len(children[parent(t.ref, i)]))
		}
	}
	return p
}

func (g *grok) handle(e *event.Event, cp *target, value any) error {
	if !g.keepEmpty && (value == nil || value == "") {
		return nil
	}
	if cp.refErr != nil {
		return cp.refErr
	}
	if cp.overwrite {
		return e.SetRefSized(cp.ref, value, cp.sizes)
	}
	cur, _ := e.GetRef(cp.ref)
	switch t := cur.(type) {
	case nil:
		return e.SetRefSized(cp.ref, value, cp.sizes)
	case []any:
		return e.SetRefSized(cp.ref, append(t, value), cp.sizes)
	case string:
		return e.SetRefSized(cp.ref, []any{t, value}, cp.sizes)
	}
	return nil
}
