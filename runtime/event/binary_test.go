package event

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"
)

// identical reports whether two event values are the same value of the
// same type, bit for bit: floats by their bits (NaN payloads, -0), big
// ints and decimals by value, type and (for decimals) scale and nil-ness,
// timestamps to the nanosecond.
func identical(a, b any) error {
	switch x := a.(type) {
	case nil, string, int64, bool:
		if a != b {
			return fmt.Errorf("%#v (%T) != %#v (%T)", a, a, b, b)
		}
	case int:
		if y, ok := b.(int64); !ok || int64(x) != y {
			return fmt.Errorf("int %d read back as %#v (%T)", x, b, b)
		}
	case float64:
		y, ok := b.(float64)
		if !ok || math.Float64bits(x) != math.Float64bits(y) {
			return fmt.Errorf("float %v read back as %#v (%T)", x, b, b)
		}
	case *big.Int:
		y, ok := b.(*big.Int)
		if !ok || x.Cmp(y) != 0 {
			return fmt.Errorf("big int %v read back as %#v (%T)", x, b, b)
		}
	case Decimal:
		y, ok := b.(Decimal)
		if !ok || x.scale != y.scale || (x.unscaled == nil) != (y.unscaled == nil) ||
			x.unscaled != nil && x.unscaled.Cmp(y.unscaled) != 0 {
			return fmt.Errorf("decimal %v read back as %#v (%T)", x, b, b)
		}
	case Timestamp:
		y, ok := b.(Timestamp)
		if !ok || !x.Equal(y.Time) || x.Nanosecond() != y.Nanosecond() {
			return fmt.Errorf("timestamp %v read back as %#v (%T)", x, b, b)
		}
	case *Map:
		y, ok := b.(*Map)
		if !ok || x.Len() != y.Len() {
			return fmt.Errorf("map %v read back as %#v", ValueString(x), b)
		}
		for i, k := range x.keys {
			if y.keys[i] != k {
				return fmt.Errorf("key %d: %q read back as %q", i, k, y.keys[i])
			}
			if err := identical(x.vals[i], y.vals[i]); err != nil {
				return fmt.Errorf("[%s]: %w", k, err)
			}
			if got, _ := y.Get(k); got == nil && x.vals[i] != nil {
				return fmt.Errorf("[%s] not found by lookup", k)
			}
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return fmt.Errorf("list %v read back as %#v", ValueString(x), b)
		}
		for i := range x {
			if err := identical(x[i], y[i]); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
	default:
		return fmt.Errorf("unexpected type %T", a)
	}
	return nil
}

func mustDecimal(t *testing.T, s string) Decimal {
	t.Helper()
	d, err := ParseDecimal(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestBinaryRoundTripsEveryValueType(t *testing.T) {
	huge, _ := new(big.Int).SetString("123456789012345678901234567890123456789", 10)
	negHuge := new(big.Int).Neg(huge)
	nan := math.Float64frombits(0x7ff8_0000_dead_beef) // a NaN with a payload
	wide := NewMap(0)
	for i := range 40 { // past the size at which maps build an index
		wide.Set(fmt.Sprintf("k%02d", i), int64(i))
	}
	values := map[string]any{
		"nil":          nil,
		"true":         true,
		"false":        false,
		"zero":         int64(0),
		"small":        int64(200),
		"negative":     int64(-7),
		"min int64":    int64(math.MinInt64),
		"max int64":    int64(math.MaxInt64),
		"go int":       42,
		"float":        3.25,
		"negative 0":   math.Copysign(0, -1),
		"NaN":          nan,
		"+Inf":         math.Inf(1),
		"-Inf":         math.Inf(-1),
		"smallest":     math.SmallestNonzeroFloat64,
		"empty string": "",
		"one":          "1",
		"utf8":         "héllo wörld ✓",
		"binary":       "\x00\xff\xfe invalid \xc3\x28 utf-8",
		"long string":  strings.Repeat("x", 100_000),
		"big":          huge,
		"big negative": negHuge,
		"small big":    big.NewInt(5), // stays a *big.Int
		"big zero":     new(big.Int),
		"decimal":      mustDecimal(t, "96.0"),
		"decimal exp":  mustDecimal(t, "1e10"),
		"decimal neg":  mustDecimal(t, "-0.000000000000000000000000000000012345678901234567890123"),
		"decimal zero": Decimal{},
		"timestamp":    Timestamp{time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)},
		"before 1970":  Timestamp{time.Date(1900, 12, 31, 23, 59, 59, 1, time.UTC)},
		"far future":   Timestamp{time.Date(12345, 6, 7, 8, 9, 10, 999999999, time.UTC)},
		"nested": mapOf("a", mapOf("b", []any{int64(1), "two", []any{nil, 3.5, mapOf("c", true)}}),
			"empty map", NewMap(0), "empty list", []any{}),
		"wide": wide,
	}
	e := NewEvent()
	e.SetTimestamp(Timestamp{time.Date(2025, 5, 6, 7, 8, 9, 1, time.UTC)})
	for k, v := range values {
		e.Data().Set(k, v)
	}
	e.Metadata().Set("index", "logs-%{+YYYY}")
	e.Metadata().Set("nested", mapOf("binary", "\xff", "n", int64(-1)))

	b, err := AppendBinary(nil, e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeBinary(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := identical(e.Data(), got.Data()); err != nil {
		t.Errorf("data: %v", err)
	}
	if err := identical(e.Metadata(), got.Metadata()); err != nil {
		t.Errorf("@metadata: %v", err)
	}
	if ts, ok := got.Timestamp(); !ok || ts.Nanosecond() != 1 {
		t.Errorf("@timestamp read back as %v", ts)
	}
	// The decoded event is independent of the buffer it was read from.
	clear(b)
	if err := identical(e.Data(), got.Data()); err != nil {
		t.Errorf("after clearing the input: %v", err)
	}
	// And it is an ordinary event: fields can be set and read.
	got.Set("[nested][a][new]", "x")
	if v, _ := got.Get("[nested][a][new]"); v != "x" {
		t.Errorf("set on a decoded event: %v", v)
	}
}

func TestBinaryWithoutMetadata(t *testing.T) {
	e := NewEvent()
	e.Set("message", "m")
	b, err := AppendBinary(nil, e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeBinary(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.HasMetadata() {
		t.Error("metadata appeared")
	}
	if err := identical(e.Data(), got.Data()); err != nil {
		t.Error(err)
	}
}

func TestBinaryRefusesUnknownTypes(t *testing.T) {
	e := NewEvent()
	e.Data().Set("bad", struct{}{})
	if _, err := AppendBinary(nil, e); err == nil || !strings.Contains(err.Error(), "struct {}") {
		t.Fatalf("want an error naming the type, got %v", err)
	}
	cyclic := []any{nil}
	cyclic[0] = cyclic
	e = NewEvent()
	e.Data().Set("cycle", cyclic)
	if _, err := AppendBinary(nil, e); !errors.Is(err, errBinaryDepth) {
		t.Fatalf("cyclic value: %v", err)
	}
}

func TestBinaryRejectsMalformedData(t *testing.T) {
	e := NewEvent()
	e.Set("[a][b]", []any{"x", int64(300), 1.5})
	good, err := AppendBinary(nil, e)
	if err != nil {
		t.Fatal(err)
	}
	// Every truncation is an error, never a panic.
	for n := range len(good) {
		if _, err := DecodeBinary(good[:n]); err == nil {
			t.Errorf("truncated to %d bytes: no error", n)
		}
	}
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"version", append([]byte{9}, good[1:]...)},
		{"flags", append([]byte{binaryVersion, 0x80}, good[2:]...)},
		{"trailing", append(append([]byte(nil), good...), 0)},
		{"unknown tag", []byte{binaryVersion, 0, 1, 1, 'k', 200}},
		{"duplicate key", []byte{binaryVersion, 0, 2, 1, 'k', tagNil, 1, 'k', tagNil}},
		{"huge count", []byte{binaryVersion, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"varint overflow", []byte{binaryVersion, 0, 1, 1, 'k', tagInt, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}},
		{"nanoseconds", []byte{binaryVersion, 0, 1, 1, 'k', tagTimestamp, 0, 0x80, 0x94, 0xeb, 0xdc, 0x03}},
	} {
		var be *BinaryError
		if _, err := DecodeBinary(c.data); !errors.As(err, &be) {
			t.Errorf("%s: want a BinaryError, got %v", c.name, err)
		}
	}
}

func FuzzDecodeBinary(f *testing.F) {
	e := NewEvent()
	e.Set("[a][b]", []any{"x", int64(-300), 1.5, true, nil})
	e.Set("[@metadata][m]", mustDecimalF("12.50"))
	seed, _ := AppendBinary(nil, e)
	f.Add(seed)
	f.Add([]byte{binaryVersion, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := DecodeBinary(data)
		if err != nil {
			var be *BinaryError
			if !errors.As(err, &be) {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		again, err := AppendBinary(nil, got)
		if err != nil {
			t.Fatalf("re-encoding a decoded event: %v", err)
		}
		back, err := DecodeBinary(again)
		if err != nil {
			t.Fatalf("reading a re-encoded event: %v", err)
		}
		if err := identical(got.Data(), back.Data()); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again[2:], mustAppend(t, back)[2:]) {
			t.Fatal("encoding is not stable")
		}
	})
}

func mustDecimalF(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

func mustAppend(t *testing.T, e *Event) []byte {
	b, err := AppendBinary(nil, e)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func BenchmarkBinary(b *testing.B) {
	e := NewEvent()
	e.Set("message", "Hello world!")
	e.Set("[host][name]", "gostash-host")
	e.Set("[event][sequence]", int64(123456))
	e.Set("[event][original]", "Hello world!")
	buf, _ := AppendBinary(nil, e)
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf, _ = AppendBinary(buf[:0], e)
		}
		b.ReportMetric(float64(len(buf)), "bytes/event")
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeBinary(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}
