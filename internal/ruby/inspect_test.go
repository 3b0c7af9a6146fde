package ruby

import (
	"bufio"
	"math"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

const goldenDir = "../../testdata/codecs/rubydebug/"

// TestFloatGolden compares AppendFloat with Ruby's Float#to_s on the
// doubles scripts/golden/rubydebug.rb wrote.
func TestFloatGolden(t *testing.T) {
	f, err := os.Open(goldenDir + "float-to-s.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		bitsHex, want, _ := strings.Cut(line, " ")
		bits, err := strconv.ParseUint(bitsHex, 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		x := math.Float64frombits(bits)
		if got := string(AppendFloat(nil, x)); got != want {
			t.Errorf("AppendFloat(%v) = %s, Ruby says %s", x, got, want)
		}
		n++
	}
	if n < 5000 {
		t.Fatalf("only %d floats in the golden table", n)
	}
}

func TestFloatSpecial(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{
		{math.NaN(), "NaN"}, {math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"},
		{0, "0.0"}, {math.Copysign(0, -1), "-0.0"}, {1e15, "1.0e+15"}, {1e-5, "1.0e-05"},
		{100, "100.0"}, {1234567890123456.8, "1234567890123456.8"}, {1e100, "1.0e+100"},
	} {
		if got := string(AppendFloat(nil, c.f)); got != c.want {
			t.Errorf("AppendFloat(%v) = %s, want %s", c.f, got, c.want)
		}
	}
}

func TestInspect(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{"hello \"w\"\n\té \x01 \x7f \x1b #{x} \\", `"hello \"w\"\n\té \u0001 \u007F \e \#{x} \\"`},
		{"#$a #@b # #", `"\#$a \#@b # #"`},
		{"#", `"#"`},
		{"\a\b\v\f\r\x00", `"\a\b\v\f\r\u0000"`},
		{"\u0085\u0084\u00a0\u2028\u2029\u200b", "\"\u0085\\u0084\u00a0\\u2028\\u2029\u200b\""},
		{"\U000E0080\U0010FFFF\U0001F600\uFFFF", "\"\\u{E0080}\\u{10FFFF}\U0001F600\\uFFFF\""},
		{"\xff\xc3(\xe3\x81\xed\xa0\x80", `"\xFF\xC3(\xE3\x81\xED\xA0\x80"`},
	} {
		got := string(AppendInspect(nil, c.in))
		if got != c.want {
			t.Errorf("AppendInspect(%q) = %s, want %s", c.in, got, c.want)
		}
		if n := InspectLen(c.in); n != utf8.RuneCountInString(got) {
			t.Errorf("InspectLen(%q) = %d, want %d", c.in, n, utf8.RuneCountInString(got))
		}
	}
}

// TestInspectLenMatchesInspect checks InspectLen against the characters
// AppendInspect writes, on random byte strings.
func TestInspectLenMatchesInspect(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	pieces := []string{"#", "{", "$", "@", "\"", "\\", "a", "\x00", "\x1b", "\x7f", "\u0085", "\u0378", "\U000E0080", "\xff", "\xe3\x81", "日", "\n"}
	for i := 0; i < 2000; i++ {
		var sb strings.Builder
		for j := rng.Intn(12); j > 0; j-- {
			sb.WriteString(pieces[rng.Intn(len(pieces))])
		}
		s := sb.String()
		if n, want := InspectLen(s), utf8.RuneCount(AppendInspect(nil, s)); n != want {
			t.Fatalf("InspectLen(%q) = %d, inspect has %d characters", s, n, want)
		}
	}
}

// TestEscapeTable compares which non-ASCII code points are escaped with the
// table Ruby wrote. Ruby 3.1 knows Unicode 13 and Go Unicode 15, so code
// points assigned in Unicode 14 and 15 are escaped by that Ruby only; every
// other code point must agree. (Logstash's JRuby uses newer tables as well.)
func TestEscapeTable(t *testing.T) {
	f, err := os.Open(goldenDir + "inspect-escapes.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rubyEscapes := make([]bool, utf8.MaxRune+1)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		lo, hi, _ := strings.Cut(line, "-")
		l, err1 := strconv.ParseUint(lo, 16, 32)
		h, err2 := strconv.ParseUint(hi, 16, 32)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad line %q", line)
		}
		for r := l; r <= h; r++ {
			rubyEscapes[r] = true
		}
	}
	newerUnicode := 0
	for r := rune(0x80); r <= utf8.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		switch goEsc := escapedRune(r); {
		case goEsc == rubyEscapes[r]:
		case rubyEscapes[r] && !goEsc:
			newerUnicode++ // assigned after Unicode 13
		default:
			t.Errorf("U+%04X: gostash escapes it, Ruby prints it raw", r)
		}
	}
	// Unicode 14.0 added 838 characters and 15.0 added 4,489.
	if newerUnicode > 838+4489 {
		t.Errorf("%d code points printed raw that Ruby escapes; more than Unicode 14 and 15 added", newerUnicode)
	}
}

func BenchmarkAppendInspect(b *testing.B) {
	s := "GET /index.html?q=\"x\" HTTP/1.1 — 日本語 #{not} interpolated\n"
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = AppendInspect(buf[:0], s)
	}
}

func BenchmarkAppendFloat(b *testing.B) {
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = AppendFloat(buf[:0], 1234.5678)
	}
}
