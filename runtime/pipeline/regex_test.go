package pipeline

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/gostash/gostash/internal/ruby/rubytest"
)

// TestConditionRegexpsMatchAsRuby checks =~ against Debian's MRI
// (testdata/filters/ruby/condition_regex.tsv, written by
// scripts/golden/ruby-semantics/condition_regex.rb): nested repeats Onigmo
// accepts with a warning, Ruby's anchors, ASCII \w and \s, Unicode \b.
func TestConditionRegexpsMatchAsRuby(t *testing.T) {
	f, err := os.Open("../../testdata/filters/ruby/condition_regex.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	compiled := map[string]matcher{}
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		src, input, want := cols[0], rubytest.Uninspect(cols[1]), cols[2] == "true"
		m, ok := compiled[src]
		if !ok {
			if m, err = compileRegex(src); err != nil {
				t.Errorf("/%s/: %v", src, err)
			}
			compiled[src] = m
		}
		if m == nil {
			continue
		}
		n++
		if got := m.MatchString(input); got != want {
			t.Errorf("%q =~ /%s/: %v, Ruby says %v", input, src, got, want)
		}
	}
	if n == 0 {
		t.Fatal("no cases read")
	}
}
