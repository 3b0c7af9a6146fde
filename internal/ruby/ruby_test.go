package ruby

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gostash/gostash/runtime/event"
)

func TestFloatToS(t *testing.T) {
	for in, want := range map[float64]string{
		1e20: "1.0e+20", 1.5: "1.5", 1e16: "1.0e+16", 1e15: "1.0e+15", 1e14: "100000000000000.0", 1234567890123456: "1.234567890123456e+15",
		0.0001: "0.0001", 0.00001: "1.0e-05", -2.5e-10: "-2.5e-10", 100: "100.0",
	} {
		if got := FloatToS(in); got != want {
			t.Errorf("FloatToS(%v) = %s, want %s", in, got, want)
		}
	}
}

func TestSplit(t *testing.T) {
	for _, c := range []struct{ s, sep, want string }{
		{"a,b,,c,,", ",", "[a b  c]"}, {"", ",", "[]"}, {",a", ",", "[ a]"},
		{" a  b\tc ", " ", "[a b c]"}, {"   ", " ", "[]"}, {"ab", "", "[a b]"}, {"a||b", "||", "[a b]"},
	} {
		if got := fmt.Sprint(Split(c.s, c.sep)); got != c.want {
			t.Errorf("Split(%q, %q) = %s, want %s", c.s, c.sep, got, c.want)
		}
	}
}

func TestNumbers(t *testing.T) {
	for _, c := range []struct {
		in   string
		toI  string
		toF  string
		flt  string
		bigI string
	}{
		{"12.5", "12", "12.5", "12.5", "12"},
		{"abc", "0", "0.0", "error", "error"},
		{" 42", "42", "42.0", "42.0", "42"},
		{"1_000", "1000", "1000.0", "1000.0", "1000"},
		{"1e3", "1", "1000.0", "1000.0", "1000"},
		{"-0.9", "0", "-0.9", "-0.9", "0"},
		{"1.", "1", "1.0", "error", "error"},
		{"", "0", "0.0", "error", "error"},
	} {
		flt, err := Float(c.in)
		fs := FloatToS(flt)
		if err != nil {
			fs = "error"
		}
		bi, err := BigDecimalToI(c.in)
		bs := fmt.Sprint(bi)
		if err != nil {
			bs = "error"
		}
		got := strings.Join([]string{fmt.Sprint(ToI(c.in)), FloatToS(ToF(c.in)), fs, bs}, " ")
		want := strings.Join([]string{c.toI, c.toF, c.flt, c.bigI}, " ")
		if got != want {
			t.Errorf("%q: to_i to_f Float BigDecimal = %s, want %s", c.in, got, want)
		}
	}
}

func TestGsubReplacement(t *testing.T) {
	re, err := Compile(`(?<a>b)(c)?`, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Gsub(re, "abcab", `<\0|\k<a>|\1|\\|\x>`)
	if err != nil {
		t.Fatal(err)
	}
	if want := `a<bc|b|b|\|\x>a<b|b|b|\|\x>`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestSplitAll(t *testing.T) {
	for _, c := range []struct{ s, sep, want string }{
		{"a\n", "\n", "[a ]"}, {"", "\n", "[]"}, {" a b ", " ", "[a b ]"}, {"   ", " ", "[]"}, {"a,,", ",", "[a  ]"},
	} {
		if got := fmt.Sprint(SplitAll(c.s, c.sep)); got != c.want {
			t.Errorf("SplitAll(%q, %q) = %s, want %s", c.s, c.sep, got, c.want)
		}
	}
}

func TestTranslatePossessiveAndIntersection(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`a++b`, `(?>a+)b`},
		{`(ab)*+c`, `(?>(ab)*)c`},
		{`[xy]?+`, `(?>[xy]?)`},
		{`\d{2,3}+`, `(?>[0-9]{2,3})`},
		{`a+?b*c{2}`, `a+?b*c{2}`},
		{`\p{L}++`, `(?>\p{L}+)`},
	} {
		got, err := Translate(c.in, nil)
		if err != nil || got != c.want {
			t.Errorf("Translate(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if _, err := Translate(`[a-z&&[^aeiou]]`, nil); err == nil {
		t.Error("class intersection should be reported as unsupported")
	}
}

// TestDecimalToSAndInspect: a BigDecimal's to_s and inspect are both
// JRuby 10's 0.xxxeN form, alone and inside collections.
func TestDecimalToSAndInspect(t *testing.T) {
	d, err := event.ParseDecimal("96.0")
	if err != nil {
		t.Fatal(err)
	}
	m := event.NewMap(1)
	m.Set("d", []any{d})
	for _, c := range []struct{ got, want string }{
		{ToS(d), "0.96e2"},
		{Inspect(d), "0.96e2"},
		{Inspect(m), `{"d"=>[0.96e2]}`},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestInspectValues: strings inside hashes and arrays are escaped as
// String#inspect escapes them (C1 controls and invalid UTF-8 included),
// floats print as Float#to_s.
func TestInspectValues(t *testing.T) {
	m := event.NewMap(2)
	m.Set("k\u0084", []any{"\xff#{x}", 1e15, nil, int64(3)})
	if got, want := Inspect(m), `{"k\u0084"=>["\xFF\#{x}", 1.0e+15, nil, 3]}`; got != want {
		t.Errorf("Inspect = %s, want %s", got, want)
	}
}

// TestToIPlainDigits checks the in-place reading of plain digits against
// the general way (digits collected, then parsed) on random numbers of
// every length around int64's, with signs, spaces, underscores and tails.
func TestToIPlainDigits(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 2026))
	for range 100000 {
		var b strings.Builder
		b.WriteString([]string{"", " ", "\t-", "-", "+", "--"}[rng.IntN(6)])
		for range rng.IntN(22) {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		b.WriteString([]string{"", "_1", "_", "x", " 7", ".5"}[rng.IntN(6)])
		s := b.String()
		rest := strings.TrimLeft(s, " \t\n\v\f\r")
		neg := false
		if rest != "" && (rest[0] == '-' || rest[0] == '+') {
			neg, rest = rest[0] == '-', rest[1:]
		}
		want := new(big.Int)
		if _, digits := scanDigits(rest); digits != "" {
			want.SetString(digits, 10)
		}
		if neg {
			want.Neg(want)
		}
		got := fmt.Sprint(ToI(s))
		if got != want.String() {
			t.Fatalf("ToI(%q) = %s, want %s", s, got, want)
		}
	}
}
