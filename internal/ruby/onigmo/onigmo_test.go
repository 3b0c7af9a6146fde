package onigmo

import (
	"bufio"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/internal/ruby"
	"github.com/gostash/gostash/internal/ruby/rubytest"
)

// TestRandomRegexesAgainstMRI runs MRI's results for randomly generated
// Ruby regexes on random text (every match, as gsub finds them, with its
// first group) through the patterns this engine takes on.
func TestRandomRegexesAgainstMRI(t *testing.T) {
	f, err := os.Open("../../../testdata/filters/ruby/regex.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	rows, ran, bad := 0, 0, 0
	unsupported := map[string]bool{}
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		src, input, want := c[0], rubytest.Uninspect(c[1]), c[2]
		rows++
		re, err := Compile(src, false)
		if errors.Is(err, ErrUnsupported) {
			unsupported[src] = true
			continue
		}
		if err != nil {
			t.Fatalf("/%s/: %v", src, err)
		}
		ran++
		if got := gsubMarks(t, re, input); got != want {
			bad++
			if bad <= 25 {
				t.Errorf("/%s/ on %s: ruby %s, onigmo %s", src, c[1], want, got)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d rows differ", bad, ran)
	}
	t.Logf("%d of %d rows run (%d patterns left to the general engine)", ran, rows, len(unsupported))
}

// gsubMarks marks every match as <match|group 1>, advancing past empty
// matches one character as Ruby's gsub does.
func gsubMarks(t *testing.T, re *Regexp, s string) string {
	caps := make([]int, 2*(re.NumGroups()+1))
	var b strings.Builder
	last := 0
	for from := 0; from <= len(s); {
		ok, err := re.Match(s, from, caps, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		g1 := ""
		if len(caps) > 2 && caps[2] >= 0 {
			g1 = s[caps[2]:caps[3]]
		}
		b.WriteString(s[last:caps[0]])
		b.WriteString("<" + s[caps[0]:caps[1]] + "|" + g1 + ">")
		last = caps[1]
		from = caps[1]
		if caps[1] == caps[0] {
			if from == len(s) {
				break
			}
			_, w := decodeRune(s[from:])
			b.WriteString(s[from : from+w])
			from += w
			last = from
		}
	}
	b.WriteString(s[last:])
	return ruby.Inspect(b.String())
}

func decodeRune(s string) (rune, int) {
	for i, r := range s {
		if i == 0 {
			return r, len(string(r))
		}
	}
	return 0, 0
}

// TestWordBoundaryTable checks \b's notion of a word character against
// every code point MRI's \b counts as one.
func TestWordBoundaryTable(t *testing.T) {
	f, err := os.Open("../../../testdata/filters/ruby/word.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	word := map[rune]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		lo, _ := strconv.ParseInt(c[0], 16, 32)
		hi, _ := strconv.ParseInt(c[1], 16, 32)
		for r := rune(lo); r <= rune(hi); r++ {
			word[r] = true
		}
	}
	for r := rune(0); r <= 0x10FFFF; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		if got := wordAt(string(r), 0); got != word[r] {
			t.Errorf("U+%04X: word %v, Ruby %v", r, got, word[r])
		}
	}
}

// TestTimeout stops a match that backtracks exponentially.
func TestTimeout(t *testing.T) {
	re, err := Compile(`^(a+)+$`, false)
	if err != nil {
		t.Fatal(err)
	}
	caps := make([]int, 2*(re.NumGroups()+1))
	if _, err := re.Match(strings.Repeat("a", 40)+"!", 0, caps, 20*time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("got %v, want a timeout", err)
	}
	// Without a limit the same pattern still matches what it can.
	if ok, err := re.Match("aaa", 0, caps, 0); !ok || err != nil || caps[3] != 3 {
		t.Fatalf("got %v %v %v", ok, err, caps)
	}
}

// TestTooDeep gives up, rather than growing the stack without bound, on a
// repeat of alternatives iterated once per character of a long text.
func TestTooDeep(t *testing.T) {
	re, err := Compile(`(?:a|b)*c`, false)
	if err != nil {
		t.Fatal(err)
	}
	caps := make([]int, 2)
	if _, err := re.Match(strings.Repeat("ab", 50000)+"c", 0, caps, 0); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("got %v, want ErrTooDeep", err)
	}
	if ok, err := re.Match(strings.Repeat("ab", 500)+"c", 0, caps, 0); !ok || err != nil || caps[1] != 1001 {
		t.Fatalf("got %v %v %v", ok, err, caps)
	}
}

// TestUnsupported lists constructs left to a general engine.
func TestUnsupported(t *testing.T) {
	for _, src := range []string{
		`(?i)abc`, `(?x) a b`, `(a)\1`, `\k<n>`, `\p{L}`, `[[:alpha:]]`, `[a-z&&[^aeiou]]`,
		`(?<=a+)b`, `[a[^b]]`, `[a-c-e]`, `(?:a|)+`, `(?:a?){2,3}`, `\G`, `\K`, `\R`, `(?~abc)`, `(?(1)a|b)`, `\xff`,
	} {
		if _, err := Compile(src, false); !errors.Is(err, ErrUnsupported) {
			t.Errorf("/%s/: got %v, want ErrUnsupported", src, err)
		}
	}
}

// TestRubyRepeatSyntax checks how Ruby reads repeat operators, against
// what MRI 3.1 matches: {n}? is an optional {n} while {n,m}? is lazy, {n}+
// repeats a repeat, nested plain repeats fold, {,m} has no lower bound,
// and a brace that starts no interval is literal.
func TestRubyRepeatSyntax(t *testing.T) {
	for _, c := range []struct{ re, in, want string }{
		{`a{2}?`, "a", ""},
		{`a{1,2}?`, "aaa", "a"},
		{`a{2}+`, "aaaa", "aaaa"},
		{`a{0,1}+`, "aaa", "aaa"},
		{`x{,2}`, "xxx", "xx"},
		{`a{,}`, "a{,}", "a{,}"},
		{`[]a]`, "]", "]"},
		{`(?:a+)+b`, "aaab", "aaab"},
	} {
		re, err := Compile(c.re, false)
		if err != nil {
			t.Errorf("/%s/: %v", c.re, err)
			continue
		}
		caps := make([]int, 2*(re.NumGroups()+1))
		if ok, err := re.Match(c.in, 0, caps, 0); !ok || err != nil || c.in[caps[0]:caps[1]] != c.want {
			t.Errorf("/%s/ on %q: got %v %v %v, want %q", c.re, c.in, ok, err, caps, c.want)
		}
	}
}

// TestRequiredText answers at once, as Onigmo does, when the text lacks
// something every match contains, however much the pattern would
// backtrack: a literal, or one of a few bytes.
func TestRequiredText(t *testing.T) {
	text := strings.Repeat("GET10.1.2.3 -1.5", 4)
	for _, src := range []string{`(?<z>.+?)*\[`, `(?<z>.+?)*(?:"x"|'y')`} {
		re, err := Compile(src, true)
		if err != nil {
			t.Fatal(err)
		}
		caps := make([]int, 2*(re.NumGroups()+1))
		if ok, err := re.Match(text, 0, caps, time.Millisecond); ok || err != nil {
			t.Errorf("/%s/: got %v %v, want no match", src, ok, err)
		}
	}
}

// TestPrefix checks the bytes a branch can begin with, which let a search
// pass over places where it cannot match.
func TestPrefix(t *testing.T) {
	tree, _, err := parse(`([0-9A-Fa-f]{1,4}:){7}([0-9A-Fa-f]{1,4}|:)`, true)
	if err != nil {
		t.Fatal(err)
	}
	p := prefixOf(tree, fullPrefix())
	if d := p.depth(); d != prefixLen {
		t.Fatalf("depth %d", d)
	}
	for _, c := range []struct {
		text  string
		allow bool
	}{{"fe80::1", true}, {"::1", false}, {"95.52.64.162", false}, {"a", true}, {"ab", true}, {"abcde", true}, {"abcd.", true}, {"ab.", false}} {
		if got := p.allows(c.text, 0, 0, p.depth()); got != c.allow {
			t.Errorf("%q: allows %v, want %v", c.text, got, c.allow)
		}
	}
}
