package grok

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/internal/ruby/rubytest"
	"github.com/gostash/gostash/plugins/internal/grokpattern"
)

// TestAgainstOnigmo matches core patterns on log lines (and mangled copies)
// and compares every capture with what Ruby's Onigmo engine captured
// (scripts/golden/ruby-semantics.sh).
func TestAgainstOnigmo(t *testing.T) {
	sets := map[string]map[string]string{}
	for set, ecs := range map[string]string{"legacy": "disabled", "ecs-v1": "v1"} {
		var err error
		if sets[set], err = grokpattern.Core(ecs); err != nil {
			t.Fatal(err)
		}
	}
	compareWithOnigmo(t, "onigmo.tsv", func(cols []string) (string, string, map[string]string) {
		return cols[0] + "/" + cols[1], "%{" + cols[1] + ":f}", sets[cols[0]]
	})
}

// TestExpressionsAgainstOnigmo does the same for grok expressions as users
// write them, hand-picked to tell regex engines apart and random.
func TestExpressionsAgainstOnigmo(t *testing.T) {
	legacy, err := grokpattern.Core("disabled")
	if err != nil {
		t.Fatal(err)
	}
	compareWithOnigmo(t, "expressions.tsv", func(cols []string) (string, string, map[string]string) {
		return cols[0], cols[0], legacy
	})
}

// compareWithOnigmo reads a golden file whose last two columns are an input
// and Onigmo's captures; pattern names a row's compiled pattern, its source
// and definitions.
func compareWithOnigmo(t *testing.T, file string, pattern func(cols []string) (key, src string, defs map[string]string)) {
	t.Helper()
	f, err := os.Open("../../../testdata/filters/grok/" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	compiled := map[string]*grokpattern.Compiled{}
	failed := map[string]error{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	rows, bad := 0, 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		quoted, want := cols[len(cols)-2], cols[len(cols)-1]
		input, err := strconv.Unquote(quoted)
		if err != nil {
			input = rubytest.Uninspect(quoted)
		}
		key, src, defs := pattern(cols)
		c, ok := compiled[key]
		if !ok && failed[key] == nil {
			own := make(map[string]string, len(defs))
			for k, d := range defs {
				own[k] = d
			}
			if c, err = grokpattern.Compile(src, own, true, 2*time.Second); err != nil {
				failed[key] = err
			}
			compiled[key] = c
		}
		rows++
		got := "compile error: " + fmt.Sprint(failed[key])
		if c != nil {
			got = onigmoCaptures(t, c, input)
		}
		if got != want {
			bad++
			if bad <= 1500 {
				t.Errorf("%s on %s: onigmo %s, go %s", key, quoted, want, got)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d rows differ", bad, rows)
	}
}

// onigmoCaptures renders a match as the golden files do: Ruby's inspect of
// [name, value] pairs, or NOMATCH. It runs the engine grok runs.
func onigmoCaptures(t *testing.T, c *grokpattern.Compiled, input string) string {
	caps := []any{}
	if c.Fast != nil && utf8.ValidString(input) {
		offsets := make([]int, 2*(c.Fast.NumGroups()+1))
		ok, err := c.Fast.Match(input, 0, offsets, 2*time.Second)
		if err != nil {
			return err.Error()
		}
		if !ok {
			return "NOMATCH"
		}
		for _, cp := range c.Captures {
			var v any
			if k := 2 * cp.Index; offsets[k] >= 0 {
				v = input[offsets[k]:offsets[k+1]]
			}
			caps = append(caps, []any{cp.Name, v})
		}
		return ruby.Inspect(caps)
	}
	m, err := c.Re.FindStringMatch(input)
	if err != nil {
		return err.Error()
	}
	if m == nil {
		return "NOMATCH"
	}
	for _, cp := range c.Captures {
		var v any
		if g := m.GroupByNumber(cp.Group); g != nil && len(g.Captures) > 0 {
			v = g.String()
		}
		caps = append(caps, []any{cp.Name, v})
	}
	return ruby.Inspect(caps)
}
