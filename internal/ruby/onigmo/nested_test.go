package onigmo

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestNestedRepeatsAsMRI matches each repeat of a repeat, (?:a<inner>)<outer>,
// in the probe contexts and texts scripts/golden/ruby-semantics/nested_repeats.rb
// uses (the two lists below are copies of its CONTEXTS and TEXTS), and wants
// the spans MRI found, which the golden's last column holds.
func TestNestedRepeatsAsMRI(t *testing.T) {
	contexts := []string{`\A(X)`, `\A(X)(a?)\z`, `\A(X)(a*?)\z`, `\A(X)(a)`, `\A(X)b`, `(X)b`, `(X)`}
	texts := []string{"", "a", "aa", "aaa", "b", "ab", "aab", "aaab", "baa"}
	f, err := os.Open("../../../testdata/filters/ruby/nested_repeats.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	rows := 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 5 {
			t.Fatalf("bad golden line %q", sc.Text())
		}
		rows++
		nested := "(?:a" + cols[0] + ")" + cols[1]
		want := strings.Split(cols[4], " ")
		if len(want) != len(contexts)*len(texts) {
			t.Fatalf("%s: %d probes in the golden, want %d", nested, len(want), len(contexts)*len(texts))
		}
		k := 0
		for _, ctx := range contexts {
			src := strings.Replace(ctx, "X", nested, 1)
			re, err := Compile(src, false)
			if err != nil {
				t.Errorf("/%s/: %v", src, err)
				k += len(texts)
				continue
			}
			tail := strings.Contains(ctx, ")(")
			for _, s := range texts {
				caps := make([]int, 2*(re.NumGroups()+1))
				ok, err := re.Match(s, 0, caps, 0)
				if err != nil {
					t.Fatalf("/%s/ on %q: %v", src, s, err)
				}
				got := "-"
				if ok {
					spans := caps[:4]
					if tail {
						spans = append(spans, caps[len(caps)-2:]...)
					}
					got = strings.Trim(strings.Join(strings.Fields(fmt.Sprint(spans)), ","), "[]")
				}
				if got != want[k] {
					t.Errorf("/%s/ on %q: spans %s, MRI %s", src, s, got, want[k])
				}
				k++
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if rows != 36 {
		t.Errorf("golden has %d pairs, want 36", rows)
	}
}
