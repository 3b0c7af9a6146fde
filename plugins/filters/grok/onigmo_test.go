package grok

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/internal/ruby/rubytest"
	"github.com/gostash/gostash/plugins/internal/grokpattern"
)

// TestAgainstOnigmo matches core patterns on log lines (and mangled copies)
// and compares every capture with what Ruby's Onigmo engine captured
// (scripts/golden/ruby-semantics.sh).
func TestAgainstOnigmo(t *testing.T) {
	f, err := os.Open("../../../testdata/filters/grok/onigmo.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sets := map[string]map[string]string{}
	for set, ecs := range map[string]string{"legacy": "disabled", "ecs-v1": "v1"} {
		if sets[set], err = grokpattern.Core(ecs); err != nil {
			t.Fatal(err)
		}
	}
	compiled := map[string]*grokpattern.Compiled{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	rows, bad := 0, 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		set, name, want := cols[0], cols[1], cols[3]
		input, err := strconv.Unquote(cols[2])
		if err != nil {
			input = rubytest.Uninspect(cols[2])
		}
		key := set + "/" + name
		c, ok := compiled[key]
		if !ok {
			if c, err = grokpattern.Compile("%{"+name+":f}", sets[set], true, 0); err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			compiled[key] = c
		}
		rows++
		got := "NOMATCH"
		if m, err := c.Re.FindStringMatch(input); err != nil {
			t.Fatal(err)
		} else if m != nil {
			var caps []any
			for _, cp := range c.Captures {
				var v any
				if g := m.GroupByNumber(cp.Group); g != nil && len(g.Captures) > 0 {
					v = g.String()
				}
				caps = append(caps, []any{cp.Name, v})
			}
			got = ruby.Inspect(caps)
			if caps == nil {
				got = "[]"
			}
		}
		if got != want {
			bad++
			if bad <= 15 {
				t.Errorf("%s on %s:\nonigmo %s\ngo     %s", key, cols[2], want, got)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d rows differ", bad, rows)
	}
}
