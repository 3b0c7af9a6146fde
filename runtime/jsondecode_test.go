package runtime

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
)

func TestDecodeJSONValues(t *testing.T) {
	big20, _ := new(big.Int).SetString("123456789012345678901", 10)
	negBig, _ := new(big.Int).SetString("-9223372036854775809", 10)
	cases := []struct {
		in   string
		want string // AppendJSON of the result, with Go-distinct types checked below
	}{
		{`{}`, `{}`},
		{`[]`, `[]`},
		{` {"a" : 1 , "b":[true,false,null]} `, `{"a":1,"b":[true,false,null]}`},
		{`{"b":1,"a":2,"b":3}`, `{"b":3,"a":2}`},
		{`"x"`, `"x"`},
		{`12`, `12`},
		{`-0`, `0`},
		{`-0.0`, `-0.0`},
		{`1.5`, `1.5`},
		{`1e2`, `100.0`},
		{`1E+2`, `100.0`},
		{`1.0e-5`, `1.0E-5`},
		{`1e400`, `"Infinity"`}, // the writer quotes non-finite numbers
		{`9223372036854775807`, `9223372036854775807`},
		{`-9223372036854775808`, `-9223372036854775808`},
		{`"a\"b\\c\/d\b\f\n\r\t"`, `"a\"b\\c/d\b\f\n\r\t"`},
		{`"\u00e9\u20AC\ud83d\ude00"`, `"é€😀"`},
		{`"\ud83d"`, "\"\uFFFD\""},
		{`"\ude00x"`, "\"\uFFFDx\""},
		{`"é😀"`, `"é😀"`},
		{"\t\r\n[1,\n2]\n", `[1,2]`},
		{`{"a":{"b":{"c":[{"d":[]}]}}}`, `{"a":{"b":{"c":[{"d":[]}]}}}`},
		{`{"a":1} {"b":2}`, `{"b":2}`},
		{`{"a":1}{"b":2}`, `{"b":2}`},
		{`1 2`, `2`},
		{`"a""b"`, `"b"`},
	}
	for _, c := range cases {
		v, err := DecodeJSON([]byte(c.in))
		if err != nil {
			t.Errorf("DecodeJSON(%q): %v", c.in, err)
			continue
		}
		if got := string(AppendJSON(nil, v)); got != c.want {
			t.Errorf("DecodeJSON(%q) = %s, want %s", c.in, got, c.want)
		}
	}

	types := []struct {
		in   string
		want any
	}{
		{`12`, int64(12)},
		{`-7`, int64(-7)},
		{`1.0`, float64(1)},
		{`1e2`, float64(100)},
		{`true`, true},
		{`false`, false},
		{`null`, nil},
	}
	for _, c := range types {
		v, err := DecodeJSON([]byte(c.in))
		if err != nil || v != c.want {
			t.Errorf("DecodeJSON(%q) = %#v, %v; want %#v", c.in, v, err, c.want)
		}
	}
	for in, want := range map[string]*big.Int{"123456789012345678901": big20, "-9223372036854775809": negBig} {
		v, err := DecodeJSON([]byte(in))
		b, ok := v.(*big.Int)
		if err != nil || !ok || b.Cmp(want) != 0 {
			t.Errorf("DecodeJSON(%q) = %#v, %v; want big %v", in, v, err, want)
		}
	}
	if v, _ := DecodeJSON([]byte(`-0.0`)); !math.Signbit(v.(float64)) {
		t.Errorf("-0.0 lost its sign")
	}
	m, _ := DecodeJSON([]byte(`{"z":1,"a":2,"m":3}`))
	if got := strings.Join(m.(*Map).Keys(), ","); got != "z,a,m" {
		t.Errorf("keys in order %s, want document order z,a,m", got)
	}
}

func TestDecodeJSONEmpty(t *testing.T) {
	for _, in := range []string{"", " ", "\n\t\r "} {
		v, err := DecodeJSON([]byte(in))
		if v != nil || err != nil {
			t.Errorf("DecodeJSON(%q) = %v, %v; want nil, nil", in, v, err)
		}
	}
}

