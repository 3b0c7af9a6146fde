package pipeline

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/gostash/gostash/internal/ruby"
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

// TestRandomRegexpsMatchAsRuby runs the random regexps of
// testdata/filters/ruby/regex.tsv (scripts/golden/ruby-semantics.sh, from
// Debian's MRI) as conditions: =~ is true exactly where Ruby found a
// match, which its marked-up output shows.
func TestRandomRegexpsMatchAsRuby(t *testing.T) {
	f, err := os.Open("../../testdata/filters/ruby/regex.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	compiled := map[string]matcher{}
	n, bad := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		src, input := cols[0], rubytest.Uninspect(cols[1])
		want := cols[2] != ruby.Inspect(input)
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
			if bad++; bad <= 20 {
				t.Errorf("%s =~ /%s/: %v, Ruby says %v", cols[1], src, got, want)
			}
		}
	}
	if n == 0 {
		t.Fatal("no cases read")
	}
	if bad > 0 {
		t.Errorf("%d of %d differ", bad, n)
	}
}
