package ruby

// These tests check the Ruby semantics against what MRI Ruby produced
// (scripts/golden/ruby-semantics.sh).

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/gostash/gostash/internal/ruby/rubytest"
)

func inspectList(l []string) string {
	parts := make([]string, len(l))
	for i, x := range l {
		parts[i] = Inspect(x)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func TestStringsAgainstMRI(t *testing.T) {
	f, err := os.Open("../../testdata/filters/ruby/strings.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	seps := []string{",", " ", "", "ab", "\n"}
	bad := 0
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		s := rubytest.Uninspect(c[0])
		fl, err := Float(s)
		fs := FloatToS(fl)
		if err != nil {
			fs = "ERR"
		}
		bd, err := BigDecimalToI(s)
		bs := fmt.Sprint(bd)
		if err != nil {
			bs = "ERR"
		}
		got := []string{c[0], fmt.Sprint(ToI(s)), FloatToS(ToF(s)), fs, bs, Inspect(Strip(s)), Inspect(Upcase(s)), Inspect(Downcase(s)), Inspect(Capitalize(s))}
		for _, sep := range seps {
			got = append(got, inspectList(Split(s, sep)), inspectList(SplitAll(s, sep)))
		}
		names := []string{"input", "to_i", "to_f", "Float", "BigDecimal", "strip", "upcase", "downcase", "capitalize"}
		for _, sep := range seps {
			names = append(names, "split"+strconv.Quote(sep), "split-1"+strconv.Quote(sep))
		}
		for i := range c {
			if c[i] != got[i] {
				bad++
				if bad < 60 {
					t.Errorf("%s %s: ruby %s, go %s", c[0], names[i], c[i], got[i])
				}
			}
		}
	}
}

func TestFloatsAgainstMRI(t *testing.T) {
	f, err := os.Open("../../testdata/filters/ruby/floats.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		bits, _ := strconv.ParseUint(c[0], 16, 64)
		if got := FloatToS(math.Float64frombits(bits)); got != c[1] {
			t.Errorf("%s: ruby %s, go %s", c[0], c[1], got)
		}
	}
}

func TestGsubAgainstMRI(t *testing.T) {
	f, err := os.Open("../../testdata/filters/ruby/gsub.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		re, err := Compile(c[1], 0)
		got := "ERR"
		if err == nil {
			if out, err := Gsub(re, rubytest.Uninspect(c[0]), c[2]); err == nil {
				got = Inspect(out)
			}
		}
		if got != c[3] {
			t.Errorf("%s.gsub(/%s/, %q): ruby %s, go %s", c[0], c[1], c[2], c[3], got)
		}
	}
}

func TestCaseMappingAgainstMRI(t *testing.T) {
	f, err := os.Open("../../testdata/filters/ruby/case.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	hex := func(s string) string {
		var parts []string
		for _, r := range s {
			parts = append(parts, strconv.FormatInt(int64(r), 16))
		}
		return strings.Join(parts, " ")
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		n, _ := strconv.ParseInt(c[0], 16, 32)
		s := string(rune(n))
		for i, got := range []string{hex(Upcase(s)), hex(Downcase(s)), hex(Capitalize(s))} {
			if got != c[i+1] {
				t.Errorf("U+%s %s: ruby %s, go %s", c[0], []string{"upcase", "downcase", "capitalize"}[i], c[i+1], got)
			}
		}
	}
}

// TestUncasedStayUncased checks that code points Ruby's case mapping leaves
// alone (absent from case.tsv) are left alone here too.
func TestUncasedStayUncased(t *testing.T) {
	f, err := os.Open("../../testdata/filters/ruby/case.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cased := map[rune]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n, _ := strconv.ParseInt(strings.Split(sc.Text(), "\t")[0], 16, 32)
		cased[rune(n)] = true
	}
	for r := rune(0); r <= 0x10FFFF; r++ {
		if cased[r] || r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		s := string(r)
		if Upcase(s) != s || Downcase(s) != s || Capitalize(s) != s {
			t.Errorf("U+%04X changes case here but not in Ruby", r)
		}
	}
}

// TestRandomRegexesAgainstMRI runs randomly generated Ruby regexes on
// random text and compares every match and first group with MRI's.
func TestRandomRegexesAgainstMRI(t *testing.T) {
	f, err := os.Open("../../testdata/filters/ruby/regex.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	bad := 0
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		src, input, want := c[0], rubytest.Uninspect(c[1]), c[2]
		got := "ERR"
		if re, err := Compile(src, 0); err == nil {
			runes := []rune(input)
			var b strings.Builder
			last := 0
			m, err := re.FindRunesMatch(runes)
			for ; m != nil && err == nil; m, err = re.FindNextMatch(m) {
				b.WriteString(string(runes[last:m.Index]))
				g1 := ""
				if g := m.GroupByNumber(1); g != nil && len(g.Captures) > 0 {
					g1 = g.String()
				}
				b.WriteString("<" + m.String() + "|" + g1 + ">")
				last = m.Index + m.Length
			}
			if err == nil {
				b.WriteString(string(runes[last:]))
				got = Inspect(b.String())
			}
		}
		if got != want {
			bad++
			if bad <= 25 {
				t.Errorf("/%s/ on %s: ruby %s, go %s", src, c[1], want, got)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d rows differ", bad)
	}
}
