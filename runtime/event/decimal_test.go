package event

import (
	"bufio"
	"cmp"
	"fmt"
	"math"
	"math/big"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestDecimalGolden checks every rendering and comparison of Decimal
// against what JRuby 10.0.6 and Jackson do with the same JSON numbers
// (scripts/golden/bigdecimal.sh writes the file; see BigDecimalGolden.java
// for the columns).
func TestDecimalGolden(t *testing.T) {
	f, err := os.Open("../../testdata/event/jackson/bigdecimal.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	rows := 0
	for sc.Scan() {
		col := strings.Split(sc.Text(), "\t")
		if len(col) != 14 {
			t.Fatalf("bad row %q", sc.Text())
		}
		rows++
		json := col[0]
		d, err := ParseDecimal(json)
		if err != nil {
			t.Errorf("ParseDecimal(%q): %v", json, err)
			continue
		}
		check := func(what, got, want string) {
			t.Helper()
			if got != want {
				t.Errorf("%s: %s = %q, want %q", json, what, got, want)
			}
		}
		check("java toString", d.String(), col[1])
		check("JSON", string(AppendJSON(nil, d)), col[2])
		check("to_s", d.RubyToS(), col[3])
		check("to_s('F')", string(d.AppendRubyPlain(nil)), col[4])
		fl := d.Float64()
		check("to_f", fmt.Sprintf("%016x", math.Float64bits(fl)), col[5])
		check("to_i", fmt.Sprint(d.Integer()), col[6])
		check("Float == BigDecimal", "false", col[7])
		widened := Decimal{unscaled: new(big.Int).Mul(d.unscaled, big.NewInt(10)), scale: d.scale + 1}
		if d.unscaled == nil {
			widened = Decimal{scale: d.scale + 1}
		}
		check("BigDecimal == wider scale", strconv.FormatBool(d.Cmp(widened) == 0), col[8])
		if math.Abs(fl) >= 1e16 {
			// JRuby's Float#to_s prints these with 15 or 17 digits rather
			// than the shortest; DecimalFromFloat does not model it.
			continue
		}
		var cmps []string
		for _, x := range []float64{fl, math.Nextafter(fl, math.Inf(1)), math.Nextafter(fl, math.Inf(-1))} {
			cmps = append(cmps, strconv.Itoa(cmpWithFloat(t, d, x, FloatCompareDigits)))
		}
		check("BigDecimal <=> Float", strings.Join(cmps, ","), col[9])
		clamped := clampToLong(d.Integer())
		di, _ := DecimalFromInt(clamped)
		check("BigDecimal <=> Integer", strconv.Itoa(d.Cmp(di)), col[10])
		check("Float <=> BigDecimal", strconv.Itoa(-cmpWithFloat(t, d, fl, FloatCompareDigits)), col[11])
		eqRev := []string{
			strconv.FormatBool(cmpWithFloat(t, d, fl, FloatCompareDigits) == 0),
			strconv.FormatBool(cmpWithFloat(t, d, math.Nextafter(fl, math.Inf(1)), FloatCompareDigits) == 0),
			strconv.FormatBool(d.Cmp(di) == 0),
		}
		check("BigDecimal == Float, Integer", strings.Join(eqRev, ","), col[12])
		check("Integer <=> BigDecimal", strconv.Itoa(di.Cmp(d)), col[13])
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if rows < 3000 {
		t.Fatalf("only %d rows", rows)
	}
}

func cmpWithFloat(t *testing.T, d Decimal, f float64, digits int) int {
	t.Helper()
	fd, ok := DecimalFromFloat(f, digits)
	if !ok {
		// Ruby raises for ±Infinity; the golden rows only reach it through
		// to_f overflowing, where the decimal's sign decides.
		if f > 0 {
			return -1
		}
		return 1
	}
	return d.Cmp(fd)
}

func clampToLong(v any) int64 {
	switch t := v.(type) {
	case int64:
		return t
	case *big.Int:
		if t.Sign() < 0 {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	panic(v)
}

func TestParseDecimal(t *testing.T) {
	for _, c := range []struct {
		in       string
		unscaled string
		scale    int32
	}{
		{"5.1", "51", 1},
		{"96.0", "960", 1},
		{"-0.0", "0", 1},
		{"1e10", "1", -10},
		{"1.50E-3", "150", 5},
		{"00012.5", "125", 1},
		{"123456789012345678901234567890.5", "1234567890123456789012345678905", 1},
		{"1e2147483647", "1", -2147483647},
		{"1e-2147483647", "1", 2147483647},
	} {
		d, err := ParseDecimal(c.in)
		if err != nil {
			t.Errorf("ParseDecimal(%q): %v", c.in, err)
			continue
		}
		u := "0"
		if d.unscaled != nil {
			u = d.unscaled.String()
		}
		if u != c.unscaled || d.scale != c.scale {
			t.Errorf("ParseDecimal(%q) = %s×10^-%d, want %s×10^-%d", c.in, u, d.scale, c.unscaled, c.scale)
		}
	}
	for _, bad := range []string{"", "-", ".", "1e", "1e+", "1.5x", "1e2147483649", "0.5e-2147483648", "--1"} {
		if d, err := ParseDecimal(bad); err == nil {
			t.Errorf("ParseDecimal(%q) = %v, want an error", bad, d)
		}
	}
}

func TestDecimalFromFloat(t *testing.T) {
	for _, c := range []struct {
		f      float64
		digits int
		want   string
	}{
		{5.1, 15, "5.1"},
		{math.Nextafter(5.1, 6), 15, "5.10000000000000"},   // 5.1000000000000005
		{math.Nextafter(5.1, 0), 15, "5.10000000000000"},   // 5.099999999999999
		{math.Nextafter(0.3, 1), 16, "0.3000000000000000"}, // 0.30000000000000004
		{0.9999999999999999, 15, "1.00000000000000"},
		{-2.5, 15, "-2.5"},
		{0, 15, "0"},
		{1e23, 15, "1.0E+23"},
		{5e-324, 15, "4.9E-324"},
	} {
		d, ok := DecimalFromFloat(c.f, c.digits)
		if !ok || d.String() != c.want {
			t.Errorf("DecimalFromFloat(%v, %d) = %v, %v; want %s", c.f, c.digits, d, ok, c.want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, ok := DecimalFromFloat(f, 16); ok {
			t.Errorf("DecimalFromFloat(%v) accepted", f)
		}
	}
}

// TestDecodeJSONDecimal checks which numbers become Decimal: only those
// with a fraction or an exponent; integers stay int64 and *big.Int, and
// the document prints back unchanged through AppendJSON.
func TestDecodeJSONDecimal(t *testing.T) {
	doc := `{"a":5.10,"b":1E+10,"c":3,"d":[0.5,-0.0,1e-7],"e":123456789012345678901,"f":96.0}`
	v, err := DecodeJSONDecimal([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	m := v.(*Map)
	for key, want := range map[string]string{"a": "event.Decimal", "b": "event.Decimal", "c": "int64", "e": "*big.Int", "f": "event.Decimal"} {
		if x, _ := m.Get(key); fmt.Sprintf("%T", x) != want {
			t.Errorf("%s is %T, want %s", key, x, want)
		}
	}
	want := `{"a":5.10,"b":1E+10,"c":3,"d":[0.5,0.0,1E-7],"e":123456789012345678901,"f":96.0}`
	if got := string(AppendJSON(nil, v)); got != want {
		t.Errorf("AppendJSON = %s, want %s", got, want)
	}
	if d, _ := m.Get("d"); ValueString(d) != "0.5,0.0,1E-7" {
		t.Errorf("ValueString(d) = %q", ValueString(d))
	}
	if _, err := DecodeJSONDecimal([]byte(`[1e99999999999]`)); err == nil {
		t.Error("an exponent beyond Java's int scale was accepted")
	}
	if f, _ := DecodeJSON([]byte(`5.10`)); f != 5.1 {
		t.Errorf("DecodeJSON(5.10) = %#v, want the float64 5.1", f)
	}
}

func BenchmarkDecodeJSONDecimal(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchJSONDoc)))
	for b.Loop() {
		if _, err := DecodeJSONDecimal(benchJSONDoc); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDecimalInt64AndScale(t *testing.T) {
	for _, c := range []struct {
		in    string
		shift int32
		want  int64
	}{
		{"1600000000.1239", 3, 1600000000123},
		{"-1.9", 0, -1},
		{"1.5e-3", 3, 1},
		{"18446744073709551617.5", 0, 1}, // 2^64 + 1: the low 64 bits
		{"-18446744073709551617", 0, -1}, // as Java's longValue
		{"9223372036854775808", 0, math.MinInt64},
		{"3e63", 0, math.MinInt64}, // 3×10^63 mod 2^64 = 2^63
		{"7e64", 0, 0},
		{"1e2000000000", 0, 0},
	} {
		d, err := ParseDecimal(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.ScaleByPowerOfTen(c.shift).Int64(); got != c.want {
			t.Errorf("%s × 10^%d Int64() = %d, want %d", c.in, c.shift, got, c.want)
		}
	}
}

// FuzzParseDecimal: whatever parses prints (Java toString) to text that
// parses back to the same digits and scale, and compares equal to itself
// at a wider scale.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"5.1", "-0.0", "1e10", "1E-7", "96.0", "123456789012345678901234567890.5", "0e5", "-9.99e-300"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDecimal(s)
		if err != nil {
			return
		}
		back, err := ParseDecimal(d.String())
		if err != nil || back.scale != d.scale || back.Cmp(d) != 0 {
			t.Fatalf("%q printed %q, read back %v (%v)", s, d.String(), back, err)
		}
		if d.scale < math.MaxInt32 && d.ScaleByPowerOfTen(-1).Cmp(d) != cmp.Compare(0, d.Sign()) {
			t.Fatalf("%q: d×10^-1 does not compare below d", s)
		}
	})
}
