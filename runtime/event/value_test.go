package event

import (
	"math"
	"math/big"
	"testing"
)

func TestAppendJavaDouble(t *testing.T) {
	for f, want := range map[float64]string{
		1.5: "1.5", 1e10: "1.0E10", 100: "100.0", 1: "1.0", 0.001: "0.001", 1234567: "1234567.0",
		1e7: "1.0E7", 1.5e20: "1.5E20", 1e-4: "1.0E-4", 9.999e-4: "9.999E-4", 0.1: "0.1", 0.5: "0.5",
		-2.5: "-2.5", 5e-324: "4.9E-324", 1e23: "1.0E23", math.MaxFloat64: "1.7976931348623157E308",
		123456789.123: "1.23456789123E8", 0.30000000000000004: "0.30000000000000004",
		math.Copysign(0, -1): "-0.0", 0: "0.0", math.Inf(1): "Infinity", math.Inf(-1): "-Infinity",
	} {
		if got := string(AppendJavaDouble(nil, f)); got != want {
			t.Errorf("AppendJavaDouble(%v) = %s, want %s", f, got, want)
		}
	}
	if got := string(AppendJavaDouble(nil, math.NaN())); got != "NaN" {
		t.Errorf("NaN = %s", got)
	}
}

func TestAppendJSONScalars(t *testing.T) {
	b, _ := new(big.Int).SetString("-123456789012345678901234567890", 10)
	cases := []struct {
		v    any
		want string
	}{
		{nil, "null"}, {true, "true"}, {int64(-5), "-5"}, {b, "-123456789012345678901234567890"},
		{math.NaN(), `"NaN"`}, {math.Inf(-1), `"-Infinity"`}, {1e10, "1.0E10"},
		{"\x00\x08\x09\x0a\x0b\x0c\x0d\x1b\x1f\x7f", `"\u0000\b\t\n\u000B\f\r\u001B\u001F` + "\x7f\""},
		{`"\/<>&'`, `"\"\\/<>&'"`},
		{"é\u2028\u2029😀", "\"é\u2028\u2029😀\""},
		{"a\xffb\xe2\x82c\xed\xa0\x80d\xe2\x82", "\"a\uFFFDb\uFFFDc\uFFFDd\uFFFD\""},
		{[]any{}, "[]"}, {NewMap(0), "{}"},
	}
	for _, c := range cases {
		if got := string(AppendJSON(nil, c.v)); got != c.want {
			t.Errorf("AppendJSON(%#v) = %s, want %s", c.v, got, c.want)
		}
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	v, err := DecodeJSON(benchJSONDoc)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	b.SetBytes(int64(len(benchJSONDoc)))
	for b.Loop() {
		buf = AppendJSON(buf[:0], v)
	}
}