func TestDecodeJSONErrors(t *testing.T) {
	cases := []struct {
		in, msg string
		line, c int
	}{
		{`{"a":1} x`, "Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')", 1, 10},
		{`NaN`, "Unrecognized token 'NaN'", 1, 4},
		{`[Infinity]`, "Unrecognized token 'Infinity'", 1, 10},
		{`-Infinity`, "Unexpected character ('I' (code 73)) in numeric value: expected digit (0-9) to follow minus sign", 1, 2},
		{`{"a":1 // c` + "\n}", "Unexpected character ('/' (code 47)): was expecting comma to separate Object entries", 1, 8},
		{`/* c */ {}`, "Unexpected character ('/' (code 47)): expected a valid value", 1, 1},
		{`# c`, "Unexpected character ('#' (code 35))", 1, 1},
		{`{'a':1}`, "Unexpected character (''' (code 39)): was expecting double-quote to start field name", 1, 2},
		{`{a:1}`, "was expecting double-quote to start field name", 1, 2},
		{`{"a":1,}`, "Unexpected character ('}' (code 125)): was expecting double-quote to start field name", 1, 8},
		{`[1,]`, "Unexpected character (']' (code 93)): expected a valid value", 1, 4},
		{`[1 2]`, "was expecting comma to separate Array entries", 1, 4},
		{`{"a" 1}`, "was expecting a colon to separate field name and value", 1, 6},
		{`01`, "Invalid numeric value: Leading zeroes not allowed", 1, 2},
		{`-`, "Unexpected end-of-input in numeric value", 1, 2},
		{`1.`, "Decimal point not followed by a digit", 1, 3},
		{`1.e5`, "Decimal point not followed by a digit", 1, 3},
		{`.5`, "Unexpected character ('.' (code 46))", 1, 1},
		{`1e`, "Exponent indicator not followed by a digit", 1, 3},
		{`+1`, "Unexpected character ('+' (code 43))", 1, 1},
		{`12x`, "Expected space separating root-level values", 1, 3},
		{`1]`, "Expected space separating root-level values", 1, 2},
		{`"a` + "\n" + `b"`, "Illegal unquoted character (CTRL-CHAR, code 10)", 1, 3},
		{`"a` + "\t" + `"`, "Illegal unquoted character (CTRL-CHAR, code 9)", 1, 3},
		{`"\x"`, "Unrecognized character escape ('x' (code 120))", 1, 3},
		{`"\'"`, "Unrecognized character escape (''' (code 39))", 1, 3},
		{`"\u12G4"`, "expected a hex-digit for character escape sequence", 1, 6},
		{`"abc`, "Unexpected end-of-input: was expecting closing quote for a string value", 1, 5},
		{"\"a\xffb\"", "Invalid UTF-8 start byte 0xff", 1, 3},
		{`tru`, "Unexpected end-of-input in a value: was expecting token 'true'", 1, 4},
		{`trUe`, "Unrecognized token 'trUe'", 1, 5},
		{`True`, "Unrecognized token 'True'", 1, 5},
		{`nullx`, "Unrecognized token 'nullx'", 1, 6},
		{`[1,2`, "Unexpected end-of-input: expected close marker for Array (start marker at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1])", 1, 5},
		{"\n {\"a\":", "Unexpected end-of-input: expected a value", 2, 7},
		{"{\n\"a\":1", "expected close marker for Object (start marker at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1])", 2, 6},
		{strings.Repeat("[", 1001) + strings.Repeat("]", 1001), "Document nesting depth (1001) exceeds the maximum allowed (1000", 1, 1001},
		{strings.Repeat("9", 10001), "Number value length (10001) exceeds the maximum allowed (10000", 1, 1},
	}
	for _, c := range cases {
		v, err := DecodeJSON([]byte(c.in))
		var se *JSONSyntaxError
		if !errors.As(err, &se) {
			t.Errorf("DecodeJSON(%q) = %v, %v; want a syntax error", c.in, v, err)
			continue
		}
		if !strings.Contains(se.Msg, c.msg) || se.Line != c.line || se.Column != c.c {
			t.Errorf("DecodeJSON(%q) error %q at %d:%d; want %q at %d:%d", c.in, se.Msg, se.Line, se.Column, c.msg, c.line, c.c)
		}
	}
	_, err := DecodeJSON([]byte(`[1,]`))
	if want := "\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 4]"; !strings.HasSuffix(err.Error(), want) {
		t.Errorf("Error() = %q, want suffix %q", err.Error(), want)
	}
}

// TestDecodeJSONRoundTrip checks that what the writer prints, the decoder
// reads back to the same bytes.
func TestDecodeJSONRoundTrip(t *testing.T) {
	m := NewMap(4)
	m.Set("s", "ctl\x01\x1f\"\\ é \u2028 😀")
	m.Set("n", int64(-42))
	m.Set("f", 1.0e10)
	b, _ := new(big.Int).SetString("98765432109876543210", 10)
	m.Set("b", b)
	inner := NewMap(1)
	inner.Set("k", []any{"v", nil, true})
	m.Set("m", inner)
	doc := AppendJSON(nil, m)
	v, err := DecodeJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	if got := AppendJSON(nil, v); string(got) != string(doc) {
		t.Errorf("round trip %s, want %s", got, doc)
	}
}

var benchJSONDoc = []byte(`{"@timestamp":"2026-01-02T03:04:05.678Z","@version":"1","message":"GET /index.html HTTP/1.1 200 5120 \"-\" \"Mozilla/5.0\"","host":{"name":"web-01","ip":["10.0.0.1","fe80::1"]},"event":{"original":"x","duration":123456789,"ratio":0.25},"tags":["a","b"],"ok":true,"nothing":null}`)

func BenchmarkDecodeJSON(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchJSONDoc)))
	for b.Loop() {
		if _, err := DecodeJSON(benchJSONDoc); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDecodeJSONAfterError checks that a failed parse leaves nothing behind
// for the next one (decoders are pooled).
func TestDecodeJSONAfterError(t *testing.T) {
	for i := 0; i < 3; i++ {
		if _, err := DecodeJSON([]byte(`{"a":[1,{"b":2,"c":`)); err == nil {
			t.Fatal("truncated document accepted")
		}
		v, err := DecodeJSON([]byte(`{"x":[true]}`))
		if err != nil || string(AppendJSON(nil, v)) != `{"x":[true]}` {
			t.Fatalf("after an error: %v, %v", v, err)
		}
	}
}
